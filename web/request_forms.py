"""The request form's answers between steps, and how each step checks them.

The journey keeps no state on the server and nothing personal in a cookie or a URL: each
step's form carries every earlier answer in hidden fields, with the idempotency key made
when the form was first shown, so that the final POST (clicked twice, or sent again from
the browser's history) creates one request. Only the check on the last step is the
schema's; the checks here are the same rules said earlier, next to the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.datastructures import FormData, UploadFile

from schema.requests.attachments import ACCEPT, MAX_FILE_BYTES, MAX_FILES
from web.labels import N_

#: The steps, in order; `DETAILS` is skipped for a service with no fields of its own.
DESCRIPTION = "descripcion"
DETAILS = "datos"
LOCATION = "ubicacion"
CONSENT = "consentimiento"
CHECK = "revisar"
STEPS = (DESCRIPTION, DETAILS, LOCATION, CONSENT, CHECK)

STEP_TITLES: Mapping[str, str] = {
    DESCRIPTION: N_("What do you need?"),
    DETAILS: N_("About your request"),
    LOCATION: N_("Where is it?"),
    CONSENT: N_("How your data will be used"),
    CHECK: N_("Check your answers before sending your request"),
}

#: Limits, the same as the hub store's columns.
DESCRIPTION_LENGTH = 4000
ADDRESS_LENGTH = 300
ANSWER_LENGTH = 1000
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

#: Form field names (and input ids) of the fixed questions.
F_DESCRIPTION = "descripcion"
F_ADDRESS = "direccion"
F_LATITUDE = "latitud"
F_LONGITUDE = "longitud"
F_CONSENT = "consentimiento"
F_KEY = "clave"
F_STEP = "paso"
F_REVIEWING = "revisando"
F_ACTION = "accion"
#: The file input of the last step ("check your answers").
F_FILES = "adjuntos"
#: What the last step's form may carry: more than the limit, so that the schema says
#: "at most 3" in words; past this the form is refused as one no page of ours makes.
MAX_FORM_FILES = MAX_FILES * 4


@dataclasses.dataclass(frozen=True, slots=True)
class AttachmentLimits:
    """The limits the file input's hint states (the schema checks them)."""

    files: int = MAX_FILES
    megabytes: int = MAX_FILE_BYTES >> 20
    accept: str = ACCEPT


ATTACHMENT_LIMITS = AttachmentLimits()
_FIELD_PREFIX = "campo-"
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]")
_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")

MESSAGES: Mapping[str, str] = {
    "description_missing": N_("Describe what you need"),
    "description_long": N_("Your description must be 4,000 characters or fewer"),
    "answer_missing": N_("Answer “%(label)s”"),
    "answer_long": N_("Your answer to “%(label)s” must be 1,000 characters or fewer"),
    "number_invalid": N_("Enter “%(label)s” as a number, like 12 or 3.5"),
    "date_invalid": N_("Enter “%(label)s” as a real date, like 25/12/2026"),
    "choice_invalid": N_("Choose one of the options for “%(label)s”"),
    "address_long": N_("The address must be 300 characters or fewer"),
    "latitude_invalid": N_("Enter the latitude as a number between -90 and 90, like 18.4861"),
    "longitude_invalid": N_("Enter the longitude as a number between -180 and 180, like -69.9312"),
    "latitude_missing": N_("Enter the latitude too, or leave both coordinates empty"),
    "longitude_missing": N_("Enter the longitude too, or leave both coordinates empty"),
    "consent_missing": N_(
        "To send your request, tick the box to agree to how your data will be used"
    ),
    "csrf": N_("The form had expired. Please check your answers and send it again."),
    "unavailable": N_(
        "Your request could not be sent right now, so nothing was sent. "
        "Please try again in a few minutes."
    ),
}


@dataclasses.dataclass(frozen=True, slots=True)
class RequestField:
    """One of the service's own questions (`Service.requestFields`), in the page's
    language (the hub words them in Spanish and English)."""

    code: str
    label: str
    description: str | None
    datatype: str
    required: bool
    choices: tuple[tuple[str, str], ...]

    @property
    def input_id(self) -> str:
        return field_input_id(self.code)

    @property
    def multiple(self) -> bool:
        return self.datatype == "MULTIVALUELIST"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RequestField:
        return cls(
            code=str(data["code"]),
            label=str(data["label"]),
            description=data.get("description") or None,
            datatype=str(data["datatype"]),
            required=bool(data["required"]),
            choices=tuple((str(c["key"]), str(c["name"])) for c in data.get("choices") or ()),
        )


def field_input_id(code: str) -> str:
    return _FIELD_PREFIX + _UNSAFE_ID.sub("-", code)


def request_fields(service: Mapping[str, Any]) -> list[RequestField]:
    fields = sorted(service.get("requestFields") or (), key=lambda f: (f["order"], f["code"]))
    return [RequestField.from_data(f) for f in fields]


