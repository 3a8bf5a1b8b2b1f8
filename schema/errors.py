"""Errors the schema may show to clients; anything else is masked by the gateway."""

from __future__ import annotations

from typing import Any

from schema.language import worded
from words import Message


class PublicError(Exception):
    """An error whose message is plain Spanish and safe for anyone to read: given as the
    Spanish text itself or as a catalogue entry (a `Message`), worded in Spanish here.

    `extensions` end up in the GraphQL error; they must never hold personal data,
    secrets or internals (hosts, SQL, stack traces).
    """

    code = "BAD_REQUEST"

    def __init__(
        self, message: str | Message, *, code: str | None = None, **extensions: Any
    ) -> None:
        text = message if isinstance(message, str) else worded(message, None)
        super().__init__(text)
        self.message = text
        self.extensions: dict[str, Any] = {"code": code or self.code, **extensions}


class SourceFailure(PublicError):
    """A municipality's source could not answer; the rest of the response still comes back."""

    code = "UPSTREAM_UNAVAILABLE"


class NotFound(PublicError):
    code = "NOT_FOUND"


def bad_argument(argument: str, message: str | Message) -> PublicError:
    """A field argument out of its range or form (`BAD_USER_INPUT`, naming the argument)."""
    return PublicError(message, code="BAD_USER_INPUT", argument=argument)
