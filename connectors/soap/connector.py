"""The `soap` connector: a vendor's SOAP service, read through its WSDL with zeep."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

from connectors.base import (
    Binding,
    BindingConfig,
    Connector,
    ConnectorEnvironment,
    HealthReport,
    SourceConfig,
)
from connectors.errors import (
    ConnectorConfigError,
    ConnectorError,
    TransientError,
)
from connectors.mapping import RecordMapper
from connectors.snapshots import KEPT_CAPABILITIES
from connectors.soap.client import (
    LoadedService,
    Operation,
    credentials,
    load_service,
    wsdl_location,
)
from connectors.soap.config import SoapBindingConfig, SoapSourceConfig
from connectors.soap.decoded import DecodedReplies
from connectors.soap.errors import soap_errors
from connectors.soap.lookups import SoapRequestReader
from connectors.soap.records import rows_at
from connectors.soap.requests import SoapRequestsBindingConfig, SoapRequestWriter
from connectors.soap.transport import Reply
from connectors.types import Capability, Record, RecordKey

#: HTTP statuses from a probe of the service address that mean it cannot serve us.
_PROBE_FAILURES = frozenset({401, 403, 407, 502, 503, 504})


class SoapConnector(SoapRequestWriter, SoapRequestReader, Connector):
    """Reads services and departments from a SOAP service described by a WSDL.

    The WSDL is loaded once, on first use, in a worker thread; calls are async (zeep's
    AsyncClient on httpx). A source serves the one municipality of each binding; a vendor
    hosting several municipalities is told which one by the binding's `arguments`.
    """

    kind: ClassVar[str] = "soap"
    config_model: ClassVar[type[SourceConfig]] = SoapSourceConfig
    binding_model: ClassVar[type[BindingConfig]] = SoapBindingConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.SERVICES,
            Capability.DEPARTMENTS,
            Capability.REQUESTS,
            Capability.WORKS,
            Capability.BUDGET,
        }
    )

    @classmethod
    def binding_model_for(cls, capability: Capability) -> type[BindingConfig]:
        """`requests` is written through (`connectors.soap.requests`); the rest is read."""
        if capability is Capability.REQUESTS:
            return SoapRequestsBindingConfig
        return cls.binding_model

    def __init__(self, config: SourceConfig, environment: ConnectorEnvironment) -> None:
        if not isinstance(config, SoapSourceConfig):
            raise ConnectorConfigError(f"soap connector given a {type(config).__name__}")
        super().__init__(config, environment)
        self.soap_config = config
        self._service: LoadedService | None = None
        self._loading: asyncio.Future[LoadedService] | None = None
        self._calls = asyncio.Semaphore(config.max_concurrent_calls)
        #: One mapper per binding. The federation hands out a new `Binding` for every read,
        #: so the key is what a binding is made of: municipality, capability and the
        #: identity of its config (the entry keeps the config alive, so the id is not reused).
        self._mappers: dict[tuple[str, Capability, int], tuple[BindingConfig, RecordMapper]] = {}
        #: Records decoded from replies, by the bytes of the reply and the mapper.
        self._decoded = DecodedReplies()

    # ------------------------------------------------------------------ contract

    async def check(self) -> HealthReport:
        try:
            service = await self._ready()
            status = await self._probe(service)
        except ConnectorError as exc:
            return HealthReport(ok=False, message=exc.internal_message)
        details = {
            "service": service.service_name,
            "endpoint": service.address,
            "soap_version": service.soap_version,
            "operations": [str(o) for o in service.operations.values()],
        }
        if status in _PROBE_FAILURES:
            return HealthReport(
                ok=False,
                message=f"soap {service.service_name}: {service.address} answered HTTP {status}",
                details=details,
            )
        return HealthReport(
            ok=True,
            message=f"soap {service.service_name}: WSDL loaded, {service.address} reachable",
            details=details,
        )

    async def list_for(
        self, binding: Binding, municipality_ids: Sequence[str]
    ) -> list[list[Record]]:
        config = self._binding_config(binding)
        if binding.municipality_id not in municipality_ids:
            return [[] for _ in municipality_ids]
        records = await self._read(binding, config, config.list_operation, {}, config.result_path)
        return [
            list(records) if municipality_id == binding.municipality_id else []
            for municipality_id in municipality_ids
        ]

    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> list[Record | None]:
        config = self._binding_config(binding)
        ids = list(dict.fromkeys(i for m, i in keys if m == binding.municipality_id))
        if not ids:
            return [None for _ in keys]
        if config.batch_operation is not None:
            records = await self._batch(binding, config, config.batch_operation, ids)
        elif config.get_operation is not None:
            records = await self._one_by_one(binding, config, config.get_operation, ids)
        else:
            records = await self._read(
                binding, config, config.list_operation, {}, config.result_path
            )
        found = {str(record["id"]): record for record in records}
        return [found.get(i) if m == binding.municipality_id else None for m, i in keys]

    async def close(self) -> None:
        loading, self._loading = self._loading, None
        if loading is not None:
            loading.cancel()
            await asyncio.wait([loading])
            if not loading.cancelled() and loading.exception() is None:
                await loading.result().aclose()  # it finished before the cancel
        service, self._service = self._service, None
        if service is not None:
            await service.aclose()

    # ------------------------------------------------------------------ reads

    async def _batch(
        self, binding: Binding, config: SoapBindingConfig, name: str, ids: list[str]
    ) -> Sequence[Record]:
        service = await self._ready()
        argument = self._id_argument(service, name, config, config.ids_argument, "ids_argument")
        value = service.operation(name, set(config.arguments)).list_argument(argument, ids)
        return await self._read(binding, config, name, {argument: value}, config.result_path)

    async def _one_by_one(
        self, binding: Binding, config: SoapBindingConfig, name: str, ids: list[str]
    ) -> list[Record]:
        service = await self._ready()
        argument = self._id_argument(service, name, config, config.id_argument, "id_argument")
        calls = [
            asyncio.ensure_future(
                self._read(binding, config, name, {argument: i}, config.get_result_path)
            )
            for i in ids
        ]
        try:
            results = await asyncio.gather(*calls)
        except BaseException:
            for call in calls:  # one failed: the answer is an error, stop the others
                call.cancel()
            raise
        return [record for records in results for record in records]

    async def _read(
        self,
        binding: Binding,
        config: SoapBindingConfig,
        name: str,
        extra: Mapping[str, Any],
        path: str | None,
    ) -> Sequence[Record]:
        """Call `name` and map the records at `path`; the same reply is decoded once."""
        service = await self._ready()
        arguments = {**config.arguments, **extra}
        operation = service.operation(name, set(arguments))
        where = f"soap {service.service_name}.{name}"
        mapper = self._mapper(binding)
        async with self._calls:
            with soap_errors(where):
                async with asyncio.timeout(self.timeout_seconds):
                    try:
                        if service.lean is None:
                            result = await service.call(operation.name, arguments)
                            return self._map(mapper, rows_at(result, path, where))
                        reply = await service.send(operation.name, arguments)
                    except RuntimeError as exc:
                        if not service.is_closed:
                            raise
                        raise TransientError(f"{where}: the connector was closed") from exc
                key = None
                # Public records only: nothing personal is kept past its request.
                if not mapper.has_hook and binding.capability in KEPT_CAPABILITIES:
                    decoding = (mapper, name, path, reply.status, _content_type(reply))
                    key = self._decoded.key(decoding, reply.content)
                    records = self._decoded.get(key)
                    if records is not None:
                        return records
                result = service.answer(operation.name, reply)
        records = self._map(mapper, rows_at(result, path, where))
        self._decoded.put(key, records)
        return records

    def _id_argument(
        self,
        service: LoadedService,
        name: str,
        config: SoapBindingConfig,
        explicit: str | None,
        key: str,
    ) -> str:
        """The argument that carries the id(s): as configured, or the one input left over."""
        if explicit is not None:
            return explicit
        operation: Operation = service.operation(name, set(config.arguments))
        left = [i for i in operation.inputs or () if i not in config.arguments]
        if len(left) != 1:
            raise ConnectorConfigError(
                f"soap {service.service_name}: set `{key}`: cannot tell which input of "
                f"{operation} takes the id"
            )
        return left[0]

    def _mapper(self, binding: Binding) -> RecordMapper:
        key = (binding.municipality_id, binding.capability, id(binding.config))
        entry = self._mappers.get(key)
        if entry is None or entry[0] is not binding.config:
            entry = self._mappers[key] = (binding.config, RecordMapper(binding))
        return entry[1]

    @staticmethod
    def _map(mapper: RecordMapper, rows: list[Mapping[str, Any]]) -> list[Record]:
        return [mapper.map(row) for row in rows]

    def _binding_config(self, binding: Binding) -> SoapBindingConfig:
        config = binding.config
        if not isinstance(config, SoapBindingConfig):
            raise ConnectorConfigError(
                f"soap: binding {binding.municipality_id}/{binding.capability} is a "
                f"{type(config).__name__}, expected a SoapBindingConfig"
            )
        if binding.capability not in self.capabilities:
            raise ConnectorConfigError(f"soap: no capability '{binding.capability}'")
        return config

    # ------------------------------------------------------------------ plumbing

    async def _ready(self) -> LoadedService:
        """The loaded WSDL: loaded once, in a worker thread, for every caller.

        The load runs as its own task, so a caller that gives up (a timeout, a cancelled
        request) does not waste it for the next one; a failed load is tried again later.
        """
        if self._service is not None:
            return self._service
        task = self._loading
        if task is None:
            task = self._loading = asyncio.ensure_future(self._load())
            task.add_done_callback(self._loaded)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # this caller is cancelled
            # The load was cancelled under it: `close()` ran meanwhile.
            raise TransientError("soap: the connector was closed while loading the WSDL") from None

    def _loaded(self, task: asyncio.Future[LoadedService]) -> None:
        if self._loading is not task:
            return  # `close()` took it over
        self._loading = None
        if not task.cancelled() and task.exception() is None:
            self._service = task.result()

    async def _load(self) -> LoadedService:
        config = self.soap_config
        location = wsdl_location(config, self.environment.config_dir)
        wsse, basic = credentials(config)
        http = httpx.AsyncClient(timeout=self.timeout_seconds, auth=basic)
        try:
            return await asyncio.to_thread(load_service, config, location, wsse, basic, http)
        except BaseException:
            await http.aclose()
            raise

    async def _probe(self, service: LoadedService) -> int:
        """An HTTP GET of the service address: any answer means the server is up."""
        with soap_errors(f"soap {service.service_name} at {service.address}"):
            async with asyncio.timeout(self.timeout_seconds):
                response = await service.http.get(service.address)
        return response.status_code


def _content_type(reply: Reply) -> str:
    return reply.headers.get("content-type", "")
