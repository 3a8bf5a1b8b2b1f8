"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
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

    @classmethod
    def create(
        cls,
        federation: Federation,
        request: Request | WebSocket | None = None,
        response: Response | None = None,
    ) -> HubContext:
        return cls(federation, Loaders(federation), request, response)


Info = strawberry.Info[HubContext, Any]
