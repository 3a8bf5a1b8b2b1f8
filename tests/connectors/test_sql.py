"""The `sql` connector reads two simulated legacy databases on SQLite and on PostgreSQL.

SIMUVEGA (La Vega) is read through a table binding, GESMUN (San Francisco de Macorís)
through a parameterised query; both pass the conformance suite, read in one SELECT per
batch, never write, and map the vendors' codes and formats back onto the demo catalogue.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
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
    ConnectorConfigError,
    ConnectorEnvironment,
    MappingError,
    RecordKey,
    TransientError,
    UpstreamError,
    UpstreamTimeout,
)
from connectors.sql import SqlBindingConfig, SqlConnector, SqlSourceConfig, read_only_problem
from connectors.tenants import load_file
from demo import catalogue, legacy_sql
from tests.connectors.conformance import ConnectorConformance
from tests.support import PROJECT_ROOT, fresh_postgres_database

LA_VEGA = "la-vega"
SFM = "san-francisco-de-macoris"

# The bindings as a municipality file writes them (the demo's config uses these).
LA_VEGA_SERVICES = """
source: simuvega
table: TRAMITES
where: {ESTATUS: A}
columns: [CANAL_WEB, CANAL_TEL]   # S/N flags, read by the hook into `channels`
hook: simuvega-canales
fields:
  id: COD_TRAMITE
  name: DESC_TRAMITE
  description: DETALLE
  category:
    from: COD_AREA
    map: {UR: urbanismo, SA: saneamiento, TR: tributos, EP: espacio_publico,
          CE: cementerios, CT: certificaciones, ME: mercados, SO: social}
  requirements: {from: REQUISITOS, separator: ";"}
  fee_amount: MONTO
  fee_currency: MONEDA
  duration_days: DIAS
  legal_basis: BASE_LEGAL
  department_id: COD_DEPTO
"""

LA_VEGA_DEPARTMENTS = """
source: simuvega
table: DEPARTAMENTOS
fields:
  id: COD_DEPTO
  name: NOMBRE_DEPTO
  phone: TEL
  email: EMAIL
  location: UBICACION
  hours: HORARIO
"""

SFM_SERVICES = """
source: gesmun
query: |
  SELECT clave, nombre_servicio, descripcion, categoria, requisitos, valor_texto,
         plazo, canales, fundamento, dependencia
  FROM v_servicios_web
  WHERE cod_municipio = :municipio
  ORDER BY nombre_servicio
fetch_query: |
  SELECT clave, nombre_servicio, descripcion, categoria, requisitos, valor_texto,
         plazo, canales, fundamento, dependencia
  FROM v_servicios_web
  WHERE cod_municipio = :municipio AND clave IN :ids
parameters: {municipio: "0601"}   # GESMUN files San Francisco de Macorís under its ONE code
fields:
  id: clave
  name: nombre_servicio
  description: descripcion
  category:
    from: categoria
    map: {Urbanismo: urbanismo, Saneamiento: saneamiento, Tributos: tributos,
          "Espacio público": espacio_publico, Cementerios: cementerios,
          Certificaciones: certificaciones, Mercados: mercados, "Desarrollo social": social}
  requirements: {from: requisitos, separator: "|"}
  fee_amount: valor_texto          # "1.500,00"
  duration_days: plazo
  channels:
    from: canales
    separator: ","
    map: {Presencial: presencial, "En línea": en_linea, "Teléfono": telefono}
  legal_basis: fundamento
  department_id: dependencia
