"""Requests INSERTed into SIMUVEGA, La Vega's legacy database, on SQLite and PostgreSQL.

The binding is La Vega's, as its municipality file writes it; every assertion about what
arrived reads SIMUVEGA's own ``SOLICITUDES`` table, not the hub's store.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zoneinfo
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import create_async_engine

from connectors import (
    Binding,
    Capability,
    ConnectorEnvironment,
    MappingError,
    TransientError,
    UpstreamError,
)
from connectors.errors import RequestRefused
from connectors.sql import SqlConnector, SqlRequestsBindingConfig, SqlSourceConfig, insert_problem
from connectors.tenants import load_file
from connectors.writes import OutgoingRequest
from demo import catalogue, legacy_sql
from tests.connectors.writer_conformance import RequestWriterConformance
from tests.fixtures import DEMO_MUNICIPALITIES_DIR
from tests.support import fresh_postgres_database

LA_VEGA = "la-vega"
LA_VEGA_FILE = DEMO_MUNICIPALITIES_DIR / f"{LA_VEGA}.yaml"
SERVICE = catalogue.services(LA_VEGA)[0]["id"]
LOCAL = zoneinfo.ZoneInfo("America/Santo_Domingo")


def la_vega_requests_binding() -> dict[str, Any]:
    data = yaml.safe_load(LA_VEGA_FILE.read_text(encoding="utf-8"))
    binding: dict[str, Any] = data["bindings"]["requests"]
    return binding


def binding_of(raw: dict[str, Any]) -> Binding:
    return Binding(LA_VEGA, Capability.REQUESTS, SqlRequestsBindingConfig.model_validate(raw))


def tracking() -> str:
    return f"LVG-2026-{uuid.uuid4().int % 1_000_000:06d}"


def outgoing(number: str, **changes: Any) -> OutgoingRequest:
    values: dict[str, Any] = {
        "tracking_number": number,
        "municipality_id": LA_VEGA,
        "service_id": SERVICE,
        "submitted_at": dt.datetime(2026, 3, 2, 14, 30, 15, tzinfo=dt.UTC),
        "description": "Solicito permiso para instalar un letrero",
        "address": "Calle Padre Adolfo 20",
        "latitude": 19.2221,
        "longitude": -70.5296,
        "answers": {"metros": "2"},
        "citizen_name": "Juan Rodríguez",
        "citizen_cedula": "04700123456",
        "citizen_phone": None,
        "citizen_email": "juan@example.do",
    }
    values.update(changes)
    return OutgoingRequest(**values)


def connector_for(url: str, tmp_path: Path, **source: Any) -> SqlConnector:
    config = SqlSourceConfig.model_validate({"connector": "sql", "url": url, **source})
    return SqlConnector(config, ConnectorEnvironment("sqlite+aiosqlite://", tmp_path))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def simuvega(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """SIMUVEGA's URL, freshly built: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'simuvega.db'}"
        await legacy_sql.create_database("simuvega", url)
        yield url
        return
    async with fresh_postgres_database() as url:
        await legacy_sql.create_database("simuvega", url)
        yield url


@pytest.fixture
async def connector(simuvega: str, tmp_path: Path) -> AsyncIterator[SqlConnector]:
    made = connector_for(simuvega, tmp_path)
    yield made
    await made.close()


@pytest.fixture
def binding() -> Binding:
    return binding_of(la_vega_requests_binding())


class TestSimuvegaWritesRequests(RequestWriterConformance):
    @pytest.fixture
    def new_request(self) -> Callable[..., OutgoingRequest]:
        return lambda **changes: outgoing(tracking(), **changes)

    @pytest.fixture
    def upstream_numbers(self, simuvega: str) -> Callable[[], Awaitable[list[str]]]:
        async def numbers() -> list[str]:
            return [row["NUM_SEGUIMIENTO"] for row in await legacy_sql.read_solicitudes(simuvega)]

        return numbers


# ------------------------------------------------------------------------------- submit


async def test_a_submitted_request_arrives_in_simuvega(
    simuvega: str, connector: SqlConnector, binding: Binding
) -> None:
    number = tracking()
    receipt = await connector.submit_request(binding, outgoing(number))
    (row,) = await legacy_sql.read_solicitudes(simuvega)
    assert receipt.tracking_number == number
    assert receipt.upstream_ref == str(row["ID_SOLICITUD"])
    assert row["NUM_SEGUIMIENTO"] == number
    assert row["COD_TRAMITE"] == SERVICE
    assert row["DESCRIPCION"] == "Solicito permiso para instalar un letrero"
    assert row["DIRECCION"] == "Calle Padre Adolfo 20"
    assert row["LATITUD"] == pytest.approx(19.2221)
    assert row["NOMBRE_SOLICITANTE"] == "Juan Rodríguez"
    assert row["TELEFONO"] is None
    assert json.loads(row["DATOS_ADIC"]) == {"metros": "2"}
    assert (row["CANAL"], row["COD_ESTADO"]) == ("WEB", "PE")
    # Legacy timestamps: La Vega's local time, without an offset.
    assert row["FECHA_SOLICITUD"] == dt.datetime(2026, 3, 2, 10, 30, 15)
    assert row["FECHA_ESTADO"] == row["FECHA_SOLICITUD"]


