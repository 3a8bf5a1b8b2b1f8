"""`planasmun dev-identity`: the demo's OpenID provider on its own, for trying writes.

An integrator onboarding a government runs a hub with `PLANASMUN_DEMO=false` and that
government's file; to submit a request (`submitServiceRequest`, Open311 `POST /requests`)
they need a signed-in citizen. This command starts the bundled provider alone on
loopback, prints the settings that make such a hub trust it, and hands out access tokens
for the demo accounts without a browser::

    planasmun dev-identity [--port 8703] [--host 127.0.0.1] [--client-secret S]
    planasmun dev-identity token --user maria [--issuer http://127.0.0.1:8703]

`token` asks the running provider over HTTP (the password grant, public client
`planasmun-dev`), exactly as `curl` would; the provider signs with a key made when it
started, so the token is good only while it runs. For development only: the accounts are
fictitious, their one password is published, and the provider refuses any host but
loopback. The CLI reaches this module from `gateway.cli` (the product's one way into the
demo package); the output is for developers, in English like the rest of the CLI.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from urllib.parse import urlsplit

import httpx

from demo.identity_provider import (
    DEFAULT_CLIENT_ID,
    DEFAULT_PORT,
    DEMO_PASSWORD,
    DEMO_USERS,
    DEV_CLIENT_ID,
    ISSUER_VARIABLE,
    SCOPES,
    ProviderHandle,
    developer_client,
    loopback_client,
    require_loopback,
    start,
)
from gateway.identity.settings import IdentitySettings

#: Where the hub reads its client secret and its session key (gateway/identity/settings.py).
CLIENT_SECRET_VARIABLE = IdentitySettings().client_secret.env
SESSION_SECRET_VARIABLE = IdentitySettings().session_secret.env
DEFAULT_ISSUER = f"http://127.0.0.1:{DEFAULT_PORT}"


def hub_environment(handle: ProviderHandle, client_secret: str) -> dict[str, str]:
    """What `planasmun serve` outside the demo needs to trust this provider."""
    return {
        "PLANASMUN_DEMO": "false",
        ISSUER_VARIABLE: handle.issuer,
        CLIENT_SECRET_VARIABLE: client_secret,
        SESSION_SECRET_VARIABLE: os.environ.get(SESSION_SECRET_VARIABLE)
        or secrets.token_urlsafe(32),
    }


def token_curl(issuer: str, username: str = "maria") -> str:
    """The `curl` that obtains an access token, as the README shows it."""
    return (
        f"curl -s {issuer}/token -d grant_type=password -d client_id={DEV_CLIENT_ID} "
        f"-d username={username} -d password={DEMO_PASSWORD} "
        f"-d scope={shlex.quote(' '.join(SCOPES))}"
    )


def _banner(handle: ProviderHandle, environment: dict[str, str]) -> str:
    accounts = ", ".join(f"{user.username} ({' '.join(user.roles)})" for user in DEMO_USERS)
    exports = "\n".join(f"  export {k}={shlex.quote(v)}" for k, v in environment.items())
    return f"""\
PLANASMUN development identity provider: {handle.issuer}
FOR DEVELOPMENT ONLY: fictitious accounts with one published password ({DEMO_PASSWORD}),
signing keys made at start and gone at exit; loopback only. Never let a real hub trust it.

A hub without the demo trusts it with these settings (in the hub's shell), then
`planasmun serve` (set PLANASMUN_MUNICIPALITIES_DIR to your files):
{exports}

A bearer token for a demo citizen (valid one hour, while this provider runs):
  planasmun dev-identity token --user maria --issuer {handle.issuer}
or
  {token_curl(handle.issuer)}
then send `Authorization: Bearer <token>` to the hub's /graphql. Signing in on the hub's
pages (/entrar) works too.

Accounts: {accounts}.
Stop with Ctrl-C."""


def _serve(args: argparse.Namespace) -> int:
    try:
        host = require_loopback(args.host)
    except ValueError as exc:
        print(f"planasmun dev-identity: {exc}", file=sys.stderr)
        return 2
    client_secret = (
        args.client_secret or os.environ.get(CLIENT_SECRET_VARIABLE) or secrets.token_urlsafe(32)
    )
    clients = [loopback_client(DEFAULT_CLIENT_ID, client_secret), developer_client()]
    try:
        handle = start(args.port, host=host, clients=clients, password_grant=True)
    except OSError as exc:
        print(
            f"planasmun dev-identity: cannot listen on {host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    print(_banner(handle, hub_environment(handle, client_secret)), flush=True)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
    return 0


def _token(args: argparse.Namespace) -> int:
    issuer = args.issuer.rstrip("/")
    parts = urlsplit(issuer)
    try:
        require_loopback(parts.hostname or "")
    except ValueError:
        print(
            "planasmun dev-identity token: the demo password is sent only to a provider on "
            f"loopback (http://127.0.0.1:PORT); found issuer {issuer!r}",
            file=sys.stderr,
        )
        return 2
    form = {
        "grant_type": "password",
        "client_id": DEV_CLIENT_ID,
        "username": args.user,
        "password": args.password,
        "scope": " ".join(SCOPES),
    }
    try:
        response = httpx.post(f"{issuer}/token", data=form, timeout=10)
    except httpx.TransportError:
        print(
            f"planasmun dev-identity token: no provider answers at {issuer}; start it with "
            "`planasmun dev-identity` (or pass --issuer)",
            file=sys.stderr,
        )
        return 1
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    token = body.get("access_token")
    if response.status_code != 200 or not isinstance(token, str):
        reason = body.get("error_description") or body.get("error")
        print(
            f"planasmun dev-identity token: the provider refused ({response.status_code}): "
            f"{reason or 'no reason given'}; accounts: "
            + ", ".join(user.username for user in DEMO_USERS),
            file=sys.stderr,
        )
        return 1
    print(token)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="planasmun dev-identity",
        description="Development only: the demo's OpenID provider alone on loopback, and "
        "access tokens for its demo accounts.",
    )
    top.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    top.add_argument("--host", default="127.0.0.1", help="a loopback address only")
    top.add_argument(
        "--client-secret",
        help=f"the hub's client secret (default: ${CLIENT_SECRET_VARIABLE}, else random)",
    )
    top.set_defaults(handler=_serve)
    commands = top.add_subparsers(dest="command")
    token = commands.add_parser(
        "token", help="print an access token for a demo account (the provider must be running)"
    )
    token.add_argument("--user", default="maria", help="a demo account (default maria)")
    token.add_argument("--password", default=DEMO_PASSWORD, help=argparse.SUPPRESS)
    token.add_argument(
        "--issuer",
        default=os.environ.get(ISSUER_VARIABLE, DEFAULT_ISSUER),
        help=f"the running provider (default: ${ISSUER_VARIABLE}, else {DEFAULT_ISSUER})",
    )
    token.set_defaults(handler=_token)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