"""

FORBIDDEN_STARTS = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE")

LA_VEGA_KEYS: list[RecordKey] = [
    (LA_VEGA, "licencia-construccion"),
    (LA_VEGA, "puesto-mercado"),
    (LA_VEGA, "ayuda-social"),
]
SFM_KEYS: list[RecordKey] = [
    (SFM, "permiso-poda-tala"),
    (SFM, "licencia-construccion"),
    (SFM, "recogida-desechos-residencial"),
]


def _binding_config(text: str, **changes: Any) -> SqlBindingConfig:
    data = {**yaml.safe_load(text), **changes}
    return SqlBindingConfig.model_validate({k: v for k, v in data.items() if v is not None})


def _binding(
    municipality_id: str, text: str, capability: Capability = Capability.SERVICES, **changes: Any
) -> Binding:
    return Binding(municipality_id, capability, _binding_config(text, **changes))


def _connector(
    url: str | dict[str, str], config_dir: Path = PROJECT_ROOT / "config", **source: Any
) -> SqlConnector:
    config = SqlSourceConfig.model_validate({"connector": "sql", "url": url, **source})
    return SqlConnector(config, ConnectorEnvironment("sqlite+aiosqlite://", config_dir))


async def _legacy_urls(
    backend: str, tmp_path: Path, stack: contextlib.AsyncExitStack
) -> dict[str, str]:
    """Both simulated systems, by name: two SQLite files, or one fresh PostgreSQL database."""
    if backend == "sqlite":
        urls = {s: f"sqlite+aiosqlite:///{tmp_path / f'{s}.db'}" for s in ("simuvega", "gesmun")}
    else:
        url = await stack.enter_async_context(fresh_postgres_database())
        urls = {"simuvega": url, "gesmun": url}
    for system, url in urls.items():
        await legacy_sql.create_database(system, url)
    return urls


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def legacy(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    async with contextlib.AsyncExitStack() as stack:
        yield await _legacy_urls(request.param, tmp_path, stack)


@pytest.fixture
async def connectors(legacy: dict[str, str]) -> AsyncIterator[dict[str, SqlConnector]]:
    made = {system: _connector(url) for system, url in legacy.items()}
    yield made
    for connector in made.values():
        await connector.close()


@contextlib.contextmanager
def statements(connector: SqlConnector) -> Iterator[list[str]]:
    """Every statement the connector's engine sends to the database while the block runs."""
    seen: list[str] = []

    def record(_c: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    engine = connector.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _selects(seen: list[str]) -> list[str]:
    return [s for s in seen if s.upper().startswith(("SELECT", "WITH"))]


def _expected_services(municipality_id: str) -> dict[str, dict[str, Any]]:
    return {
        s["id"]: {"municipality_id": municipality_id, **s}
        for s in catalogue.services(municipality_id)
    }


# ------------------------------------------------------------------------ conformance


class LaVegaTable:
    @pytest.fixture
    def binding(self) -> Binding:
        return _binding(LA_VEGA, LA_VEGA_SERVICES)

    @pytest.fixture
    def known_keys(self) -> list[RecordKey]:
        return list(LA_VEGA_KEYS)

    @pytest.fixture
    def known_municipalities(self) -> list[str]:
        return [LA_VEGA]


class SfmQuery:
    @pytest.fixture
    def binding(self) -> Binding:
        return _binding(SFM, SFM_SERVICES)

    @pytest.fixture
    def known_keys(self) -> list[RecordKey]:
        return list(SFM_KEYS)

    @pytest.fixture
    def known_municipalities(self) -> list[str]:
        return [SFM]


class OnSqlite:
    system: str

    @pytest.fixture
    async def connector(self, tmp_path: Path) -> AsyncIterator[SqlConnector]:
        url = f"sqlite+aiosqlite:///{tmp_path / 'legacy.db'}"
        await legacy_sql.create_database(self.system, url)
        connector = _connector(url)
        yield connector
        await connector.close()

    @pytest.fixture
    async def broken_connector(self, tmp_path: Path) -> AsyncIterator[SqlConnector]:
        connector = _connector(f"sqlite+aiosqlite:///{tmp_path / 'missing-dir' / 'legacy.db'}")
        yield connector
        await connector.close()


class OnPostgres:
    system: str

    @pytest.fixture
    async def connector(self) -> AsyncIterator[SqlConnector]:
        async with fresh_postgres_database() as url:
            await legacy_sql.create_database(self.system, url)
            connector = _connector(url)
            yield connector
            await connector.close()

    @pytest.fixture
    async def broken_connector(self) -> AsyncIterator[SqlConnector]:
        # Nothing listens on port 9 of the loopback interface.
        connector = _connector("postgresql+asyncpg://nobody@127.0.0.1:9/none")
        yield connector
        await connector.close()


class TestLaVegaTableOnSqlite(LaVegaTable, OnSqlite, ConnectorConformance):
    system = "simuvega"


@pytest.mark.postgres
class TestLaVegaTableOnPostgres(LaVegaTable, OnPostgres, ConnectorConformance):
    system = "simuvega"


class TestSfmQueryOnSqlite(SfmQuery, OnSqlite, ConnectorConformance):
    system = "gesmun"


@pytest.mark.postgres
class TestSfmQueryOnPostgres(SfmQuery, OnPostgres, ConnectorConformance):
    system = "gesmun"


# ------------------------------------------------------------------------------ reads


BATCH_BINDINGS: dict[str, tuple[str, Callable[[], Binding]]] = {
    "table": ("simuvega", lambda: _binding(LA_VEGA, LA_VEGA_SERVICES)),
    "fetch_query": ("gesmun", lambda: _binding(SFM, SFM_SERVICES)),
    "query_as_subquery": ("gesmun", lambda: _binding(SFM, SFM_SERVICES, fetch_query=None)),
}


@pytest.mark.parametrize("variant", list(BATCH_BINDINGS))
async def test_five_keys_are_one_select_with_in(
    connectors: dict[str, SqlConnector], variant: str
) -> None:
    system, make = BATCH_BINDINGS[variant]
    binding = make()
    connector = connectors[system]
    ids = [s["id"] for s in catalogue.services(binding.municipality_id)][:5]
    keys = [(binding.municipality_id, i) for i in reversed(ids)]
    with statements(connector) as seen:
        found = await connector.fetch_many(binding, keys)
    assert [r["id"] if r else None for r in found] == [k[1] for k in keys]
    (select,) = _selects(seen)
    assert " IN (" in select.upper()
    if connector.engine.dialect.name == "postgresql":
        assert seen[0] == "SET TRANSACTION READ ONLY"


async def test_list_is_one_select_and_keys_of_nobody_no_select(
    connectors: dict[str, SqlConnector],
) -> None:
    connector = connectors["simuvega"]
    binding = _binding(LA_VEGA, LA_VEGA_SERVICES)
    with statements(connector) as seen:
        groups = await connector.list_for(binding, [SFM, LA_VEGA, "santiago"])
        assert await connector.fetch_many(binding, [(SFM, "licencia-construccion")]) == [None]
    assert [len(g) for g in groups] == [0, 10, 0]
    assert len(_selects(seen)) == 1


async def test_inactive_rows_never_appear(connectors: dict[str, SqlConnector]) -> None:
    connector = connectors["simuvega"]
    binding = _binding(LA_VEGA, LA_VEGA_SERVICES)
    (listed,) = await connector.list_for(binding, [LA_VEGA])
    ids = {r["id"] for r in listed}
    assert ids == set(_expected_services(LA_VEGA))
    keys = [(LA_VEGA, i) for i in legacy_sql.SIMUVEGA_INACTIVE]
    assert await connector.fetch_many(binding, keys) == [None, None]


@pytest.mark.parametrize("variant", ["fetch_query", "query_as_subquery"])
async def test_unpublished_and_other_municipalities_rows_never_appear(
    connectors: dict[str, SqlConnector], variant: str
) -> None:
    connector = connectors["gesmun"]
    binding = BATCH_BINDINGS[variant][1]()
    (listed,) = await connector.list_for(binding, [SFM])
    assert {r["id"] for r in listed} == set(_expected_services(SFM))
    keys = [(SFM, i) for i in legacy_sql.GESMUN_HIDDEN]
    assert await connector.fetch_many(binding, keys) == [None, None, None]


async def test_an_integer_id_column(connectors: dict[str, SqlConnector]) -> None:
    query = "SELECT servicio_id, nombre_servicio, categoria FROM v_servicios_web"
    binding = _binding(
        SFM,
        SFM_SERVICES,
        query=query,
        fetch_query=None,
        parameters={},
        id_type="int",
        fields={
            "id": "servicio_id",
            "name": "nombre_servicio",
            "category": {"from": "categoria", "map": {"Urbanismo": "urbanismo"}},
        },
    )
    keys = [(SFM, "102"), (SFM, "licencia"), (SFM, "101")]
    found = await connectors["gesmun"].fetch_many(binding, keys)
    assert [r["id"] if r else None for r in found] == ["102", None, "101"]


async def test_an_id_read_through_a_map_is_looked_up_by_its_code(
    connectors: dict[str, SqlConnector],
) -> None:
    codes = {d["id"]: d["id"][:3].upper() for d in catalogue.departments(LA_VEGA)}
    binding = _binding(
        LA_VEGA,
        LA_VEGA_DEPARTMENTS,
        Capability.DEPARTMENTS,
        fields={"id": {"from": "COD_DEPTO", "map": codes}, "name": "NOMBRE_DEPTO"},
    )
    found = await connectors["simuvega"].fetch_many(binding, [(LA_VEGA, "TES"), (LA_VEGA, "x")])
    assert found[0] is not None and found[0]["name"] == "Tesorería Municipal"
    assert found[1] is None


async def test_a_relative_sqlite_path_starts_at_the_config_directory(tmp_path: Path) -> None:
    await legacy_sql.create_database("simuvega", f"sqlite+aiosqlite:///{tmp_path / 'sv.db'}")
    connector = _connector("sqlite+aiosqlite:///sv.db", config_dir=tmp_path)
    try:
        (listed,) = await connector.list_for(_binding(LA_VEGA, LA_VEGA_SERVICES), [LA_VEGA])
    finally:
        await connector.close()
    assert len(listed) == 10


# --------------------------------------------------------------------- never writes


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM TRAMITES",
        "SELECT 1; DROP TABLE TRAMITES",
        "SELECT * FROM TRAMITES; ",
        "WITH x AS (DELETE FROM TRAMITES RETURNING *) SELECT * FROM x",
        "SELECT * INTO copia FROM TRAMITES",
        "SELECT * FROM TRAMITES FOR UPDATE",
        "UPDATE TRAMITES SET ESTATUS = 'I'",
        "SELECT * FROM TRAMITES WHERE x = 'unterminated",
        "/* hidden */ INSERT INTO TRAMITES VALUES (1)",
    ],
)
def test_a_query_that_is_not_one_read_only_select_is_rejected(query: str) -> None:
    if query == "SELECT * FROM TRAMITES; ":
        assert read_only_problem(query) is None  # one trailing ';' is harmless
        return
    with pytest.raises(ValidationError, match="read-only SELECT"):
        _binding_config(SFM_SERVICES, query=query, fetch_query=None, parameters={})


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM TRAMITES WHERE DETALLE <> 'DELETE; DROP'",
        "WITH a AS (SELECT * FROM TRAMITES) SELECT * FROM a -- no UPDATE here",
        "(SELECT updated_at, deleted FROM t) UNION (SELECT updated_at, deleted FROM u)",
        'SELECT "INSERT" FROM t',
    ],
)
def test_a_read_only_select_is_accepted(query: str) -> None:
    assert read_only_problem(query) is None