async def test_reads_stay_read_only_while_writes_use_their_own_pool(
    connector: SqlConnector, binding: Binding
) -> None:
    await connector.submit_request(binding, outgoing(tracking()))
    assert connector.write_engine is not connector.engine
    with pytest.raises(UpstreamError):
        await connector._run(
            "a sneaky write", lambda c: c.execute(sa.text('DELETE FROM "SOLICITUDES"'))
        )


# ----------------------------------------------------------------------------- statuses


async def test_statuses_changed_in_simuvega_are_read_back_mapped(
    simuvega: str, connector: SqlConnector, binding: Binding
) -> None:
    numbers = [tracking() for _ in range(4)]
    for number in numbers:
        await connector.submit_request(binding, outgoing(number))
    await legacy_sql.set_solicitud_estado(simuvega, numbers[1], "AN")
    await legacy_sql.set_solicitud_estado(simuvega, numbers[2], "FI", "Letrero autorizado.")
    await legacy_sql.set_solicitud_estado(simuvega, numbers[3], "DE", "Zona protegida.")
    statuses = await connector.request_statuses(binding, [*numbers, "LVG-2026-999999"])
    found = {s.tracking_number: s for s in statuses}
    assert set(found) == set(numbers)
    assert {n: found[n].status for n in numbers} == {
        numbers[0]: "RECIBIDA",
        numbers[1]: "EN_REVISION",
        numbers[2]: "RESUELTA",
        numbers[3]: "RECHAZADA",
    }
    assert found[numbers[2]].note == "Letrero autorizado."
    # The first still has its submission time, read in La Vega's zone.
    assert found[numbers[0]].changed_at == dt.datetime(2026, 3, 2, 14, 30, 15, tzinfo=dt.UTC)
    changed_at = found[numbers[3]].changed_at
    assert changed_at is not None
    assert abs(dt.datetime.now(dt.UTC) - changed_at) < dt.timedelta(minutes=5)
    assert await connector.request_statuses(binding, []) == []


async def test_an_unmapped_status_code_names_municipality_source_field_and_code(
    simuvega: str, connector: SqlConnector
) -> None:
    raw = la_vega_requests_binding()
    raw["status"]["map"] = {"PE": "RECIBIDA"}
    binding = binding_of(raw)
    number = tracking()
    await connector.submit_request(binding, outgoing(number))
    await legacy_sql.set_solicitud_estado(simuvega, number, "TR")
    with pytest.raises(MappingError) as caught:
        await connector.request_statuses(binding, [number])
    error = caught.value
    assert (error.field, error.source_field, error.value) == ("status", "COD_ESTADO", "'TR'")
    assert "la-vega/simuvega" in error.internal_message and number in error.internal_message


# ------------------------------------------------------------------------------ failures


async def test_an_unreachable_database_is_a_transient_error(
    tmp_path: Path, binding: Binding
) -> None:
    for url in (
        "postgresql+asyncpg://nobody@127.0.0.1:9/none",
        f"sqlite+aiosqlite:///{tmp_path / 'not-there.db'}",
    ):
        connector = connector_for(url, tmp_path, timeout_seconds=2)
        try:
            with pytest.raises(TransientError):
                await connector.submit_request(binding, outgoing(tracking()))
            with pytest.raises(TransientError):
                await connector.find_request(binding, "LVG-2026-000001")
            with pytest.raises(TransientError):
                await connector.request_statuses(binding, ["LVG-2026-000001"])
        finally:
            await connector.close()
    assert not (tmp_path / "not-there.db").exists()  # never created by a write


async def test_a_refused_insert_is_an_upstream_error_not_retried(
    simuvega: str, connector: SqlConnector
) -> None:
    raw = la_vega_requests_binding()
    raw["values"]["descripcion"] = "citizen_phone"  # DESCRIPCION is NOT NULL
    binding = binding_of(raw)
    with pytest.raises(UpstreamError) as caught:
        await connector.submit_request(binding, outgoing(tracking(), citizen_phone=None))
    assert not isinstance(caught.value, TransientError)
    assert "refused the INSERT" in caught.value.internal_message
    # A constraint refuses this request as it is: given up at once, with the database's
    # words (no value of the citizen's) as the reason.
    assert isinstance(caught.value, RequestRefused)
    assert caught.value.reason in {
        "NOT NULL constraint failed: SOLICITUDES.DESCRIPCION",  # SQLite's words
        'null value in column "DESCRIPCION" of relation "SOLICITUDES" violates not-null '
        "constraint",  # PostgreSQL's
    }
    assert await legacy_sql.read_solicitudes(simuvega) == []


