"""Checks on a submitted request: the rules the web form says next to each field, said
again here, where every client (web, Open311, the explorer) meets them.

Each problem is a `FieldError` in plain Spanish and English that names the field and the
rule, never the value given (it may be personal).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from schema.field_errors import FieldError, problem
from schema.requests.forms import FieldType, FormField
from store.requests import ADDRESS_LENGTH, DESCRIPTION_LENGTH, IDEMPOTENCY_LENGTH

ANSWER_LENGTH = 1000
KEY_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{8,{IDEMPOTENCY_LENGTH}}}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
#: Control characters other than tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    code: str
    value: str


@dataclasses.dataclass(frozen=True, slots=True)
class CheckedRequest:
    description: str
    address: str | None
    latitude: float | None
    longitude: float | None
    answers: dict[str, str]


def clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = _CONTROL.sub("", value).strip()
    return cleaned or None


def description(value: str, errors: list[FieldError]) -> str:
    cleaned = clean_text(value)
    if cleaned is None:
        errors.append(
            problem(
                "description",
                "REQUIRED",
                "Describa lo que necesita.",
                "Describe what you need.",
            )
        )
        return ""
    if len(cleaned) > DESCRIPTION_LENGTH:
        errors.append(
            problem(
                "description",
                "TOO_LONG",
                f"La descripción debe tener {DESCRIPTION_LENGTH} caracteres o menos.",
                f"The description must be {DESCRIPTION_LENGTH:,} characters or fewer.",
            )
        )
    return cleaned


def address(value: str | None, errors: list[FieldError]) -> str | None:
    cleaned = clean_text(value)
    if cleaned is not None and len(cleaned) > ADDRESS_LENGTH:
        errors.append(
            problem(
                "address",
                "TOO_LONG",
                f"La dirección debe tener {ADDRESS_LENGTH} caracteres o menos.",
                f"The address must be {ADDRESS_LENGTH} characters or fewer.",
            )
        )
    return cleaned


def location(
    latitude: float | None, longitude: float | None, errors: list[FieldError]
) -> tuple[float | None, float | None]:
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        errors.append(
            problem(
                missing,
                "INCOMPLETE_LOCATION",
                "Indique la latitud y la longitud juntas, o ninguna de las dos.",
                "Give the latitude and the longitude together, or neither.",
            )
        )
        return None, None
    ok = True
    if latitude is not None and not -90.0 <= latitude <= 90.0:
        ok = False
        errors.append(
            problem(
                "latitude",
                "OUT_OF_RANGE",
                "La latitud debe estar entre -90 y 90 grados.",
                "The latitude must be between -90 and 90 degrees.",
            )
        )
    if longitude is not None and not -180.0 <= longitude <= 180.0:
        ok = False
        errors.append(
            problem(
                "longitude",
                "OUT_OF_RANGE",
                "La longitud debe estar entre -180 y 180 grados.",
                "The longitude must be between -180 and 180 degrees.",
            )
        )
    return (latitude, longitude) if ok else (None, None)


def idempotency_key(value: str, errors: list[FieldError]) -> str:
    if not KEY_PATTERN.fullmatch(value):
        errors.append(
            problem(
                "idempotencyKey",
                "INVALID_KEY",
                "La clave de envío debe tener entre 8 y 64 letras sin acentos, cifras, '-' o '_'.",
                "The idempotency key must be 8 to 64 letters without accents, digits, '-' or '_'.",
            )
        )
    return value


def consent(given: bool, errors: list[FieldError]) -> None:
    if not given:
        errors.append(
            problem(
                "consent",
                "CONSENT_REQUIRED",
                "Para enviar la solicitud debe aceptar el uso de sus datos para tramitarla.",
                "To send the request you must agree to your data being used to handle it.",
            )
        )


def _answer(spec: FormField, given: list[str], errors: list[FieldError]) -> str | None:
    field = f"answers.{spec.code}"
    label_es, label_en = spec.label.es, spec.label.en
    values = [v for v in (clean_text(v) for v in given) if v is not None]
    if spec.datatype is FieldType.MULTIVALUELIST:
        values = [part.strip() for v in values for part in v.split(",") if part.strip()]
    if not values:
        if spec.required:
            errors.append(
                problem(field, "REQUIRED", f"Responda «{label_es}».", f"Answer “{label_en}”.")
            )
        return None
    if len(values) > 1 and spec.datatype is not FieldType.MULTIVALUELIST:
        errors.append(
            problem(
                field,
                "TOO_MANY",
                f"Dé una sola respuesta a «{label_es}».",
                f"Give one answer to “{label_en}”.",
            )
        )
        return None
    value = values[0]
    if spec.datatype.is_list:
        keys = {c.key for c in spec.choices}
        if any(v not in keys for v in values):
            errors.append(
                problem(
                    field,
                    "INVALID_CHOICE",
                    f"Elija una de las opciones de «{label_es}».",
                    f"Choose one of the options for “{label_en}”.",
                )
            )
            return None
        return ",".join(dict.fromkeys(values))
    if spec.datatype is FieldType.NUMBER:
        normalised = (
            value.replace(",", ".") if value.count(",") == 1 and "." not in value else value
        )
        try:
            if not _NUMBER.fullmatch(normalised):
                raise InvalidOperation
            return str(Decimal(normalised).normalize())
        except InvalidOperation:
            errors.append(
                problem(
                    field,
                    "INVALID_NUMBER",
                    f"Escriba «{label_es}» como un número, por ejemplo 12 o 3.5.",
                    f"Enter “{label_en}” as a number, like 12 or 3.5.",
                )
            )
            return None
    if spec.datatype is FieldType.DATETIME:
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value).isoformat()
            return dt.datetime.fromisoformat(value).isoformat()
        except ValueError:
            errors.append(
                problem(
                    field,
                    "INVALID_DATE",
                    f"Escriba «{label_es}» como una fecha, por ejemplo 2026-12-25.",
                    f"Enter “{label_en}” as a date, like 2026-12-25.",
                )
            )
            return None
    if len(value) > ANSWER_LENGTH:
        errors.append(
            problem(
                field,
                "TOO_LONG",
                f"La respuesta a «{label_es}» debe tener {ANSWER_LENGTH} caracteres o menos.",
                f"Your answer to “{label_en}” must be {ANSWER_LENGTH:,} characters or fewer.",
            )
        )
        return None
    return value


def answers(
    form: Sequence[FormField], given: Sequence[Answer], errors: list[FieldError]
) -> dict[str, str]:
    by_code: dict[str, list[str]] = {}
    for answer in given:
        by_code.setdefault(answer.code, []).append(answer.value)
    known = {spec.code for spec in form}
    for code in by_code:
        if code not in known:
            errors.append(
                problem(
                    "answers",
                    "UNKNOWN_FIELD",
                    "Una de las respuestas no corresponde a ninguna pregunta de este servicio.",
                    "One of the answers is not for any question of this service.",
                )
            )
            break
    checked: dict[str, str] = {}
    for spec in form:
        value = _answer(spec, by_code.get(spec.code, []), errors)
        if value is not None:
            checked[spec.code] = value
    return checked
