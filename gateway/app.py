"""The ASGI application: GraphQL, health probes, the explorer and the web client."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

import web
from gateway import metrics, open311, procurement_package
from gateway.api_keys import ApiKeyMiddleware
from gateway.body_limit import BodyLimitMiddleware
from gateway.csrf import CSRFMiddleware
from gateway.explorer import ASSETS as EXPLORER_ASSETS
from gateway.gc_tuning import freeze_startup_objects
from gateway.graphql_app import HubGraphQL
from gateway.health import Readiness, healthz
from gateway.hub import Hub
from gateway.identity import Identity
from gateway.identity.login import login_routes
from gateway.outbox_delivery.worker import running_worker
from gateway.ratelimit import Rate, RateLimiter, RateLimitMiddleware
from gateway.response_cache import ResponseCache, ResponseCacheMiddleware
from gateway.security import SecurityHeadersMiddleware
from gateway.settings import Settings
from schema.requests.attachments import MAX_UPLOAD_BODY_BYTES

#: Where multipart bodies with files are taken (the ceiling for them is higher).
UPLOAD_PATHS = (
    re.compile(r"^/graphql$"),
    re.compile(r"^/municipios/[^/]+/servicios/[^/]+/solicitar/formulario$"),
)


def create_app(settings: Settings | None = None, hub: Hub | None = None) -> Starlette:
    """Build the app; raises `InvalidConfiguration` before anything listens if a file is bad."""
    hub = hub or Hub(settings or Settings())
    metrics.install()
    graphql = HubGraphQL(hub)
    responses = ResponseCache(hub.settings.response_cache_seconds)
    hub.response_cache = responses
    settings = hub.settings
    identity = Identity(settings.identity, behind_https=settings.behind_https, demo=settings.demo)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await hub.start()
        freeze_startup_objects()
        try:
            # Every process delivers the outbox (leases keep two from taking one item).
            async with running_worker(hub):
                yield
        finally:
            await hub.close()
            await identity.aclose()

    routes = [
        Route(
            "/graphql",
            ResponseCacheMiddleware(graphql, responses),
            methods=["GET", "POST"],
            name="graphql",
        ),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz, name="healthz"),
        Route("/metrics", metrics.metrics_endpoint, name="metrics"),
        Route("/readyz", Readiness(hub).endpoint, name="readyz"),
        Mount("/explorer", StaticFiles(directory=EXPLORER_ASSETS), name="explorer"),
        *login_routes(identity),
        *open311.routes(),
        *procurement_package.routes(),
        *web.build_routes(hub.schema),
    ]
    middleware = [Middleware(SecurityHeadersMiddleware, hsts=settings.behind_https)]
    if settings.rate_limit_enabled:
        middleware.append(
            Middleware(
                RateLimitMiddleware,
                limiter=RateLimiter.for_url(settings.redis_url),
                per_ip=Rate(settings.rate_limit_per_minute_ip, burst=settings.rate_limit_burst_ip),
                per_key=Rate(
                    settings.rate_limit_per_minute_key, burst=settings.rate_limit_burst_key
                ),
                trusted_proxies=settings.trusted_proxies,
                # A known key is counted on its own budget only; an unknown one as its address.
                verify_key=hub.api_keys.is_known,
            )
        )
    middleware.append(
        Middleware(
            BodyLimitMiddleware,
            max_bytes=settings.max_body_bytes,
            # Files attached to a request: the GraphQL endpoint's multipart requests and
            # the web form's last step.
            uploads=[(pattern, MAX_UPLOAD_BODY_BYTES) for pattern in UPLOAD_PATHS],
        )
    )
    # Innermost: the session cookie, then the principal (bearer token, else session); the
    # limits above refuse floods before any token is verified.
    middleware.extend(identity.middleware())
    # Then an API key's scopes on the principal, and the forms' CSRF check.
    middleware.append(
        Middleware(
            ApiKeyMiddleware, keys=hub.api_keys, verified_by_endpoints=(f"{open311.PREFIX}/",)
        )
    )
    middleware.append(Middleware(CSRFMiddleware))
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers=dict(web.exception_handlers()),
    )
    app.state.hub = hub
    app.state.identity = identity
    return app


def app_from_environment() -> Starlette:
    """Factory for `uvicorn --factory` (several workers each build their own app)."""
    return create_app(Settings())
