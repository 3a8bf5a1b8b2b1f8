"""Catalogue semantics: an inactive service is hidden from citizens and Open311 while its
own government's staff still see it; a declared category stands in for a source without
one; channels default to in person.

Jarabacoa's services come from a real SQLite table here (a vendor's catalogue with a
status column and no categories), through the SQL connector and the mapping.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
import yaml

from connectors import Federation
from schema.context import HubContext
from schema.principal import ANONYMOUS, Principal, PrincipalKind, StaffRole
from tests.fixtures import MUNICIPALITIES_DIR, demo_federation
from tests.identity.support import hub_app, identity_settings, serve
from tests.requests.support import MARIA, SUBMIT, request_input

ROWS = [
    ("LIC-01", "Licencia de construcción", "A", "P;L"),
    ("CER-02", "Certificado de no objeción (descontinuado)", "I", "L"),
    ("ARB-03", "Arbitrio de publicidad", "A", None),
]

BINDING = {
    "source": "catalogo",
    "table": "TRAMITES",
    "fields": {
        "id": "CODIGO",
        "name": "NOMBRE",
        "active": {"from": "ESTADO", "map": {"A": True, "I": False}},
        "category": {"default": "tributos"},
        "channels": {"from": "CANALES", "map": {"P": "presencial", "L": "en_linea"}},
    },
}


def _directory(tmp_path: Path) -> Path:
    database = tmp_path / "catalogo.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE TRAMITES (CODIGO TEXT, NOMBRE TEXT, ESTADO TEXT, CANALES TEXT)"
        )
        connection.executemany("INSERT INTO TRAMITES VALUES (?, ?, ?, ?)", ROWS)
    target = tmp_path / "municipalities"
    shutil.copytree(MUNICIPALITIES_DIR, target)
    path = target / "jarabacoa.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sources"]["catalogo"] = {"connector": "sql", "url": f"sqlite+aiosqlite:///{database}"}
    data["bindings"]["services"] = BINDING
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


@pytest.fixture
async def federation(tmp_path: Path) -> AsyncIterator[Federation]:
    federation = await demo_federation(
        f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", _directory(tmp_path)
    )
    yield federation
    await federation.close()


def _staff(municipality: str) -> Principal:
    return Principal(
        subject=f"staff-{municipality}",
        display_name="Ana",
        kind=PrincipalKind.STAFF,
        staff_roles={municipality: frozenset({StaffRole.AGENT})},
    )


async def _run(
    schema: strawberry.Schema, federation: Federation, principal: Principal, query: str
) -> Any:
    result = await schema.execute(
        query, context_value=HubContext.create(federation, principal=principal)
    )
    assert result.errors is None, result.errors
    return result.data


LIST = """{ municipality(id: "jarabacoa") { services(includeInactive: true) {
              id active category channels acceptsRequests } } }"""
ROOT = """{ services(municipalityId: "jarabacoa", includeInactive: true) { id } }"""
ONE = """{ service(id: "jarabacoa:CER-02", includeInactive: true) { id active } }"""


async def test_citizens_never_see_an_inactive_service(
    federation: Federation, hub_schema: strawberry.Schema
) -> None:
    for principal in (ANONYMOUS, _staff("santiago")):  # asking for them changes nothing
        data = await _run(hub_schema, federation, principal, LIST)
        assert [s["id"] for s in data["municipality"]["services"]] == [
            "jarabacoa:ARB-03",
            "jarabacoa:LIC-01",
        ]
        data = await _run(hub_schema, federation, principal, ROOT)
        assert [s["id"] for s in data["services"]] == ["jarabacoa:ARB-03", "jarabacoa:LIC-01"]
        assert (await _run(hub_schema, federation, principal, ONE))["service"] is None


async def test_its_own_staff_see_it_when_they_ask(
    federation: Federation, hub_schema: strawberry.Schema
) -> None:
    staff = _staff("jarabacoa")
    listed = (await _run(hub_schema, federation, staff, LIST))["municipality"]["services"]
    assert [(s["id"], s["active"], s["acceptsRequests"]) for s in listed] == [
        ("jarabacoa:ARB-03", True, False),
        ("jarabacoa:CER-02", False, False),
        ("jarabacoa:LIC-01", True, True),
    ]
    assert (await _run(hub_schema, federation, staff, ONE))["service"] == {
        "id": "jarabacoa:CER-02",
        "active": False,
    }
    # Without the argument, staff see what citizens see.
    plain = LIST.replace("(includeInactive: true)", "")
    data = await _run(hub_schema, federation, staff, plain)
    assert len(data["municipality"]["services"]) == 2


async def test_declared_category_and_default_channels(
    federation: Federation, hub_schema: strawberry.Schema
) -> None:
    data = await _run(hub_schema, federation, _staff("jarabacoa"), LIST)
    services = {s["id"]: s for s in data["municipality"]["services"]}
    assert {s["category"] for s in services.values()} == {"TRIBUTOS"}
    assert services["jarabacoa:LIC-01"]["channels"] == ["PRESENCIAL", "EN_LINEA"]
    assert services["jarabacoa:ARB-03"]["channels"] == ["PRESENCIAL"]  # none in the source


def test_open311_lists_only_active_services(tmp_path: Path) -> None:
    app, _ = hub_app(tmp_path, identity_settings(None), municipalities_dir=_directory(tmp_path))
    with serve(app) as url:
        answer = httpx.get(f"{url}/open311/v2/services.json?jurisdiction_id=jarabacoa", timeout=20)
    assert answer.status_code == 200, answer.text
    # CER-02 takes requests online too, but it is inactive.
    assert [s["service_code"] for s in answer.json()] == ["LIC-01"]


async def test_a_request_for_an_inactive_service_is_refused_as_for_an_unknown_one(
    federation: Federation, hub_schema: strawberry.Schema
) -> None:
    async def submit(service_id: str) -> Any:
        result = await hub_schema.execute(
            SUBMIT,
            variable_values={
                "input": request_input(municipalityId="jarabacoa", serviceId=service_id, answers=[])
            },
            context_value=HubContext.create(federation, principal=MARIA),
        )
        assert result.errors is None, result.errors
        assert result.data is not None
        return result.data["submitServiceRequest"]

    inactive, unknown = await submit("CER-02"), await submit("NO-SUCH")
    assert inactive["created"] is False and inactive["request"] is None
    assert [(e["field"], e["code"]) for e in inactive["errors"]] == [
        (e["field"], e["code"]) for e in unknown["errors"]
    ]
    assert inactive["errors"]
