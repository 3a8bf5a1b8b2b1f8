"""The export a citizen downloads: everything the hub holds about them, as JSON and CSV
in one zip, and nothing about anyone else (staff appear by role, never by person)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from connectors.hubstore.audit import AuditRecord
from connectors.hubstore.citizens import PERSONAL_COLUMNS, Consent, Profile
from connectors.hubstore.requests import ServiceRequest

CONTENT_TYPE = "application/zip"
JSON_NAME = "mis-datos.json"
PROFILE_CSV = "perfil.csv"
CONSENTS_CSV = "consentimientos.csv"
ACCESS_LOG_CSV = "registro-de-accesos.csv"
REQUESTS_CSV = "solicitudes.csv"
REQUEST_COLUMNS = [
    "trackingNumber",
    "municipality",
    "serviceId",
    "serviceName",
    "status",
    "submittedAt",
    "updatedAt",
    "expectedBy",
    "description",
    "address",
    "latitude",
    "longitude",
    "answers",
    "attachments",
]

#: A cell a spreadsheet would run as a formula starts with one of these.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def filename(generated_at: dt.datetime) -> str:
    return f"planasmun-mis-datos-{generated_at.strftime('%Y-%m-%d')}.zip"


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def document(
    subject: str,
    profile: Profile | None,
    consents: Sequence[Consent],
    access_log: Sequence[AuditRecord],
    generated_at: dt.datetime,
    requests: Sequence[ServiceRequest] = (),
) -> dict[str, Any]:
    """The export as one JSON-ready document (GraphQL field names)."""
    return {
        "subject": subject,
        "generatedAt": _time(generated_at),
        "profile": None
        if profile is None
        else {
            **profile.personal(),
            "municipality": profile.municipality_id,
            "createdAt": _time(profile.created_at),
            "updatedAt": _time(profile.updated_at),
        },
        "consents": [
            {
                "purpose": c.purpose,
                "textVersion": c.text_version,
                "givenAt": _time(c.given_at),
                "withdrawnAt": _time(c.withdrawn_at),
            }
            for c in consents
        ],
        "accessLog": [
            {
                "at": _time(r.at),
                "actorRole": r.actor_role,
                "municipality": r.municipality_id,
                "action": r.action,
                "fields": list(r.fields),
                "purpose": r.purpose,
            }
            for r in access_log
        ],
        "serviceRequests": [_request(r) for r in requests],
    }


def _request(request: ServiceRequest) -> dict[str, Any]:
    return {
        "trackingNumber": request.tracking_number,
        "municipality": request.municipality_id,
        "serviceId": request.service_id,
        "serviceName": request.service_name,
        "status": request.status.value,
        "submittedAt": _time(request.submitted_at),
        "updatedAt": _time(request.updated_at),
        "expectedBy": None if request.expected_by is None else request.expected_by.isoformat(),
        "description": request.description,
        "address": request.address,
        "latitude": request.latitude,
        "longitude": request.longitude,
        "answers": [f"{code}={value}" for code, value in sorted(request.answers.items())],
        # The files' names and types; the files themselves are downloaded from the request.
        "attachments": [
            f"{a.filename or ''} ({a.content_type}, {a.size} bytes)" for a in request.attachments
        ],
        "history": [
            {"status": change.status.value, "at": _time(change.at), "note": change.note}
            for change in request.history
        ],
    }


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = ";".join(value) if isinstance(value, list) else str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text


def _csv(header: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in header])
    # With a byte-order mark, spreadsheets read the accents right.
    return out.getvalue().encode("utf-8-sig")


def build_zip(data: dict[str, Any]) -> bytes:
    """The zip of `document(...)`: the JSON, and one CSV per part."""
    profile_header = [*PERSONAL_COLUMNS, "municipality", "createdAt", "updatedAt"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
        profiles = [] if data["profile"] is None else [data["profile"]]
        archive.writestr(PROFILE_CSV, _csv(profile_header, profiles))
        archive.writestr(
            CONSENTS_CSV,
            _csv(["purpose", "textVersion", "givenAt", "withdrawnAt"], data["consents"]),
        )
        archive.writestr(
            ACCESS_LOG_CSV,
            _csv(
                ["at", "actorRole", "municipality", "action", "fields", "purpose"],
                data["accessLog"],
            ),
        )
        archive.writestr(REQUESTS_CSV, _csv(REQUEST_COLUMNS, data.get("serviceRequests", [])))
    return buffer.getvalue()