async def test_a_sneaky_write_fails_in_the_read_only_transaction(
    connectors: dict[str, SqlConnector], legacy: dict[str, str]
) -> None:
    connector = connectors["simuvega"]
    postgres = connector.engine.dialect.name == "postgresql"
    sneaky = (
        'WITH gone AS (DELETE FROM "TRAMITES" RETURNING *) SELECT * FROM gone'
        if postgres
        else 'DELETE FROM "TRAMITES" RETURNING *'
    )
    assert read_only_problem(sneaky) is not None
    valid = _binding_config(SFM_SERVICES)
    # Bypass validation, as a config that slipped past it would.
    config = SqlBindingConfig.model_construct(
        source="simuvega", query=sneaky, fields=dict(valid.fields)
    )
    with pytest.raises(UpstreamError) as caught:
        await connector.list_for(Binding(LA_VEGA, Capability.SERVICES, config), [LA_VEGA])
    assert "read-only" in caught.value.internal_message or "readonly" in (
        caught.value.internal_message
    )
    engine = create_async_engine(legacy["simuvega"])
    async with engine.connect() as connection:
        count = (await connection.execute(sa.text('SELECT count(*) FROM "TRAMITES"'))).scalar()
    await engine.dispose()
    assert count == 12


async def test_check_and_reads_issue_no_ddl_or_dml(
    connectors: dict[str, SqlConnector], legacy: dict[str, str]
) -> None:
    sqlite_files = [
        Path(sa.make_url(url).database or "") for url in legacy.values() if "sqlite" in url
    ]
    before = [hashlib.sha256(f.read_bytes()).hexdigest() for f in sqlite_files]
    plan = [
        ("simuvega", _binding(LA_VEGA, LA_VEGA_SERVICES), LA_VEGA_KEYS),
        ("simuvega", _binding(LA_VEGA, LA_VEGA_DEPARTMENTS, Capability.DEPARTMENTS), []),
        ("gesmun", _binding(SFM, SFM_SERVICES), SFM_KEYS),
    ]
    for system, binding, keys in plan:
        connector = connectors[system]
        with statements(connector) as seen:
            connector.bind(binding)
            assert (await connector.check()).ok
            await connector.list_for(binding, [binding.municipality_id])
            await connector.fetch_many(binding, keys)
        assert seen
        assert not [s for s in seen if s.upper().startswith(FORBIDDEN_STARTS)], seen
    after = [hashlib.sha256(f.read_bytes()).hexdigest() for f in sqlite_files]
    assert before == after


