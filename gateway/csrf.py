"""Cross-site request forgery protection for the web client's forms (pure ASGI).

A request is checked when a page on another site could have made a browser send it: a
state-changing method (POST, PUT, PATCH, DELETE) with a body a plain HTML form can
produce (`application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`), or a
POST with no content type at all. It must carry the session's CSRF token
(`web.csrf.csrf_token`): in the hidden field `csrf_token`, which
templates write with `csrf_field()` (the field `csrf` of the forms written before this
module is accepted too), or in the `X-CSRF-Token` header (scripts). Missing or wrong →
403 with a short accessible page in Spanish, or in English when the browser prefers it
(JSON for clients that ask for JSON); nothing behind this middleware runs.

Not checked, because a browser cannot be made to send them from another site:

- safe methods (GET, HEAD, OPTIONS), which must never change anything: Strawberry
  refuses a GraphQL mutation sent over GET;
- other content types, such as the GraphQL API's `application/json`: a browser sends
  them cross-site only after a CORS preflight, which the hub never grants;
- requests carrying a bearer token or an API key: browsers never add those headers by
  themselves, and the identity and API-key middleware (outside this one) have already
  refused any that is not valid.

A handler that checks the token itself, to answer a stale one with its own page (the
form again, with what was typed, and a fresh token), says so with `@checks_own_token`;
its requests go through unchecked (the sign-out form, the citizen's data forms).

Wiring: inside `SessionMiddleware` (it reads `scope["session"]`), after the identity and
API-key middleware; `BodyLimitMiddleware`, further out, bounds the form body this
middleware reads (and hands on unchanged to the app).
"""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncGenerator
from urllib.parse import parse_qsl

import orjson
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import HTTPConnection
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import words
from accessibility import LANGUAGE_COOKIE, Language, choose_language
from web.csrf import (
    FIELD_NAME,
    FIELD_NAMES,
    HEADER_NAME,
    OWN_CHECK_MARK,
    checks_own_token,
    csrf_field,
    csrf_matches,
)

__all__ = [
    "FIELD_NAME",
    "HEADER_NAME",
    "CSRFMiddleware",
    "checks_own_token",
    "csrf_field",
    "needs_token",
]

log = logging.getLogger("planasmun.csrf")


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: What an HTML form (or a no-CORS `fetch`) can send to another site without a preflight.
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
_PARSED_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_MAX_FIELDS = 1000

#: The refusal page's words: its title, what happened, what to do, and its one link.
TITLE = words.Message("gateway", "The form could not be sent")
EXPLANATION = words.Message(
    "gateway",
    "For your security, this site only accepts forms sent from its own pages. This one "
    "did not carry your session's security code, or that code is no longer valid (for "
    "example, because your session ended).",
)
ADVICE = words.Message(
    "gateway",
    "Go back to the previous page, reload it and send the form again. You may have to "
    "type again what you had written.",
)
HOME = words.Message("gateway", "Go to the home page")


def _media_type(headers: Headers) -> str:
    return headers.get("content-type", "").partition(";")[0].strip().lower()


def _holds_credentials(headers: Headers) -> bool:
    """A bearer token or an API key: headers no browser adds to a cross-site request."""
    if headers.get("x-api-key", "").strip():
        return True
    scheme, _, credentials = headers.get("authorization", "").strip().partition(" ")
    return scheme.lower() == "bearer" and bool(credentials.strip())


def needs_token(scope: Scope) -> bool:
    """Whether this request must carry the session's CSRF token (ignoring `exempt`)."""
    if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
        return False
    headers = Headers(scope=scope)
    media_type = _media_type(headers)
    # A body-less POST is what `fetch(url, {method: "POST", mode: "no-cors"})` sends from
    # any site; PUT, PATCH and DELETE reach another site only after a preflight.
    if media_type not in FORM_TYPES and (media_type or scope["method"] != "POST"):
        return False
    return not _holds_credentials(headers)


class _Disconnected(Exception):
    pass


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then the real channel."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replayed


