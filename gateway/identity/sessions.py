"""What the signed session cookie holds, and the cookie's settings.

Starlette's `SessionMiddleware` signs the cookie (itsdangerous, with a timestamp checked
against `session_max_age_seconds`); it is `HttpOnly`, `SameSite=Lax`, and `Secure` behind
HTTPS. Signed is not encrypted, so the cookie holds only the principal (subject, display
name, kind, roles), the issuer it came from, a CSRF token, and, during a login, the
state, nonce and PKCE verifier of that login. Never a token.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import MutableMapping
from typing import Any

from gateway.identity.errors import IdentityNotConfigured
from gateway.identity.settings import IdentitySettings
from schema.principal import Principal
from web.csrf import new_csrf_token

log = logging.getLogger("planasmun.identity")

SESSION_COOKIE = "sesion"
PRINCIPAL_KEY = "principal"
ISSUER_KEY = "iss"
LOGINS_KEY = "logins"
#: Logins started and not finished (several tabs); the oldest is dropped beyond this.
MAX_PENDING_LOGINS = 3
#: A login not finished in this time must start again.
LOGIN_TIMEOUT_SECONDS = 600

Session = MutableMapping[str, Any]


def resolve_session_secret(settings: IdentitySettings, *, demo: bool) -> str:
    """The signing key; outside the demo, login without a configured key stops start-up."""
    try:
        secret = settings.session_secret.reveal()
    except LookupError:
        if settings.issuer is not None and not demo:
            raise IdentityNotConfigured(
                f"set {settings.session_secret.env} to sign session cookies"
            ) from None
        log.info("no %s: sessions signed with a key of this process", settings.session_secret.env)
        return secrets.token_urlsafe(32)
    if len(secret) < 32:
        raise IdentityNotConfigured(f"{settings.session_secret.env} must be at least 32 characters")
    return secret


def sign_in(session: Session, principal: Principal, issuer: str) -> None:
    """A fresh session for `principal`: anything from before (a pending login) is gone."""
    session.clear()
    session[PRINCIPAL_KEY] = principal.to_session()
    session[ISSUER_KEY] = issuer
    new_csrf_token(session)


def sign_out(session: Session) -> None:
    session.clear()


def session_principal(session: Session, issuer: str | None) -> Principal | None:
    """The signed-in principal, if the session holds one from the configured issuer."""
    data = session.get(PRINCIPAL_KEY)
    if data is None:
        return None
    if issuer is None or session.get(ISSUER_KEY) != issuer:
        return None
    try:
        return Principal.from_session(data)
    except (KeyError, TypeError, ValueError):
        return None


def remember_login(session: Session, state: str, login: dict[str, Any]) -> None:
    """Keep a login's state, nonce and PKCE verifier until its callback."""
    pending: dict[str, Any] = dict(session.get(LOGINS_KEY) or {})
    pending[state] = {**login, "started": time.time()}
    while len(pending) > MAX_PENDING_LOGINS:
        oldest = min(pending, key=lambda s: float(pending[s].get("started", 0)))
        del pending[oldest]
    session[LOGINS_KEY] = pending


def take_login(session: Session, state: object, now: float | None = None) -> dict[str, Any] | None:
    """The login that `state` names, once: it is removed whatever happens next."""
    pending: dict[str, Any] = dict(session.get(LOGINS_KEY) or {})
    found = None
    if isinstance(state, str):
        for candidate in list(pending):
            if hmac.compare_digest(candidate.encode(), state.encode()):
                found = pending.pop(candidate)
    if pending:
        session[LOGINS_KEY] = pending
    else:
        session.pop(LOGINS_KEY, None)
    if not isinstance(found, dict):
        return None
    now = time.time() if now is None else now
    if now - float(found.get("started", 0)) > LOGIN_TIMEOUT_SECONDS:
        return None
    return found