# ---------------------------------------------------------------------------- check()


async def test_check_describes_bound_tables_and_query_columns(
    connectors: dict[str, SqlConnector],
) -> None:
    simuvega, gesmun = connectors["simuvega"], connectors["gesmun"]
    unbound = await simuvega.check()
    assert unbound.ok and unbound.details == {"tables": {}}
    simuvega.bind(_binding(LA_VEGA, LA_VEGA_SERVICES))
    simuvega.bind(_binding(LA_VEGA, LA_VEGA_DEPARTMENTS, Capability.DEPARTMENTS))
    report = await simuvega.check()
    assert report.ok, report.message
    tables = report.details["tables"]
    assert set(tables) == {"TRAMITES", "DEPARTAMENTOS"}
    assert {"COD_TRAMITE", "ESTATUS", "CANAL_WEB", "MONTO"} <= set(tables["TRAMITES"])
    assert tables["DEPARTAMENTOS"][:2] == ["COD_DEPTO", "NOMBRE_DEPTO"]
    await gesmun.fetch_many(_binding(SFM, SFM_SERVICES), SFM_KEYS)  # a read also binds
    report = await gesmun.check()
    assert report.ok, report.message
    (columns,) = report.details["tables"].values()
    assert columns[:2] == ["clave", "nombre_servicio"] and "valor_texto" in columns


