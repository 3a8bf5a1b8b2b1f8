"""Requests looked up in the municipalities' own systems, kind by kind: SIGEM's batched
SOAP lookup (a real spyne server on loopback) and GESMUN's archive view (real SQLite),
bound as the demo's municipality files bind them."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from connectors import Binding, Capability, ConnectorEnvironment, MappingError, UpstreamError
from connectors.soap import SoapConnector, SoapSourceConfig
from connectors.soap.lookups import SoapRequestLookupConfig
from connectors.sql import SqlConnector
from connectors.sql.config import SqlSourceConfig
from connectors.sql.lookups import SqlRequestLookupConfig
from demo import legacy_sql
from demo.sigem_requests import CounterFiling, file_at_counter
from demo.soap_vendors import SIGEM_LOOKUP_LIMIT, VendorServer, start_sigem
from tests.fixtures import DEMO_MUNICIPALITIES_DIR

SDE = "santo-domingo-este"
SFM = "san-francisco-de-macoris"
ENVIRONMENT = ConnectorEnvironment("sqlite+aiosqlite://", DEMO_MUNICIPALITIES_DIR)
AST = dt.timezone(dt.timedelta(hours=-4))


def lookup_entry(municipality: str, **changes: Any) -> dict[str, Any]:
    """The first `request_lookups` entry of a demo file, with changes."""
    data = yaml.safe_load((DEMO_MUNICIPALITIES_DIR / f"{municipality}.yaml").read_text("utf-8"))
    entry: dict[str, Any] = dict(data["bindings"]["request_lookups"][0])
    entry.update(changes)
    return entry


# ------------------------------------------------------------------------- SIGEM (SOAP)

STATES = ("RG", "EV", "ET", "CO", "RZ")


def filings(count: int) -> tuple[CounterFiling, ...]:
    return tuple(
        CounterFiling(
            f"SGM-2025-{n:05d}",
            "licencia-construccion",
            STATES[n % len(STATES)],
            dt.datetime(2025, 3, 1 + n % 28, 9, 0, tzinfo=AST),
            dt.datetime(2025, 4, 1 + n % 28, 15, 30, tzinfo=AST),
            f"Nota {n}",
        )
        for n in range(1, count + 1)
    )


@pytest.fixture(scope="module")
def sigem(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VendorServer]:
    register = tmp_path_factory.mktemp("sigem") / "solicitudes.db"
    server = start_sigem(0, requests_db=register)
    file_at_counter(register, "SDE", filings(120))
    file_at_counter(
        register,
        "HIG",
        (
            CounterFiling(
                "SGM-2025-90001",
                "x",
                "RG",
                dt.datetime(2025, 1, 1, tzinfo=AST),
                dt.datetime(2025, 1, 1, tzinfo=AST),
            ),
        ),
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def soap(sigem: VendorServer) -> AsyncIterator[SoapConnector]:
    config = SoapSourceConfig(connector="soap", wsdl=sigem.wsdl_url, timeout_seconds=10)
    connector = SoapConnector(config, ENVIRONMENT)
    yield connector
    await connector.close()


def soap_binding(**changes: Any) -> Binding:
    return Binding(
        SDE,
        Capability.REQUESTS,
        SoapRequestLookupConfig.model_validate(lookup_entry(SDE, **changes)),
    )


async def test_more_numbers_than_the_vendor_takes_are_split_and_mapped_back_by_number(
    soap: SoapConnector, sigem: VendorServer
) -> None:
    asked = [f"SGM-2025-{n:05d}" for n in range(120, 0, -1)]  # the vendor answers sorted
    unknown = ["SGM-2025-99998", "SGM-2025-99999"]
    before = sigem.calls["ConsultarSolicitudes"]
    found = await soap.lookup_requests(soap_binding(), [unknown[0], *asked, unknown[1]])
    # 122 numbers at most 50 a call: three calls, never one over the vendor's limit.
    assert sigem.calls["ConsultarSolicitudes"] - before == 3
    assert set(found) == set(asked)
    for number in asked:
        n = int(number[-5:])
        request = found[number]
        assert request.tracking_number == number
        assert request.note == f"Nota {n}"
        assert (
            request.status
            == {
                "RG": "RECIBIDA",
                "EV": "EN_REVISION",
                "ET": "EN_PROCESO",
                "CO": "RESUELTA",
                "RZ": "RECHAZADA",
            }[STATES[n % len(STATES)]]
        )
        # dd/mm/yyyy text: that day, midnight in Santo Domingo.
        assert request.submitted_at == dt.datetime(2025, 3, 1 + n % 28, 4, 0, tzinfo=dt.UTC)
        # xsd:dateTime with its -04:00 offset.
        assert request.changed_at == dt.datetime(2025, 4, 1 + n % 28, 19, 30, tzinfo=dt.UTC)
        assert request.service_id == "licencia-construccion"
        assert request.source == "sigem"


async def test_without_max_batch_the_vendor_refuses_and_that_is_an_upstream_error(
    soap: SoapConnector,
) -> None:
    assert SIGEM_LOOKUP_LIMIT == 50
    numbers = [f"SGM-2025-{n:05d}" for n in range(1, 61)]
    with pytest.raises(UpstreamError):
        await soap.lookup_requests(soap_binding(max_batch=None), numbers)


async def test_a_number_of_another_tenant_is_not_found(soap: SoapConnector) -> None:
    assert await soap.lookup_requests(soap_binding(), ["SGM-2025-90001"]) == {}


async def test_an_unmapped_status_code_names_the_field(soap: SoapConnector) -> None:
    binding = soap_binding(map={"RG": "RECIBIDA"})
    with pytest.raises(MappingError) as raised:
        await soap.lookup_requests(binding, ["SGM-2025-00003"])  # ET
    assert raised.value.field == "status"


# ----------------------------------------------------------------------- GESMUN (SQL)


@pytest.fixture(scope="module")
def gesmun_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gesmun") / "gesmun.db"
    asyncio.run(legacy_sql.create_database("gesmun", f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
async def sql(gesmun_file: Path) -> AsyncIterator[SqlConnector]:
    config = SqlSourceConfig(connector="sql", url=f"sqlite+aiosqlite:///{gesmun_file}")
    connector = SqlConnector(config, ENVIRONMENT)
    yield connector
    await connector.close()


def sql_binding(**changes: Any) -> Binding:
    return Binding(
        SFM,
        Capability.REQUESTS,
        SqlRequestLookupConfig.model_validate(lookup_entry(SFM, **changes)),
    )


async def test_the_archive_view_reads_one_letter_states_and_yyyymmdd_dates(
    sql: SqlConnector,
) -> None:
    found = await sql.lookup_requests(
        sql_binding(), ["SOL-2024-0015", "sol-2023-0097", "SOL-2023-0112", "SOL-2099-0001"]
    )
    assert sorted(found) == ["SOL-2023-0097", "SOL-2023-0112", "SOL-2024-0015"]
    old = found["SOL-2023-0097"]
    assert (old.status, old.note, old.service_id) == (
        "RESUELTA",
        "Licencia entregada.",
        "licencia-construccion",
    )
    assert old.submitted_at == dt.datetime(2023, 3, 14, 4, 0, tzinfo=dt.UTC)
    assert old.changed_at == dt.datetime(2023, 5, 2, 4, 0, tzinfo=dt.UTC)
    assert found["SOL-2023-0112"].status == "RECHAZADA"
    assert found["SOL-2024-0015"].status == "EN_PROCESO"


async def test_the_view_keeps_a_neighbours_requests_out(sql: SqlConnector) -> None:
    assert await sql.lookup_requests(sql_binding(), ["SOL-2024-0031"]) == {}


async def test_sql_lookups_are_split_at_max_batch(sql: SqlConnector) -> None:
    statements: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "v_solicitudes_historicas" in statement:
            statements.append(len(parameters))

    engine = sql.database.engine
    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        numbers = [
            "SOL-2023-0097",
            "SOL-2023-0112",
            "SOL-2024-0015",
            "SOL-2024-0099",
            "SOL-2025-0001",
        ]
        found = await sql.lookup_requests(sql_binding(max_batch=2), numbers)
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) == 3  # 2 + 2 + 1 numbers
    assert len(found) == 3


async def test_a_date_not_in_the_declared_format_is_a_mapping_error(sql: SqlConnector) -> None:
    binding = sql_binding(dates={"submitted_at": "%d/%m/%Y", "changed_at": "%Y%m%d"})
    with pytest.raises(MappingError) as raised:
        await sql.lookup_requests(binding, ["SOL-2023-0097"])
    assert raised.value.field == "submitted_at"


async def test_the_probe_sees_the_query_and_its_columns(sql: SqlConnector) -> None:
    assert (await sql.check_lookup(sql_binding())).ok
    broken = sql_binding(
        fields={"tracking_number": "numero", "status": "codigo", "submitted_at": "fecha"}
    )
    report = await sql.check_lookup(broken)
    assert not report.ok and "codigo" in report.message
