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
from connectors.dispatch import Outcome
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
from connectors.lookups import LookupFailure, LookupResult, lookup_requests, municipalities_for
from connectors.reads import ExternalRequest, RequestReader
from connectors.registry import ConnectorRegistry, UnknownConnectorKind, default_registry
from connectors.tenants import (
    ConfigProblem,
    InvalidConfiguration,
    Municipality,
    MunicipalityKind,
    Province,
    load_directory,
    problems_from_validation,
    read_yaml_file,
)
from connectors.text import fold
from connectors.types import Capability, Record, RecordKey, SourceStatus
from connectors.writes import RequestWriter

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
    "ExternalRequest",
    "Federation",
    "HealthReport",
    "InvalidConfiguration",
    "LookupFailure",
    "LookupResult",
    "MappingError",
    "Municipality",
    "MunicipalityKind",
    "NotFoundError",
    "Outcome",
    "PlacedSource",
    "Province",
    "Record",
    "RecordKey",
    "RequestReader",
    "RequestWriter",
    "SourceConfig",
    "SourceHealth",
    "SourceStatus",
    "TransientError",
    "UnknownConnectorKind",
    "UpstreamError",
    "UpstreamTimeout",
    "default_registry",
    "fold",
    "load_directory",
    "lookup_requests",
    "municipalities_for",
    "problems_from_validation",
    "read_yaml_file",
]
