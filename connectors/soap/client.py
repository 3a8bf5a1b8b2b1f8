"""zeep underneath the `soap` kind: the WSDL loaded once, the port chosen, errors mapped.

The WSDL is parsed by zeep with a blocking httpx client, so `load_service` runs in a worker
thread, once per connector. Calls go through zeep's AsyncClient on an httpx AsyncClient.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import zeep.exceptions
from zeep import AsyncClient, Settings
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding, SoapBinding
from zeep.wsse.username import UsernameToken

from connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    TransientError,
    UpstreamError,
    UpstreamTimeout,
    map_exceptions,
)
from connectors.soap.config import SoapSourceConfig

_VERSIONS: dict[type[Any], str] = {Soap11Binding: "1.1", Soap12Binding: "1.2"}

#: HTTP statuses that mean "try again later" rather than "this source is broken".
_RETRYABLE_STATUS = frozenset({408, 429, 502, 503, 504})

#: Backend exceptions, most specific first (`map_exceptions` takes the first match).
_CALL_ERRORS: dict[type[BaseException], type[ConnectorError]] = {
    httpx.TimeoutException: UpstreamTimeout,
    TimeoutError: UpstreamTimeout,
    httpx.TransportError: TransientError,
    OSError: TransientError,
    zeep.exceptions.Error: UpstreamError,
}
#: Loading a WSDL may fail in any way a vendor's document can be wrong.
_LOAD_ERRORS: dict[type[BaseException], type[ConnectorError]] = {
    **_CALL_ERRORS,
    Exception: UpstreamError,
}


@contextlib.contextmanager
def soap_errors(where: str, *, loading: bool = False) -> Iterator[None]:
    """Translate zeep's and httpx's exceptions into the connector error tree."""
    try:
        with map_exceptions(_LOAD_ERRORS if loading else _CALL_ERRORS, source=where):
            try:
                yield
            except zeep.exceptions.Fault as exc:
                raise UpstreamError(
                    f"{where}: SOAP fault {_fault_code(exc)}: {exc.message}"
                ) from exc
            except zeep.exceptions.TransportError as exc:
                error = TransientError if exc.status_code in _RETRYABLE_STATUS else UpstreamError
                raise error(f"{where}: HTTP {exc.status_code}: {exc.message}"[:300]) from exc
    except ConnectorError as exc:
        if len(exc.internal_message) > 500:
            exc.internal_message = exc.internal_message[:497] + "..."
            exc.args = (exc.internal_message,)
        raise


def _fault_code(fault: zeep.exceptions.Fault) -> str:
    code = str(fault.code or "?")
    subcodes = [getattr(s, "localname", None) or str(s) for s in fault.subcodes or []]
    return ".".join([code, *subcodes])


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

    async def aclose(self) -> None:
        await self.http.aclose()


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
    return LoadedService(
        proxy=AsyncServiceProxy(client, binding, address=address),  # type: ignore[no-untyped-call]
        address=address,
        soap_version=_VERSIONS.get(type(binding), "1.1"),
        service_name=service_name,
        operations=operations,
        http=http,
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
