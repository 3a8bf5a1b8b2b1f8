"""The `soap` connector against two real spyne servers on 127.0.0.1 (SIGEM and MuniSoft)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
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
)
from connectors.soap import SoapBindingConfig, SoapConnector, SoapSourceConfig
from connectors.tenants import load_file
from demo import catalogue
from demo.soap_vendors import VendorServer, start_munisoft, start_sigem
from tests.connectors.conformance import ConnectorConformance
from tests.support import PROJECT_ROOT, free_port

# --------------------------------------------------------------------------- bindings
# The same YAML an integrator writes under `bindings:` in a municipality's file.

SIGEM_SERVICES = """
source: sigem
list_operation: ListarServicios
batch_operation: ObtenerServicios
arguments: {municipio: SDE}
fields:
  id: CODIGO
  name: NOMBRE
  description: DESCRIPCION
  category:
    from: TIPO
    map: {URB: urbanismo, SAN: saneamiento, TRI: tributos, ESP: espacio_publico,
          CEM: cementerios, CER: certificaciones, MER: mercados, SOC: social}
  requirements: {from: REQUISITOS, separator: "|"}
  fee_amount: {from: TARIFA, type: money}
  duration_days: DIAS_HABILES
  channels: {from: CANALES, separator: ",", map: {P: presencial, L: en_linea, T: telefono}}
  legal_basis: BASE_LEGAL
  department_id: COD_DEPENDENCIA
"""

SIGEM_DEPARTMENTS = """
source: sigem
list_operation: ListarDependencias
batch_operation: ObtenerDependencias
arguments: {municipio: SDE}
fields:
  id: CODIGO
  name: NOMBRE
  phone: TELEFONO
  email: CORREO
  location: UBICACION
  hours: HORARIO
"""

MUNISOFT_SERVICES = """
source: munisoft
list_operation: ConsultarCatalogo
get_operation: ConsultarTramite
fields:
  id: idTramite
  name: titulo
  description: detalle
  category:
    from: area
    map: {Urbanismo: urbanismo, Medio Ambiente: saneamiento, Rentas Municipales: tributos,
          Espacio Público: espacio_publico, Cementerios: cementerios,
          Certificaciones: certificaciones, Mercados: mercados, Desarrollo Social: social}
  requirements: documentos.string
  fee_amount: {from: costo, type: money}
  duration_days: plazoDias
  channels:
    from: modalidades.string
    map: {Presencial: presencial, En línea: en_linea, Telefónica: telefono}
  legal_basis: fundamentoLegal
  department_id: idOficina
"""

MUNISOFT_DEPARTMENTS = """
source: munisoft
list_operation: ConsultarOficinas
get_operation: ConsultarOficina
fields:
  id: idOficina
  name: nombre
  head: encargado
  phone: telefono
  email: correo
  location: direccion
  hours: horario
