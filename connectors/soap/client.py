"""zeep underneath the `soap` kind: the WSDL loaded once, the port chosen, calls made.

The WSDL is parsed by zeep with a blocking httpx client, so `load_service` runs in a worker
thread, once per connector. zeep's AsyncClient, bound to the chosen port, builds every
request envelope (WS-Security included) and processes faults and any answer the lean
reader does not vouch for. The exchange itself goes through `transport.SoapHttp`, an
aiohttp session (zeep's httpx transport costs several times the CPU of the rest of a
call), except where the environment routes the address through a proxy: then zeep's own
httpx transport carries it, as it did before.

Per call, work that does not change is done once: the serialized request (envelope and
HTTP headers) is cached per (operation, arguments) when no WS-Security token is configured
(a UsernameToken may carry a nonce and a timestamp: it is built for every call), and the
answer is read with a plan compiled once per operation (`reply.ReplyPlan`).
"""

from __future__ import annotations

import base64
import dataclasses
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from zeep import AsyncClient, Settings
from zeep.helpers import serialize_object
from zeep.loader import parse_xml
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport
from zeep.utils import get_media_type, get_version
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding, SoapBinding
from zeep.wsdl.utils import etree_to_string
from zeep.wsse.username import UsernameToken

from connectors.errors import ConnectorConfigError
from connectors.soap.config import SoapSourceConfig
from connectors.soap.errors import soap_errors
from connectors.soap.reply import FALLBACK, ReplyPlan, compile_reply
from connectors.soap.transport import Prepared, Reply, SoapHttp, prepare, uses_proxy

logger = logging.getLogger(__name__)

#: Serialized requests kept per service (operation and arguments); the oldest goes first.
_REQUEST_CACHE_SIZE = 512

_VERSIONS: dict[type[Any], str] = {Soap11Binding: "1.1", Soap12Binding: "1.2"}


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    name: str
    #: Input element names; None when zeep's model of the operation does not show them.
    inputs: tuple[str, ...] | None
    #: Inputs typed as an array wrapper (`ArrayOfString`, spyne's `stringArray`): the name
    #: of their one repeated child. zeep would silently keep only the first item of a plain
    #: list given for such an input, so lists are wrapped as `{child: items}`.
    array_items: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def list_argument(self, name: str, items: list[str]) -> Any:
        """`items` shaped as the input `name` expects them."""
        child = self.array_items.get(name)
        return items if child is None else {child: items}

    def __str__(self) -> str:
        shown = "..." if self.inputs is None else ", ".join(self.inputs)
        return f"{self.name}({shown})"


