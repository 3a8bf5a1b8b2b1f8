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
from connectors.budget import (
    BudgetProgram,
    BudgetTotals,
    BudgetYear,
    SkippedRow,
    TotalMismatch,
    budget_years,
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
    "BudgetProgram",
    "BudgetTotals",
    "BudgetYear",
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
    "SkippedRow",
    "SourceConfig",
    "SourceHealth",
    "SourceStatus",
    "TotalMismatch",
    "TransientError",
    "UnknownConnectorKind",
    "UpstreamError",
    "UpstreamTimeout",
    "budget_years",
    "default_registry",
    "fold",
    "load_directory",
    "lookup_requests",
    "municipalities_for",
    "problems_from_validation",
    "read_yaml_file",
]
