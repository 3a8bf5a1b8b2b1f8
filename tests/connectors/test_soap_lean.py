"""The `soap` connector's lean call path: its HTTP transport, the request cache, the reader.

The transport (an aiohttp session per service) is tested against small HTTP servers on
127.0.0.1 that answer the way real servers do (keep-alive, chunked, framed by the end of
the connection, gzip, closing an idle connection); the reader against the answers of the
real spyne vendors, compared with what zeep alone makes of them, and against answers it
must leave to zeep.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any

import pytest
import uvloop
import zeep.exceptions
from zeep.helpers import serialize_object

from connectors import Binding, Capability, UpstreamError
from connectors.soap.client import LoadedService
from connectors.soap.reply import FALLBACK, compile_reply
from connectors.soap.transport import Prepared, RemoteProtocolError, Reply, SoapHttp, prepare
from demo.soap_vendors import VendorServer, start_munisoft, start_sigem
from tests.connectors.test_soap import (
    keys_of,
    munisoft_services,
    sigem_services,
    soap_connector,
)

# --------------------------------------------------------------------------- transport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Server:
    """An HTTP server on 127.0.0.1 whose answers a test writes by hand."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/soap?x=1"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        body = await reader.readexactly(length)
        self.requests.append(head + body)
        return body


def keep_alive(server_ref: list[Server], answer: bytes = b"<ok/>") -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            body = await server_ref[0].read_request(reader)
            payload = answer + body
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )
            await writer.drain()

    return handler


async def serve(make: Callable[[list[Server]], Handler]) -> Server:
    ref: list[Server] = []
    server = Server(make(ref))
    ref.append(server)
    return await server.__aenter__()


def request(body: bytes = b"<x/>") -> Prepared:
    return prepare([("Content-Type", "text/xml")], body)


