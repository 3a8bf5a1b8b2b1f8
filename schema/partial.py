"""Errors beside data: the failed or stale part of an answer whose other parts came back.

A root list across municipalities cannot be both data and error in GraphQL's field model,
and a value served from cache is data that deserves a warning; resolvers record both
here and this extension appends them to the response's `errors`, each with its path.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any, Protocol

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from schema.context import HubContext, Info
from schema.errors import PublicError
from words import Message


class _StaleAware(Protocol):
    stale: dict[Any, Any]


class PartialErrors(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, HubContext) or not context.partial_errors or result is None:
            return
        result.errors = [*(result.errors or []), *context.partial_errors]


def add_partial_failure(info: Info, error: PublicError) -> None:
    info.context.partial_errors.append(
        GraphQLError(
            error.message,
            path=info.path.as_list(),
            original_error=error,
            extensions=error.extensions,
        )
    )


def note_if_stale(info: Info, loader: _StaleAware, key: Hashable) -> None:
    """Warn that the value at this path came from cache because its source failed."""
    note = loader.stale.get(key)
    if note is None:
        return
    minutes = max(1, round(note.age_seconds / 60))
    info.context.partial_errors.append(
        GraphQLError(
            Message(
                "schema",
                "Showing data saved %(minutes)s min ago: the source system did not answer.",
                {"minutes": minutes},
            ).es,
            path=info.path.as_list(),
            extensions={
                "code": note.error.code,
                "stale": True,
                "ageSeconds": round(note.age_seconds, 1),
                "municipality": note.municipality_id,
                "source": note.source,
            },
        )
    )
