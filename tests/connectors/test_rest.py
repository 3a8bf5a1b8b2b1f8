"""The `rest` connector against Puerto Plata's simulated portal, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

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
    default_registry,
)
from connectors.rest import RestBindingConfig, RestConnector, RestSourceConfig
from connectors.tenants import load_file
from demo import catalogue
from demo.rest_service import RestService, start
from tests.connectors.conformance import ConnectorConformance
from tests.support import PROJECT_ROOT, free_port

MUNICIPALITY = "puerto-plata"
ENVIRONMENT = ConnectorEnvironment("sqlite+aiosqlite://", PROJECT_ROOT / "config")
SERVICES = [s["id"] for s in catalogue.services(MUNICIPALITY)]
DEPARTMENTS = [d["id"] for d in catalogue.departments(MUNICIPALITY)]

SERVICE_FIELDS: dict[str, Any] = {
    "id": "codigo",
    "name": "nombre",
    "description": "descripcion",
    "category": {
        "from": "categoria",
        "map": {
            "urb": "urbanismo",
            "san": "saneamiento",
            "trib": "tributos",
            "esp": "espacio_publico",
            "cem": "cementerios",
            "cert": "certificaciones",
            "merc": "mercados",
            "soc": "social",
        },
    },
    "requirements": "requisitos",
    "fee_amount": "tarifa.monto",
    "fee_currency": "tarifa.moneda",
    "duration_days": "plazoDias",
    "channels": {
        "from": "canales",
        "map": {"presencial": "presencial", "web": "en_linea", "telefono": "telefono"},
    },
    "legal_basis": "baseLegal",
    "department_id": "dependenciaId",
}
DEPARTMENT_FIELDS: dict[str, Any] = {
    "id": "codigo",
    "name": "nombre",
    "head": "encargado",
    "phone": "telefono",
    "email": "correo",
    "location": "ubicacion",
    "hours": "horario",
}


def source(base_url: str, **options: Any) -> RestSourceConfig:
    return RestSourceConfig.model_validate(
        {
            "connector": "rest",
            "base_url": base_url,
            "health_path": "/api/v1/servicios?municipio=POP",
            "health_records_path": "data.items",
            **options,
        }
    )


def services_binding(mode: str = "batch", **options: Any) -> Binding:
    """A services binding reading by batch, by single gets or from the list only."""
    settings: dict[str, Any] = {
        "source": "portal",
        "list_path": "/api/v1/servicios",
        "list_params": {"municipio": "POP"},
        "records_path": "data.items",
        "next_path": "data.next",
        "fields": SERVICE_FIELDS,
    }
    if mode == "batch":
        settings["batch_path"] = "/api/v1/servicios"
    if mode in ("batch", "items"):
        settings["item_path"] = "/api/v1/servicios/{id}"
        settings["item_record_path"] = "data"
    settings.update(options)
    return Binding(MUNICIPALITY, Capability.SERVICES, RestBindingConfig.model_validate(settings))


def departments_binding() -> Binding:
    config = RestBindingConfig.model_validate(
        {
            "source": "portal",
            "list_path": "/api/v1/dependencias",
            "list_params": {"municipio": "POP"},
            "records_path": "data.items",
            "next_path": "data.next",
            "batch_path": "/api/v1/dependencias",
            "fields": DEPARTMENT_FIELDS,
        }
    )
    return Binding(MUNICIPALITY, Capability.DEPARTMENTS, config)


def keys(*ids: str) -> list[RecordKey]:
    return [(MUNICIPALITY, i) for i in ids]


@pytest.fixture(scope="module")
def portal() -> Iterator[RestService]:
    """Puerto Plata's portal, shared by the module; counters are reset per test."""
    with start() as service:
        yield service


@pytest.fixture
def fresh_portal(portal: RestService) -> RestService:
    portal.heal()
    portal.reset()
    return portal


MakeConnector = Callable[..., RestConnector]


