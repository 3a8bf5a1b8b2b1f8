"""The citizen web client: server-rendered pages over the same GraphQL schema."""

from __future__ import annotations

import strawberry
from starlette.routing import BaseRoute


def build_routes(schema: strawberry.Schema) -> list[BaseRoute]:
    return []


__all__ = ["build_routes"]
