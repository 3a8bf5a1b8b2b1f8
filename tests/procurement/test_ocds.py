"""A flat process record as an OCDS 1.1 release; the package, whole and streamed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from schema.procurement.ocds import (
    Buyer,
    MalformedProcess,
    package_chunks,
    package_head,
    release_of,
    release_package,
    releases_of,
)
from tests.procurement.ocds_validation import problems

BUYER = Buyer(name="La Vega", unit="3301")
D = dt.date


def _record(**changes: Any) -> dict[str, Any]:
    return {
        "id": "ALV-CCC-LPN-2025-0004",
        "title": "Reconstrucción del puente sobre el río Camú",
        "status": "complete",
        "method": "open",
        "category": "works",
        "date": D(2025, 5, 12),
        "tender_value": Decimal("29000000.00"),
        "currency": "DOP",
        "tender_start": D(2025, 5, 12),
        "tender_end": D(2025, 6, 16),
        "supplier_id": "40517",
        "supplier_name": "Ingeniería Cibao, S.A.",
        "award_value": Decimal("28500000.00"),
        "award_date": D(2025, 7, 28),
        "contract_value": Decimal("28500000.00"),
        "contract_date": D(2025, 8, 11),
        **changes,
    }


def _package(*records: dict[str, Any]) -> dict[str, Any]:
    head = package_head(
        BUYER, "http://h/datos/contrataciones/la-vega.json", "http://h/datos", _now()
    )
    return release_package(releases_of(records, BUYER).releases, head)


def _now() -> dt.datetime:
    return dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def test_ocid_parties_and_identifiers() -> None:
    release = release_of(_record(), BUYER)
    assert release["ocid"] == "ocds-6550wx-ALV-CCC-LPN-2025-0004"
    assert release["id"] == "ocds-6550wx-ALV-CCC-LPN-2025-0004-2025-05-12"
    assert release["date"] == "2025-05-12T00:00:00-04:00"
    assert release["parties"] == [
        {
            "id": "DO-UC-3301",
            "name": "La Vega",
            "identifier": {"scheme": "DO-UC", "id": "3301", "legalName": "La Vega"},
            "roles": ["buyer", "procuringEntity"],
        },
        {
            "id": "DO-RPE-40517",
            "name": "Ingeniería Cibao, S.A.",
            "identifier": {
                "scheme": "DO-RPE",
                "id": "40517",
                "legalName": "Ingeniería Cibao, S.A.",
            },
            "roles": ["supplier"],
        },
    ]
    assert release["tag"] == ["tender", "award", "contract"]
    assert release["awards"][0]["value"] == {"amount": 28500000.0, "currency": "DOP"}


def test_a_tender_only_process_has_no_award_or_contract() -> None:
    release = release_of(
        _record(
            status="active",
            supplier_id=None,
            supplier_name=None,
            award_value=None,
            award_date=None,
            contract_value=None,
            contract_date=None,
        ),
        BUYER,
    )
    assert release["tag"] == ["tender"]
    assert "awards" not in release and "contracts" not in release
    assert [p["id"] for p in release["parties"]] == ["DO-UC-3301"]


def test_packages_validate_and_a_wrong_code_does_not() -> None:
    package = _package(_record(), _record(id="ALV-DAF-CM-2026-0011", status="active"))
    assert problems(package) == []
    package["releases"][0]["tender"]["status"] = "abierto"
    package["releases"][1]["awards"][0]["value"]["currency"] = "RD$"
    found = problems(package)
    assert any("tender/status: 'abierto' is not in tenderStatus.csv" in p for p in found)
    assert any("'RD$' is not in currency.csv" in p for p in found)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"supplier_id": "RNC 1-01"}, "a supplier number that is not an RPE number"),
        ({"tender_end": D(2025, 1, 1)}, "a tender period that ends before it starts"),
        ({"award_value": Decimal("-1")}, "an amount that is negative or not a number"),
        ({"id": "con espacios"}, "a process code that cannot be an ocid"),
        ({"currency": "pesos"}, "a currency that is not ISO 4217"),
        ({"title": None}, "a process without its title, status or date"),
        (
            {"supplier_id": None, "award_value": None, "award_date": None},
            "a contract without an award",
        ),
    ],
)
def test_a_malformed_record_is_named_not_published(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(MalformedProcess) as raised:
        release_of(_record(**changes), BUYER)
    assert raised.value.reason.id == reason
    made = releases_of([_record(**changes), _record(id="OTRO-1")], BUYER)
    assert [r["tender"]["id"] for r in made.releases] == ["OTRO-1"]
    assert len(made.malformed) == 1


async def test_the_streamed_package_is_the_package() -> None:
    records = [_record(id=f"ALV-{n}") for n in range(5)]
    head = package_head(BUYER, "http://h/x.json", "http://h/datos", _now())
    made = releases_of(records, BUYER)
    chunks = [chunk async for chunk in package_chunks(made.releases, head)]
    assert len(chunks) == 7
    assert json.loads(b"".join(chunks)) == release_package(made.releases, head)
    empty = [chunk async for chunk in package_chunks([], head)]
    assert json.loads(b"".join(empty))["releases"] == []
