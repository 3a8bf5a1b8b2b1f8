"""The connector contract: what every kind of source must provide."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from connectors.types import Capability, Record, RecordKey


class SourceConfig(BaseModel):
    """Settings common to every source; each kind extends this model.

    The model doubles as the documented spec of the kind: its fields and descriptions are
    what `planasmun check-config` validates a municipality file against.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    connector: str = Field(description="The connector kind, e.g. 'native', 'soap', 'sql'.")
    timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=120,
        description="How long one read may take, retries included: the answer never waits "
        "longer for this source.",
    )
    retries: int = Field(
        default=1, ge=0, le=5, description="Extra attempts for a read that failed transiently."
    )
    retry_backoff_seconds: float = Field(
        default=0.05, ge=0, le=10, description="First pause between attempts; doubles each time."
    )
    circuit_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive failures that open the circuit."
    )
    circuit_reset_seconds: float = Field(
        default=30.0, gt=0, description="How long an open circuit waits before one trial call."
    )


class BindingConfig(BaseModel):
    """How one capability of one municipality is read from a source.

    Kinds extend it with what they need (an operation, a table, a sheet, a field mapping).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(description="Name of a source declared under `sources`.")
    cache_ttl_seconds: float = Field(
        default=0, ge=0, description="How long a read may be served from the hub's cache."
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Binding:
    """A validated binding, placed: which municipality and capability it serves."""

    municipality_id: str
    capability: Capability
    config: BindingConfig


@dataclasses.dataclass(frozen=True, slots=True)
class ConnectorEnvironment:
    """What the hub lends connectors: its own store and where relative paths start."""

    hub_database_url: str
    config_dir: Path


@dataclasses.dataclass(frozen=True, slots=True)
class HealthReport:
    """The result of `Connector.check()`.

    `details` is for integrators (e.g. the operations a WSDL offers, a table's columns);
    it never holds secrets or personal data.
    """

    ok: bool
    message: str
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class Connector(abc.ABC):
    """One configured source. Subclasses declare `kind`, their models and capabilities.

    Reads are always batched: the hub gathers every key one GraphQL level needs from this
    source and makes one call. Results keep the order of the keys and hold None where the
    source has no such record.
    """

    kind: ClassVar[str]
    config_model: ClassVar[type[SourceConfig]] = SourceConfig
    binding_model: ClassVar[type[BindingConfig]] = BindingConfig
    capabilities: ClassVar[frozenset[Capability]]
    #: True when one source holds several municipalities' records, told apart by the keys'
    #: municipality ids (the hub store). Otherwise a source serves the one municipality of
    #: its binding, and keys of any other municipality are simply not found.
    multi_tenant: ClassVar[bool] = False

    def __init__(self, config: SourceConfig, environment: ConnectorEnvironment) -> None:
        self.config = config
        self.environment = environment

    @classmethod
    def binding_model_for(cls, capability: Capability) -> type[BindingConfig]:
        """The model a binding of `capability` is validated against. A kind that writes
        requests (`connectors.writes.RequestWriter`) returns its own for `requests`."""
        return cls.binding_model

    @property
    def timeout_seconds(self) -> float:
        return self.config.timeout_seconds

    def bind(self, binding: Binding) -> None:  # noqa: B027 - optional hook
        """Told of every binding it serves at start-up, so `check()` can probe them too."""

    @abc.abstractmethod
    async def check(self) -> HealthReport:
        """Probe the source; never raises for an unreachable source, reports it instead."""

    @abc.abstractmethod
    async def fetch_many(self, binding: Binding, keys: Sequence[RecordKey]) -> list[Record | None]:
        """Records by key, in key order, None for each key the source does not have."""

    @abc.abstractmethod
    async def list_for(
        self, binding: Binding, municipality_ids: Sequence[str]
    ) -> list[list[Record]]:
        """Every record of the binding's capability for each municipality, in key order."""

    async def close(self) -> None:  # noqa: B027 - optional hook with nothing to do by default
        """Release connections; calling it twice is harmless."""
