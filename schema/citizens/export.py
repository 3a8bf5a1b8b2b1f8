"""The export a citizen downloads: everything the hub holds about them, as JSON and CSV
in one zip, and nothing about anyone else (staff appear by role, never by person).

The files the citizen attached to their requests go in the zip too, under
`adjuntos/<tracking number>/`, up to `MAX_EXPORTED_FILE_BYTES` in all (the export is one
download, on a phone too); the JSON and CSV name every file and say which are in the zip,
and the others are downloaded from each request's page.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from store.audit import AuditRecord
from store.citizens import PERSONAL_COLUMNS, Consent, Profile
from store.requests import ServiceRequest

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
    "attachmentsInExport",
]

ATTACHMENTS_DIR = "adjuntos"
#: Attached files put in the zip, in all: three files of a request at their largest.
MAX_EXPORTED_FILE_BYTES = 15 * 1024 * 1024
_UNSAFE_NAME = re.compile(r"[^\w.-]+")

#: A cell a spreadsheet would run as a formula starts with one of these.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def filename(generated_at: dt.datetime) -> str:
    return f"planasmun-mis-datos-{generated_at.strftime('%Y-%m-%d')}.zip"


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


@dataclasses.dataclass(frozen=True, slots=True)
class ExportedFile:
    """An attached file that goes in the zip: where, and which attachment to read."""

    path: str
    attachment_id: str


def planned_files(
    requests: Sequence[ServiceRequest], budget: int = MAX_EXPORTED_FILE_BYTES
) -> dict[str, ExportedFile]:
    """Attachment id → its place in the zip, oldest requests first, while the files fit
    in `budget` bytes (a file that does not fit is left for the request's page)."""
    planned: dict[str, ExportedFile] = {}
    left = budget
    for request in sorted(requests, key=lambda r: r.submitted_at):
        for number, attachment in enumerate(request.attachments, start=1):
            if attachment.size > left:
                continue
            left -= attachment.size
            name = _safe_name(attachment.filename)
            path = f"{ATTACHMENTS_DIR}/{request.tracking_number}/{number}-{name}"
            planned[attachment.id] = ExportedFile(path, attachment.id)
    return planned


def _safe_name(filename: str | None) -> str:
    """A file name that stays inside its folder on any system (no path, no odd signs)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip("._")[:80]
    return cleaned or "adjunto"


def document(
    subject: str,
    profile: Profile | None,
    consents: Sequence[Consent],
    access_log: Sequence[AuditRecord],
    generated_at: dt.datetime,
    requests: Sequence[ServiceRequest] = (),
    files: Mapping[str, ExportedFile] | None = None,
) -> dict[str, Any]:
    """The export as one JSON-ready document (GraphQL field names). `files`: the
    attachments that go in the zip (`planned_files`); by default, none."""
    in_zip = files or {}
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
        "serviceRequests": [_request(r, in_zip) for r in requests],
    }


def _request(request: ServiceRequest, in_zip: Mapping[str, ExportedFile]) -> dict[str, Any]:
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
        "attachments": [
            f"{a.filename or ''} ({a.content_type}, {a.size} bytes)" for a in request.attachments
        ],
        # Where each of them is in this zip; null: past the export's ceiling, downloaded
        # from the request's page.
        "attachmentsInExport": [
            None if a.id not in in_zip else in_zip[a.id].path for a in request.attachments
        ],
        "history": [
            {"status": change.status.value, "at": _time(change.at), "note": change.note}
            for change in request.history
        ],
    }


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = ";".join("" if item is None else str(item) for item in value)
    else:
        text = str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text


def _csv(header: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in header])
    # With a byte-order mark, spreadsheets read the accents right.
    return out.getvalue().encode("utf-8-sig")


def build_zip(data: dict[str, Any], files: Sequence[tuple[str, bytes]] = ()) -> bytes:
    """The zip of `document(...)`: the JSON, one CSV per part, and the attached files
    (path in the zip, content) that `planned_files` chose."""
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
        for path, content in files:
            # Photos and PDFs are compressed already: stored as they are.
            archive.writestr(path, content, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()
