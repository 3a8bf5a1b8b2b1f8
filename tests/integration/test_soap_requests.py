"""Requests written through to SIGEM, the demo's SOAP 1.1 vendor, over HTTP on 127.0.0.1.

The binding is Santo Domingo Este's, as its municipality file writes it; every assertion
about what arrived reads SIGEM's own register (its SQLite file), not the hub's store.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from connectors import (
    Binding,
    Capability,
    ConnectorConfigError,
    ConnectorEnvironment,
    MappingError,
    TransientError,
    UpstreamError,
    UpstreamTimeout,
)
from connectors.soap import SoapConnector, SoapSourceConfig
from connectors.soap.requests import SoapRequestsBindingConfig
from connectors.tenants import load_file
from connectors.writes import OutgoingRequest
from demo import catalogue
from demo.sigem_requests import read_solicitudes, set_status
from demo.soap_vendors import VendorServer, start_sigem
from tests.connectors.writer_conformance import RequestWriterConformance
from tests.fixtures import DEMO_MUNICIPALITIES_DIR

SDE = "santo-domingo-este"
SDE_FILE = DEMO_MUNICIPALITIES_DIR / f"{SDE}.yaml"
ENVIRONMENT = ConnectorEnvironment("sqlite+aiosqlite://", DEMO_MUNICIPALITIES_DIR)
SERVICE = catalogue.services(SDE)[0]["id"]


def sde_requests_binding(**changes: Any) -> dict[str, Any]:
    """Santo Domingo Este's `requests` binding as its file writes it, with changes."""
    data = yaml.safe_load(SDE_FILE.read_text(encoding="utf-8"))
    binding: dict[str, Any] = data["bindings"]["requests"]
    for key, value in changes.items():
        binding[key] = value
    return binding


def binding_of(raw: dict[str, Any]) -> Binding:
    return Binding(SDE, Capability.REQUESTS, SoapRequestsBindingConfig.model_validate(raw))


def tracking() -> str:
    return f"SDE-2026-{uuid.uuid4().int % 1_000_000:06d}"


def outgoing(number: str, **changes: Any) -> OutgoingRequest:
    values: dict[str, Any] = {
        "tracking_number": number,
        "municipality_id": SDE,
        "service_id": SERVICE,
        "submitted_at": dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC),
        "description": "Hoyo en la acera frente a la escuela",
        "address": "Calle Respaldo 5, Los Mina",
        "latitude": 18.4961,
        "longitude": -69.8547,
        "answers": {"tipo_via": "acera", "urgente": "sí"},
        "citizen_name": "María Pérez",
        "citizen_cedula": "00112345678",
        "citizen_phone": "809-555-0199",
        "citizen_email": "maria@example.do",
    }
    values.update(changes)
    return OutgoingRequest(**values)


@pytest.fixture
def sigem(tmp_path: Path) -> Iterator[VendorServer]:
    with start_sigem(requests_db=tmp_path / "sigem-solicitudes.db") as server:
        yield server


@pytest.fixture
async def connector(sigem: VendorServer) -> AsyncIterator[SoapConnector]:
    made = SoapConnector(
        SoapSourceConfig.model_validate(
            {"connector": "soap", "wsdl": sigem.wsdl_url, "timeout_seconds": 3}
        ),
        ENVIRONMENT,
    )
    yield made
    await made.close()


@pytest.fixture
def binding() -> Binding:
    return binding_of(sde_requests_binding())


def upstream(sigem: VendorServer) -> list[dict[str, Any]]:
    """SIGEM's own register, read from its database file."""
    assert sigem.requests is not None
    return [row.as_dict() for row in read_solicitudes(sigem.requests.path)]


class TestSigemWritesRequests(RequestWriterConformance):
    @pytest.fixture
    def new_request(self) -> Callable[..., OutgoingRequest]:
        return lambda **changes: outgoing(tracking(), **changes)

    @pytest.fixture
    def upstream_numbers(self, sigem: VendorServer) -> Callable[[], Awaitable[list[str]]]:
        async def numbers() -> list[str]:
            return [row["NUMERO_SEGUIMIENTO"] for row in upstream(sigem)]

        return numbers


# ------------------------------------------------------------------------------- submit


async def test_a_submitted_request_arrives_in_sigem(
    sigem: VendorServer, connector: SoapConnector, binding: Binding
) -> None:
    number = tracking()
    receipt = await connector.submit_request(binding, outgoing(number))
    rows = upstream(sigem)
    assert len(rows) == 1
    row = rows[0]
    assert receipt.tracking_number == number
    assert receipt.upstream_ref == str(row["ID_SOLICITUD"])
    assert row["MUNICIPIO"] == "SDE"
    assert row["NUMERO_SEGUIMIENTO"] == number
    assert row["CODIGO_SERVICIO"] == SERVICE
    assert row["DESCRIPCION"] == "Hoyo en la acera frente a la escuela"
    assert row["DIRECCION"] == "Calle Respaldo 5, Los Mina"
    assert (row["LATITUD"], row["LONGITUD"]) == (18.4961, -69.8547)
    assert (row["SOLICITANTE"], row["CEDULA"]) == ("María Pérez", "00112345678")
    assert json.loads(row["DATOS_ADICIONALES"]) == {"tipo_via": "acera", "urgente": "sí"}
    # Sent in the municipality's local time, with its offset.
    sent = dt.datetime.fromisoformat(row["FECHA_SOLICITUD"])
    assert sent == dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)
    assert sent.utcoffset() == dt.timedelta(hours=-4)
    assert row["ESTADO"] == "RG"


