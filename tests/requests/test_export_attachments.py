"""The citizen's export names the files attached to their requests (Ley 172-13: the
export holds everything the hub keeps about them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

from connectors.hubstore.requests import (
    Attachment,
    DeliveryState,
    RequestStatus,
    ServiceRequest,
)
from schema.citizens.export import JSON_NAME, REQUESTS_CSV, build_zip, document

AT = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)


def test_the_export_lists_each_requests_files() -> None:
    request = ServiceRequest(
        id="r1",
        tracking_number="JAR-2026-000001",
        municipality_id="jarabacoa",
        service_id="JAR-SAN-01",
        service_name="Denuncia de vertedero",
        status=RequestStatus.RECIBIDA,
        submitted_at=AT,
        updated_at=AT,
        expected_by=None,
        delivery=DeliveryState.NATIVE,
        upstream_ref=None,
        history=(),
        citizen_subject="sub-1",
        description="Vertedero en el solar",
        attachments=(Attachment("a1", "image/jpeg", 2048, "foto-solar.jpg"),),
    )
    data = document("sub-1", None, [], [], AT, requests=[request])
    [exported] = data["serviceRequests"]
    assert exported["attachments"] == ["foto-solar.jpg (image/jpeg, 2048 bytes)"]
    with zipfile.ZipFile(io.BytesIO(build_zip(data))) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read(REQUESTS_CSV).decode("utf-8-sig"))))
        assert json.loads(archive.read(JSON_NAME))["serviceRequests"][0]["attachments"]
    assert rows[0]["attachments"] == "foto-solar.jpg (image/jpeg, 2048 bytes)"
