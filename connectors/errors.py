"""The connector error tree.

Grouped by what the caller should do (Singer's Fatal / Retriable / Skippable)::

    ConnectorError                 base; never raised itself
    ├── ConnectorConfigError       the source's configuration is wrong: fix the file
    ├── TransientError             try again later (retry with backoff is safe for reads)
    │   └── UpstreamTimeout        the source did not answer within its timeout
    ├── UpstreamError              the source answered with an error or nonsense
    │   └── MappingError           a value could not be mapped onto the schema
    └── NotFoundError              the source has no such record

Every error carries two messages: ``user_message`` is plain Spanish, safe to show a
citizen and to put in a GraphQL error; ``internal_message`` is for operators' logs and
may name hosts, tables or operations, but never personal data or secrets.

A library's exceptions become these at the connector boundary (`connectors.boundary`).
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error a connector raises."""

    code = "UPSTREAM_ERROR"
    default_user_message = "El sistema del ayuntamiento no pudo responder. Inténtelo más tarde."

    def __init__(self, internal_message: str, *, user_message: str | None = None) -> None:
        super().__init__(internal_message)
        self.internal_message = internal_message
        self.user_message = user_message or self.default_user_message


class ConnectorConfigError(ConnectorError):
    code = "SOURCE_MISCONFIGURED"
    default_user_message = (
        "Este servicio municipal no está disponible por un error de configuración."
    )


class TransientError(ConnectorError):
    code = "UPSTREAM_UNAVAILABLE"
    default_user_message = (
        "El sistema del ayuntamiento no está disponible en este momento. Inténtelo más tarde."
    )


class UpstreamTimeout(TransientError):
    code = "UPSTREAM_TIMEOUT"
    default_user_message = "El sistema del ayuntamiento tardó demasiado en responder."


class UpstreamError(ConnectorError):
    code = "UPSTREAM_ERROR"


class MappingError(UpstreamError):
    """A source value that cannot become the schema's value; names the field and value."""

    code = "UPSTREAM_MAPPING"
    default_user_message = "Los datos recibidos del sistema del ayuntamiento no son válidos."

    def __init__(
        self,
        internal_message: str,
        *,
        user_message: str | None = None,
        field: str = "",
        source_field: str = "",
        value: str = "",
    ) -> None:
        super().__init__(internal_message, user_message=user_message)
        self.field = field
        self.source_field = source_field
        self.value = value


class NotFoundError(ConnectorError):
    code = "NOT_FOUND"
    default_user_message = "No se encontró lo que buscaba."