def steps_for(fields: Sequence[RequestField]) -> tuple[str, ...]:
    return tuple(step for step in STEPS if step != DETAILS or fields)


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """A problem shown in the error summary and next to its field. `field` is the id of
    the input to focus (None: the form as a whole); `message` a key of `MESSAGES`;
    `label` the question's own words (municipal data, Spanish) when the message names it."""

    field: str | None
    message: str
    label: str | None = None
    #: The schema's own message (in the page's language), for what this page did not check.
    data: str | None = None


def new_key() -> str:
    """The idempotency key of one journey: made when its first step is shown."""
    return secrets.token_urlsafe(24)


@dataclasses.dataclass(slots=True)
class Draft:
    """Every answer so far, as typed (strings), carried by the form from step to step."""

    key: str
    description: str = ""
    answers: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    address: str = ""
    latitude: str = ""
    longitude: str = ""
    consent: bool = False
    reviewing: bool = False
    #: Files were chosen on the last step, and this answer did not keep them.
    files_dropped: bool = False

    @classmethod
    def empty(cls) -> Draft:
        return cls(key=new_key())

    @classmethod
    def from_form(cls, form: FormData, fields: Sequence[RequestField]) -> Draft:
        def text(name: str, limit: int) -> str:
            value = form.get(name)
            if not isinstance(value, str):
                return ""
            # Browsers send line breaks as CRLF. Twice the limit: long enough to say
            # "too long", short enough to carry from step to step.
            return value.replace("\r\n", "\n")[: limit * 2]

        key = text(F_KEY, 64)
        answers: dict[str, list[str]] = {}
        for field in fields:
            values = [v for v in form.getlist(field.input_id) if isinstance(v, str)]
            answers[field.code] = [
                v.replace("\r\n", "\n")[: ANSWER_LENGTH * 2] for v in values[:50]
            ]
        return cls(
            key=key if KEY_PATTERN.match(key) else new_key(),
            description=text(F_DESCRIPTION, DESCRIPTION_LENGTH),
            answers=answers,
            address=text(F_ADDRESS, ADDRESS_LENGTH),
            latitude=text(F_LATITUDE, 40),
            longitude=text(F_LONGITUDE, 40),
            consent=form.get(F_CONSENT) == "si",
            reviewing=form.get(F_REVIEWING) == "si",
        )

    def answer(self, code: str) -> str:
        """A single answer as typed ('' when none)."""
        values = self.answers.get(code) or []
        return values[0] if values else ""

    def chosen(self, code: str) -> list[str]:
        return self.answers.get(code) or []

    def hidden(self, step: str, fields: Sequence[RequestField]) -> list[tuple[str, str]]:
        """(name, value) of the hidden fields that carry the answers not asked on `step`."""
        carried: list[tuple[str, str]] = [(F_KEY, self.key)]
        if self.reviewing and step != CHECK:
            carried.append((F_REVIEWING, "si"))
        if step != DESCRIPTION:
            carried.append((F_DESCRIPTION, self.description))
        if step != DETAILS:
            for field in fields:
                carried.extend((field.input_id, v) for v in self.chosen(field.code))
        if step != LOCATION:
            carried += [
                (F_ADDRESS, self.address),
                (F_LATITUDE, self.latitude),
                (F_LONGITUDE, self.longitude),
            ]
        if step != CONSENT and self.consent:
            carried.append((F_CONSENT, "si"))
        return carried


def chosen_files(form: FormData) -> list[UploadFile]:
    """The files chosen on the last step; a file input left empty sends a nameless, empty
    part, which is no file."""
    return [
        value
        for value in form.getlist(F_FILES)
        if isinstance(value, UploadFile) and (value.filename or value.size)
    ]


# -- Checks, step by step --------------------------------------------------------------


