"""Helpers for the identity tests: the hub with login wired in, served over real HTTP."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.secrets import EnvSecret
from gateway.app import create_app
from gateway.http_protocol import HTTP_PROTOCOL
from gateway.identity import Identity, IdentitySettings
from gateway.identity.login import login_routes
from gateway.settings import Settings
from schema.principal import principal_from_connection
from tests.fixtures import MUNICIPALITIES_DIR

#: The environment variable the test hubs read their client secret from.
CLIENT_SECRET_VARIABLE = "PLANASMUN_TEST_OIDC_CLIENT_SECRET"
CLIENT_SECRET = "secreto-de-prueba-no-es-real-0123456789"


def identity_settings(issuer: str | None, **options: object) -> IdentitySettings:
    os.environ[CLIENT_SECRET_VARIABLE] = CLIENT_SECRET
    return IdentitySettings.model_validate(
        {
            "issuer": issuer,
            "client_secret": EnvSecret.model_validate({"$env": CLIENT_SECRET_VARIABLE}),
            **options,
        }
    )


async def whoami(request: Request) -> JSONResponse:
    """Test-only: the request's principal as JSON."""
    principal = principal_from_connection(request)
    return JSONResponse(
        {
            "subject": principal.subject,
            "name": principal.display_name,
            "kind": principal.kind.value,
            "roles": {m: sorted(r) for m, r in principal.staff_roles.items()},
        }
    )


def wire(app: Starlette, identity: Identity) -> Starlette:
    """Login routes and middleware on an app that lacks them, as `create_app` adds them."""
    app.router.routes[0:0] = login_routes(identity)
    # add_middleware puts each one outermost: the session must wrap the identity one.
    for middleware in reversed(identity.middleware()):
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    original = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(instance: Starlette) -> AsyncIterator[None]:
        async with original(instance):
            try:
                yield
            finally:
                await identity.aclose()

    app.router.lifespan_context = lifespan
    app.state.identity = identity
    return app


def hub_app(
    tmp_path: Path, settings: IdentitySettings, **options: object
) -> tuple[Starlette, Identity]:
    """The real gateway app on the hub store's demo municipalities, with login and the
    test-only `/_whoami` probe; `options` are further hub settings."""
    hub_settings = Settings.model_validate(
        {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
            "municipalities_dir": MUNICIPALITIES_DIR,
            # Every test request comes from 127.0.0.1; the limits have their own tests.
            "rate_limit_enabled": False,
            "identity": settings,
            **options,
        }
    )
    app = create_app(hub_settings)
    identity = getattr(app.state, "identity", None)
    if identity is None:
        # Until `create_app` wires identity in itself (it then reads `settings.identity`).
        identity = Identity(settings, demo=True)
        wire(app, identity)
    app.router.routes.insert(0, Route("/_whoami", whoami))
    return app, identity


@contextlib.contextmanager
def serve(app: Starlette, timeout: float = 30.0, *, ws: str = "none") -> Iterator[str]:
    """`app` under uvicorn in a thread on 127.0.0.1 (lifespan on); yields its base URL.
    `ws="websockets-sansio"` serves WebSockets too (subscriptions)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            ws=ws,
            # What `planasmun serve` runs: every test over real HTTP goes through it.
            http=HTTP_PROTOCOL,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test hub did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