@pytest.fixture
async def make_connector() -> AsyncIterator[MakeConnector]:
    """Builds connectors and closes every one at the end of the test."""
    made: list[RestConnector] = []

    def make(base_url: str, **options: Any) -> RestConnector:
        connector = RestConnector(source(base_url, **options), ENVIRONMENT)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts TCP connections (the kernel's backlog) and never answers a byte."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


# --------------------------------------------------------------------------- conformance


class RestFixtures:
    @pytest.fixture(params=["batch", "items", "list"])
    def binding(self, request: pytest.FixtureRequest) -> Binding:
        mode: str = request.param
        return services_binding(mode)

    @pytest.fixture
    def known_keys(self) -> list[RecordKey]:
        return keys(*SERVICES[:3])

    @pytest.fixture
    def known_municipalities(self) -> list[str]:
        return [MUNICIPALITY]


class TestRestConformance(RestFixtures, ConnectorConformance):
    @pytest.fixture
    def connector(self, fresh_portal: RestService, make_connector: MakeConnector) -> RestConnector:
        return make_connector(fresh_portal.url)

    @pytest.fixture
    def broken_connector(self, make_connector: MakeConnector) -> RestConnector:
        return make_connector(f"http://127.0.0.1:{free_port()}")  # nothing listens there


def test_registered_as_rest() -> None:
    assert default_registry.get("rest") is RestConnector


# --------------------------------------------------------------------------- batching


async def test_five_keys_make_exactly_one_batch_request(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    wanted = [*SERVICES[:4], "no-existe"]
    found = await connector.fetch_many(services_binding("batch"), keys(*wanted))
    assert [r["id"] if r else None for r in found] == [*SERVICES[:4], None]
    assert fresh_portal.calls == {"GET /api/v1/servicios": 1}
    (target,) = fresh_portal.targets
    assert "ids=" in target and "municipio=POP" in target


async def test_batches_are_split_by_max_batch_size(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    binding = services_binding("batch", max_batch_size=4)
    found = await connector.fetch_many(binding, keys(*SERVICES[:10]))
    assert [r["id"] for r in found if r] == SERVICES[:10]
    assert fresh_portal.calls == {"GET /api/v1/servicios": 3}


async def test_without_batch_path_single_gets_run_concurrently(
    make_connector: MakeConnector,
) -> None:
    with start(latency_ms=200) as slow:
        connector = make_connector(slow.url, timeout_seconds=5)
        wanted = [SERVICES[0], "no-existe", SERVICES[1], "tampoco", SERVICES[2]]
        started = time.perf_counter()
        found = await connector.fetch_many(services_binding("items"), keys(*wanted))
        elapsed = time.perf_counter() - started
        assert [r["id"] if r else None for r in found] == [
            SERVICES[0],
            None,
            SERVICES[1],
            None,
            SERVICES[2],
        ]
        assert sum(slow.calls.values()) == 5
        assert all(call.startswith("GET /api/v1/servicios/") for call in slow.calls)
        # Five calls of 200 ms each, at the same time: far less than one second.
        assert elapsed < 0.8, f"single gets ran one after another ({elapsed:.2f} s)"


async def test_keys_of_another_municipality_are_none_without_a_request(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    found = await connector.fetch_many(
        services_binding("batch"), [("santiago", SERVICES[0]), ("jarabacoa", SERVICES[1])]
    )
    assert found == [None, None]
    assert await connector.list_for(services_binding(), ["santiago"]) == [[]]
    assert fresh_portal.calls == {}


async def test_pagination_follows_next_across_pages(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    (records,) = await connector.list_for(services_binding(), [MUNICIPALITY])
    assert [r["id"] for r in records] == SERVICES
    pages = -(-len(SERVICES) // 5)
    assert pages >= 3
    assert fresh_portal.calls == {"GET /api/v1/servicios": pages}
    assert [t.rpartition("page=")[2] for t in fresh_portal.targets[1:]] == [
        str(n) for n in range(2, pages + 1)
    ]


async def test_pagination_stops_at_max_pages(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    with pytest.raises(UpstreamError, match="max_pages=2"):
        await connector.list_for(services_binding(max_pages=2), [MUNICIPALITY])
    assert fresh_portal.calls == {"GET /api/v1/servicios": 2}


async def test_pagination_by_page_number_sends_page_param(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    binding = services_binding(next_path="data.paginaSiguiente", page_param="page")
    (records,) = await connector.list_for(binding, [MUNICIPALITY])
    assert [r["id"] for r in records] == SERVICES
    assert fresh_portal.targets[1] == "/api/v1/servicios?municipio=POP&page=2"


async def test_pagination_that_goes_round_in_circles_is_an_error(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    # `pagina` is the page just read: following it asks for the same page forever.
    binding = services_binding(next_path="data.pagina", page_param="page")
    with pytest.raises(UpstreamError, match="already read"):
        await connector.list_for(binding, [MUNICIPALITY])
    assert fresh_portal.calls == {"GET /api/v1/servicios": 3}


async def test_records_are_mapped_from_the_portal_shape(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    (record,) = await connector.fetch_many(services_binding("items"), keys(SERVICES[0]))
    expected = dict(catalogue.services(MUNICIPALITY)[0])
    assert record == {"municipality_id": MUNICIPALITY, "active": True, **expected}
    assert str(record["fee_amount"]) == str(expected["fee_amount"])  # exact to the cent


async def test_departments_list_and_batch(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    binding = departments_binding()
    (listed,) = await connector.list_for(binding, [MUNICIPALITY])
    expected = [{"municipality_id": MUNICIPALITY, **d} for d in catalogue.departments(MUNICIPALITY)]
    assert listed == expected
    found = await connector.fetch_many(binding, keys(DEPARTMENTS[-1], "nada", DEPARTMENTS[0]))
    assert found == [expected[-1], None, expected[0]]


async def test_one_client_reused_over_keep_alive(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    for _ in range(3):
        await connector.fetch_many(services_binding("batch"), keys(SERVICES[0]))
    client = connector.client
    await connector.list_for(services_binding(), [MUNICIPALITY])
    assert connector.client is client
    assert fresh_portal.connections_opened == 1
    await connector.close()
    assert client.is_closed


async def test_check_reports_status_and_fields(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    report = await make_connector(fresh_portal.url).check()
    assert report.ok
    assert report.details["status"] == 200
    assert {"codigo", "nombre", "tarifa", "plazoDias"} <= set(report.details["fields"])
    assert fresh_portal.calls == {"GET /api/v1/servicios": 1}


async def test_check_without_health_path_only_asks_for_a_live_server(
    fresh_portal: RestService,
) -> None:
    connector = RestConnector(RestSourceConfig(base_url=fresh_portal.url), ENVIRONMENT)
    report = await connector.check()
    await connector.close()
    assert report.ok, report.message
    assert report.details == {"status": 404, "fields": []}


# --------------------------------------------------------------------------- auth

TOKEN = "tok-3f9a1c77-puerto-plata"


@pytest.fixture
def guarded_portal() -> Iterator[RestService]:
    with start(token=TOKEN) as service:
        yield service


async def test_bearer_token_from_env_reaches_the_server(
    guarded_portal: RestService, make_connector: MakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUERTO_PLATA_API_TOKEN", TOKEN)
    connector = make_connector(guarded_portal.url, bearer_token={"$env": "PUERTO_PLATA_API_TOKEN"})
    (records,) = await connector.list_for(services_binding(), [MUNICIPALITY])
    assert len(records) == len(SERVICES)
    assert (await connector.check()).ok


async def test_wrong_token_is_an_upstream_error_that_never_shows_the_token(
    guarded_portal: RestService, make_connector: MakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "tok-wrong-0000-never-print-me"
    monkeypatch.setenv("PUERTO_PLATA_API_TOKEN", wrong)
    connector = make_connector(guarded_portal.url, bearer_token={"$env": "PUERTO_PLATA_API_TOKEN"})
    with pytest.raises(UpstreamError) as caught:
        await connector.fetch_many(services_binding("batch"), keys(*SERVICES[:2]))
    error = caught.value
    assert not isinstance(error, TransientError)
    assert "credenciales" in error.user_message
    assert "HTTP 401" in error.internal_message
    assert "/api/v1/servicios" in error.internal_message
    report = await connector.check()
    assert not report.ok and report.details["status"] == 401
    for text in (
        str(error),
        error.user_message,
        report.message,
        repr(connector.config),
        str(connector.config),
        repr(connector),
    ):
        assert wrong not in text
    assert "PUERTO_PLATA_API_TOKEN" in repr(connector.config)


async def test_missing_secret_variable_is_a_config_error(
    fresh_portal: RestService, make_connector: MakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLANASMUN_TEST_UNSET_TOKEN", raising=False)
    connector = make_connector(
        fresh_portal.url, bearer_token={"$env": "PLANASMUN_TEST_UNSET_TOKEN"}
    )
    report = await connector.check()
    assert not report.ok and "PLANASMUN_TEST_UNSET_TOKEN" in report.message
    with pytest.raises(ConnectorConfigError, match="PLANASMUN_TEST_UNSET_TOKEN"):
        await connector.list_for(services_binding(), [MUNICIPALITY])


async def test_api_key_in_the_query_never_appears_in_errors(
    fresh_portal: RestService, make_connector: MakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "k-51d2e8-query-secret"
    monkeypatch.setenv("PORTAL_KEY", key)
    connector = make_connector(
        fresh_portal.url, api_key={"query_param": "clave", "value": {"$env": "PORTAL_KEY"}}
    )
    await connector.fetch_many(services_binding("batch"), keys(SERVICES[0]))
    assert f"clave={key}" in fresh_portal.targets[-1]
    fresh_portal.fail_with(500)
    with pytest.raises(TransientError) as caught:
        await connector.fetch_many(services_binding("batch"), keys(SERVICES[0]))
    fresh_portal.heal()
    message = caught.value.internal_message
    assert "GET /api/v1/servicios: HTTP 500" in message
    assert key not in message and "?" not in message


@pytest.mark.parametrize(
    ("options", "literal"),
    [
        ({"bearer_token": "tok-literal-abc"}, "tok-literal-abc"),
        ({"api_key": {"value": "key-literal-abc"}}, "key-literal-abc"),
        ({"http_basic": {"username": "hub", "password": "pw-literal-abc"}}, "pw-literal-abc"),
        ({"headers": {"Authorization": "Bearer hdr-literal-abc"}}, "hdr-literal-abc"),
        ({"base_url": "https://hub:url-literal-abc@portal.example.do"}, "url-literal-abc"),
    ],
)
def test_literal_secrets_are_rejected_without_being_echoed(
    options: dict[str, Any], literal: str
) -> None:
    data = {"connector": "rest", "base_url": "https://portal.example.do", **options}
    with pytest.raises(ValidationError) as caught:
        RestSourceConfig.model_validate(data)
    assert literal not in str(caught.value)
    assert literal not in repr(caught.value.errors())


def test_check_config_reports_a_literal_secret_without_showing_it(tmp_path: Path) -> None:
    path = tmp_path / "puerto-plata.yaml"
    path.write_text(
        PUERTO_PLATA_YAML.replace("BASE_URL", "https://portal.example.do").replace(
            "bearer_token: {$env: PUERTO_PLATA_API_TOKEN}",
            "api_key: {header: X-Api-Key, value: key-literal-xyz}",
        ),
        encoding="utf-8",
    )
    municipality, problems = load_file(path)
    assert municipality is None
    (problem,) = problems
    assert problem.key == "sources.portal.api_key.value"
    assert "$env" in problem.message
    assert "key-literal-xyz" not in str(problem)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"item_path": "/api/v1/servicios/"}, "{id}"),
        ({"list_path": "/api/v1/servicios?municipio=POP"}, "list_params"),
        ({"list_path": "api/v1/servicios"}, "starting with '/'"),
        ({"page_param": "page"}, "next_path"),
    ],
)
def test_binding_config_fails_fast(settings: dict[str, Any], expected: str) -> None:
    data = {"source": "portal", "list_path": "/api/v1/servicios", **settings}
    with pytest.raises(ValidationError, match=expected.replace("?", r"\?")):
        RestBindingConfig.model_validate(data)


def test_source_config_takes_one_way_to_authenticate() -> None:
    with pytest.raises(ValidationError, match="at most one of"):
        RestSourceConfig.model_validate(
            {
                "base_url": "https://portal.example.do",
                "bearer_token": {"$env": "A"},
                "http_basic": {"username": "hub", "password": {"$env": "B"}},
            }
        )
    assert RestSourceConfig.model_validate(
        {"base_url": "https://portal.example.do/", "bearer_token": None}
    ) == RestSourceConfig(base_url="https://portal.example.do")
    with pytest.raises(ValidationError, match="http:// or https://"):
        RestSourceConfig.model_validate({"base_url": "ftp://portal.example.do"})


# --------------------------------------------------------------------------- failures


async def test_a_server_that_never_answers_times_out(
    silent_server: str, make_connector: MakeConnector
) -> None:
    connector = make_connector(silent_server, timeout_seconds=0.5)
    started = time.perf_counter()
    with pytest.raises(UpstreamTimeout) as caught:
        await connector.fetch_many(services_binding("batch"), keys(*SERVICES[:3]))
    elapsed = time.perf_counter() - started
    assert 0.4 < elapsed < 2.0
    assert "/api/v1/servicios" in caught.value.internal_message
    report = await connector.check()
    assert not report.ok


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_server_errors_and_throttling_are_transient(
    fresh_portal: RestService, make_connector: MakeConnector, status: int
) -> None:
    connector = make_connector(fresh_portal.url)
    fresh_portal.fail_with(status)
    try:
        with pytest.raises(TransientError, match=f"HTTP {status}"):
            await connector.list_for(services_binding(), [MUNICIPALITY])
        with pytest.raises(TransientError):
            await connector.fetch_many(services_binding("items"), keys(SERVICES[0]))
        assert not (await connector.check()).ok
    finally:
        fresh_portal.heal()


async def test_a_missing_list_path_is_an_upstream_error(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    with pytest.raises(UpstreamError, match="/api/v1/tramites: HTTP 404") as caught:
        await connector.list_for(services_binding(list_path="/api/v1/tramites"), [MUNICIPALITY])
    assert not isinstance(caught.value, TransientError)


async def test_invalid_json_names_the_records_path(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    fresh_portal.fail_with(200, b"<html>Mantenimiento</html>", "text/html")
    try:
        with pytest.raises(UpstreamError, match="not valid JSON") as caught:
            await connector.fetch_many(services_binding("batch"), keys(SERVICES[0]))
    finally:
        fresh_portal.heal()
    assert "'data.items'" in caught.value.internal_message
    assert not isinstance(caught.value, TransientError)


async def test_a_missing_records_path_is_named(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    binding = services_binding(records_path="data.registros")
    with pytest.raises(UpstreamError, match=r"no 'data\.registros' \(records_path\)"):
        await connector.list_for(binding, [MUNICIPALITY])


async def test_a_value_that_cannot_be_mapped_names_field_and_value(
    fresh_portal: RestService, make_connector: MakeConnector
) -> None:
    connector = make_connector(fresh_portal.url)
    fields = {**SERVICE_FIELDS, "category": "categoria"}  # forgets the vendor's codes
    with pytest.raises(MappingError) as caught:
        await connector.list_for(services_binding(fields=fields), [MUNICIPALITY])
    error = caught.value
    assert error.field == "category" and error.source_field == "categoria"
    assert error.value == "'urb'"
    assert "'category'" in error.internal_message and "'urb'" in error.internal_message


# --------------------------------------------------------------------------- configuration

PUERTO_PLATA_YAML = """\
id: puerto-plata
one_code: "1801"
short_code: POP
name: Puerto Plata
kind: ayuntamiento
province: Puerto Plata
contact:
  address: "Palacio Municipal, calle Separación núm. 12, San Felipe de Puerto Plata"
  phone: "+1 809-555-0106"
  email: info@puertoplata.demo.planasmun.do
demo: true
sources:
  portal:
    connector: rest
    base_url: BASE_URL
    bearer_token: {$env: PUERTO_PLATA_API_TOKEN}
    timeout_seconds: 3
    health_path: /api/v1/servicios?municipio=POP
    health_records_path: data.items
bindings:
  services:
    source: portal
    cache_ttl_seconds: 300
    list_path: /api/v1/servicios
    list_params: {municipio: POP}
    records_path: data.items
    next_path: data.next
    batch_path: /api/v1/servicios
    ids_param: ids
    item_path: /api/v1/servicios/{id}
    item_record_path: data
    fields:
      id: codigo
      name: nombre
      description: descripcion
      category:
        from: categoria
        map: {urb: urbanismo, san: saneamiento, trib: tributos, esp: espacio_publico,
              cem: cementerios, cert: certificaciones, merc: mercados, soc: social}
      requirements: requisitos
      fee_amount: tarifa.monto
      fee_currency: tarifa.moneda
      duration_days: plazoDias
      channels:
        from: canales
        map: {presencial: presencial, web: en_linea, telefono: telefono}
      legal_basis: baseLegal
      department_id: dependenciaId
  departments:
    source: portal
    cache_ttl_seconds: 3600
    list_path: /api/v1/dependencias
    list_params: {municipio: POP}
    records_path: data.items
    next_path: data.next
    batch_path: /api/v1/dependencias
    fields:
      id: codigo
      name: nombre
      head: encargado
      phone: telefono
      email: correo
      location: ubicacion
      hours: horario
"""


async def test_the_documented_yaml_binding_loads_and_serves(
    guarded_portal: RestService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUERTO_PLATA_API_TOKEN", TOKEN)
    path = tmp_path / "puerto-plata.yaml"
    path.write_text(PUERTO_PLATA_YAML.replace("BASE_URL", guarded_portal.url), encoding="utf-8")
    municipality, problems = load_file(path)
    assert problems == []
    assert municipality is not None
    connector = RestConnector(municipality.sources["portal"], ENVIRONMENT)
    try:
        assert (await connector.check()).ok
        for capability, ids in (
            (Capability.SERVICES, SERVICES),
            (Capability.DEPARTMENTS, DEPARTMENTS),
        ):
            binding = Binding(MUNICIPALITY, capability, municipality.bindings[capability])
            (listed,) = await connector.list_for(binding, [MUNICIPALITY])
            assert [r["id"] for r in listed] == ids
            found = await connector.fetch_many(binding, keys(*reversed(ids)))
            assert [r["id"] for r in found if r] == ids[::-1]
    finally:
        await connector.close()
