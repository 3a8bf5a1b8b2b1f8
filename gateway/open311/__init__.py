"""Open311 GeoReport v2 at `/open311/v2/`, with `jurisdiction_id` = a municipality's id.

    GET  discovery.{json|xml}                      where, which formats, how to get a key
    GET  services.{json|xml}?jurisdiction_id=      the services that take requests online
    GET  services/{code}.{json|xml}?jurisdiction_id=   a service's own questions (attributes)
    POST requests.{json|xml}                       file a request (API key, SUBMIT_OPEN311)
    GET  requests.{json|xml}?jurisdiction_id=      requests, public view; filters
         service_request_id, service_code, start_date, end_date, status=open|closed;
         paging extension page (from 1) and page_size (at most 100)
    GET  requests/{id}.{json|xml}                  one request by its tracking number
    GET  tokens/{token}.{json|xml}                 the tracking number behind a token

`service_request_id` is the tracking number (e.g. SDE-2026-000123). `status` is `open` or
`closed` (RESUELTA and RECHAZADA); the detailed state, in words, with the latest public
note, is in `status_notes`. Personal data (description, address, location) never appears
in a public answer. Errors come in the spec's format, a list of `{code, description}` with
the description in plain Spanish (or English: `Accept-Language`, see `words`). Everything
is answered through the hub's own GraphQL schema, in-process (see
`gateway.open311.endpoints`).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from gateway.open311 import endpoints
from gateway.open311.endpoints import endpoint
from web.csrf import checks_own_token

__all__ = ["PREFIX", "routes"]

#: Where Open311 lives; its endpoints check API keys themselves (answering in the spec's
#: error format), so the gateway's `ApiKeyMiddleware` leaves requests under it alone.
PREFIX = "/open311/v2"


def routes() -> list[BaseRoute]:
    # The POST takes no CSRF token: it acts only as the API key it carries, never as the
    # session a browser may send along (see `endpoints`), so a forged form gains nothing.
    create = checks_own_token(endpoint(endpoints.create_request))
    return [
        Route(f"{PREFIX}/", endpoints.root, methods=["GET"], name="open311_root"),
        Route(
            f"{PREFIX}/discovery.{{format}}",
            endpoint(endpoints.discovery),
            methods=["GET"],
            name="open311_discovery",
        ),
        Route(
            f"{PREFIX}/services.{{format}}",
            endpoint(endpoints.services),
            methods=["GET"],
            name="open311_services",
        ),
        Route(
            f"{PREFIX}/services/{{service_code}}.{{format}}",
            endpoint(endpoints.service_definition),
            methods=["GET"],
            name="open311_service_definition",
        ),
        Route(f"{PREFIX}/requests.{{format}}", create, methods=["POST"], name="open311_create"),
        Route(
            f"{PREFIX}/requests.{{format}}",
            endpoint(endpoints.requests_list),
            methods=["GET"],
            name="open311_requests",
        ),
        Route(
            f"{PREFIX}/requests/{{service_request_id}}.{{format}}",
            endpoint(endpoints.request_detail),
            methods=["GET"],
            name="open311_request",
        ),
        Route(
            f"{PREFIX}/tokens/{{token}}.{{format}}",
            endpoint(endpoints.token),
            methods=["GET"],
            name="open311_token",
        ),
    ]
