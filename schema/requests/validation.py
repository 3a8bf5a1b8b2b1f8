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
from schema.language import Count
from schema.requests.forms import FieldType, FormField
from store.requests import ADDRESS_LENGTH, DESCRIPTION_LENGTH, IDEMPOTENCY_LENGTH
from words import Message

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
            problem("description", "REQUIRED", Message("schema", "Describe what you need."))
        )
        return ""
    if len(cleaned) > DESCRIPTION_LENGTH:
        errors.append(
            problem(
                "description",
                "TOO_LONG",
                Message(
                    "schema",
                    "The description must be %(limit)s characters or fewer.",
                    {"limit": Count(DESCRIPTION_LENGTH)},
                ),
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
                Message(
                    "schema",
                    "The address must be %(limit)s characters or fewer.",
                    {"limit": Count(ADDRESS_LENGTH)},
                ),
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
                Message("schema", "Give the latitude and the longitude together, or neither."),
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
                Message("schema", "The latitude must be between -90 and 90 degrees."),
            )
        )
    if longitude is not None and not -180.0 <= longitude <= 180.0:
        ok = False
        errors.append(
            problem(
                "longitude",
                "OUT_OF_RANGE",
                Message("schema", "The longitude must be between -180 and 180 degrees."),
            )
        )
    return (latitude, longitude) if ok else (None, None)


def idempotency_key(value: str, errors: list[FieldError]) -> str:
    if not KEY_PATTERN.fullmatch(value):
        errors.append(
            problem(
                "idempotencyKey",
                "INVALID_KEY",
                Message(
                    "schema",
                    "The idempotency key must be 8 to 64 letters without accents, digits, "
                    "'-' or '_'.",
                ),
            )
        )
    return value


def consent(given: bool, errors: list[FieldError]) -> None:
    if not given:
        errors.append(
            problem(
                "consent",
                "CONSENT_REQUIRED",
                Message(
                    "schema",
                    "To send the request you must agree to your data being used to handle it.",
                ),
            )
        )


def _answer(spec: FormField, given: list[str], errors: list[FieldError]) -> str | None:
    field = f"answers.{spec.code}"
    label = {"label": spec.label}
    values = [v for v in (clean_text(v) for v in given) if v is not None]
    if spec.datatype is FieldType.MULTIVALUELIST:
        values = [part.strip() for v in values for part in v.split(",") if part.strip()]
    if not values:
        if spec.required:
            errors.append(
                problem(field, "REQUIRED", Message("schema", "Answer “%(label)s”.", label))
            )
        return None
    if len(values) > 1 and spec.datatype is not FieldType.MULTIVALUELIST:
        errors.append(
            problem(
                field,
                "TOO_MANY",
                Message("schema", "Give one answer to “%(label)s”.", label),
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
                    Message("schema", "Choose one of the options for “%(label)s”.", label),
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
                    Message("schema", "Enter “%(label)s” as a number, like 12 or 3.5.", label),
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
                    Message("schema", "Enter “%(label)s” as a date, like 2026-12-25.", label),
                )
            )
            return None
    if len(value) > ANSWER_LENGTH:
        errors.append(
            problem(
                field,
                "TOO_LONG",
                Message(
                    "schema",
                    "Your answer to “%(label)s” must be %(limit)s characters or fewer.",
                    {**label, "limit": Count(ANSWER_LENGTH)},
                ),
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
                    Message(
                        "schema", "One of the answers is not for any question of this service."
                    ),
                )
            )
            break
    checked: dict[str, str] = {}
    for spec in form:
        value = _answer(spec, by_code.get(spec.code, []), errors)
        if value is not None:
            checked[spec.code] = value
    return checked
