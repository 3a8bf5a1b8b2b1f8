"""The unified Strawberry schema of PLANASMUN."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.printer import print_schema
from strawberry.types import ExecutionContext

from schema.api import Mutation, Query, Subscription
from schema.context import HubContext, Info
from schema.errors import NotFound, PublicError, SourceFailure
from schema.execution import HubExecutionContext
from schema.extension_runner import LeanExtensionsRunner
from schema.loaders import Loaders
from schema.partial import PartialErrors

SDL_PATH = Path(__file__).with_name("schema.graphql")

log = logging.getLogger("planasmun.graphql")


class HubSchema(strawberry.Schema):
    """Strawberry's schema, logging errors without the operation's text.

    Strawberry logs each error as `str(error)`, which quotes the line of the document it
    points at: a literal in a query (a cédula, a name) would reach the logs. Here a
    `PublicError` or a parse/validation error is logged by code and path only; anything
    else with its traceback, which holds no document text.
    """

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        # The same lifecycle with each class's hooks found once (see schema.extension_runner).
        return LeanExtensionsRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            path = ".".join(str(part) for part in error.path or ()) or "-"
            original = error.original_error
            if original is None or isinstance(original, PublicError):
                code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
                log.info("GraphQL error %s at %s", code, path)
            else:
                log.error(
                    "GraphQL error at %s: %s", path, type(original).__name__, exc_info=original
                )


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    ext: list[Any] = [PartialErrors, *extensions]
    return HubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=ext,
        execution_context_class=HubExecutionContext,
    )


def sdl() -> str:
    return print_schema(build_schema()) + "\n"


__all__ = [
    "SDL_PATH",
    "HubContext",
    "Info",
    "Loaders",
    "NotFound",
    "PublicError",
    "SourceFailure",
    "build_schema",
    "sdl",
]