# ---------------------------------------------------------------------------- mapping


async def test_codes_flags_and_text_money_map_back_to_the_catalogue(
    connectors: dict[str, SqlConnector],
) -> None:
    (la_vega,) = await connectors["simuvega"].list_for(
        _binding(LA_VEGA, LA_VEGA_SERVICES), [LA_VEGA]
    )
    assert {r["id"]: r for r in la_vega} == _expected_services(LA_VEGA)
    by_id = {r["id"]: r for r in la_vega}
    assert by_id["licencia-construccion"]["category"] == "urbanismo"  # COD_AREA 'UR'
    assert by_id["permiso-kiosco-carnaval"]["channels"] == ["presencial", "en_linea"]  # 'S'
    assert by_id["licencia-construccion"]["channels"] == ["presencial"]  # 'N', 'N'

    (sfm,) = await connectors["gesmun"].list_for(_binding(SFM, SFM_SERVICES), [SFM])
    assert {r["id"]: r for r in sfm} == _expected_services(SFM)
    poda = next(r for r in sfm if r["id"] == "permiso-poda-tala")
    assert poda["fee_amount"] == Decimal("1500.00")  # stored as "1.500,00"
    assert poda["category"] == "espacio_publico"  # 'Espacio público'

    departments = _binding(LA_VEGA, LA_VEGA_DEPARTMENTS, Capability.DEPARTMENTS)
    (listed,) = await connectors["simuvega"].list_for(departments, [LA_VEGA])
    expected = [{"municipality_id": LA_VEGA, **d} for d in catalogue.departments(LA_VEGA)]
    assert sorted(listed, key=lambda d: d["id"]) == expected