async def test_an_empty_answer_set_and_missing_optional_fields_are_sent_empty(
    sigem: VendorServer, connector: SoapConnector, binding: Binding
) -> None:
    number = tracking()
    await connector.submit_request(
        binding,
        outgoing(
            number,
            answers={},
            address=None,
            latitude=None,
            longitude=None,
            citizen_name=None,
            citizen_cedula=None,
        ),
    )
    (row,) = upstream(sigem)
    assert row["DATOS_ADICIONALES"] is None
    assert row["DIRECCION"] is None and row["LATITUD"] is None and row["SOLICITANTE"] is None


# ----------------------------------------------------------------------------- statuses


async def test_statuses_changed_in_sigem_are_read_back_mapped(
    sigem: VendorServer, connector: SoapConnector, binding: Binding
) -> None:
    numbers = [tracking() for _ in range(4)]
    for number in numbers:
        await connector.submit_request(binding, outgoing(number))
    assert sigem.requests is not None
    db = sigem.requests.path
    set_status(db, numbers[1], "EV")
    set_status(db, numbers[2], "CO", "Reparada la acera el 5 de marzo.")
    set_status(db, numbers[3], "RZ", "No corresponde a este ayuntamiento.")
    before = sigem.calls["ConsultarEstadoSolicitudes"]
    statuses = await connector.request_statuses(binding, [*numbers, "SDE-2026-999999"])
    assert sigem.calls["ConsultarEstadoSolicitudes"] == before + 1  # one call for the batch
    found = {s.tracking_number: s for s in statuses}
    assert set(found) == set(numbers)  # the unknown number is left out
    assert {n: found[n].status for n in numbers} == {
        numbers[0]: "RECIBIDA",
        numbers[1]: "EN_REVISION",
        numbers[2]: "RESUELTA",
        numbers[3]: "RECHAZADA",
    }
    assert found[numbers[2]].note == "Reparada la acera el 5 de marzo."
    assert found[numbers[0]].note is None
    changed_at = found[numbers[3]].changed_at
    assert changed_at is not None and changed_at.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - changed_at) < dt.timedelta(minutes=5)
    assert await connector.request_statuses(binding, []) == []


# ------------------------------------------------------------------------------ failures


async def test_a_stopped_sigem_is_a_transient_error_and_delivery_works_when_it_returns(
    sigem: VendorServer, connector: SoapConnector, binding: Binding
) -> None:
    number = tracking()
    assert await connector.find_request(binding, number) is None  # the WSDL is loaded
    sigem.pause()
    try:
        with pytest.raises(TransientError):
            await connector.submit_request(binding, outgoing(number))
        with pytest.raises(TransientError):
            await connector.find_request(binding, number)
        with pytest.raises(TransientError):
            await connector.request_statuses(binding, [number])
    finally:
        sigem.resume()
    assert upstream(sigem) == []
    await connector.submit_request(binding, outgoing(number))
    assert [r["NUMERO_SEGUIMIENTO"] for r in upstream(sigem)] == [number]


async def test_sigem_down_before_the_wsdl_was_ever_loaded_is_transient(
    sigem: VendorServer, binding: Binding
) -> None:
    sigem.pause()
    try:
        connector = SoapConnector(
            SoapSourceConfig.model_validate(
                {"connector": "soap", "wsdl": sigem.wsdl_url, "timeout_seconds": 2}
            ),
            ENVIRONMENT,
        )
        try:
            with pytest.raises(TransientError):
                await connector.submit_request(binding, outgoing(tracking()))
        finally:
            await connector.close()
    finally:
        sigem.resume()


