"""The GraphQL endpoint: per-request context, and the hub's own explorer for browsers."""

from __future__ import annotations

import re
from typing import NamedTuple

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http.base import BaseRequestProtocol
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from accessibility import Language
from gateway.explorer import explorer_response
from gateway.graphql_media import GRAPHQL_RESPONSE, is_request_error, preferred_media_type
from gateway.http_errors import error_response
from gateway.hub import Hub
from schema import HubContext
from words import N_, translate

#: The catalogue of the endpoint's own refusals (words/locale/<language>/LC_MESSAGES/graphql.po).
GRAPHQL_DOMAIN = "graphql"


class RequestProblem(NamedTuple):
    status: int
    code: str
    message: str
    headers: dict[str, str] | None = None


_INVALID_PARAMETER = N_("The request's `%(parameter)s` must be %(expected)s, or null.")
#: Strawberry's refusals of a request it cannot run (its `HTTPException` reasons), as the
#: hub answers them: a GraphQL error in both languages with a code, not a line of English.
PROBLEMS: dict[str, RequestProblem] = {
    "Unable to parse request body as JSON": RequestProblem(
        400, "INVALID_JSON", N_("The request body is not valid JSON.")
    ),
    "No GraphQL query found in the request": RequestProblem(
        400, "MISSING_QUERY", N_("The request has no GraphQL document in `query`.")
    ),
    "Unsupported content type": RequestProblem(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        N_("Send the request as application/json (multipart/form-data to attach files)."),
    ),
    # The GraphQL-over-HTTP specification: a mutation over GET MUST be answered 405.
    "mutations are not allowed when using GET": RequestProblem(
        405,
        "MUTATION_OVER_GET",
        N_("A mutation is only run when sent with POST, never with GET."),
        {"Allow": "POST"},
    ),
    "Unable to parse the multipart body": RequestProblem(
        400, "INVALID_MULTIPART", N_("The multipart body could not be read.")
    ),
    "File(s) missing in form data": RequestProblem(
        400, "INVALID_MULTIPART", N_("A file named in the multipart map is missing.")
    ),
    "Can't get GraphQL operation type": RequestProblem(
        400,
        "UNKNOWN_OPERATION",
        N_("The document has no operation to run, or several and no `operationName`."),
    ),
}
#: The parameters whose JSON type Strawberry checks, and what each must be.
PARAMETERS = {"query": N_("a string"), "variables": N_("an object"), "extensions": N_("an object")}
UNKNOWN_OPERATION = N_("The document has no operation named `%(name)s`.")
NOT_WELL_FORMED = N_("The request is not a well-formed GraphQL request.")
#: Every message id of the `graphql` catalogue (its test checks it holds exactly these).
MESSAGES = frozenset(
    {
        *(problem.message for problem in PROBLEMS.values()),
        *PARAMETERS.values(),
        _INVALID_PARAMETER,
        UNKNOWN_OPERATION,
        NOT_WELL_FORMED,
    }
)


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
                response = refusal(error)
            if preferred_media_type(request.headers.get("accept")) == GRAPHQL_RESPONSE:
                response = self._as_graphql_response(response)
            # The answer depends on Accept (the explorer's page, JSON, graphql-response+json).
            response.headers.append("Vary", "Accept")
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
                result.pop("data", None)
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
        # With `run` (the page's own form, without JavaScript) the answer is in the page.
        return await explorer_response(self, request)


_WRONG_TYPE = re.compile(r"^The GraphQL operation's `(\w+)` must be")
_UNKNOWN_NAME = re.compile(r'^Unknown operation named "(.*)"\.$', re.DOTALL)


def _in(language: Language, message: str, **values: str) -> str:
    """`message` from the `graphql` catalogue in `language`, with `values` put in."""
    return translate(GRAPHQL_DOMAIN, message, language.value, values)


def _both(message: str, **values: str) -> tuple[str, str]:
    return _in(Language.SPANISH, message, **values), _in(Language.ENGLISH, message, **values)


def refusal(error: HTTPException) -> Response:
    """Strawberry's refusal of a request as the hub's JSON error (status kept, but 415 for
    a media type it does not take and 405 for a mutation over GET, as the spec says)."""
    problem = PROBLEMS.get(error.reason)
    if problem is not None:
        es, en = _both(problem.message)
        return error_response(problem.status, problem.code, es, en, headers=problem.headers)
    if wrong := _WRONG_TYPE.match(error.reason):
        parameter = wrong.group(1)
        expected = PARAMETERS.get(parameter)
        if expected is not None:
            es, en = (
                _in(
                    language,
                    _INVALID_PARAMETER,
                    parameter=parameter,
                    expected=_in(language, expected),
                )
                for language in (Language.SPANISH, Language.ENGLISH)
            )
            return error_response(400, "INVALID_PARAMETER", es, en, parameter=parameter)
    if unknown := _UNKNOWN_NAME.match(error.reason):
        es, en = _both(UNKNOWN_OPERATION, name=unknown.group(1))
        return error_response(400, "UNKNOWN_OPERATION", es, en)
    es, en = _both(NOT_WELL_FORMED)
    return error_response(error.status_code, "BAD_REQUEST", es, en, reason=error.reason)