async def test_a_mapped_column_the_table_lacks_is_named(
    connectors: dict[str, SqlConnector],
) -> None:
    connector = connectors["simuvega"]
    fields = {**_binding_config(LA_VEGA_SERVICES).fields, "name": "DESC_TRAMITEX"}
    binding = _binding(LA_VEGA, LA_VEGA_SERVICES, fields=fields)
    report = await connector.check_binding(binding)
    assert not report.ok and "DESC_TRAMITEX" in report.message
    assert not (await connector.check()).ok
    with pytest.raises(UpstreamError) as caught:
        await connector.list_for(binding, [LA_VEGA])
    error = caught.value
    assert not isinstance(error, TransientError)
    assert "DESC_TRAMITEX" in error.internal_message and "TRAMITES" in error.internal_message
    assert "DESC_TRAMITEX" not in error.user_message and "TRAMITES" not in error.user_message
    assert "ayuntamiento" in error.user_message


async def test_a_missing_table_is_named(connectors: dict[str, SqlConnector]) -> None:
    connector = connectors["simuvega"]
    binding = _binding(LA_VEGA, LA_VEGA_SERVICES, table="TRAMITES_2019")
    report = await connector.check_binding(binding)
    assert not report.ok and "TRAMITES_2019" in report.message
    with pytest.raises(UpstreamError) as caught:
        await connector.fetch_many(binding, LA_VEGA_KEYS)
    assert "TRAMITES_2019" in caught.value.internal_message
    assert "TRAMITES_2019" not in caught.value.user_message


async def test_a_column_the_query_lacks_is_named(connectors: dict[str, SqlConnector]) -> None:
    connector = connectors["gesmun"]
    fields = {**_binding_config(SFM_SERVICES).fields, "legal_basis": "base_legal"}
    binding = _binding(SFM, SFM_SERVICES, fields=fields)
    report = await connector.check_binding(binding)
    assert not report.ok and "base_legal" in report.message
    with pytest.raises(UpstreamError, match="base_legal"):
        await connector.list_for(binding, [SFM])


async def test_a_value_that_cannot_be_converted_names_field_and_value(
    connectors: dict[str, SqlConnector], legacy: dict[str, str]
) -> None:
    # The vendors' systems change under the hub: a clerk types words into a fee, a flag 'Q'.
    for url, statement in (
        (
            legacy["gesmun"],
            "UPDATE tarifa SET valor_texto = 'mil quinientos' WHERE tarifa_id = 101",
        ),
        (
            legacy["simuvega"],
            """UPDATE "TRAMITES" SET "CANAL_WEB" = 'Q' WHERE "COD_TRAMITE" = 'puesto-mercado'""",
        ),
    ):
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.execute(sa.text(statement))
        await engine.dispose()

    with pytest.raises(MappingError) as caught:
        await connectors["gesmun"].list_for(_binding(SFM, SFM_SERVICES), [SFM])
    error = caught.value
    assert error.field == "fee_amount" and error.source_field == "valor_texto"
    assert "mil quinientos" in error.value and "mil quinientos" in error.internal_message

    with pytest.raises(MappingError) as caught:
        await connectors["simuvega"].fetch_many(
            _binding(LA_VEGA, LA_VEGA_SERVICES), [(LA_VEGA, "puesto-mercado")]
        )
    assert caught.value.field == "channels" and caught.value.source_field == "CANAL_WEB"
    assert caught.value.value == "'Q'"


