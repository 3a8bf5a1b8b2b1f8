"""The unified Strawberry schema of PLANASMUN."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.printer import print_schema

from schema.api import Mutation, Query
from schema.context import HubContext, Info
from schema.errors import NotFound, PublicError, SourceFailure
from schema.loaders import Loaders
from schema.partial import PartialErrors

SDL_PATH = Path(__file__).with_name("schema.graphql")


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    ext: list[Any] = [PartialErrors, *extensions]
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=ext)


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
