"""How zeep's and httpx's exceptions become the connector error tree for the `soap` kind."""

from __future__ import annotations

import contextlib

import httpx
import zeep.exceptions

from connectors.boundary import at_boundary, by_table
from connectors.errors import (
    ConnectorError,
    TransientError,
    UpstreamError,
    UpstreamTimeout,
)

#: HTTP statuses that mean "try again later" rather than "this source is broken".
_RETRYABLE_STATUS = frozenset({408, 429, 502, 503, 504})

#: Backend exceptions, most specific first (the first match wins).
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
_BY_CALL_TABLE = by_table(_CALL_ERRORS)
_BY_LOAD_TABLE = by_table(_LOAD_ERRORS)

#: Internal messages longer than this are cut (a vendor's fault text may be a whole page).
_LONGEST_MESSAGE = 500


def soap_errors(where: str, *, loading: bool = False) -> contextlib.AbstractContextManager[None]:
    """Translate zeep's and httpx's exceptions into the connector error tree."""
    return at_boundary(where, _classify_load if loading else _classify_call, tidy=_shortened)


def _classify_call(where: str, exc: BaseException) -> ConnectorError | None:
    return _soap_error(where, exc) or _BY_CALL_TABLE(where, exc)


def _classify_load(where: str, exc: BaseException) -> ConnectorError | None:
    return _soap_error(where, exc) or _BY_LOAD_TABLE(where, exc)


class SoapFault(UpstreamError):
    """The service answered with a SOAP fault: `fault_code` without namespace prefixes
    (``Client.TramiteInactivo``; SOAP 1.2 subcodes joined by dots) and its text."""

    def __init__(self, where: str, fault_code: str, fault_text: str) -> None:
        super().__init__(f"{where}: SOAP fault {fault_code}: {fault_text}")
        self.fault_code = fault_code
        self.fault_text = fault_text


def _soap_error(where: str, exc: BaseException) -> ConnectorError | None:
    """A SOAP fault or an HTTP error status, as zeep reports them."""
    if isinstance(exc, zeep.exceptions.Fault):
        return SoapFault(where, _fault_code(exc), str(exc.message or ""))
    if isinstance(exc, zeep.exceptions.TransportError):
        error = TransientError if exc.status_code in _RETRYABLE_STATUS else UpstreamError
        return error(f"{where}: HTTP {exc.status_code}: {exc.message}"[:300])
    return None


def _shortened(message: str) -> str:
    if len(message) > _LONGEST_MESSAGE:
        return message[: _LONGEST_MESSAGE - 3] + "..."
    return message


def _fault_code(fault: zeep.exceptions.Fault) -> str:
    code = str(fault.code or "?")
    subcodes = [getattr(s, "localname", None) or str(s) for s in fault.subcodes or []]
    # `soap11env:Client.TramiteInactivo` → `Client.TramiteInactivo`.
    parts = [part.rsplit(":", 1)[-1] for part in ".".join([code, *subcodes]).split(".")]
    return ".".join(parts)