"""


def soap_binding(text: str, **changes: Any) -> SoapBindingConfig:
    data = yaml.safe_load(text)
    data.update(changes)
    return SoapBindingConfig.model_validate(data)


def sigem_services(municipality_id: str = "santo-domingo-este", **changes: Any) -> Binding:
    return Binding(municipality_id, Capability.SERVICES, soap_binding(SIGEM_SERVICES, **changes))


def munisoft_services(**changes: Any) -> Binding:
    return Binding("santiago", Capability.SERVICES, soap_binding(MUNISOFT_SERVICES, **changes))


def keys_of(municipality_id: str, count: int) -> list[RecordKey]:
    return [(municipality_id, s["id"]) for s in catalogue.services(municipality_id)[:count]]


ENVIRONMENT = ConnectorEnvironment("sqlite+aiosqlite:///:memory:", PROJECT_ROOT / "config")


def soap_connector(environment: ConnectorEnvironment = ENVIRONMENT, **config: Any) -> SoapConnector:
    return SoapConnector(SoapSourceConfig.model_validate(config), environment)


@pytest.fixture
async def connectors() -> AsyncIterator[list[SoapConnector]]:
    """Connectors a test creates; each is closed afterwards."""
    made: list[SoapConnector] = []
    yield made
    for connector in made:
        await connector.close()


@contextlib.contextmanager
def calls_during(server: VendorServer) -> Iterator[Counter[str]]:
    """The operations (and `wsdl` downloads) the server received inside the block."""
    before = Counter(server.calls)
    delta: Counter[str] = Counter()
    yield delta
    delta.update(server.calls)
    delta.subtract(before)
    for name in [n for n, c in delta.items() if c == 0]:
        del delta[name]


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def sigem() -> Iterator[VendorServer]:
    with start_sigem() as server:
        yield server


@pytest.fixture(scope="module")
def munisoft() -> Iterator[VendorServer]:
    with start_munisoft() as server:
        yield server


@pytest.fixture
def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/?wsdl"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A socket that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


@pytest.fixture
def sigem_wsdl_file(sigem: VendorServer, tmp_path: Path) -> Path:
    """SIGEM's WSDL saved as a vendor would hand it over, naming a host we cannot reach."""
    text = httpx.get(sigem.wsdl_url).text
    assert sigem.url in text
    path = tmp_path / "wsdl" / "sigem.wsdl"
    path.parent.mkdir()
    path.write_text(text.replace(sigem.url, f"http://127.0.0.1:{free_port()}/sigem"))
    return path


# --------------------------------------------------------------------------- conformance


class TestSoapSigem(ConnectorConformance):
    @pytest.fixture
    async def connector(self, sigem: VendorServer) -> AsyncIterator[SoapConnector]:
        connector = soap_connector(wsdl=sigem.wsdl_url)
        yield connector
        await connector.close()

    @pytest.fixture
    def binding(self) -> Binding:
        return sigem_services()

    @pytest.fixture
    def known_keys(self) -> list[RecordKey]:
        return keys_of("santo-domingo-este", 4)

    @pytest.fixture
    def known_municipalities(self) -> list[str]:
        return ["santo-domingo-este"]

    @pytest.fixture
    async def broken_connector(self, closed_port_url: str) -> AsyncIterator[SoapConnector]:
        connector = soap_connector(wsdl=closed_port_url)
        yield connector
        await connector.close()


class TestSoapMuniSoft(ConnectorConformance):
    @pytest.fixture
    async def connector(self, munisoft: VendorServer) -> AsyncIterator[SoapConnector]:
        connector = soap_connector(wsdl=munisoft.wsdl_url, soap_version="1.2")
        yield connector
        await connector.close()

    @pytest.fixture
    def binding(self) -> Binding:
        return munisoft_services()

    @pytest.fixture
    def known_keys(self) -> list[RecordKey]:
        return keys_of("santiago", 4)

    @pytest.fixture
    def known_municipalities(self) -> list[str]:
        return ["santiago"]

    @pytest.fixture
    async def broken_connector(self, closed_port_url: str) -> AsyncIterator[SoapConnector]:
        connector = soap_connector(wsdl=closed_port_url, soap_version="1.2")
        yield connector
        await connector.close()


# --------------------------------------------------------------------------- records


@pytest.mark.parametrize(
    ("start", "binding", "municipality_id"),
    [
        ("sigem", sigem_services(), "santo-domingo-este"),
        ("sigem", sigem_services("higuey", arguments={"municipio": "HIG"}), "higuey"),
        ("munisoft", munisoft_services(), "santiago"),
    ],
    ids=["sigem-sde", "sigem-higuey", "munisoft-santiago"],
)
async def test_records_map_back_to_the_catalogue(
    request: pytest.FixtureRequest,
    connectors: list[SoapConnector],
    start: str,
    binding: Binding,
    municipality_id: str,
) -> None:
    """Codes, money, lists and channels come back exactly as the hub keeps them."""
    server: VendorServer = request.getfixturevalue(start)
    connector = soap_connector(wsdl=server.wsdl_url)
    connectors.append(connector)
    (records,) = await connector.list_for(binding, [municipality_id])
    expected = catalogue.services(municipality_id)
    assert [dict(r) for r in records] == [
        {"municipality_id": municipality_id, **e} for e in expected
    ]
    fees = [r["fee_amount"] for r in records]
    assert any(fees) and all(f is None or f.as_tuple().exponent == -2 for f in fees)


