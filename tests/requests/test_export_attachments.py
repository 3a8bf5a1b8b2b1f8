"""The citizen's export names the files attached to their requests (Ley 172-13: the
export holds everything the hub keeps about them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest

from schema.citizens.export import JSON_NAME, REQUESTS_CSV, build_zip, document, planned_files
from store.requests import (
    Attachment,
    DeliveryState,
    RequestStatus,
    ServiceRequest,
)

AT = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)


def _request(number: str, day: int, *attachments: Attachment) -> ServiceRequest:
    at = AT + dt.timedelta(days=day)
    return ServiceRequest(
        id=f"r-{number}",
        tracking_number=number,
        municipality_id="jarabacoa",
        service_id="JAR-SAN-01",
        service_name="Denuncia de vertedero",
        status=RequestStatus.RECIBIDA,
        submitted_at=at,
        updated_at=at,
        expected_by=None,
        delivery=DeliveryState.NATIVE,
        upstream_ref=None,
        history=(),
        citizen_subject="sub-1",
        attachments=attachments,
    )


def test_the_export_lists_each_requests_files() -> None:
    request = _request("JAR-2026-000001", 0, Attachment("a1", "image/jpeg", 2048, "foto-solar.jpg"))
    data = document("sub-1", None, [], [], AT, requests=[request])
    [exported] = data["serviceRequests"]
    assert exported["attachments"] == ["foto-solar.jpg (image/jpeg, 2048 bytes)"]
    with zipfile.ZipFile(io.BytesIO(build_zip(data))) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read(REQUESTS_CSV).decode("utf-8-sig"))))
        assert json.loads(archive.read(JSON_NAME))["serviceRequests"][0]["attachments"]
    assert rows[0]["attachments"] == "foto-solar.jpg (image/jpeg, 2048 bytes)"


def test_files_go_in_the_zip_oldest_first_while_they_fit() -> None:
    older = _request(
        "JAR-2026-000001",
        0,
        Attachment("a1", "image/jpeg", 600, "uno.jpg"),
        Attachment("a2", "image/jpeg", 500, "dos.jpg"),
    )
    newer = _request("JAR-2026-000002", 1, Attachment("a3", "application/pdf", 300, "tres.pdf"))
    planned = planned_files([newer, older], budget=1000)
    # a1 fits (600), a2 does not (600 + 500 > 1000), a3 still does (900).
    assert {k: v.path for k, v in planned.items()} == {
        "a1": "adjuntos/JAR-2026-000001/1-uno.jpg",
        "a3": "adjuntos/JAR-2026-000002/1-tres.pdf",
    }
    data = document("sub-1", None, [], [], AT, requests=[older, newer], files=planned)
    assert [r["attachmentsInExport"] for r in data["serviceRequests"]] == [
        ["adjuntos/JAR-2026-000001/1-uno.jpg", None],
        ["adjuntos/JAR-2026-000002/1-tres.pdf"],
    ]
    contents = [(f.path, f.attachment_id.encode()) for f in planned.values()]
    with zipfile.ZipFile(io.BytesIO(build_zip(data, contents))) as archive:
        assert archive.read("adjuntos/JAR-2026-000001/1-uno.jpg") == b"a1"
        rows = list(csv.DictReader(io.StringIO(archive.read(REQUESTS_CSV).decode("utf-8-sig"))))
    assert rows[0]["attachmentsInExport"] == "adjuntos/JAR-2026-000001/1-uno.jpg;"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\maria\\foto del solar.jpg", "foto_del_solar.jpg"),
        ("Cédula de María.pdf", "Cédula_de_María.pdf"),
        ("...", "adjunto"),
        (None, "adjunto"),
        ("x" * 200 + ".jpg", "x" * 80),
    ],
)
def test_file_names_stay_inside_their_folder(name: str | None, safe: str) -> None:
    request = _request("JAR-2026-000003", 0, Attachment("a", "image/jpeg", 10, name))
    [planned] = planned_files([request]).values()
    assert planned.path == f"adjuntos/JAR-2026-000003/1-{safe}"