# ---------------------------------------------------------------------------- secrets

SECRET = "Zq9-contraseña-no-mostrar"


@pytest.mark.postgres
async def test_a_password_by_env_reaches_the_driver_and_is_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SQL_TEST_PASSWORD", SECRET)
    async with fresh_postgres_database() as url:
        await legacy_sql.create_database("simuvega", url)
        connector = _connector(url, password={"$env": "SQL_TEST_PASSWORD"})
        sent: list[Any] = []

        def capture(_dialect: Any, _record: Any, _args: Any, kwargs: dict[str, Any]) -> None:
            sent.append(kwargs.get("password"))

        sa.event.listen(connector.engine.sync_engine, "do_connect", capture)
        try:
            connector.bind(_binding(LA_VEGA, LA_VEGA_SERVICES))
            report = await connector.check()
        finally:
            await connector.close()
    assert report.ok, report.message
    assert sent and set(sent) == {SECRET}
    config = connector.config
    for shown in (repr(config), str(config), config.model_dump_json(), report.message):
        assert SECRET not in shown
    assert SECRET not in json.dumps(report.details)


@pytest.mark.parametrize("by", ["password", "url"])
async def test_a_secret_never_appears_in_failures(monkeypatch: pytest.MonkeyPatch, by: str) -> None:
    if by == "password":
        monkeypatch.setenv("SQL_TEST_PASSWORD", SECRET)
        connector = _connector(
            "postgresql+asyncpg://nobody@127.0.0.1:9/none",
            password={"$env": "SQL_TEST_PASSWORD"},
        )
    else:
        monkeypatch.setenv("SQL_TEST_URL", f"postgresql+asyncpg://nobody:{SECRET}@127.0.0.1:9/none")
        connector = _connector({"$env": "SQL_TEST_URL"})
    binding = _binding(LA_VEGA, LA_VEGA_SERVICES)
    try:
        report = await connector.check()
        with pytest.raises(TransientError) as caught:
            await connector.fetch_many(binding, LA_VEGA_KEYS)
    finally:
        await connector.close()
    assert not report.ok and "127.0.0.1" in report.message
    assert "***" in report.message
    error = caught.value
    for text in (
        repr(connector.config),
        report.message,
        error.internal_message,
        error.user_message,
        str(error),
    ):
        assert SECRET not in text


async def test_a_url_from_env_that_does_not_parse_is_not_echoed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SQL_TEST_URL", f"not a url {SECRET}")
    connector = _connector({"$env": "SQL_TEST_URL"})
    report = await connector.check()
    assert not report.ok and "SQL_TEST_URL" in report.message and SECRET not in report.message
    with pytest.raises(ConnectorConfigError) as caught:
        await connector.list_for(_binding(LA_VEGA, LA_VEGA_SERVICES), [LA_VEGA])
    assert SECRET not in str(caught.value)
    await connector.close()