async def test_connections_are_kept_alive_and_reused() -> None:
    server = await serve(keep_alive)
    http = SoapHttp(server.url)
    try:
        for i in range(5):
            reply = await http.post(request(f"<n>{i}</n>".encode()))
            assert reply == Reply(200, reply.headers, f"<ok/><n>{i}</n>".encode())
        assert server.connections == 1
        # concurrent calls open a connection each, then reuse them
        replies = await asyncio.gather(*(http.post(request()) for _ in range(4)))
        assert {r.content for r in replies} == {b"<ok/><x/>"}
        assert server.connections <= 4
        assert reply.headers["CONTENT-TYPE"] == "text/xml"
    finally:
        await http.aclose()
        await server.__aexit__()
    head = server.requests[0].split(b"\r\n\r\n")[0].decode()
    assert head.startswith("POST /soap?x=1 HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}" in head
    assert "Content-Length: 8" in head
    assert "Content-Type: text/xml" in head


async def test_the_pool_is_bounded() -> None:
    server = await serve(keep_alive)
    http = SoapHttp(server.url, max_connections=2)
    try:
        replies = await asyncio.gather(*(http.post(request()) for _ in range(10)))
        assert len(replies) == 10
        assert server.connections <= 2
    finally:
        await http.aclose()
        await server.__aexit__()


async def test_redirects_are_not_followed() -> None:
    def make(ref: list[Server]) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await ref[0].read_request(reader)
            writer.write(b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            await reader.read()

        return handler

    server = await serve(make)
    http = SoapHttp(server.url)
    try:
        assert (await http.post(request())).status == 302
        assert len(server.requests) == 1
    finally:
        await http.aclose()
        await server.__aexit__()


async def test_an_idle_connection_closed_by_the_server_is_replaced() -> None:
    def make(ref: list[Server]) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await ref[0].read_request(reader)
            # Keep-alive promised, then the connection is closed while idle.
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            await asyncio.sleep(0.05)

        return handler

    server = await serve(make)
    http = SoapHttp(server.url)
    try:
        assert (await http.post(request())).content == b"ok"
        await asyncio.sleep(0.2)  # the server has closed it by now
        assert (await http.post(request())).content == b"ok"
        assert server.connections == 2
    finally:
        await http.aclose()
        await server.__aexit__()


async def test_a_refused_connection_is_a_connection_error() -> None:
    http = SoapHttp("http://127.0.0.1:1/")
    try:
        with pytest.raises(RemoteProtocolError):
            await http.post(request())
    finally:
        await http.aclose()


async def test_a_connection_closed_without_an_answer_fails_and_the_post_is_not_resent() -> None:
    def make(ref: list[Server]) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await ref[0].read_request(reader)  # and close without an answer

        return handler

    server = await serve(make)
    http = SoapHttp(server.url)
    try:
        with pytest.raises(ConnectionError):
            await http.post(request())
        assert server.connections == 1  # a POST is never sent twice by the transport
    finally:
        await http.aclose()
        await server.__aexit__()


@pytest.mark.parametrize(
    ("answer", "content"),
    [
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\n<a>\r\n4\r\n</a>\r\n0\r\n\r\n",
            b"<a></a>",
        ),
        (b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<until-close/>", b"<until-close/>"),
        (
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\nbad",
            b"bad",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
            % (len(gzip.compress(b"<z/>")), gzip.compress(b"<z/>")),
            b"<z/>",
        ),
    ],
    ids=["chunked", "until-close", "interim-100", "gzip"],
)
async def test_answers_framed_as_servers_frame_them(answer: bytes, content: bytes) -> None:
    def make(ref: list[Server]) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await ref[0].read_request(reader)
            writer.write(answer)
            await writer.drain()
            if b"HTTP/1.0" in answer:
                writer.close()
            else:
                await reader.read()

        return handler

    server = await serve(make)
    http = SoapHttp(server.url)
    try:
        reply = await http.post(request())
        assert reply.content == content
        assert reply.status == (500 if b"500" in answer else 200)
    finally:
        await http.aclose()
        await server.__aexit__()


@pytest.mark.parametrize(
    "answer",
    [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ntruncated", b"NOT HTTP AT ALL\r\n\r\n"],
    ids=["truncated", "malformed"],
)
async def test_a_broken_answer_is_a_connection_error(answer: bytes) -> None:
    def make(ref: list[Server]) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await ref[0].read_request(reader)
            writer.write(answer)
            await writer.drain()

        return handler

    server = await serve(make)
    http = SoapHttp(server.url)
    try:
        with pytest.raises(RemoteProtocolError):
            await http.post(request())
    finally:
        await http.aclose()
        await server.__aexit__()


async def test_a_cancelled_call_does_not_leave_its_connection_for_reuse() -> None:
    def make(ref: list[Server]) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while True:
                body = await ref[0].read_request(reader)
                if body == b"<slow/>":
                    await asyncio.sleep(0.3)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()

        return handler

    server = await serve(make)
    http = SoapHttp(server.url)
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await http.post(request(b"<slow/>"))
        # The late answer to the slow call must not be read as this call's answer.
        assert (await http.post(request(b"<fast/>"))).content == b"<fast/>"
        assert server.connections == 2
    finally:
        await http.aclose()
        await server.__aexit__()


def test_header_values_cannot_inject_lines() -> None:
    with pytest.raises(ValueError, match="invalid HTTP header"):
        prepare([("SOAPAction", '"x"\r\nX-Evil: 1')], b"")


async def test_a_closed_client_refuses_calls() -> None:
    http = SoapHttp("http://127.0.0.1:1/")
    await http.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await http.post(request())


def test_calls_work_on_uvloop(sigem: VendorServer) -> None:
    """The hub runs on uvloop (uvicorn[standard]), whose transports are its own classes."""

    async def main() -> list[Any]:
        connector = soap_connector(wsdl=sigem.wsdl_url)
        try:
            return await connector.fetch_many(sigem_services(), keys_of("santo-domingo-este", 2))
        finally:
            await connector.close()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert all(runner.run(main()))


def test_a_proxy_in_the_environment_keeps_zeeps_httpx_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from connectors.soap.transport import uses_proxy

    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    assert uses_proxy("http://vendor.example/soap")
    assert not uses_proxy("http://intranet.example/soap")
    assert not uses_proxy("https://vendor.example/soap")


# --------------------------------------------------------------------------- vendors


@pytest.fixture(scope="module")
def sigem() -> Iterator[VendorServer]:
    with start_sigem() as server:
        yield server


@pytest.fixture(scope="module")
def munisoft() -> Iterator[VendorServer]:
    with start_munisoft() as server:
        yield server


@pytest.fixture
async def sigem_service(sigem: VendorServer) -> AsyncIterator[LoadedService]:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    yield await connector._ready()
    await connector.close()


@pytest.fixture
async def munisoft_service(munisoft: VendorServer) -> AsyncIterator[LoadedService]:
    connector = soap_connector(wsdl=munisoft.wsdl_url)
    yield await connector._ready()
    await connector.close()


SIGEM_CALLS = [
    ("ListarServicios", {"municipio": "SDE"}),
    ("ObtenerServicios", {"municipio": "SDE", "codigos": {"string": ["licencia-construccion"]}}),
    ("ObtenerServicios", {"municipio": "SDE", "codigos": {"string": ["no-such"]}}),
    ("ListarDependencias", {"municipio": "SDE"}),
    ("ObtenerDependencias", {"municipio": "SDE", "codigos": {"string": ["OPU", "DGA"]}}),
    ("ExportarCatalogo", {"municipio": "SDE"}),
]
MUNISOFT_CALLS = [
    ("ConsultarCatalogo", {}),
    ("ConsultarTramite", {"idTramite": "licencia-construccion"}),
    ("ConsultarTramite", {"idTramite": "no-such"}),
    ("ConsultarOficinas", {}),
]


async def zeep_reads(service: LoadedService, name: str, arguments: dict[str, Any]) -> Any:
    """What zeep alone makes of the call (its own proxy and httpx transport)."""
    result = await service.proxy[name](**arguments)
    return serialize_object(result, dict)  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(("name", "arguments"), SIGEM_CALLS)
async def test_sigem_answers_read_as_zeep_reads_them(
    sigem_service: LoadedService, name: str, arguments: dict[str, Any]
) -> None:
    await _same_as_zeep(sigem_service, name, arguments)


@pytest.mark.parametrize(("name", "arguments"), MUNISOFT_CALLS)
async def test_munisoft_answers_read_as_zeep_reads_them(
    munisoft_service: LoadedService, name: str, arguments: dict[str, Any]
) -> None:
    await _same_as_zeep(munisoft_service, name, arguments)


def _without_clock(answer: Any) -> Any:
    """The answer less the vendor's `generado` (when it made the reply): two calls may fall
    either side of a second."""
    if isinstance(answer, Mapping):
        return {k: v for k, v in answer.items() if k != "generado"}
    return answer


async def _same_as_zeep(service: LoadedService, name: str, arguments: dict[str, Any]) -> None:
    assert service.lean is not None
    expected = _without_clock(await zeep_reads(service, name, arguments))
    for _ in range(2):  # the first answer is checked against zeep; the second is not
        assert _without_clock(await service.call(name, arguments)) == expected
    reply = await service.lean.post(service._request(name, arguments))
    plan = compile_reply(service.proxy._binding.get(name))
    assert plan is not None, f"{name}: no lean plan for the demo's shapes"
    assert _without_clock(service._read(plan, reply, service.proxy._binding)) == expected


SERVICIO = (
    "<tns:CODIGO>x</tns:CODIGO><tns:NOMBRE>n</tns:NOMBRE><tns:DESCRIPCION>d</tns:DESCRIPCION>"
    "<tns:TIPO>URB</tns:TIPO><tns:REQUISITOS>r</tns:REQUISITOS><tns:TARIFA>1.00</tns:TARIFA>"
    "<tns:DIAS_HABILES>{dias}</tns:DIAS_HABILES><tns:CANALES>P</tns:CANALES>"
    "<tns:BASE_LEGAL>b</tns:BASE_LEGAL><tns:COD_DEPENDENCIA>OPU</tns:COD_DEPENDENCIA>"
)


def sigem_answer(servicio: str) -> bytes:
    return (
        '<soap11env:Envelope xmlns:soap11env="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:tns="urn:sigem:municipal:v2" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap11env:Body>'
        "<tns:ObtenerServiciosResponse><tns:ObtenerServiciosResult>"
        f"<tns:Servicio>{servicio}</tns:Servicio>"
        "</tns:ObtenerServiciosResult></tns:ObtenerServiciosResponse>"
        "</soap11env:Body></soap11env:Envelope>"
    ).encode()


@pytest.mark.parametrize(
    ("servicio", "lean"),
    [
        (SERVICIO.format(dias="5"), True),
        (SERVICIO.format(dias="5").replace("<tns:TIPO>URB</tns:TIPO>", ""), True),
        (SERVICIO.format(dias="5").replace("<tns:NOMBRE>n</tns:NOMBRE>", "<tns:NOMBRE/>"), True),
        (SERVICIO.format(dias="cinco"), False),  # zeep logs and reads None: let it
        (SERVICIO.format(dias="5").replace("<tns:TIPO>", '<tns:TIPO xsi:nil="true">'), False),
        (SERVICIO.format(dias="5") + "<tns:EXTRA>1</tns:EXTRA>", False),
        ("<tns:NOMBRE>n</tns:NOMBRE><tns:CODIGO>x</tns:CODIGO>", False),
        ("<tns:CODIGO>x</tns:CODIGO><tns:CODIGO>y</tns:CODIGO>", False),
        ("<other:CODIGO xmlns:other='urn:other'>x</other:CODIGO>", False),
    ],
    ids=[
        "complete",
        "optional-missing",
        "empty-element",
        "bad-integer",
        "nil",
        "unknown-element",
        "out-of-order",
        "repeated",
        "foreign-namespace",
    ],
)
async def test_odd_answers_are_left_to_zeep(
    sigem_service: LoadedService, servicio: str, lean: bool
) -> None:
    binding = sigem_service.proxy._binding
    plan = compile_reply(binding.get("ObtenerServicios"))
    assert plan is not None
    reply = Reply(200, {"content-type": "text/xml; charset=utf-8"}, sigem_answer(servicio))
    value = sigem_service._read(plan, reply, binding)
    assert (value is not FALLBACK) is lean
    try:
        expected = sigem_service._by_zeep("ObtenerServicios", reply)
    except Exception:
        assert not lean
        return
    if lean:
        assert value == expected
    # Whichever way it is read, the service answers what zeep answers.
    sigem_service._checked.add("ObtenerServicios")
    assert sigem_service.answer("ObtenerServicios", reply) == expected


async def test_a_plan_read_many_answers_gives_the_same_verdicts_as_a_fresh_one(
    sigem_service: LoadedService,
) -> None:
    """The plan remembers the tags it has matched; that must not change any answer."""
    binding = sigem_service.proxy._binding
    reused = compile_reply(binding.get("ObtenerServicios"))
    assert reused is not None
    answers = [
        SERVICIO.format(dias="5"),
        "<other:CODIGO xmlns:other='urn:other'>x</other:CODIGO>",  # after tns:CODIGO
        "<CODIGO>x</CODIGO><NOMBRE>n</NOMBRE>",  # no namespace
        SERVICIO.format(dias="5").replace("<tns:NOMBRE>n</tns:NOMBRE>", ""),  # required
        SERVICIO.format(dias="5").replace("<tns:TIPO>URB</tns:TIPO>", ""),
        "<tns:NOMBRE>n</tns:NOMBRE><tns:CODIGO>x</tns:CODIGO>",
        SERVICIO.format(dias="5"),
    ]
    for servicio in answers * 2:
        reply = Reply(200, {"content-type": "text/xml; charset=utf-8"}, sigem_answer(servicio))
        fresh = compile_reply(binding.get("ObtenerServicios"))
        assert fresh is not None
        assert sigem_service._read(reused, reply, binding) == sigem_service._read(
            fresh, reply, binding
        )


async def test_one_mapper_per_binding_though_each_read_has_a_new_binding_object(
    sigem: VendorServer,
) -> None:
    """The federation makes a `Binding` per read: the mapper is kept per binding config."""
    connector = soap_connector(wsdl=sigem.wsdl_url)
    try:
        config = sigem_services().config
        for _ in range(5):
            binding = Binding("santo-domingo-este", Capability.SERVICES, config)
            assert await connector.fetch_many(binding, keys_of("santo-domingo-este", 2))
            (records,) = await connector.list_for(binding, ["santo-domingo-este"])
            assert records
        assert len(connector._mappers) == 1
        await connector.list_for(sigem_services(), ["santo-domingo-este"])  # another config
        assert len(connector._mappers) == 2
    finally:
        await connector.close()


async def test_a_disagreement_with_zeep_hands_the_operation_back_to_zeep(
    sigem_service: LoadedService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import connectors.soap.reply as reply_module

    monkeypatch.setattr(reply_module, "_unwrap", lambda value, plan: {"wrong": True})
    arguments = {"municipio": "SDE", "codigos": {"string": ["licencia-construccion"]}}
    expected = await zeep_reads(sigem_service, "ObtenerServicios", arguments)
    assert await sigem_service.call("ObtenerServicios", arguments) == expected
    assert sigem_service._plans["ObtenerServicios"] is None
    assert await sigem_service.call("ObtenerServicios", arguments) == expected


async def test_a_fault_is_raised_as_zeep_raises_it(sigem_service: LoadedService) -> None:
    with pytest.raises(zeep.exceptions.Fault) as by_zeep:
        await zeep_reads(sigem_service, "ListarServicios", {"municipio": "NOPE"})
    with pytest.raises(zeep.exceptions.Fault) as lean:
        await sigem_service.call("ListarServicios", {"municipio": "NOPE"})
    assert (lean.value.code, lean.value.message) == (by_zeep.value.code, by_zeep.value.message)


async def test_a_fault_still_maps_to_an_upstream_error(sigem: VendorServer) -> None:
    connector = soap_connector(wsdl=sigem.wsdl_url)
    try:
        binding = sigem_services(arguments={"municipio": "NOPE"})
        with pytest.raises(UpstreamError, match=r"SOAP fault .*MunicipioDesconocido"):
            await connector.list_for(binding, ["santo-domingo-este"])
    finally:
        await connector.close()


# --------------------------------------------------------------------------- request cache


async def test_requests_are_serialized_once_per_operation_and_arguments(
    sigem_service: LoadedService,
) -> None:
    first = sigem_service._request("ListarServicios", {"municipio": "SDE"})
    assert sigem_service._request("ListarServicios", {"municipio": "SDE"}) is first
    other = sigem_service._request("ListarServicios", {"municipio": "SAN"})
    assert other is not first and b"SAN" in other.body
    assert first.headers["Content-Type"].startswith("text/xml")
    assert first.headers["SOAPAction"]
    ids = {"municipio": "SDE", "codigos": {"string": ["a", "b"]}}
    again = {"municipio": "SDE", "codigos": {"string": ["a", "b"]}}
    assert sigem_service._request("ObtenerServicios", ids) is sigem_service._request(
        "ObtenerServicios", again
    )
    assert b"<ns0:string>b</ns0:string>" in sigem_service._request("ObtenerServicios", ids).body


@pytest.fixture(scope="module")
def secured_munisoft() -> Iterator[VendorServer]:
    with start_munisoft(credentials=("planasmun", "clave-ws")) as server:
        yield server


async def test_ws_security_requests_are_built_for_every_call(
    secured_munisoft: VendorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUNISOFT_PASSWORD", "clave-ws")
    connector = soap_connector(
        wsdl=secured_munisoft.wsdl_url,
        username="planasmun",
        password={"$env": "MUNISOFT_PASSWORD"},
        password_digest=True,
    )
    try:
        keys = keys_of("santiago", 2)
        for _ in range(3):
            assert all(await connector.fetch_many(munisoft_services(), keys))
        service = await connector._ready()
        assert service._requests == {}
        first = service._request("ConsultarTramite", {"idTramite": "x"})
        second = service._request("ConsultarTramite", {"idTramite": "x"})
        assert b"Nonce" in first.body and first.body != second.body  # a fresh nonce each time
    finally:
        await connector.close()