@dataclasses.dataclass(slots=True)
class LoadedService:
    """A parsed WSDL bound to one SOAP port, ready to call."""

    proxy: Any
    address: str
    soap_version: str
    service_name: str
    operations: Mapping[str, Operation]
    http: httpx.AsyncClient
    #: The aiohttp transport for calls; None where a proxy is configured (zeep's httpx then).
    lean: SoapHttp | None = None
    #: Extra request headers (HTTP basic auth, user agent) for the aiohttp transport.
    request_headers: tuple[tuple[str, str], ...] = ()
    _requests: dict[Any, Prepared] = dataclasses.field(default_factory=dict)
    _plans: dict[str, ReplyPlan | None] = dataclasses.field(default_factory=dict)
    _checked: set[str] = dataclasses.field(default_factory=set)
    _cacheable_ops: dict[str, bool] = dataclasses.field(default_factory=dict)

    def operation(self, name: str, arguments: set[str]) -> Operation:
        """The named operation, checked against the arguments a binding passes."""
        operation = self.operations.get(name)
        if operation is None:
            raise ConnectorConfigError(
                f"soap {self.service_name}: operation '{name}' is not in the WSDL; it offers: "
                f"{', '.join(str(o) for o in self.operations.values())}"
            )
        unknown = sorted(arguments - set(operation.inputs or arguments))
        if unknown:
            raise ConnectorConfigError(
                f"soap {self.service_name}: operation {operation} has no argument "
                f"{', '.join(repr(u) for u in unknown)}"
            )
        return operation

    @property
    def is_closed(self) -> bool:
        return self.http.is_closed or (self.lean is not None and self.lean.is_closed)

    async def call(self, name: str, arguments: Mapping[str, Any]) -> Any:
        """Call an operation; its answer as plain data (what `serialize_object` gives).

        Raises zeep's and the transports' exceptions (see `soap_errors`).
        """
        if self.lean is None:
            result = await self.proxy[name](**arguments)
            return serialize_object(result, dict)  # type: ignore[no-untyped-call]
        return self.answer(name, await self.send(name, arguments))

    async def send(self, name: str, arguments: Mapping[str, Any]) -> Reply:
        """The raw answer, through the aiohttp transport (only where `lean` is set)."""
        assert self.lean is not None
        return await self.lean.post(self._request(name, arguments))

    def _request(self, name: str, arguments: Mapping[str, Any]) -> Prepared:
        """The HTTP request (envelope and headers), from the cache where it may be."""
        assert self.lean is not None
        client, binding = self.proxy._client, self.proxy._binding
        key = _frozen((name, arguments)) if self._cacheable(name) else None
        if key is not None:
            cached = self._requests.get(key)
            if cached is not None:
                return cached
        # What zeep's AsyncOperationProxy and send_async do up to the HTTP post.
        envelope, headers = binding._create(
            name,
            (),
            {**arguments, "_soapheaders": client._default_soapheaders},
            client=client,
            options=self.proxy._binding_options,
        )
        body: bytes = etree_to_string(envelope)  # type: ignore[no-untyped-call]
        request = prepare([*self.request_headers, *headers.items()], body)
        if key is not None:
            if len(self._requests) >= _REQUEST_CACHE_SIZE:
                del self._requests[next(iter(self._requests))]
            self._requests[key] = request
        return request

    def _cacheable(self, name: str) -> bool:
        """Whether the request is the same bytes every time for the same arguments.

        Not with WS-Security (a UsernameToken may carry a nonce and a timestamp), nor
        WS-Addressing (a message id per call), nor plugins or default SOAP headers.
        """
        cacheable = self._cacheable_ops.get(name)
        if cacheable is None:
            client, binding = self.proxy._client, self.proxy._binding
            operation = binding.get(name)
            cacheable = self._cacheable_ops[name] = not (
                client.wsse
                or client.plugins
                or client._default_soapheaders
                or client.settings.extra_http_headers
                or operation.abstract.wsa_action
            )
        return cacheable

    def answer(self, name: str, reply: Reply) -> Any:
        """The answer as plain data: read by the operation's plan, else by zeep.

        Raises zeep's exceptions for a fault or an HTTP error (see `soap_errors`).
        """
        client, binding = self.proxy._client, self.proxy._binding
        operation = binding.get(name)
        if name not in self._plans:
            self._plans[name] = compile_reply(operation)
        plan = self._plans[name]
        content_type = reply.headers.get("content-type", "text/xml")
        if (
            plan is not None
            and reply.status == 200
            and client.wsse is None
            and not client.plugins
            and get_media_type(content_type) != "multipart/related"  # type: ignore[no-untyped-call]
        ):
            value = self._read(plan, reply, binding)
            if value is not FALLBACK:
                if name in self._checked:
                    return value
                # The first answer of each operation is read both ways; the plan is kept
                # only if it gives exactly what zeep gives.
                expected = self._by_zeep(name, reply)
                self._checked.add(name)
                if value == expected:
                    return value
                logger.warning(
                    "soap %s.%s: the lean reader disagrees with zeep; zeep reads this "
                    "operation from now on",
                    self.service_name,
                    name,
                )
                self._plans[name] = None
                return expected
        return self._by_zeep(name, reply)

    def _read(self, plan: ReplyPlan, reply: Reply, binding: Any) -> Any:
        try:
            document = parse_xml(
                reply.content,  # type: ignore[arg-type]
                binding.transport,
                settings=self.proxy._client.settings,
            )
        except Exception:  # not XML, a DTD, entities: zeep reports it
            return FALLBACK
        nsmap = binding.nsmap
        if document.tag != f"{{{nsmap['soap-env']}}}Envelope":
            return FALLBACK
        if document.find("soap-env:Body/soap-env:Fault", namespaces=nsmap) is not None:
            return FALLBACK
        return plan.read(document)

    def _by_zeep(self, name: str, reply: Reply) -> Any:
        """zeep's processing of the answer (faults raised), as `serialize_object` gives it."""
        client, binding = self.proxy._client, self.proxy._binding
        # The response zeep's AsyncClient hands to `process_reply` is an httpx one. The
        # body is already decoded: its Content-Encoding must not be applied twice.
        headers = [(k, v) for k, v in reply.headers.items() if k.lower() != "content-encoding"]
        response = httpx.Response(reply.status, headers=headers, content=reply.content)
        result = binding.process_reply(client, binding.get(name), response)
        return serialize_object(result, dict)  # type: ignore[no-untyped-call]

    async def aclose(self) -> None:
        try:
            if self.lean is not None:
                await self.lean.aclose()
        finally:
            await self.http.aclose()


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _frozen(value: Any) -> Any:
    """A hashable key equal for equal argument values (None where there is none)."""
    kind = type(value)
    if kind in _SCALARS:  # exact types first: this runs on every call
        return (kind.__name__, value)
    if kind is dict or isinstance(value, Mapping):
        pairs = []
        for name, item in value.items():
            frozen = _frozen(item)
            if frozen is None:
                return None
            pairs.append((name, frozen))
        pairs.sort(key=lambda pair: repr(pair[0]))
        return ("map", tuple(pairs))
    if kind is list or kind is tuple or isinstance(value, list | tuple):
        items = []
        for item in value:
            frozen = _frozen(item)
            if frozen is None:
                return None
            items.append(frozen)
        return (kind.__name__, tuple(items))
    if isinstance(value, str | int | float | bool):
        return (kind.__name__, value)
    return None  # dates, decimals, zeep objects: built for every call


