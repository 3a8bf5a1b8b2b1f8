"""The connector error tree.

Grouped by what the caller should do (Singer's Fatal / Retriable / Skippable)::

    ConnectorError                 base; never raised itself
    ├── ConnectorConfigError       the source's configuration is wrong: fix the file
    ├── TransientError             try again later (retry with backoff is safe for reads)
    │   └── UpstreamTimeout        the source did not answer within its timeout
    ├── UpstreamError              the source answered with an error or nonsense
    │   ├── MappingError           a value could not be mapped onto the schema
    │   └── RequestRefused         the source refuses a request as it is: never retried
    └── NotFoundError              the source has no such record

Every error carries two messages. ``message`` is a `words.Message` of the ``sources``
catalogue (an English id and its parameters, no sentence), safe to show a citizen and
to put in a GraphQL error once worded in the reader's language; ``user_message`` is that
message in Spanish. Each class names its default id in ``default_message``
(``default_user_message`` is the same in Spanish). ``internal_message`` is for
operators' logs and may name hosts, tables or operations, but never personal data or
secrets.

A library's exceptions become these at the connector boundary (`connectors.boundary`).
"""

from __future__ import annotations

from typing import ClassVar

from words import N_, Message, translate

#: The catalogue of what a municipality's system or the hub's store could not do.
DOMAIN = "sources"


class _DefaultInSpanish:
    """`default_user_message`: the class's `default_message` worded in Spanish."""

    def __get__(self, instance: object, owner: type[ConnectorError]) -> str:
        return translate(DOMAIN, owner.default_message, "es")


class ConnectorError(Exception):
    """Base of every error a connector raises."""

    code = "UPSTREAM_ERROR"
    default_message: ClassVar[str] = N_(
        "The municipality's system could not answer. Try again later."
    )
    default_user_message = _DefaultInSpanish()

    def __init__(
        self,
        internal_message: str,
        *,
        message: Message | None = None,
    ) -> None:
        """`message` defaults to the class's `default_message`."""
        super().__init__(internal_message)
        self.internal_message = internal_message
        self.message = message or Message(DOMAIN, self.default_message)

    @property
    def user_message(self) -> str:
        """The message in Spanish: what a citizen reads."""
        return self.message.es


class ConnectorConfigError(ConnectorError):
    code = "SOURCE_MISCONFIGURED"
    default_message = N_(
        "This municipal service is not available because of a configuration error."
    )


class TransientError(ConnectorError):
    code = "UPSTREAM_UNAVAILABLE"
    default_message = N_("The municipality's system is not available right now. Try again later.")


class UpstreamTimeout(TransientError):
    code = "UPSTREAM_TIMEOUT"
    default_message = N_("The municipality's system took too long to answer.")


class UpstreamError(ConnectorError):
    code = "UPSTREAM_ERROR"


class MappingError(UpstreamError):
    """A source value that cannot become the schema's value; names the field and value."""

    code = "UPSTREAM_MAPPING"
    default_message = N_("The data received from the municipality's system is not valid.")

    def __init__(
        self,
        internal_message: str,
        *,
        message: Message | None = None,
        field: str = "",
        source_field: str = "",
        value: str = "",
    ) -> None:
        super().__init__(internal_message, message=message)
        self.field = field
        self.source_field = source_field
        self.value = value


class RequestRefused(UpstreamError):
    """The municipality's system refused a request as it is (an inactive procedure, a
    value it does not take): sending it again cannot help. `reason` is what the system
    said, free of personal data and cut short (`connectors.refusals`); it may be empty."""

    code = "UPSTREAM_REFUSED"
    default_message = N_("The municipality's system did not accept the request as it is.")

    def __init__(
        self, internal_message: str, *, reason: str = "", message: Message | None = None
    ) -> None:
        super().__init__(internal_message, message=message)
        self.reason = reason


class NotFoundError(ConnectorError):
    code = "NOT_FOUND"
    default_message = N_("What you were looking for was not found.")