async def test_departments_from_both_vendors(
    sigem: VendorServer, munisoft: VendorServer, connectors: list[SoapConnector]
) -> None:
    for server, text, municipality_id in (
        (sigem, SIGEM_DEPARTMENTS, "santo-domingo-este"),
        (munisoft, MUNISOFT_DEPARTMENTS, "santiago"),
    ):
        connector = soap_connector(wsdl=server.wsdl_url)
        connectors.append(connector)
        binding = Binding(municipality_id, Capability.DEPARTMENTS, soap_binding(text))
        (listed,) = await connector.list_for(binding, [municipality_id])
        expected = catalogue.departments(municipality_id)
        assert [dict(r) for r in listed] == [
            {"municipality_id": municipality_id, **e} for e in expected
        ]
        keys = [(municipality_id, "tesoreria"), (municipality_id, "nope")]
        found = await connector.fetch_many(binding, keys)
        assert found[0] is not None and found[0]["name"] == "Tesorería Municipal"
        assert found[1] is None


async def test_one_sigem_source_serves_two_municipalities(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    """Both bind the same source (the federation shares one connector): one WSDL load."""
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    higuey = sigem_services("higuey", arguments={"municipio": "HIG"})
    sde_keys, higuey_keys = keys_of("santo-domingo-este", 2), keys_of("higuey", 2)
    with calls_during(sigem) as delta:
        found_sde, found_higuey = await asyncio.gather(
            connector.fetch_many(sigem_services(), sde_keys + higuey_keys),
            connector.fetch_many(higuey, sde_keys + higuey_keys),
        )
    assert delta == Counter({"wsdl": 1, "ObtenerServicios": 2})
    assert [r is not None for r in found_sde] == [True, True, False, False]
    assert [r is not None for r in found_higuey] == [False, False, True, True]
    assert found_higuey[2] is not None and found_higuey[2]["municipality_id"] == "higuey"
    assert found_higuey[2]["description"] == catalogue.services("higuey")[0]["description"]


async def test_list_for_other_municipalities_makes_no_call(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    await connector.check()
    with calls_during(sigem) as delta:
        assert await connector.list_for(sigem_services(), ["higuey", "santiago"]) == [[], []]
        groups = await connector.list_for(
            sigem_services(), ["higuey", "santo-domingo-este", "santo-domingo-este"]
        )
    assert delta == Counter({"ListarServicios": 1})
    assert groups[0] == [] and groups[1] and groups[1] == groups[2]


# --------------------------------------------------------------------------- batching


async def test_fetch_many_is_one_batch_call_on_sigem(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    keys = keys_of("santo-domingo-este", 5)
    with calls_during(sigem) as delta:
        found = await connector.fetch_many(sigem_services(), [*keys, ("higuey", keys[0][1])])
    assert delta == Counter({"wsdl": 1, "ObtenerServicios": 1})
    assert [r["id"] if r else None for r in found] == [k[1] for k in keys] + [None]


async def test_fetch_many_without_batch_calls_get_concurrently(
    connectors: list[SoapConnector],
) -> None:
    """MuniSoft has no batch operation: five single calls, in flight together."""
    with start_munisoft(latency_ms=300) as slow:
        connector = soap_connector(wsdl=slow.wsdl_url)
        connectors.append(connector)
        await connector.check()
        keys = keys_of("santiago", 5)
        with calls_during(slow) as delta:
            started = time.perf_counter()
            found = await connector.fetch_many(munisoft_services(), keys)
            elapsed = time.perf_counter() - started
        assert delta == Counter({"ConsultarTramite": 5})
        assert [r["id"] if r else None for r in found] == [k[1] for k in keys]
        assert elapsed < 1.0, f"5 calls of 300 ms took {elapsed:.2f} s: not concurrent"


async def test_get_calls_are_bounded_by_max_concurrent_calls(
    connectors: list[SoapConnector],
) -> None:
    with start_munisoft(latency_ms=200) as slow:
        connector = soap_connector(wsdl=slow.wsdl_url, max_concurrent_calls=2)
        connectors.append(connector)
        await connector.check()
        started = time.perf_counter()
        await connector.fetch_many(munisoft_services(), keys_of("santiago", 4))
        assert time.perf_counter() - started >= 0.4


async def test_fetch_many_falls_back_to_one_list_call(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    binding = sigem_services(batch_operation=None)
    keys = keys_of("santo-domingo-este", 3)
    with calls_during(sigem) as delta:
        found = await connector.fetch_many(binding, [keys[2], ("santo-domingo-este", "x"), keys[0]])
    assert delta == Counter({"wsdl": 1, "ListarServicios": 1})
    assert [r["id"] if r else None for r in found] == [keys[2][1], None, keys[0][1]]


async def test_wsdl_is_loaded_once_for_many_concurrent_calls(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    binding = sigem_services()
    keys = keys_of("santo-domingo-este", 3)
    with calls_during(sigem) as delta:
        await asyncio.gather(
            *(connector.fetch_many(binding, keys) for _ in range(10)),
            *(connector.list_for(binding, ["santo-domingo-este"]) for _ in range(5)),
            connector.check(),
        )
        await connector.fetch_many(binding, keys)
    assert delta == Counter({"wsdl": 1, "ObtenerServicios": 11, "ListarServicios": 5})


async def test_a_caller_that_gives_up_does_not_waste_the_wsdl_load(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    with calls_during(sigem) as delta:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(connector.check(), 0.005)
        assert (await connector.check()).ok
    assert delta == Counter({"wsdl": 1})

    closed_while_loading = soap_connector(wsdl=sigem.wsdl_url)
    call = asyncio.ensure_future(closed_while_loading.check())
    await asyncio.sleep(0.005)
    await closed_while_loading.close()
    assert not (await call).ok  # the load was cancelled: reported, not raised
    assert (await closed_while_loading.check()).ok
    await closed_while_loading.close()


async def test_ids_argument_can_be_named(
    sigem: VendorServer, munisoft: VendorServer, connectors: list[SoapConnector]
) -> None:
    sigem_connector = soap_connector(wsdl=sigem.wsdl_url)
    munisoft_connector = soap_connector(wsdl=munisoft.wsdl_url)
    connectors.extend([sigem_connector, munisoft_connector])
    key = keys_of("santo-domingo-este", 1)
    (found,) = await sigem_connector.fetch_many(sigem_services(ids_argument="codigos"), key)
    assert found is not None
    key = keys_of("santiago", 1)
    (found,) = await munisoft_connector.fetch_many(munisoft_services(id_argument="idTramite"), key)
    assert found is not None


async def test_result_path_reaches_records_inside_an_envelope(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    binding = sigem_services(list_operation="ExportarCatalogo", result_path="servicios.Servicio")
    (records,) = await connector.list_for(binding, ["santo-domingo-este"])
    assert [r["id"] for r in records] == [s["id"] for s in catalogue.services("santo-domingo-este")]

    wrong = sigem_services(list_operation="ExportarCatalogo", result_path="items")
    with pytest.raises(UpstreamError, match=r"result_path 'items'.*servicios"):
        await connector.list_for(wrong, ["santo-domingo-este"])
    without = sigem_services(list_operation="ExportarCatalogo")
    with pytest.raises(MappingError):  # the envelope itself is no service record
        await connector.list_for(without, ["santo-domingo-este"])


# --------------------------------------------------------------------------- SOAP versions


async def test_soap_version_is_detected_and_selectable(
    sigem: VendorServer, munisoft: VendorServer, connectors: list[SoapConnector]
) -> None:
    detected_11 = soap_connector(wsdl=sigem.wsdl_url)
    detected_12 = soap_connector(wsdl=munisoft.wsdl_url)
    chosen_12 = soap_connector(wsdl=munisoft.wsdl_url, soap_version=1.2)  # as YAML reads it
    wrong = soap_connector(wsdl=munisoft.wsdl_url, soap_version="1.1")
    connectors.extend([detected_11, detected_12, chosen_12, wrong])
    assert (await detected_11.check()).details["soap_version"] == "1.1"
    assert (await detected_12.check()).details["soap_version"] == "1.2"
    assert (await chosen_12.check()).details["soap_version"] == "1.2"
    (found,) = await chosen_12.fetch_many(munisoft_services(), keys_of("santiago", 1))
    assert found is not None
    report = await wrong.check()
    assert not report.ok and "1.2" in report.message
    with pytest.raises(ConnectorConfigError, match=r"SOAP 1\.1 binding"):
        await wrong.fetch_many(munisoft_services(), keys_of("santiago", 1))


# --------------------------------------------------------------------------- check


async def test_check_lists_operations_with_their_inputs(
    sigem: VendorServer, munisoft: VendorServer, connectors: list[SoapConnector]
) -> None:
    sigem_connector = soap_connector(wsdl=sigem.wsdl_url)
    munisoft_connector = soap_connector(wsdl=munisoft.wsdl_url)
    connectors.extend([sigem_connector, munisoft_connector])
    report = await sigem_connector.check()
    assert report.ok, report.message
    assert report.details["endpoint"] == sigem.url
    assert set(report.details["operations"]) == {
        "ListarServicios(municipio)",
        "ObtenerServicios(municipio, codigos)",
        "ExportarCatalogo(municipio)",
        "ListarDependencias(municipio)",
        "ObtenerDependencias(municipio, codigos)",
        # Citizens' requests (tests/integration/test_soap_requests.py).
        "RegistrarSolicitud(municipio, NUMERO_SEGUIMIENTO, CODIGO_SERVICIO, DESCRIPCION, "
        "DIRECCION, LATITUD, LONGITUD, SOLICITANTE, CEDULA, TELEFONO, CORREO, "
        "DATOS_ADICIONALES, FECHA_SOLICITUD)",
        "ConsultarSolicitud(municipio, numeroSeguimiento)",
        "ConsultarEstadoSolicitudes(municipio, numeros)",
        "ConsultarSolicitudes(municipio, numeros)",
        # Statuses by SIGEM's own number (tests/delivery/test_read_back_by_reference.py).
        "ConsultarEstadoPorId(municipio, ids)",
        "ListarSolicitudes(municipio)",
        # Public works (tests/integration/test_works.py).
        "ListarObras(municipio)",
        # Budget execution (tests/integration/test_budget.py).
        "ListarEjecucionPresupuestaria(municipio)",
    }
    report = await munisoft_connector.check()
    assert report.ok, report.message
    assert set(report.details["operations"]) == {
        "ConsultarCatalogo()",
        "ConsultarTramite(idTramite)",
        "ConsultarOficinas()",
        "ConsultarOficina(idOficina)",
    }


async def test_an_outage_after_loading_is_reported_and_recovered(
    connectors: list[SoapConnector],
) -> None:
    with start_sigem() as server:
        connector = soap_connector(wsdl=server.wsdl_url)
        connectors.append(connector)
        assert (await connector.check()).ok
        server.pause()
        report = await connector.check()
        assert not report.ok and report.message
        with pytest.raises(TransientError) as caught:
            await connector.fetch_many(sigem_services(), keys_of("santo-domingo-este", 2))
        assert "ObtenerServicios" in caught.value.internal_message
        assert caught.value.user_message.startswith("El sistema del ayuntamiento")
        server.resume()
        assert (await connector.check()).ok
        found = await connector.fetch_many(sigem_services(), keys_of("santo-domingo-este", 2))
        assert all(found)
        assert server.calls["wsdl"] == 1


async def test_check_of_a_silent_server_reports_within_the_timeout(
    silent_port: int, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=f"http://127.0.0.1:{silent_port}/?wsdl", timeout_seconds=0.5)
    connectors.append(connector)
    started = time.perf_counter()
    report = await connector.check()
    assert not report.ok and "Timeout" in report.message
    assert time.perf_counter() - started < 2


# --------------------------------------------------------------------------- errors


async def test_a_silent_endpoint_times_out(
    sigem_wsdl_file: Path, silent_port: int, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(
        wsdl=str(sigem_wsdl_file), endpoint=f"http://127.0.0.1:{silent_port}/", timeout_seconds=0.5
    )
    connectors.append(connector)
    started = time.perf_counter()
    with pytest.raises(UpstreamTimeout) as caught:
        await connector.fetch_many(sigem_services(), keys_of("santo-domingo-este", 3))
    assert time.perf_counter() - started < 2
    assert caught.value.user_message == UpstreamTimeout.default_user_message


async def test_endpoint_overrides_the_wsdl_address_and_paths_are_relative_to_config_dir(
    sigem: VendorServer, sigem_wsdl_file: Path, connectors: list[SoapConnector]
) -> None:
    environment = ConnectorEnvironment(ENVIRONMENT.hub_database_url, sigem_wsdl_file.parent.parent)
    as_vendor_says = soap_connector(environment, wsdl="wsdl/sigem.wsdl")
    overridden = soap_connector(environment, wsdl="wsdl/sigem.wsdl", endpoint=sigem.url)
    connectors.extend([as_vendor_says, overridden])
    keys = keys_of("santo-domingo-este", 2)
    with pytest.raises(TransientError):
        await as_vendor_says.fetch_many(sigem_services(), keys)
    with calls_during(sigem) as delta:
        found = await overridden.fetch_many(sigem_services(), keys)
    assert all(found)
    assert delta == Counter({"ObtenerServicios": 1})  # the WSDL came from the file

    missing = soap_connector(environment, wsdl="wsdl/nope.wsdl")
    connectors.append(missing)
    with pytest.raises(ConnectorConfigError, match=r"nope\.wsdl"):
        await missing.list_for(sigem_services(), ["santo-domingo-este"])
    assert not (await missing.check()).ok


async def test_soap_fault_is_an_upstream_error_with_a_generic_spanish_message(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    binding = sigem_services(arguments={"municipio": "XYZ"})
    with pytest.raises(UpstreamError) as caught:
        await connector.list_for(binding, ["santo-domingo-este"])
    error = caught.value
    assert not isinstance(error, MappingError)
    assert "Client.MunicipioDesconocido" in error.internal_message
    assert "no registrado" in error.internal_message
    assert error.user_message == UpstreamError.default_user_message
    assert "XYZ" not in error.user_message


async def test_unknown_operation_or_argument_is_a_config_error(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    with pytest.raises(ConnectorConfigError, match=r"'ListarServicio'.*ListarServicios\("):
        await connector.list_for(
            sigem_services(list_operation="ListarServicio"), ["santo-domingo-este"]
        )
    with pytest.raises(ConnectorConfigError, match="'tenant'"):
        await connector.list_for(
            sigem_services(arguments={"municipio": "SDE", "tenant": 1}), ["santo-domingo-este"]
        )
    with pytest.raises(ConnectorConfigError, match="set `ids_argument`"):
        await connector.fetch_many(sigem_services(arguments={}), keys_of("santo-domingo-este", 1))


async def test_mapping_error_names_field_and_value(
    sigem: VendorServer, connectors: list[SoapConnector]
) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    connectors.append(connector)
    fields = dict(soap_binding(SIGEM_SERVICES).fields)
    fields["fee_amount"] = "NOMBRE"
    keys = keys_of("santo-domingo-este", 1)
    with pytest.raises(MappingError) as caught:
        await connector.fetch_many(sigem_services(fields=fields), keys)
    error = caught.value
    name = catalogue.services("santo-domingo-este")[0]["name"]
    assert (error.field, error.source_field) == ("fee_amount", "NOMBRE")
    assert name in error.value and name in error.internal_message
    assert "fee_amount" in error.internal_message


# --------------------------------------------------------------------------- authentication


@pytest.fixture(scope="module")
def secured_munisoft() -> Iterator[VendorServer]:
    with start_munisoft(credentials=("planasmun", "clave-ws")) as server:
        yield server


@pytest.mark.parametrize("digest", [False, True], ids=["text", "digest"])
async def test_ws_security_username_token(
    secured_munisoft: VendorServer,
    connectors: list[SoapConnector],
    monkeypatch: pytest.MonkeyPatch,
    digest: bool,
) -> None:
    monkeypatch.setenv("MUNISOFT_PASSWORD", "clave-ws")
    monkeypatch.setenv("MUNISOFT_WRONG", "otra")
    config: dict[str, Any] = {
        "wsdl": secured_munisoft.wsdl_url,
        "username": "planasmun",
        "password_digest": digest,
    }
    right = soap_connector(**config, password={"$env": "MUNISOFT_PASSWORD"})
    wrong = soap_connector(**config, password={"$env": "MUNISOFT_WRONG"})
    without = soap_connector(wsdl=secured_munisoft.wsdl_url)
    connectors.extend([right, wrong, without])
    keys = keys_of("santiago", 2)

    assert all(await right.fetch_many(munisoft_services(), keys))
    for connector, reason in ((wrong, "no válidos"), (without, "Se requiere")):
        with pytest.raises(UpstreamError) as caught:
            await connector.fetch_many(munisoft_services(), keys)
        assert "SOAP fault" in caught.value.internal_message
        assert reason in caught.value.internal_message
        assert "clave" not in caught.value.internal_message
        assert caught.value.user_message == UpstreamError.default_user_message


async def test_a_missing_secret_is_a_config_error(
    secured_munisoft: VendorServer, connectors: list[SoapConnector], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MUNISOFT_UNSET", raising=False)
    connector = soap_connector(
        wsdl=secured_munisoft.wsdl_url, username="planasmun", password={"$env": "MUNISOFT_UNSET"}
    )
    connectors.append(connector)
    report = await connector.check()
    assert not report.ok and "MUNISOFT_UNSET" in report.message
    with pytest.raises(ConnectorConfigError, match="MUNISOFT_UNSET"):
        await connector.fetch_many(munisoft_services(), keys_of("santiago", 1))


async def test_http_basic_authentication(
    connectors: list[SoapConnector], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGEM_BASIC", "clave-http")
    monkeypatch.setenv("SIGEM_BASIC_WRONG", "otra")
    with start_sigem(http_basic=("hub", "clave-http")) as server:
        right = soap_connector(
            wsdl=server.wsdl_url,
            http_basic={"username": "hub", "password": {"$env": "SIGEM_BASIC"}},
        )
        wrong = soap_connector(
            wsdl=server.wsdl_url,
            http_basic={"username": "hub", "password": {"$env": "SIGEM_BASIC_WRONG"}},
        )
        connectors.extend([right, wrong])
        assert (await right.check()).ok
        assert all(await right.fetch_many(sigem_services(), keys_of("santo-domingo-este", 2)))
        report = await wrong.check()
        assert not report.ok and "401" in report.message
        with pytest.raises(UpstreamError, match="401"):
            await wrong.list_for(sigem_services(), ["santo-domingo-este"])


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"username": "u", "password": "literal"}, "never a literal value"),
        ({"username": "u"}, "together"),
        ({"password": {"$env": "X"}}, "together"),
        ({"http_basic": {"username": "u", "password": "literal"}}, "never a literal value"),
        ({"wsdl": "http://user:pw@host/?wsdl"}, "without user:password@"),
        ({"endpoint": "https://user:pw@host/"}, "without user:password@"),
        ({"endpoint": "host:8080"}, "pattern"),
        ({"soap_version": 1.3}, "'1.1' or '1.2'"),
    ],
)
def test_config_rejects(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SoapSourceConfig.model_validate({"wsdl": "vendor.wsdl", **config})


def test_secrets_never_show_in_the_config() -> None:
    config = SoapSourceConfig.model_validate(
        {"wsdl": "vendor.wsdl", "username": "u", "password": {"$env": "VENDOR_PASSWORD"}}
    )
    assert "VENDOR_PASSWORD" in repr(config) and config.password is not None
    assert config.model_dump()["password"] == {"env": "VENDOR_PASSWORD"}


def _municipality_file(tmp_path: Path, municipality_id: str, sources: str, bindings: str) -> Path:
    data = yaml.safe_load(
        (PROJECT_ROOT / "config/municipalities" / f"{municipality_id}.yaml").read_text()
    )
    data["sources"] = yaml.safe_load(sources)
    data["bindings"] = yaml.safe_load(bindings)
    path = tmp_path / f"{municipality_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines())


@pytest.mark.parametrize(
    ("municipality_id", "sources", "bindings"),
    [
        (
            "santo-domingo-este",
            "sigem: {connector: soap, wsdl: 'http://127.0.0.1:8701/?wsdl', timeout_seconds: 4}",
            f"services:\n{_indent(SIGEM_SERVICES)}\ndepartments:\n{_indent(SIGEM_DEPARTMENTS)}",
        ),
        (
            "higuey",
            "sigem: {connector: soap, wsdl: 'http://127.0.0.1:8701/?wsdl', timeout_seconds: 4}",
            f"services:\n{_indent(SIGEM_SERVICES.replace('SDE', 'HIG'))}\n"
            f"departments:\n{_indent(SIGEM_DEPARTMENTS.replace('SDE', 'HIG'))}",
        ),
        (
            "santiago",
            "munisoft: {connector: soap, wsdl: 'http://127.0.0.1:8702/?wsdl', soap_version: 1.2,"
            " username: planasmun, password: {$env: MUNISOFT_PASSWORD}}",
            f"services:\n{_indent(MUNISOFT_SERVICES)}\n"
            f"departments:\n{_indent(MUNISOFT_DEPARTMENTS)}",
        ),
    ],
)
def test_bindings_pass_config_validation(
    tmp_path: Path, municipality_id: str, sources: str, bindings: str
) -> None:
    """The documented YAML for the demo municipalities loads with no problems."""
    path = _municipality_file(tmp_path, municipality_id, sources, bindings)
    municipality, problems = load_file(path)
    assert problems == []
    assert municipality is not None
    assert {type(c) for c in municipality.bindings.values()} == {SoapBindingConfig}


def test_a_literal_password_is_reported_without_its_value(tmp_path: Path) -> None:
    path = _municipality_file(
        tmp_path,
        "santiago",
        "munisoft: {connector: soap, wsdl: vendor.wsdl, username: u, password: hunter2}",
        "{}",
    )
    _, problems = load_file(path)
    assert [p.key for p in problems] == ["sources.munisoft.password"]
    assert '{"$env":' in problems[0].message
    assert "hunter2" not in problems[0].message


def test_an_unknown_binding_key_names_the_known_ones(tmp_path: Path) -> None:
    bindings = f"services:\n{_indent(SIGEM_SERVICES)}\n    operation: ListarServicios"
    path = _municipality_file(
        tmp_path,
        "santo-domingo-este",
        "sigem: {connector: soap, wsdl: 'http://127.0.0.1:8701/?wsdl'}",
        bindings,
    )
    _, problems = load_file(path)
    assert [p.key for p in problems] == ["bindings.services.operation"]
    assert "list_operation" in problems[0].message


# --------------------------------------------------------------------------- lifecycle


async def test_close_releases_clients_and_a_later_call_reloads(sigem: VendorServer) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    keys = keys_of("santo-domingo-este", 1)
    assert all(await connector.fetch_many(sigem_services(), keys))
    await connector.close()
    await connector.close()
    try:
        with calls_during(sigem) as delta:
            assert all(await connector.fetch_many(sigem_services(), keys))
        assert delta["wsdl"] == 1
    finally:
        await connector.close()


def test_vendor_servers_refuse_connections_while_paused() -> None:
    with start_munisoft() as server:
        assert httpx.get(server.wsdl_url).status_code == 200
        server.pause()
        with pytest.raises(httpx.ConnectError):
            httpx.get(server.wsdl_url)
        server.resume()
        assert httpx.get(server.wsdl_url).status_code == 200
    assert not server.running