class _QuietTransport(AsyncTransport):
    """zeep's async transport without its debug log of whole messages.

    Messages carry the WS-Security password and citizens' data: they never go to a log.
    """

    async def post(self, address: str, message: bytes, headers: dict[str, str]) -> Any:
        return await self.client.post(address, content=message, headers=headers)


def wsdl_location(config: SoapSourceConfig, config_dir: Path) -> str:
    """An http(s) URL as given; a file path (or file: URL) made absolute and checked."""
    if config.wsdl.startswith(("http://", "https://")):
        return config.wsdl
    if config.wsdl.startswith("file:"):
        path = Path(unquote(urlsplit(config.wsdl).path))
    else:
        path = Path(config.wsdl).expanduser()
    if not path.is_absolute():
        path = config_dir / path
    if not path.is_file():
        raise ConnectorConfigError(f"soap: WSDL file {path} does not exist")
    return str(path)


def credentials(config: SoapSourceConfig) -> tuple[UsernameToken | None, httpx.BasicAuth | None]:
    """The WS-Security token and HTTP basic auth, with secrets read from the environment."""
    try:
        wsse = None
        if config.username is not None and config.password is not None:
            wsse = UsernameToken(  # type: ignore[no-untyped-call]
                config.username, config.password.reveal(), use_digest=config.password_digest
            )
        basic = None
        if config.http_basic is not None:
            basic = httpx.BasicAuth(config.http_basic.username, config.http_basic.password.reveal())
    except LookupError as exc:
        raise ConnectorConfigError(f"soap: {exc}") from None
    return wsse, basic


