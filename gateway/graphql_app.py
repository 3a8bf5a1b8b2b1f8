"""The GraphQL endpoint: per-request context, and the hub's own explorer for browsers."""

from __future__ import annotations

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http.base import BaseRequestProtocol
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gateway.explorer import explorer_page
from gateway.graphql_media import GRAPHQL_RESPONSE, is_request_error, preferred_media_type
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
            # Files attached to a request (`SubmitServiceRequestInput.attachments`), as the
            # GraphQL multipart request spec sends them. A browser can post a multipart
            # form from any site, so such a request is a form to the CSRF middleware: it
            # must carry the session's token (X-CSRF-Token) or a bearer token / API key.
            multipart_uploads_enabled=True,
        )
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # Strawberry's own HTTP handling, and then the uploaded files closed (their
        # temporary files removed) once the answer is sent.
        request = Request(scope=scope, receive=receive)
        try:
            try:
                response: Response = await self.run(request)
            except HTTPException as error:
                response = PlainTextResponse(error.reason, status_code=error.status_code)
            else:
                if preferred_media_type(request.headers.get("accept")) == GRAPHQL_RESPONSE:
                    response = self._as_graphql_response(response)
            await response(scope, receive, send)
        finally:
            await request.close()

    def _as_graphql_response(self, response: Response) -> Response:
        """The answer in `application/graphql-response+json`: a request error (nothing was
        executed) becomes 400 with no `data` entry; anything else keeps its status."""
        if response.media_type != "application/json" or not isinstance(response.body, bytes):
            return response  # the explorer's page, a stream: not a GraphQL answer
        body = response.body
        status = response.status_code
        if status == 200 and b'"errors"' in body:
            result = orjson.loads(body)
            if is_request_error(result):
                del result["data"]
                body, status = orjson.dumps(result), 400
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        return Response(body, status_code=status, headers=headers)

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