@pytest.fixture
def black_hole() -> Iterator[str]:
    """An address that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"


async def test_an_upstream_that_never_answers_times_out_transiently(
    sigem: VendorServer, binding: Binding, black_hole: str
) -> None:
    connector = SoapConnector(
        SoapSourceConfig.model_validate(
            {
                "connector": "soap",
                "wsdl": sigem.wsdl_url,
                "endpoint": black_hole,
                "timeout_seconds": 0.5,
            }
        ),
        ENVIRONMENT,
    )
    try:
        await connector.check()  # loads the WSDL from SIGEM; calls go to the black hole
        started = asyncio.get_running_loop().time()
        with pytest.raises(UpstreamTimeout) as caught:
            await connector.submit_request(binding, outgoing(tracking()))
        assert asyncio.get_running_loop().time() - started < 2.5
        assert isinstance(caught.value, TransientError)
    finally:
        await connector.close()


async def test_a_soap_fault_is_an_upstream_error_not_retried(
    sigem: VendorServer, connector: SoapConnector, binding: Binding
) -> None:
    with pytest.raises(UpstreamError) as caught:
        await connector.submit_request(binding, outgoing(tracking(), service_id="no-existe"))
    assert not isinstance(caught.value, TransientError)
    assert "RegistrarSolicitud" in caught.value.internal_message
    assert "ServicioDesconocido" in caught.value.internal_message
    assert SDE in caught.value.internal_message
    assert upstream(sigem) == []


# ------------------------------------------------------------------------- mapping errors


async def test_an_unmapped_status_code_names_municipality_source_field_and_code(
    sigem: VendorServer, connector: SoapConnector
) -> None:
    raw = sde_requests_binding()
    raw["status"]["map"] = {"RG": "RECIBIDA", "EV": "EN_REVISION"}  # ET is missing
    binding = binding_of(raw)
    number = tracking()
    await connector.submit_request(binding, outgoing(number))
    assert sigem.requests is not None
    set_status(sigem.requests.path, number, "ET")
    with pytest.raises(MappingError) as caught:
        await connector.request_statuses(binding, [number])
    error = caught.value
    assert (error.field, error.source_field, error.value) == ("status", "ESTADO", "'ET'")
    assert "santo-domingo-este/sigem" in error.internal_message
    assert "'ET'" in error.internal_message and number in error.internal_message
    assert "sigem" in error.user_message and "ESTADO" in error.user_message


async def test_a_required_value_the_request_lacks_is_a_clear_mapping_error(
    sigem: VendorServer, connector: SoapConnector
) -> None:
    raw = sde_requests_binding()
    raw["submit"]["fields"]["DATOS_ADICIONALES"] = {"from": "answers.superficie", "required": True}
    binding = binding_of(raw)
    with pytest.raises(MappingError) as caught:
        await connector.submit_request(binding, outgoing(tracking()))
    error = caught.value
    assert (error.field, error.source_field) == ("answers.superficie", "DATOS_ADICIONALES")
    assert "santo-domingo-este/sigem" in error.internal_message
    assert "María" not in error.internal_message  # never the citizen's data
    assert upstream(sigem) == []


async def test_an_argument_the_wsdl_lacks_is_a_configuration_error(
    connector: SoapConnector,
) -> None:
    raw = sde_requests_binding()
    raw["submit"]["fields"]["NUMERO_SEGUIMENTO"] = raw["submit"]["fields"].pop("NUMERO_SEGUIMIENTO")
    binding = binding_of(raw)
    with pytest.raises(ConnectorConfigError, match="no argument 'NUMERO_SEGUIMENTO'"):
        await connector.submit_request(binding, outgoing(tracking()))
    report = await connector.check_requests(binding)
    assert not report.ok and "NUMERO_SEGUIMENTO" in report.message
    assert (await connector.check_requests(binding_of(sde_requests_binding()))).ok


# ---------------------------------------------------------------------- the binding model


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda b: b["submit"]["fields"].pop("NUMERO_SEGUIMIENTO"),
            "must send `tracking_number`",
        ),
        (
            lambda b: b["submit"]["fields"].update(DESCRIPCION="descripcion"),
            "a field of the request",
        ),
        (lambda b: b["status"]["map"].update(XX="CERRADA"), "RECIBIDA"),
        (lambda b: b["find"].pop("reference"), "reference"),
        (lambda b: b.update(arguments={"municipio": "SDE", "CEDULA": "x"}), "not both"),
    ],
)
def test_a_wrong_binding_is_refused_with_a_clear_message(change: Any, expected: str) -> None:
    raw = sde_requests_binding()
    change(raw)
    with pytest.raises(ValidationError, match=expected):
        SoapRequestsBindingConfig.model_validate(raw)


def test_the_municipality_file_names_the_wrong_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = yaml.safe_load(SDE_FILE.read_text(encoding="utf-8"))
    data["bindings"]["requests"]["status"]["map"]["RZ"] = "CANCELADA"
    path = tmp_path / f"{SDE}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    municipality, problems = load_file(path)
    assert municipality is None
    (problem,) = problems
    assert problem.key == "bindings.requests.status.map.RZ"
    assert "RECIBIDA" in problem.message and "CANCELADA" in problem.message


def test_the_demo_binding_loads_as_the_soap_requests_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    municipality, problems = load_file(SDE_FILE)
    assert problems == [] and municipality is not None
    assert isinstance(municipality.bindings[Capability.REQUESTS], SoapRequestsBindingConfig)
    assert SoapConnector.binding_model_for(Capability.REQUESTS) is SoapRequestsBindingConfig
    assert Capability.REQUESTS in SoapConnector.capabilities