async def test_a_required_value_the_request_lacks_is_a_clear_mapping_error(
    simuvega: str, connector: SqlConnector
) -> None:
    raw = la_vega_requests_binding()
    raw["values"]["datos"] = {"from": "answers.metros_cuadrados", "required": True}
    with pytest.raises(MappingError) as caught:
        await connector.submit_request(binding_of(raw), outgoing(tracking()))
    error = caught.value
    assert (error.field, error.source_field) == ("answers.metros_cuadrados", "datos")
    assert "la-vega/simuvega" in error.internal_message
    assert await legacy_sql.read_solicitudes(simuvega) == []


async def test_check_requests_reports_the_table_and_a_missing_column(
    connector: SqlConnector,
) -> None:
    report = await connector.check_requests(binding_of(la_vega_requests_binding()))
    assert report.ok, report.message
    assert "NUM_SEGUIMIENTO" in report.details["tables"]["SOLICITUDES"]
    raw = la_vega_requests_binding()
    raw["insert"] = raw["insert"].replace('"DATOS_ADIC"', '"DATOS_ADICIONALES"')
    raw["status"]["note_field"] = "OBSERVACIONES"
    report = await connector.check_requests(binding_of(raw))
    assert not report.ok
    assert "no column DATOS_ADICIONALES" in report.message
    assert "no column OBSERVACIONES" in report.message


# ---------------------------------------------------------------------- the binding model


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ('INSERT INTO "S" ("A") VALUES (?)', "positional"),
        ('INSERT INTO "S" ("A") VALUES (%s)', "positional"),
        ('INSERT INTO "S" ("A") VALUES (:a); DROP TABLE "S"', "several statements"),
        ('INSERT OR REPLACE INTO "S" ("A") VALUES (:a)', "not INSERT INTO"),
        ('INSERT INTO "S" ("A") SELECT "A" FROM "T"', "no VALUES"),
        ('UPDATE "S" SET "A" = :a', "not INSERT INTO"),
        ('INSERT INTO "S" ("A") VALUES (:a) ON CONFLICT ("A") DO UPDATE SET "A" = :a', "UPDATE"),
        ('CREATE TABLE "S" ("A" TEXT)', "not INSERT INTO"),
    ],
)
def test_only_one_insert_with_named_parameters_is_accepted(statement: str, problem: str) -> None:
    found = insert_problem(statement)
    assert found is not None and problem in found


def test_an_insert_with_literals_and_on_conflict_do_nothing_is_accepted() -> None:
    assert (
        insert_problem(
            'INSERT INTO "S" ("A", "B") VALUES (:a, \'DELETE; DROP\') ON CONFLICT DO NOTHING'
        )
        is None
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda b: b["values"].pop("tramite"), "missing: tramite"),
        (lambda b: b["values"].update(extra="address"), "not used: extra"),
        (
            lambda b: (
                b.update(insert=b["insert"].replace(":numero", "'X'")) or b["values"].pop("numero")
            ),
            "must send `tracking_number`",
        ),
        (lambda b: b["find"].update(query='DELETE FROM "SOLICITUDES"'), "read-only SELECT"),
        (
            lambda b: b["status"].update(query='SELECT * FROM "SOLICITUDES"'),
            ":tracking_numbers",
        ),
        (lambda b: b["values"].update(numero="numero_de_seguimiento"), "a field of the request"),
    ],
)
def test_a_wrong_binding_is_refused_with_a_clear_message(change: Any, expected: str) -> None:
    raw = la_vega_requests_binding()
    change(raw)
    with pytest.raises(ValidationError, match=expected):
        SqlRequestsBindingConfig.model_validate(raw)


def test_the_municipality_file_names_the_wrong_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANASMUN_DEMO_DATA_DIR", str(tmp_path))
    data = yaml.safe_load(LA_VEGA_FILE.read_text(encoding="utf-8"))
    data["bindings"]["requests"]["insert"] += '; DELETE FROM "TRAMITES"'
    path = tmp_path / f"{LA_VEGA}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    municipality, problems = load_file(path)
    assert municipality is None
    (problem,) = problems
    assert problem.key == "bindings.requests.insert"
    assert (
        "a single INSERT statement" in problem.message and "several statements" in problem.message
    )


async def test_the_sql_connector_writes_nothing_else(
    simuvega: str, connector: SqlConnector, binding: Binding
) -> None:
    """Only the binding's INSERT reaches the database: no DDL, no UPDATE, no DELETE."""
    statements: list[str] = []
    sa.event.listen(
        connector.write_engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement),
    )
    await connector.submit_request(binding, outgoing(tracking()))
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].lstrip().startswith('INSERT INTO "SOLICITUDES"')
    engine = create_async_engine(simuvega)
    async with engine.connect() as c:
        count = (await c.execute(sa.text('SELECT count(*) FROM "TRAMITES"'))).scalar()
    await engine.dispose()
    assert count == 12
