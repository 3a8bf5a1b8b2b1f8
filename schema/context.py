"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from connectors import Federation
from schema.loaders import Loaders


@dataclasses.dataclass(slots=True)
class HubContext:
    """Carries the federation and this request's loaders (fresh per request)."""

    federation: Federation
    loaders: Loaders
    request: Request | WebSocket | None = None
    response: Response | None = None
    #: Failures of one part of a list that still came back (see `schema.partial`).
    partial_errors: list[GraphQLError] = dataclasses.field(default_factory=list)

    @classmethod
    def create(
        cls,
        federation: Federation,
        request: Request | WebSocket | None = None,
        response: Response | None = None,
    ) -> HubContext:
        return cls(federation, Loaders(federation), request, response)


Info = strawberry.Info[HubContext, Any]
