"""Requests looked up in a vendor's SOAP service (the `soap` kind's `RequestReader`).

A `request_lookups` entry on a `soap` source names an operation that takes a list of
tracking numbers and answers the requests it holds, in any order::

    - source: sigem
      tracking_prefix: SGM-
      operation: ConsultarSolicitudes
      arguments: {municipio: SDE}              # constants passed with every call
      tracking_argument: numeros               # default: the one input not in `arguments`
      result_path: null                        # dotted path to the list inside the reply
      max_batch: 50                            # the operation's limit
      fields: {tracking_number: NUMERO_SEGUIMIENTO, status: ESTADO, ...}
      dates: {submitted_at: '%d/%m/%Y'}        # FECHA_ESTADO is an xsd:dateTime

Replies are mapped back by the number each record carries: unknown numbers are left out
by the vendor, and its order is never assumed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from connectors.base import Binding, BindingConfig, HealthReport
from connectors.batching import in_batches
from connectors.errors import ConnectorConfigError, ConnectorError, TransientError
from connectors.reads import ExternalRequest, RequestReader
from connectors.request_binding import binding_name
from connectors.request_lookup import RequestLookupConfig, normal_number, read_external
from connectors.soap.client import LoadedService
from connectors.soap.errors import soap_errors
from connectors.soap.records import rows_at

__all__ = ["SoapRequestLookupConfig", "SoapRequestReader"]


class SoapRequestLookupConfig(RequestLookupConfig):
    """A lookup on a SOAP source: one operation taking a list of tracking numbers."""

    operation: str = Field(min_length=1, description="Takes a list of tracking numbers.")
    arguments: dict[str, Any] = Field(
        default_factory=dict,
        description="Constant arguments passed with every call, e.g. {municipio: SDE}.",
    )
    tracking_argument: str | None = Field(
        default=None,
        min_length=1,
        description="The argument for the list of numbers; by default the operation's one "
        "input not given in `arguments`.",
    )
    result_path: str | None = Field(
        default=None, min_length=1, description="Dotted path to the list inside the reply."
    )


def _config(binding: Binding) -> SoapRequestLookupConfig:
    if not isinstance(binding.config, SoapRequestLookupConfig):
        raise ConnectorConfigError(
            f"soap: binding {binding.municipality_id}/{binding.config.source} is a "
            f"{type(binding.config).__name__}, expected a SoapRequestLookupConfig"
        )
    return binding.config


def _argument(binding: Binding, service: LoadedService, config: SoapRequestLookupConfig) -> str:
    if config.tracking_argument is not None:
        return config.tracking_argument
    operation = service.operation(config.operation, set(config.arguments))
    left = [i for i in operation.inputs or () if i not in config.arguments]
    if len(left) != 1:
        raise ConnectorConfigError(
            f"{binding_name(binding)}: request_lookups: set `tracking_argument`: cannot tell "
            f"which input of {operation} takes the tracking numbers"
        )
    return left[0]


class SoapRequestReader(RequestReader):
    """Mixed into `SoapConnector`: calls the lookup operation, `max_batch` numbers a call."""

    lookup_model: ClassVar[type[BindingConfig]] = SoapRequestLookupConfig

    if TYPE_CHECKING:
        timeout_seconds: float

        async def _ready(self) -> LoadedService: ...

    async def lookup_requests(
        self, binding: Binding, numbers: Sequence[str]
    ) -> Mapping[str, ExternalRequest]:
        config = _config(binding)
        wanted = list(dict.fromkeys(normal_number(n) for n in numbers))
        found: dict[str, ExternalRequest] = {}
        if not wanted:
            return found
        service = await self._ready()
        argument = _argument(binding, service, config)
        operation = service.operation(config.operation, {*config.arguments, argument})
        where = f"soap {service.service_name}.{config.operation} ({binding_name(binding)})"
        for batch in in_batches(wanted, config.max_batch):
            arguments = {
                **config.arguments,
                argument: operation.list_argument(argument, list(batch)),
            }
            with soap_errors(where):
                async with asyncio.timeout(self.timeout_seconds):
                    try:
                        reply = await service.call(operation.name, arguments)
                    except RuntimeError as exc:
                        if not service.is_closed:
                            raise
                        raise TransientError(f"{where}: the connector was closed") from exc
            asked = set(batch)
            for row in rows_at(reply, config.result_path, where):
                request = read_external(binding, config, row)
                if request.tracking_number in asked:
                    found.setdefault(request.tracking_number, request)
        return found

    async def check_lookup(self, binding: Binding) -> HealthReport:
        """The operation is in the WSDL and takes the arguments the lookup passes."""
        try:
            config = _config(binding)
            service = await self._ready()
            argument = _argument(binding, service, config)
            operation = service.operation(config.operation, {*config.arguments, argument})
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        return HealthReport(
            ok=True,
            message=f"{binding_name(binding)}: request_lookups: operation {operation} is in "
            "the WSDL",
        )
