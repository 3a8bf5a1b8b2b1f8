"""From the schema's answers to Open311's shapes, and from Open311's parameters to the
schema's arguments: statuses, dates, service codes, request fields, input problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "CLOSED",
    "DOMINICAN_TIME",
    "OPEN",
    "attribute",
    "open311_status",
    "parameter_of",
    "parse_datetime",
    "request_item",
    "service_item",
    "statuses_for",
    "w3c",
]

#: Dominican time (no daylight saving): the dates Open311 shows carry this offset.
DOMINICAN_TIME = dt.timezone(dt.timedelta(hours=-4), "AST")

CLOSED = ("RESUELTA", "RECHAZADA")
OPEN = ("RECIBIDA", "EN_REVISION", "EN_PROCESO")

#: The schema's input fields by the Open311 parameter a client sends for them.
_PARAMETERS = {
    "description": "description",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "serviceId": "service_code",
    "municipalityId": "jurisdiction_id",
    "idempotencyKey": "idempotency_key",
    "answers": "attribute",
}


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED else "open"


def statuses_for(value: str) -> list[str] | None:
    """The schema's statuses for Open311's `status` (`open`, `closed` or both, comma-
    separated); None when a word is neither."""
    wanted: list[str] = []
    for word in (w.strip().lower() for w in value.split(",")):
        if word == "open":
            wanted.extend(s for s in OPEN if s not in wanted)
        elif word == "closed":
            wanted.extend(s for s in CLOSED if s not in wanted)
        elif word:
            return None
    return wanted


def w3c(value: str) -> str:
    """An ISO 8601 date-time from the schema as Open311 shows it: Dominican time, seconds."""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(DOMINICAN_TIME).isoformat(timespec="seconds")


def end_of_day(date: str) -> str:
    """The last second of an expected date (`expectedBy`), in Dominican time."""
    day = dt.date.fromisoformat(date)
    return dt.datetime.combine(day, dt.time(23, 59, 59), DOMINICAN_TIME).isoformat()


def parse_datetime(value: str) -> dt.datetime | None:
    """A W3C date-time (`2026-03-01T10:00:00-04:00`, `…Z`) or a date (Dominican midnight);
    without an offset, Dominican time. None when it is neither."""
    text = value.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=DOMINICAN_TIME)
    return moment


def parameter_of(field: str | None) -> str | None:
    """The Open311 parameter a schema input problem concerns (`answers.x` → `attribute[x]`)."""
    if field is None:
        return None
    if field.startswith("answers."):
        return f"attribute[{field.removeprefix('answers.')}]"
    return _PARAMETERS.get(field, field)


def local_code(municipality_id: str, service_id: str) -> str:
    """The service's code within its jurisdiction (the schema's id is `<municipality>:<code>`)."""
    prefix = f"{municipality_id}:"
    return service_id.removeprefix(prefix)


def service_item(service: Mapping[str, Any], municipality_id: str) -> dict[str, Any]:
    category = str(service.get("category") or "").lower() or None
    return {
        "service_code": local_code(municipality_id, str(service["id"])),
        "service_name": service["name"],
        "description": service.get("description") or None,
        "metadata": bool(service.get("requestFields")),
        "type": "realtime",
        "keywords": category,
        "group": category,
    }


def attribute(field: Mapping[str, Any]) -> dict[str, Any]:
    """A service's request field as an Open311 attribute."""
    item: dict[str, Any] = {
        "variable": True,
        "code": field["code"],
        "datatype": str(field["datatype"]).lower(),
        "required": bool(field["required"]),
        "datatype_description": field.get("description"),
        "order": field.get("order"),
        "description": field["label"],
    }
    choices: Sequence[Mapping[str, Any]] = field.get("choices") or ()
    if choices:
        item["values"] = [{"key": c["key"], "name": c["name"]} for c in choices]
    return item


def status_notes(request: Mapping[str, Any]) -> str:
    """The detailed state in the answer's language, with the latest public note if any."""
    label = str(request["statusLabel"])
    history: Sequence[Mapping[str, Any]] = request.get("history") or ()
    note = history[-1].get("note") if history else None
    return f"{label}: {note}" if note else label


def request_item(
    request: Mapping[str, Any], personal: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A request as Open311 shows it. `personal`: the personal fields the caller may read
    (only those given, non-null, are shown)."""
    municipality = request.get("municipality") or {}
    item: dict[str, Any] = {
        "service_request_id": request["trackingNumber"],
        "status": open311_status(str(request["status"])),
        "status_notes": status_notes(request),
        "service_name": request["serviceName"],
        "service_code": request["serviceId"],
        "agency_responsible": municipality.get("name"),
        "requested_datetime": w3c(str(request["submittedAt"])),
        "updated_datetime": w3c(str(request["updatedAt"])),
        "expected_datetime": None
        if request.get("expectedBy") is None
        else end_of_day(str(request["expectedBy"])),
    }
    shown = personal or {}
    if shown.get("description") is not None:
        item["description"] = shown["description"]
    if shown.get("address") is not None:
        item["address"] = shown["address"]
    if shown.get("latitude") is not None and shown.get("longitude") is not None:
        item["lat"] = shown["latitude"]
        item["long"] = shown["longitude"]
    return item