def load_service(
    config: SoapSourceConfig,
    location: str,
    wsse: UsernameToken | None,
    basic: httpx.BasicAuth | None,
    http: httpx.AsyncClient,
) -> LoadedService:
    """Parse the WSDL (blocking: run it in a thread) and bind the configured port.

    A blocking client downloads the WSDL and its imports, all while zeep parses it, and is
    closed at once; `http` makes the calls and belongs to the returned service (the caller
    closes it if this fails).
    """
    with (
        soap_errors(f"soap {location}", loading=True),
        httpx.Client(timeout=config.timeout_seconds, auth=basic) as wsdl_http,
    ):
        transport = _QuietTransport(client=http, wsdl_client=wsdl_http)  # type: ignore[no-untyped-call]
        client = AsyncClient(  # type: ignore[no-untyped-call]
            location, wsse=wsse, transport=transport, settings=Settings()
        )
        binding, address, service_name = _choose_port(client, config)
        operations = {
            name: Operation(name, *_inputs(operation)) for name, operation in binding.all().items()
        }
    if address is None:
        raise ConnectorConfigError(
            f"soap {location}: the WSDL names no address for {service_name}; set `endpoint`"
        )
    lean = None
    if address.startswith(("http://", "https://")) and not uses_proxy(address):
        lean = SoapHttp(address, max_connections=config.max_concurrent_calls)
    agent = f"Zeep/{get_version()} (www.python-zeep.org)"  # type: ignore[no-untyped-call]
    headers = [("User-Agent", agent), ("Accept", "*/*")]
    if config.http_basic is not None:
        pair = f"{config.http_basic.username}:{config.http_basic.password.reveal()}"
        headers.append(("Authorization", "Basic " + base64.b64encode(pair.encode()).decode()))
    return LoadedService(
        proxy=AsyncServiceProxy(client, binding, address=address),  # type: ignore[no-untyped-call]
        address=address,
        soap_version=_VERSIONS.get(type(binding), "1.1"),
        service_name=service_name,
        operations=operations,
        http=http,
        lean=lean,
        request_headers=tuple(headers),
    )


def _choose_port(client: Any, config: SoapSourceConfig) -> tuple[Any, str | None, str]:
    """The first SOAP port (of the configured version) of the WSDL's services.

    A WSDL with bindings but no service element is usable with an `endpoint`.
    """
    wanted = config.soap_version
    found_versions: set[str] = set()
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            binding = port.binding
            if not isinstance(binding, SoapBinding):
                continue
            version = _VERSIONS.get(type(binding), "1.1")
            found_versions.add(version)
            if wanted is None or version == wanted:
                address = config.endpoint or port.binding_options.get("address")
                return binding, address, str(service.name)
    for binding in client.wsdl.bindings.values():
        if isinstance(binding, SoapBinding):
            version = _VERSIONS.get(type(binding), "1.1")
            found_versions.add(version)
            if wanted is None or version == wanted:
                return binding, config.endpoint, str(binding.name)
    offered = ", ".join(sorted(found_versions)) or "none"
    version = f"SOAP {wanted}" if wanted else "SOAP"
    raise ConnectorConfigError(
        f"soap {config.wsdl}: expected a {version} binding in the WSDL, "
        f"found SOAP versions: {offered}"
    )


def _inputs(operation: Any) -> tuple[tuple[str, ...] | None, dict[str, str]]:
    """The input element names of a document/literal (wrapped) or RPC operation, and
    which of them are array wrappers (with the name of their repeated child)."""
    body = getattr(getattr(operation, "input", None), "body", None)
    elements = getattr(getattr(body, "type", None), "elements", None)
    if elements is None:
        return None, {}
    names = tuple(str(name) for name, _ in elements)
    arrays = {}
    for name, element in elements:
        child = _array_item(element)
        if child is not None:
            arrays[str(name)] = child
    return names, arrays


def _array_item(element: Any) -> str | None:
    if _repeated(element):
        return None  # the element itself repeats: a plain list is right
    children = getattr(getattr(element, "type", None), "elements", None)
    if not children or len(children) != 1:
        return None
    name, child = children[0]
    return str(name) if _repeated(child) else None


def _repeated(element: Any) -> bool:
    max_occurs = getattr(element, "max_occurs", 1)
    return max_occurs == "unbounded" or (isinstance(max_occurs, int) and max_occurs > 1)
