"""`GET /datos/contrataciones/<municipality>.json`: its processes as an OCDS 1.1 release package.

The package (uri, version 1.1, publishedDate, publisher, license, publicationPolicy,
releases) is streamed a release at a time. The releases are read as GraphQL's
`Municipality.procurement` reads them, through the dispatcher (batching, timeout, circuit,
cache and last known answer): a source that fails with nothing kept gives a 503 naming the
source, a stale answer is served with `X-Data-Age-Seconds`, and a process the hub cannot
publish is left out, counted in `X-Processes-Left-Out` and logged by its code.
"""

from __future__ import annotations

import datetime as dt
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from accessibility import Language
from accessibility.language import negotiate
from connectors import Capability
from gateway.hub import Hub
from schema.procurement.ocds import package_chunks, package_head, releases_of
from schema.procurement.resolvers import buyer_of
from words import Message

__all__ = ["PATH", "routes"]

log = logging.getLogger(__name__)

PATH = "/datos/contrataciones"
MEDIA_TYPE = "application/json"
NOT_PUBLISHED = Message(
    "gateway",
    "This local government does not publish its contracting processes on PLANASMUN yet.",
)
SOURCE_DOWN = Message(
    "gateway",
    "The system that holds this local government's contracting processes (%(source)s) did not "
    "answer. Try again later.",
)
POLICY = Message(
    "gateway",
    "Published by PLANASMUN from the local government's own system, as it holds it, each "
    "time it is asked (cached up to the binding's lifetime); processes are identified by the "
    "DGCP's ocid prefix ocds-6550wx.",
)


def _language(request: Request) -> str:
    return "en" if negotiate(request.headers.get("accept-language")) is Language.ENGLISH else "es"


async def index(request: Request) -> Response:
    """The publication policy and every municipality's package (the packages' policy URL)."""
    hub: Hub = request.app.state.hub
    federation = hub.federation
    published = sorted(
        m for m in federation.municipalities if federation.binding(m, Capability.PROCUREMENT)
    )
    return JSONResponse(
        {
            "publicationPolicy": POLICY.in_(_language(request)),
            "packages": [
                {"municipality": m, "url": f"{request.base_url}{PATH.lstrip('/')}/{m}.json"}
                for m in published
            ],
        },
        headers={"Cache-Control": "public, max-age=300"},
    )


def _error(request: Request, status: int, code: str, message: Message) -> JSONResponse:
    language = _language(request)
    return JSONResponse(
        {"error": {"code": code, "message": message.in_(language)}},
        status_code=status,
        headers={"Content-Language": "en" if language == "en" else "es-DO"},
    )


async def release_package(request: Request) -> Response:
    hub: Hub = request.app.state.hub
    municipality_id = str(request.path_params["municipality"])
    federation = hub.federation
    municipality = federation.get(municipality_id)
    if municipality is None or federation.binding(municipality_id, Capability.PROCUREMENT) is None:
        return _error(request, 404, "NOT_PUBLISHED", NOT_PUBLISHED)
    (outcome,) = await federation.dispatcher.list_for(Capability.PROCUREMENT, [municipality_id])
    if outcome.failed:
        log.warning(
            "procurement package of %s: source %s failed: %s",
            municipality_id,
            outcome.source,
            outcome.error.code if outcome.error else "?",
        )
        response = _error(
            request,
            503,
            "UPSTREAM_UNAVAILABLE",
            Message(SOURCE_DOWN.domain, SOURCE_DOWN.id, {"source": outcome.source}),
        )
        response.headers["Retry-After"] = "60"
        return response
    buyer = buyer_of(municipality)
    made = releases_of(outcome.value or [], buyer)
    for problem in made.malformed:
        log.warning(
            "procurement package of %s: process %s left out: %s",
            municipality_id,
            problem.process_id,
            problem.reason.id,
        )
    head = package_head(
        buyer,
        uri=str(request.url.replace(query="")),
        policy=f"{request.base_url}{PATH.lstrip('/')}",
        published=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    headers = {
        "X-Processes-Left-Out": str(len(made.malformed)),
        "Cache-Control": "public, max-age=300",
    }
    if outcome.stale_age_seconds is not None:
        headers["X-Data-Age-Seconds"] = str(round(outcome.stale_age_seconds))
    return StreamingResponse(
        package_chunks(made.releases, head), media_type=MEDIA_TYPE, headers=headers
    )


def routes() -> list[BaseRoute]:
    return [
        Route(PATH, index, methods=["GET"], name="procurement_packages"),
        Route(
            f"{PATH}/{{municipality}}.json",
            release_package,
            methods=["GET"],
            name="procurement_package",
        ),
    ]