async def _form_token(headers: Headers, media_type: str, body: bytes) -> str | None:
    if media_type == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(
                body.decode("latin-1"), keep_blank_values=True, max_num_fields=_MAX_FIELDS
            )
        except ValueError:  # too many fields
            return None
        found = dict(reversed(pairs))  # the first value of each name
        return next((found[name] for name in FIELD_NAMES if name in found), None)

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(
            headers, stream(), max_files=_MAX_FIELDS, max_fields=_MAX_FIELDS
        ).parse()
    except MultiPartException:
        return None
    try:
        for name in FIELD_NAMES:
            value = form.get(name)
            if value is not None:
                return value if isinstance(value, str) else None
        return None
    finally:
        await form.close()


def _endpoint_checks_own_token(scope: Scope) -> bool:
    """Whether the route this request will reach is marked with `checks_own_token`."""
    router = getattr(scope.get("app"), "router", None)
    for route in getattr(router, "routes", ()):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return bool(getattr(getattr(route, "endpoint", None), OWN_CHECK_MARK, False))
    return False


class CSRFMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not needs_token(scope) or _endpoint_checks_own_token(scope):
            await self.app(scope, receive, send)
            return
        session = scope.get("session")
        if session is None:
            raise RuntimeError("CSRFMiddleware must be installed inside SessionMiddleware")
        headers = Headers(scope=scope)
        submitted: str | None = headers.get(HEADER_NAME)
        media_type = _media_type(headers)
        if submitted is None and media_type in _PARSED_TYPES:
            try:
                body = await _read_body(receive)
            except _Disconnected:
                return  # nobody is waiting for an answer
            receive = _replay(body, receive)
            submitted = await _form_token(headers, media_type, body)
        if csrf_matches(session, submitted):
            await self.app(scope, receive, send)
            return
        log.info(
            "CSRF token %s: %s %s refused",
            "missing" if submitted is None else "wrong",
            scope["method"],
            scope["path"],
        )
        await _refuse(scope, send)


def _language(scope: Scope) -> Language:
    connection = HTTPConnection(scope)
    return choose_language(
        None, connection.cookies.get(LANGUAGE_COOKIE), connection.headers.get("accept-language")
    )


def _wants_json(headers: Headers) -> bool:
    accept = headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def refusal_page(language: Language) -> str:
    """The 403 page: one `h1` in a `main` landmark, both languages marked with `lang`."""
    title, explanation, advice, home = (
        m.in_(language.value) for m in (TITLE, EXPLANATION, ADVICE, HOME)
    )
    other = Language.ENGLISH if language is Language.SPANISH else Language.SPANISH
    other_title, other_explanation, other_advice = (
        m.in_(other.value) for m in (TITLE, EXPLANATION, ADVICE)
    )
    e = html.escape
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language.tag}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)} — PLANASMUN</title>\n</head>\n<body>\n<main>\n"
        f"<h1>{e(title)}</h1>\n"
        f"<p>{e(explanation)}</p>\n"
        f"<p>{e(advice)}</p>\n"
        f'<p><a href="/">{e(home)}</a></p>\n'
        f'<section lang="{other.tag}" aria-labelledby="otro-idioma">\n'
        f'<h2 id="otro-idioma">{e(other_title)}</h2>\n'
        f"<p>{e(other_explanation)} {e(other_advice)}</p>\n"
        "</section>\n"
        "</main>\n</body>\n</html>\n"
    )


async def _refuse(scope: Scope, send: Send) -> None:
    headers = Headers(scope=scope)
    if _wants_json(headers):
        es, en = EXPLANATION.es, EXPLANATION.en
        body = orjson.dumps(
            {
                "errors": [
                    {
                        "message": f"{es} ({en})",
                        "extensions": {"code": "CSRF_TOKEN_INVALID", "es": es, "en": en},
                    }
                ]
            }
        )
        content_type = b"application/json"
    else:
        language = _language(scope)
        body = refusal_page(language).encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"vary", b"Accept, Accept-Language, Cookie"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