@pytest.mark.parametrize(
    "source",
    [
        {"url": f"postgresql+asyncpg://planasmun:{SECRET}@db.example/gesmun"},
        {"url": f"postgresql+asyncpg://planasmun:{SECRET}/@x@db.example:5432/gesmun"},
        {"url": "postgresql+asyncpg://planasmun@db.example/gesmun", "password": SECRET},
    ],
)
def test_a_literal_password_is_refused_without_echo(source: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        SqlSourceConfig.model_validate({"connector": "sql", **source})
    assert SECRET not in str(caught.value)
    assert "$env" in str(caught.value)
    # Through the municipality file, as `planasmun check-config` reports it.
    path = _municipality_file(tmp_path, {"legacy": {"connector": "sql", **source}}, {})
    municipality, problems = load_file(path)
    assert municipality is None and problems
    assert all(SECRET not in str(p) for p in problems)
    assert any(p.key.startswith("sources.legacy") for p in problems)


# ---------------------------------------------------------------------- configuration


def _municipality_file(
    tmp_path: Path, sources: dict[str, Any], bindings: dict[str, Any], name: str = LA_VEGA
) -> Path:
    data = yaml.safe_load((PROJECT_ROOT / "config" / "municipalities" / f"{name}.yaml").read_text())
    data.update(sources=sources, bindings=bindings)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_demo_bindings_pass_check_config(tmp_path: Path) -> None:
    la_vega = _municipality_file(
        tmp_path,
        {"simuvega": {"connector": "sql", "url": "sqlite+aiosqlite:///demo/legacy/simuvega.db"}},
        {
            "services": yaml.safe_load(LA_VEGA_SERVICES),
            "departments": yaml.safe_load(LA_VEGA_DEPARTMENTS),
        },
    )
    sfm = _municipality_file(
        tmp_path,
        {"gesmun": {"connector": "sql", "url": {"$env": "GESMUN_URL"}, "timeout_seconds": 3}},
        {"services": yaml.safe_load(SFM_SERVICES)},
        name=SFM,
    )
    for path in (la_vega, sfm):
        municipality, problems = load_file(path)
        assert problems == [] and municipality is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"table": "TRAMITES"}, "either `table`"),
        ({"query": None, "fetch_query": None, "parameters": {}}, "either `table`"),
        ({"where": {"ESTATUS": "A"}}, "`where` only with `table`"),
        ({"fetch_query": "SELECT * FROM v_servicios_web"}, "IN :ids"),
        ({"query": "SELECT * FROM v WHERE clave IN :ids"}, "only in `fetch_query`"),
        ({"parameters": {"municipo": "0601"}}, "not used: municipo"),
        ({"parameters": {"municipio": "0601", "ids": "x"}}, "where the keys go"),
        ({"query": "SELECT * FROM v WHERE a = :estado"}, "missing: estado"),
        ({"fields": {"id": {"value": "fijo"}}}, "not a constant"),
    ],
)
def test_binding_validation(changes: dict[str, Any], message: str) -> None:
    data = {**yaml.safe_load(SFM_SERVICES), **changes}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        SqlBindingConfig.model_validate(data)


def test_a_table_binding_takes_no_query_options() -> None:
    with pytest.raises(ValidationError, match="`parameters` only with `query`"):
        _binding_config(LA_VEGA_SERVICES, parameters={"municipio": "x"})


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://planasmun@db/gesmun", "asyncio driver"),
        ("nosuchdb+driver://h/db", "database kind"),
        ("not a url", "SQLAlchemy URL"),
    ],
)
def test_source_validation(url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SqlSourceConfig.model_validate({"connector": "sql", "url": url})


@pytest.mark.postgres
async def test_a_statement_past_the_timeout_is_an_upstream_timeout() -> None:
    async with fresh_postgres_database() as url:
        await legacy_sql.create_database("gesmun", url)
        connector = _connector(url, timeout_seconds=0.3)
        slow = _binding(
            SFM,
            SFM_SERVICES,
            query="SELECT v.*, pg_sleep(2) AS espera FROM v_servicios_web v "
            "WHERE cod_municipio = :municipio",
            fetch_query=None,
        )
        try:
            with pytest.raises(UpstreamTimeout):
                await connector.list_for(slow, [SFM])
            # The pool recovers: the next read works.
            (listed,) = await connector.list_for(_binding(SFM, SFM_SERVICES), [SFM])
        finally:
            await connector.close()
    assert len(listed) == 10
