"""The GraphQL endpoint: per-request context, and the hub's own explorer for browsers."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http.base import BaseRequestProtocol
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gateway.explorer import explorer_page
from gateway.hub import Hub
from schema import HubContext


class HubGraphQL(GraphQL[HubContext, None]):
    """Strawberry's ASGI app; each request gets fresh loaders from the running hub."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(
            schema=hub.schema,
            graphql_ide="graphiql",
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            # A browser page may open the WebSocket from the hub's own origin or one of
            # these; any other is refused before the handshake completes (close code 1008,
            # which the server answers as HTTP 403): a page of another site must not ride
            # on the visitor's session cookie (cross-site WebSocket hijacking). No Origin
            # header: not a browser, no ambient cookies, allowed.
            allowed_origins=hub.settings.allowed_origins,
        )
        self.hub = hub

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> HubContext:
        return self.hub.context(request, response if isinstance(response, Response) else None)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A browser opening a shared /graphql?query=… link gets the explorer, which reads the
        # query from the URL; clients that don't ask for HTML (curl, fetch) get the result.
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return True
        return super().should_render_graphql_ide(request)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(explorer_page())