def parse_number(text: str) -> float | None:
    """`18.48`, `-69,93` (a comma is a decimal point here too); None if not a number."""
    cleaned = text.strip().replace(" ", "")
    if not _NUMBER.match(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return value if math.isfinite(value) else None


def parse_date(text: str) -> dt.date | None:
    """`25/12/2026` (day first, as in the Dominican Republic) or `2026-12-25`."""
    found = _DATE.match(text)
    try:
        if found:
            day, month, year = (int(g) for g in found.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def check_description(draft: Draft) -> list[Problem]:
    text = draft.description.strip()
    if not text:
        return [Problem(F_DESCRIPTION, "description_missing")]
    if len(text) > DESCRIPTION_LENGTH:
        return [Problem(F_DESCRIPTION, "description_long")]
    return []


def check_answer(field: RequestField, values: Sequence[str]) -> Problem | None:
    given = [v.strip() for v in values if v.strip()]

    def problem(message: str) -> Problem:
        return Problem(field.input_id, message, label=field.label)

    if not given:
        return problem("answer_missing") if field.required else None
    if any(len(v) > ANSWER_LENGTH for v in given):
        return problem("answer_long")
    keys = {key for key, _ in field.choices}
    if field.datatype in ("SINGLEVALUELIST", "MULTIVALUELIST"):
        if any(v not in keys for v in given) or (not field.multiple and len(given) > 1):
            return problem("choice_invalid")
    elif field.datatype == "NUMBER":
        if parse_number(given[0]) is None:
            return problem("number_invalid")
    elif field.datatype == "DATETIME" and parse_date(given[0]) is None:
        return problem("date_invalid")
    return None


def check_details(draft: Draft, fields: Sequence[RequestField]) -> list[Problem]:
    found = [check_answer(field, draft.chosen(field.code)) for field in fields]
    return [problem for problem in found if problem is not None]


def check_location(draft: Draft) -> list[Problem]:
    problems: list[Problem] = []
    if len(draft.address.strip()) > ADDRESS_LENGTH:
        problems.append(Problem(F_ADDRESS, "address_long"))
    latitude, longitude = draft.latitude.strip(), draft.longitude.strip()
    if latitude:
        value = parse_number(latitude)
        if value is None or not -90 <= value <= 90:
            problems.append(Problem(F_LATITUDE, "latitude_invalid"))
    if longitude:
        value = parse_number(longitude)
        if value is None or not -180 <= value <= 180:
            problems.append(Problem(F_LONGITUDE, "longitude_invalid"))
    if latitude and not longitude:
        problems.append(Problem(F_LONGITUDE, "longitude_missing"))
    if longitude and not latitude:
        problems.append(Problem(F_LATITUDE, "latitude_missing"))
    return problems


def check_consent(draft: Draft) -> list[Problem]:
    return [] if draft.consent else [Problem(F_CONSENT, "consent_missing")]


def check_step(step: str, draft: Draft, fields: Sequence[RequestField]) -> list[Problem]:
    if step == DESCRIPTION:
        return check_description(draft)
    if step == DETAILS:
        return check_details(draft, fields)
    if step == LOCATION:
        return check_location(draft)
    if step == CONSENT:
        return check_consent(draft)
    return []


def first_failing_step(
    draft: Draft, fields: Sequence[RequestField]
) -> tuple[str, list[Problem]] | None:
    for step in steps_for(fields):
        problems = check_step(step, draft, fields)
        if problems:
            return step, problems
    return None


# -- What the schema receives ----------------------------------------------------------


def answer_value(field: RequestField, values: Sequence[str]) -> str | None:
    given = [v.strip() for v in values if v.strip()]
    if not given:
        return None
    if field.datatype == "NUMBER":
        number = parse_number(given[0])
        return None if number is None else given[0].strip().replace(",", ".").replace(" ", "")
    if field.datatype == "DATETIME":
        date = parse_date(given[0])
        return None if date is None else date.isoformat()
    return given[0]


def submit_input(
    draft: Draft, fields: Sequence[RequestField], municipality_id: str, service_id: str
) -> dict[str, Any]:
    """`SubmitServiceRequestInput` from a checked draft."""
    answers: list[dict[str, str]] = []
    for field in fields:
        if field.multiple:  # one answer per chosen key
            chosen = dict.fromkeys(v.strip() for v in draft.chosen(field.code) if v.strip())
            answers.extend({"code": field.code, "value": key} for key in chosen)
            continue
        value = answer_value(field, draft.chosen(field.code))
        if value is not None:
            answers.append({"code": field.code, "value": value})
    return {
        "municipalityId": municipality_id,
        "serviceId": service_id,
        "description": draft.description.strip(),
        "address": draft.address.strip() or None,
        "latitude": parse_number(draft.latitude) if draft.latitude.strip() else None,
        "longitude": parse_number(draft.longitude) if draft.longitude.strip() else None,
        "answers": answers,
        "idempotencyKey": draft.key,
        "consent": draft.consent,
    }


#: The schema's field names (in `FieldError.field`) → the input ids of this form.
SCHEMA_FIELDS: Mapping[str, str] = {
    "description": F_DESCRIPTION,
    "address": F_ADDRESS,
    "latitude": F_LATITUDE,
    "longitude": F_LONGITUDE,
    "consent": F_CONSENT,
}


def step_of_input(input_id: str | None, fields: Sequence[RequestField]) -> str:
    if input_id == F_DESCRIPTION:
        return DESCRIPTION
    if input_id in (F_ADDRESS, F_LATITUDE, F_LONGITUDE):
        return LOCATION
    if input_id == F_CONSENT:
        return CONSENT
    if input_id is not None and any(f.input_id == input_id for f in fields):
        return DETAILS
    return CHECK


def problem_from_schema(error: Mapping[str, Any], fields: Sequence[RequestField]) -> Problem:
    """A `FieldError` of `submitServiceRequest`, placed next to the field it is about."""
    name = str(error.get("field") or "")
    message = str(error.get("message") or "")
    input_id = SCHEMA_FIELDS.get(name)
    if name == "attachments" or name.startswith("attachments."):
        input_id = F_FILES
    label = None
    if input_id is None:
        # `answers.<code>`, `answers[<code>]` or the code itself.
        code = re.sub(r"^answers[.\[]?|\]$", "", name)
        field = next((f for f in fields if f.code == code), None)
        if field is not None:
            input_id, label = field.input_id, field.label
    return Problem(input_id, "", label=label, data=message)
