"""Service requests written through to a vendor's SOAP service (the `soap` kind's writer).

A municipality binds `requests` to a SOAP source with three operations::

    requests:
      source: sigem
      arguments: {municipio: SDE}          # constants passed to every operation
      submit:                              # registers one request
        operation: RegistrarSolicitud
        fields:                            # operation argument <- request field
          NUMERO_SEGUIMIENTO: tracking_number
          CODIGO_SERVICIO: service_id
          DESCRIPCION: description
          FECHA_SOLICITUD: submitted_at
          DATOS_ADICIONALES: answers       # the service's own fields, as JSON text
        reference: ID_SOLICITUD            # the reply's field with the vendor's own id
      find:                                # one request by tracking number, or nothing
        operation: ConsultarSolicitud
        tracking_argument: numeroSeguimiento
        reference: ID_SOLICITUD
      status:                              # many tracking numbers -> their states
        operation: ConsultarEstadoSolicitudes
        tracking_argument: numeros
        tracking_field: NUMERO_SEGUIMIENTO
        status_field: ESTADO
        note_field: OBSERVACION
        changed_at_field: FECHA_ESTADO
        map: {RG: RECIBIDA, EV: EN_REVISION, ET: EN_PROCESO, CO: RESUELTA, RZ: RECHAZADA}
        max_batch: 50                      # the operation takes at most 50 numbers a call

A vendor that files requests under its own number is asked by that number, the reference
its submit operation returned (`by: reference`, `reference_field: ID_SOLICITUD` in place
of `tracking_field`); the answers are mapped back to the hub's requests by it.

An argument name with a dot (``solicitud.NUMERO``) fills a complex argument's child.

Delivery is exactly once with the hub's outbox: the tracking number is sent with every
request (the binding must map it), the outbox asks `find_request` before any retry, and a
vendor that keeps its numbers unique answers a repeated registration with the record it
holds. A refused connection, a timeout or an HTTP 502/503/504 is a `TransientError` (the
outbox retries later). A fault of the submit operation that the binding's `rejects` calls
a refusal (by default `Client.*` and `Sender.*`, but for credential faults; see
`connectors.refusals`) is `RequestRefused`: the outbox gives the request up at once and
the citizen is told. Any other fault, or a reply that does not fit the binding, is an
`UpstreamError` (retried with backoff); a binding that names an operation or argument the
WSDL lacks is a `ConnectorConfigError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator
from zeep.helpers import serialize_object

from connectors.base import Binding, HealthReport
from connectors.batching import in_batches
from connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    RequestRefused,
    TransientError,
    UpstreamError,
)
from connectors.refusals import SoapRejects, sanitised_reason
from connectors.request_binding import (
    OutgoingField,
    RequestsBindingConfig,
    StatusReading,
    StrictModel,
    binding_name,
    outgoing_values,
    parse_fields,
    read_reference,
    read_status,
    requests_config,
    require_tracking_number,
)
from connectors.soap.client import LoadedService
from connectors.soap.errors import SoapFault, soap_errors
from connectors.soap.records import rows_at, value_at
from connectors.writes import DeliveryReceipt, OutgoingRequest, RequestWriter, UpstreamStatus

__all__ = ["SoapRequestWriter", "SoapRequestsBindingConfig"]


class SoapSubmit(StrictModel):
    operation: str = Field(min_length=1, description="The operation that registers a request.")
    fields: dict[str, OutgoingField] = Field(
        min_length=1,
        description="Operation argument → request field (or {from, type, required} / "
        "{value}); `a.b` fills child `b` of a complex argument `a`.",
    )
    reference: str = Field(
        min_length=1, description="The reply's field with the vendor's own id for the request."
    )
    result_path: str | None = Field(
        default=None, min_length=1, description="Dotted path to the record inside the reply."
    )

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return parse_fields(value)

    @model_validator(mode="after")
    def _sends_tracking_number(self) -> SoapSubmit:
        require_tracking_number(self.fields, "submit.fields")
        return self


class SoapFind(StrictModel):
    operation: str = Field(min_length=1, description="Finds one request by tracking number.")
    tracking_argument: str | None = Field(
        default=None,
        min_length=1,
        description="The argument for the tracking number; by default the operation's one "
        "input not given in `arguments`.",
    )
    reference: str = Field(
        min_length=1, description="The reply's field with the vendor's own id for the request."
    )
    result_path: str | None = Field(default=None, min_length=1)


class SoapStatus(StatusReading):
    operation: str = Field(
        min_length=1, description="Takes a list of tracking numbers (or references)."
    )
    tracking_argument: str | None = Field(
        default=None,
        min_length=1,
        description="The argument for the list of tracking numbers (or references, with "
        "`by: reference`); by default the operation's one input not given in `arguments`.",
    )
    result_path: str | None = Field(
        default=None, min_length=1, description="Dotted path to the list inside the reply."
    )


class SoapRequestsBindingConfig(RequestsBindingConfig):
    """A `requests` binding on a SOAP source: submit, find and status operations."""

    arguments: dict[str, Any] = Field(
        default_factory=dict,
        description="Constant arguments passed to every operation, e.g. {municipio: SDE}.",
    )
    submit: SoapSubmit
    find: SoapFind
    status: SoapStatus
    rejects: SoapRejects = Field(
        default_factory=SoapRejects,
        description="Which faults of the submit operation refuse a request for good (given "
        "up at once, the citizen told) rather than for now (retried).",
    )

    @model_validator(mode="after")
    def _no_clash_with_constants(self) -> SoapRequestsBindingConfig:
        clash = sorted(set(self.submit.fields) & set(self.arguments))
        if clash:
            raise ValueError(
                f"an argument either constant (`arguments`) or mapped (`submit.fields`), "
                f"not both: {', '.join(clash)}"
            )
        return self


class SoapRequestWriter(RequestWriter):
    """Mixed into `SoapConnector`: writes and reads requests through the bound operations."""

    if TYPE_CHECKING:
        timeout_seconds: float

        async def _ready(self) -> LoadedService: ...

    async def submit_request(self, binding: Binding, request: OutgoingRequest) -> DeliveryReceipt:
        config = requests_config(binding, SoapRequestsBindingConfig, "soap")
        submit = config.submit
        arguments = _nest(outgoing_values(binding, config, submit.fields, request))
        try:
            row = await self._request_call(binding, submit.operation, arguments, submit.result_path)
        except SoapFault as fault:
            if not config.rejects.refuses(fault.fault_code, fault.fault_text):
                raise
            raise RequestRefused(
                f"{binding_name(binding)}: {submit.operation} refused request "
                f"{request.tracking_number}: SOAP fault {fault.fault_code}",
                reason=sanitised_reason(fault.fault_text, request),
            ) from fault
        reference = read_reference(binding, row, submit.reference)
        if reference is None:
            raise UpstreamError(
                f"{binding_name(binding)}: {submit.operation} answered without "
                f"'{submit.reference}' for request {request.tracking_number}"
            )
        return DeliveryReceipt(request.tracking_number, reference)

    async def find_request(self, binding: Binding, tracking_number: str) -> DeliveryReceipt | None:
        config = requests_config(binding, SoapRequestsBindingConfig, "soap")
        find = config.find
        service = await self._ready()
        argument = _free_argument(
            binding, service, find.operation, config, find.tracking_argument, "find"
        )
        row = await self._request_call(
            binding, find.operation, {argument: tracking_number}, find.result_path
        )
        reference = read_reference(binding, row, find.reference)
        return None if reference is None else DeliveryReceipt(tracking_number, reference)

    async def request_statuses(
        self,
        binding: Binding,
        tracking_numbers: Sequence[str],
        references: Mapping[str, str] | None = None,
    ) -> list[UpstreamStatus]:
        config = requests_config(binding, SoapRequestsBindingConfig, "soap")
        status = config.status
        keys = status.keys(tracking_numbers, references)
        if not keys:
            return []
        service = await self._ready()
        argument = _free_argument(
            binding, service, status.operation, config, status.tracking_argument, "status"
        )
        operation = service.operation(status.operation, {*config.arguments, argument})
        found: list[UpstreamStatus] = []
        for batch in in_batches(list(keys), status.max_batch):
            value = operation.list_argument(argument, list(batch))
            rows = await self._request_rows(binding, status.operation, {argument: value}, status)
            asked = {key: keys[key] for key in batch}
            for row in rows:
                if str(row.get(status.key_field) or "").strip() in asked:
                    found.append(read_status(binding, config, status, row, asked))
        return found

    async def check_requests(self, binding: Binding) -> HealthReport:
        """The three operations are in the WSDL and take the arguments the binding passes."""
        try:
            config = requests_config(binding, SoapRequestsBindingConfig, "soap")
            service = await self._ready()
            seen = []
            submit_arguments = {*config.arguments, *(n.split(".")[0] for n in config.submit.fields)}
            seen.append(str(service.operation(config.submit.operation, submit_arguments)))
            for name, explicit, key in (
                (config.find.operation, config.find.tracking_argument, "find"),
                (config.status.operation, config.status.tracking_argument, "status"),
            ):
                argument = _free_argument(binding, service, name, config, explicit, key)
                seen.append(str(service.operation(name, {*config.arguments, argument})))
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        return HealthReport(
            ok=True,
            message=(
                f"{binding_name(binding)}: requests: operations {', '.join(seen)} are in the WSDL"
            ),
            details={"operations": seen},
        )

    # ------------------------------------------------------------------ calls

    async def _request_call(
        self, binding: Binding, name: str, extra: Mapping[str, Any], path: str | None
    ) -> Mapping[str, Any] | None:
        data = await self._call(binding, name, extra)
        data = value_at(data, path, f"{binding_name(binding)}: {name}")
        if data is None:
            return None
        if isinstance(data, list):
            data = data[0] if data else None
        if data is not None and not isinstance(data, Mapping):
            raise UpstreamError(
                f"{binding_name(binding)}: {name}: expected a record in the reply, found "
                f"{type(data).__name__}; does the binding need a `result_path`?"
            )
        return data

    async def _request_rows(
        self, binding: Binding, name: str, extra: Mapping[str, Any], status: SoapStatus
    ) -> list[Mapping[str, Any]]:
        reply = await self._call(binding, name, extra)
        return rows_at(reply, status.result_path, f"{binding_name(binding)}: {name}")

    async def _call(self, binding: Binding, name: str, extra: Mapping[str, Any]) -> Any:
        config = requests_config(binding, SoapRequestsBindingConfig, "soap")
        service = await self._ready()
        arguments = {**config.arguments, **extra}
        operation = service.operation(name, set(arguments))
        where = f"soap {service.service_name}.{name} ({binding_name(binding)})"
        with soap_errors(where):
            async with asyncio.timeout(self.timeout_seconds):
                try:
                    result = await service.proxy[operation.name](**arguments)
                except RuntimeError as exc:
                    if not service.http.is_closed:
                        raise
                    raise TransientError(f"{where}: the connector was closed") from exc
        return serialize_object(result, dict)  # type: ignore[no-untyped-call]


def _free_argument(
    binding: Binding,
    service: LoadedService,
    name: str,
    config: SoapRequestsBindingConfig,
    explicit: str | None,
    key: str,
) -> str:
    """The argument carrying the tracking number(s): as configured, or the one left over."""
    if explicit is not None:
        return explicit
    operation = service.operation(name, set(config.arguments))
    left = [i for i in operation.inputs or () if i not in config.arguments]
    if len(left) != 1:
        raise ConnectorConfigError(
            f"{binding_name(binding)}: requests.{key}: set `tracking_argument`: cannot tell which "
            f"input of {operation} takes the tracking number"
        )
    return left[0]


def _nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """`{"a.b": 1}` → `{"a": {"b": 1}}` for a complex argument's children."""
    nested: dict[str, Any] = {}
    for name, value in values.items():
        *parents, leaf = name.split(".")
        target = nested
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return nested
