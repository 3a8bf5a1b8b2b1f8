"""Connectors: how the hub reaches each municipality's own systems.

`schema` talks to sources only through what this package exports.
"""

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
    MappingError,
    NotFoundError,
    TransientError,
    UpstreamError,
    UpstreamTimeout,
)
from connectors.federation import Federation, PlacedSource
from connectors.health import SourceHealth
from connectors.registry import ConnectorRegistry, UnknownConnectorKind, default_registry
from connectors.tenants import (
    ConfigProblem,
    InvalidConfiguration,
    Municipality,
    MunicipalityKind,
    Province,
    load_directory,
)
from connectors.types import Capability, Record, RecordKey, SourceStatus

__all__ = [
    "Binding",
    "BindingConfig",
    "Capability",
    "ConfigProblem",
    "Connector",
    "ConnectorConfigError",
    "ConnectorEnvironment",
    "ConnectorError",
    "ConnectorRegistry",
    "Federation",
    "HealthReport",
    "InvalidConfiguration",
    "MappingError",
    "Municipality",
    "MunicipalityKind",
    "NotFoundError",
    "PlacedSource",
    "Province",
    "Record",
    "RecordKey",
    "SourceConfig",
    "SourceHealth",
    "SourceStatus",
    "TransientError",
    "UnknownConnectorKind",
    "UpstreamError",
    "UpstreamTimeout",
    "default_registry",
    "load_directory",
]
