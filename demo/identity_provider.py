"""The demo's OpenID provider: citizens and municipal staff sign in with no outside service.

A real OpenID Connect provider built on authlib's server side (authorization-code grant
with the OpenID Connect extension, PKCE with S256 required), served by uvicorn on the
loopback interface from a thread::

    GET  /.well-known/openid-configuration   discovery
    GET  /authorize                          the login form (Spanish, WCAG 2.2 accessible
    POST /authorize                          authentication: no puzzle, paste allowed)
    POST /token                              code → ID token and JWT access token (RFC 9068);
                                             with `password_grant`, also a demo account's
                                             name and password → access token (for
                                             `planasmun dev-identity`, demo/dev_identity.py)
    GET  /jwks.json                          the RS256 public key, generated at start
    GET  /userinfo                           the claims, for a valid access token

From code (a context manager too: `with start() as provider:`)::

    provider = start()                  # a free port; start(8703) in the demo
    provider.issuer                     # 'http://127.0.0.1:PORT'
    provider.issue_access_token("maria", expires_in=-60)   # tests: any token, signed
    provider.stop()

Demo users (fictitious people, made-up cédulas, one password shown on the login page):
two citizens, two staff members of Santo Domingo Este (agent, supervisor), one of
Santiago (agent), and a national administrator of the Liga Municipal Dominicana. Their
roles travel in the `planasmun_roles` claim, e.g. `["staff:santo-domingo-este:agent"]`.
`planasmun dev-identity` (demo/dev_identity.py) runs it alone, for a hub started without
the demo, and hands out access tokens for these accounts.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import ipaddress
import os
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

import uvicorn
from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeGrant,
    ClientMixin,
    InvalidRequestError,
    JsonRequest,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    ResourceOwnerPasswordCredentialsGrant,
)
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo
from jinja2 import DictLoader, Environment
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from accessibility.palette import COLOURS
from demo.stoppable import Stoppable
from gateway.identity.settings import IdentitySettings

#: Fixed in the demo so that its URLs are stable; the tests pick free ports.
DEFAULT_PORT = 8703
PORT_VARIABLE = "PLANASMUN_DEMO_IDP_PORT"
#: What `start_for_demo_hub` sets for the hub's settings (and its uvicorn workers).
ISSUER_VARIABLE = "PLANASMUN_IDENTITY__ISSUER"
#: The one password of every demo account, shown on the login page.
DEMO_PASSWORD = "demo1234"  # noqa: S105 (fictitious accounts, published on purpose)
DEFAULT_CLIENT_ID = "planasmun-web"
#: The public client of `planasmun dev-identity`: the password grant only, no secret.
DEV_CLIENT_ID = "planasmun-dev"
API_AUDIENCE = "planasmun-api"
ROLES_CLAIM = "planasmun_roles"
SCOPES = ("openid", "profile", "email")
ACCESS_TOKEN_SECONDS = 3600
ID_TOKEN_SECONDS = 3600
CODE_SECONDS = 120
#: The hub's callback path; loopback redirect URIs match on any port (RFC 8252 §7.3).
CALLBACK_PATH = "/entrar/callback"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclasses.dataclass(frozen=True, slots=True)
class DemoUser:
    """A fictitious person: the cédula is made up and belongs to nobody."""

    username: str
    subject: str
    name: str
    email: str
    cedula: str
    roles: tuple[str, ...]
    description: str

    def get_user_id(self) -> str:  # authlib's user interface
        return self.subject

    def claims(self, scope: Iterable[str] = SCOPES) -> dict[str, Any]:
        scopes = set(scope)
        found: dict[str, Any] = {"sub": self.subject, ROLES_CLAIM: list(self.roles)}
        if "profile" in scopes:
            found["name"] = self.name
            found["preferred_username"] = self.username
        if "email" in scopes:
            found["email"] = self.email
            found["email_verified"] = True
        return found


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "maria",
        "demo-ciudadana-0001",
        "María Altagracia Pérez",
        "maria.perez@example.org",
        "001-1234567-8",
        ("citizen",),
        "Ciudadana",
    ),
    DemoUser(
        "juan",
        "demo-ciudadano-0002",
        "Juan Bautista Rosario",
        "juan.rosario@example.org",
        "031-7654321-0",
        ("citizen",),
        "Ciudadano",
    ),
    DemoUser(
        "ana",
        "demo-personal-0003",
        "Ana Mercedes Castillo",
        "ana.castillo@example.org",
        "001-2345678-9",
        ("staff:santo-domingo-este:agent",),
        "Agente, Santo Domingo Este",
    ),
    DemoUser(
        "pedro",
        "demo-personal-0004",
        "Pedro Antonio Jiménez",
        "pedro.jimenez@example.org",
        "001-3456789-0",
        ("staff:santo-domingo-este:supervisor",),
        "Supervisor, Santo Domingo Este",
    ),
    DemoUser(
        "carmen",
        "demo-personal-0005",
        "Carmen Rosa Tavárez",
        "carmen.tavarez@example.org",
        "031-4567890-1",
        ("staff:santiago:agent",),
        "Agente, Santiago",
    ),
    DemoUser(
        "luis",
        "demo-lmd-0006",
        "Luis Manuel Díaz",
        "luis.diaz@example.org",
        "001-5678901-2",
        ("national:admin",),
        "Administrador nacional (LMD)",
    ),
)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


# -- Clients and codes: authlib's model interfaces ------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class DemoClient(ClientMixin):  # type: ignore[misc]
    """A confidential client (the hub) allowed the authorization-code grant only; or, with
    no secret and `grant_types=("password",)`, a public client for developers' scripts."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...] = ("authorization_code",)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return any(_redirect_matches(registered, redirect_uri) for registered in self.redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if not self.client_secret:  # a public client
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


def _redirect_matches(registered: str, requested: str) -> bool:
    """Exact match, except that a loopback URI may use any port (RFC 8252 §7.3)."""
    if registered == requested:
        return True
    want, got = urlsplit(registered), urlsplit(requested)
    if want.hostname not in ("127.0.0.1", "localhost", "::1") or want.port is not None:
        return False
    try:
        got_port = got.port
    except ValueError:
        return False
    return (
        got.scheme == want.scheme == "http"
        and got.hostname == want.hostname
        and got_port is not None
        and got.path == want.path
        and not got.query
        and not got.fragment
        and got.username is None
    )


def loopback_client(client_id: str, client_secret: str, *extra_uris: str) -> DemoClient:
    """The hub as a client, from any loopback port, plus any `extra_uris` exactly."""
    loopback = tuple(f"http://{host}{CALLBACK_PATH}" for host in LOOPBACK_HOSTS)
    return DemoClient(client_id, client_secret, (*extra_uris, *loopback))


def developer_client(client_id: str = DEV_CLIENT_ID) -> DemoClient:
    """A public client allowed only the password grant: tokens from curl or a script."""
    return DemoClient(client_id, "", (), grant_types=("password",))


@dataclasses.dataclass(frozen=True, slots=True)
class _Code(AuthorizationCodeMixin):  # type: ignore[misc]
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    subject: str
    nonce: str | None
    auth_time: int
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> list[str]:
        return ["pwd"]


# -- authlib's server, adapted to Starlette -------------------------------------------


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._data: dict[str, str] = {}
        self._datalist: dict[str, list[str]] = {}
        for key, value in items:
            self._data.setdefault(key, value)
            self._datalist.setdefault(key, []).append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._datalist


class _Request(OAuth2Request):  # type: ignore[misc]
    """authlib's request from Starlette's, with the body already read."""

    def __init__(self, request: Request, form: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(request.method, str(request.url), headers=request.headers)
        self._args = dict(request.query_params)
        self._form = dict(form)
        self.payload = _Payload([*request.query_params.multi_items(), *form])

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, provider: IdentityProvider) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.provider = provider

    def query_client(self, client_id: str) -> DemoClient | None:
        return self.provider.clients.get(client_id)

    def save_token(self, token: Mapping[str, Any], request: OAuth2Request) -> None:
        """Nothing to store: access tokens are signed JWTs."""

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if not isinstance(request, OAuth2Request):
            raise TypeError("build the request with _Request first (the body is async)")
        return request

    def create_json_request(self, request: Any) -> JsonRequest:
        raise NotImplementedError("no JSON endpoints here")

    def handle_response(
        self, status_code: int, payload: Any, headers: Iterable[tuple[str, str]]
    ) -> Response:
        if isinstance(payload, dict):
            return JSONResponse(payload, status_code=status_code, headers=dict(headers))
        return Response(payload, status_code=status_code, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE required of every client, S256 only."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'", redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
        "client_secret_basic",
        "client_secret_post",
    ]

    @property
    def provider(self) -> IdentityProvider:
        server: _Server = self.server
        return server.provider

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        self.provider.save_code(
            _Code(
                code=code,
                client_id=request.client.get_client_id(),
                redirect_uri=data.get("redirect_uri", ""),
                scope=request.scope or "",
                subject=request.user.get_user_id(),
                nonce=data.get("nonce"),
                auth_time=int(time.time()),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method", "S256"),
                expires_at=time.time() + CODE_SECONDS,
            )
        )

    def query_authorization_code(self, code: str, client: DemoClient) -> _Code | None:
        return self.provider.find_code(code, client.get_client_id())

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        self.provider.delete_code(authorization_code.code)

    def authenticate_user(self, authorization_code: _Code) -> DemoUser | None:
        return self.provider.users_by_subject.get(authorization_code.subject)


class _PasswordGrant(ResourceOwnerPasswordCredentialsGrant):  # type: ignore[misc]
    """A demo account's name (or cédula) and password → an access token, for the public
    developer client alone (`planasmun dev-identity`); never offered to the demo hub."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]

    def authenticate_user(self, username: str, password: str) -> DemoUser | None:
        server: _Server = self.server
        return server.provider.authenticate(username, password)


class _OpenIDCode(OpenIDCode):  # type: ignore[misc]
    def __init__(self, provider: IdentityProvider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return self.provider.nonce_used(nonce)

    def resolve_client_private_key(self, client: DemoClient) -> KeySet:
        return self.provider.private_keys

    def get_client_algorithm(self, client: DemoClient) -> str:
        return "RS256"

    def get_encode_header(self, client: DemoClient) -> dict[str, str]:
        return {"alg": "RS256", "kid": self.provider.kid}

    def get_client_claims(self, client: DemoClient) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.provider.issuer,
            "aud": [client.get_client_id()],
            "azp": client.get_client_id(),
            "iat": now,
            "exp": now + ID_TOKEN_SECONDS,
        }

    def generate_user_info(self, user: DemoUser, scope: str) -> UserInfo:
        return UserInfo(user.claims(scope.split()))


class _AccessTokens(JWTBearerTokenGenerator):  # type: ignore[misc]
    """RFC 9068 JWT access tokens for the hub's API, with the user's roles."""

    def __init__(self, provider: IdentityProvider) -> None:
        super().__init__(
            issuer=provider.issuer,
            expires_generator=lambda client, grant_type: ACCESS_TOKEN_SECONDS,
        )
        self.provider = provider

    def get_jwks(self) -> KeySet:
        return self.provider.private_keys

    def get_audiences(self, client: DemoClient, user: DemoUser, scope: str) -> list[str]:
        return [self.provider.api_audience]

    def get_extra_claims(
        self, client: DemoClient, grant_type: str, user: DemoUser, scope: str
    ) -> dict[str, Any]:
        claims = user.claims(scope.split())
        claims.pop("sub")
        return claims


# -- The provider ---------------------------------------------------------------------


class IdentityProvider:
    """Keys, users, clients and pending codes, and the Starlette app serving them."""

    def __init__(
        self,
        issuer: str,
        clients: Iterable[DemoClient],
        users: Iterable[DemoUser] = DEMO_USERS,
        api_audience: str = API_AUDIENCE,
        *,
        password_grant: bool = False,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.password_grant = password_grant
        self.api_audience = api_audience
        self.clients = {client.client_id: client for client in clients}
        self.users = {user.username: user for user in users}
        self.users_by_subject = {user.subject: user for user in self.users.values()}
        self._users_by_cedula = {_digits(user.cedula): user for user in self.users.values()}
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._nonces: set[str] = set()
        self._nonce_order: deque[str] = deque(maxlen=10_000)
        self._key = _new_key()
        #: Requests per endpoint, e.g. `calls["POST /token"]` (tests read these).
        self.calls: dict[str, int] = {}
        self.server = _Server(self)
        self.server.register_token_generator("default", _AccessTokens(self))
        self.server.register_grant(_CodeGrant, [_S256Only(required=True), _OpenIDCode(self)])
        if password_grant:
            self.server.register_grant(_PasswordGrant)
        self.app = self._build_app()

    # keys

    @property
    def kid(self) -> str:
        return str(self._key.kid)

    @property
    def private_keys(self) -> KeySet:
        return KeySet([self._key])

    def jwks(self) -> dict[str, Any]:
        return dict(self.private_keys.as_dict(private=False))

    def rotate_key(self) -> str:
        """A new signing key (the old one is no longer published); returns its kid."""
        self._key = _new_key()
        return self.kid

    # users, codes, nonces

    def authenticate(self, username: str, password: str) -> DemoUser | None:
        login = username.strip()
        user = self.users.get(login.lower())
        if user is None and len(_digits(login)) == 11:
            user = self._users_by_cedula.get(_digits(login))
        expected = DEMO_PASSWORD if user is not None else secrets.token_urlsafe(16)
        matches = secrets.compare_digest(expected.encode(), password.encode())
        return user if matches else None

    def save_code(self, code: _Code) -> None:
        with self._lock:
            self._codes[code.code] = code
            if code.nonce:
                if len(self._nonce_order) == self._nonce_order.maxlen:
                    self._nonces.discard(self._nonce_order[0])
                self._nonce_order.append(code.nonce)
                self._nonces.add(code.nonce)

    def find_code(self, code: str, client_id: str) -> _Code | None:
        with self._lock:
            found = self._codes.get(code)
        if found is None or found.client_id != client_id or found.expires_at < time.time():
            return None
        return found

    def delete_code(self, code: str) -> None:
        with self._lock:
            self._codes.pop(code, None)

    def nonce_used(self, nonce: str) -> bool:
        with self._lock:
            return nonce in self._nonces

    # tokens for tests

    def issue_access_token(
        self,
        user: DemoUser | str,
        audience: str | Sequence[str] | None = None,
        expires_in: int = ACCESS_TOKEN_SECONDS,
        *,
        issuer: str | None = None,
        extra_claims: Mapping[str, Any] | None = None,
    ) -> str:
        """An access token like the token endpoint's, signed with the provider's key.

        For tests and scripts: any user (a `DemoUser` or a username), any audience,
        issuer or lifetime (negative: already expired).
        """
        found = self.users[user] if isinstance(user, str) else user
        now = int(time.time())
        claims: dict[str, Any] = {
            **found.claims(),
            "iss": issuer or self.issuer,
            "aud": self.api_audience if audience is None else audience,
            "iat": now,
            "exp": now + expires_in,
            "jti": generate_token(16),
            "client_id": "planasmun-tests",
            "scope": " ".join(SCOPES),
        }
        claims.update(extra_claims or {})
        header = {"alg": "RS256", "typ": "at+jwt", "kid": self.kid}
        return jwt.encode(header, claims, self._key, algorithms=["RS256"])

    def verify_access_token(self, token: str) -> DemoUser | None:
        try:
            claims = jwt.decode(token, self.private_keys, algorithms=["RS256"]).claims
        except (JoseError, ValueError):
            return None
        if claims.get("iss") != self.issuer or not isinstance(claims.get("exp"), int):
            return None
        if claims["exp"] <= time.time():
            return None
        return self.users_by_subject.get(str(claims.get("sub")))

    # HTTP

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks.json",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"]
            + (["password"] if self.password_grant else []),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": list(SCOPES),
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ]
            + (["none"] if self.password_grant else []),
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "name",
                "preferred_username",
                "email",
                "email_verified",
                ROLES_CLAIM,
            ],
            "ui_locales_supported": ["es-DO"],
        }

    def _count(self, request: Request) -> None:
        key = f"{request.method} {request.url.path}"
        with self._lock:
            self.calls[key] = self.calls.get(key, 0) + 1

    async def _discovery(self, request: Request) -> Response:
        self._count(request)
        return JSONResponse(self.metadata())

    async def _jwks(self, request: Request) -> Response:
        self._count(request)
        return JSONResponse(self.jwks())

    async def _token(self, request: Request) -> Response:
        self._count(request)
        async with request.form(max_files=0, max_fields=20) as form:
            items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        response: Response = self.server.create_token_response(_Request(request, items))
        return response

    async def _userinfo(self, request: Request) -> Response:
        self._count(request)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user = self.verify_access_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse(user.claims())

    async def _authorize(self, request: Request) -> Response:
        self._count(request)
        form: dict[str, str] = {}
        if request.method == "POST":
            async with request.form(max_files=0, max_fields=10) as data:
                form = {k: v for k, v in data.items() if isinstance(v, str)}
        # The OAuth parameters travel in the query string, also when the form is posted.
        oauth_request = _Request(request)
        try:
            grant = self.server.get_consent_grant(oauth_request, end_user=None)
        except OAuth2Error as error:
            if error.redirect_uri:  # the client and its redirect URI are known: tell it
                response: Response = self.server.handle_error_response(oauth_request, error)
                return response
            return self._page("invalid_request", status_code=400)
        if request.method == "GET":
            return self._login_form(request)
        if form.get("accion") == "cancelar":
            denied: Response = self.server.create_authorization_response(
                oauth_request, grant_user=None, grant=grant
            )
            return denied
        username = form.get("usuario", "")
        user = self.authenticate(username, form.get("contrasena", ""))
        if user is None:
            return self._login_form(request, username=username, failed=True)
        granted: Response = self.server.create_authorization_response(
            oauth_request, grant_user=user, grant=grant
        )
        return granted

    def _login_form(
        self, request: Request, *, username: str = "", failed: bool = False
    ) -> Response:
        action = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return self._page(
            "login",
            action=action,
            username=username,
            failed=failed,
            users=list(self.users.values()),
            password=DEMO_PASSWORD,
            status_code=200,
        )

    def _page(self, template: str, *, status_code: int, **context: Any) -> Response:
        html = _TEMPLATES.get_template(f"{template}.html").render(**context)
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Content-Security-Policy"] = self._content_security_policy()
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def _content_security_policy(self) -> str:
        """No scripts at all; the form may post here and be redirected to the clients."""
        targets = {"'self'"}
        for client in self.clients.values():
            for uri in client.redirect_uris:
                parts = urlsplit(uri)
                if parts.hostname in ("127.0.0.1", "localhost", "::1") and parts.port is None:
                    targets.add(f"{parts.scheme}://{parts.netloc}:*")
                else:
                    targets.add(f"{parts.scheme}://{parts.netloc}")
        return (
            "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
            f"form-action {' '.join(sorted(targets))}; frame-ancestors 'none'"
        )

    async def _stylesheet(self, request: Request) -> Response:
        return Response(
            _STYLESHEET,
            media_type="text/css",
            headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    def _build_app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery, methods=["GET"]),
                Route("/authorize", self._authorize, methods=["GET", "POST"]),
                Route("/token", self._token, methods=["POST"]),
                Route("/jwks.json", self._jwks, methods=["GET"]),
                Route("/userinfo", self._userinfo, methods=["GET", "POST"]),
                Route("/estilos.css", self._stylesheet, methods=["GET"]),
            ]
        )


def _new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)


# -- Pages: Spanish, no script, one h1, labels always visible --------------------------

_LAYOUT = """<!DOCTYPE html>
<html lang="es-DO">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} – Identidad PLANASMUN (demostración)</title>
<link rel="stylesheet" href="/estilos.css">
</head>
<body>
<a class="skip-link" href="#contenido">Saltar al contenido principal</a>
<header class="header"><div class="container">
<p class="header__name">PLANASMUN · Identidad</p>
<p class="header__tag">Proveedor de identidad de demostración</p>
</div></header>
<div class="container">
<main id="contenido" tabindex="-1">
{% block content %}{% endblock %}
</main>
</div>
</body>
</html>
"""

_LOGIN = """{% extends "layout.html" %}
{% block title %}{% if failed %}Error: {% endif %}Iniciar sesión{% endblock %}
{% block content %}
{% if failed %}
<div class="error-summary" aria-labelledby="error-summary-title" role="alert">
<h2 id="error-summary-title">Hay un problema</h2>
<ul><li><a href="#usuario">El usuario o la contraseña no son correctos.</a></li></ul>
</div>
{% endif %}
<h1>Iniciar sesión</h1>
<p>Inicie sesión para usar los servicios de PLANASMUN con su cuenta.</p>
<form method="post" action="{{ action }}" novalidate>
<div class="form-group{% if failed %} form-group--error{% endif %}">
<label class="label" for="usuario">Usuario o cédula</label>
<p class="hint" id="usuario-ayuda">Por ejemplo, maria o 001-1234567-8.</p>
{% if failed %}
<p class="error-message" id="usuario-error"><span class="visually-hidden">Error:</span>
El usuario o la contraseña no son correctos.</p>
{% endif %}
<input class="input" id="usuario" name="usuario" type="text" value="{{ username }}"
 autocomplete="username" autocapitalize="none" spellcheck="false"
 aria-describedby="usuario-ayuda{% if failed %} usuario-error{% endif %}"
 {%- if failed %} aria-invalid="true"{% endif %}>
</div>
<div class="form-group">
<label class="label" for="contrasena">Contraseña</label>
<input class="input" id="contrasena" name="contrasena" type="password"
 autocomplete="current-password" spellcheck="false">
</div>
<div class="buttons">
<button class="button" type="submit" name="accion" value="entrar">Iniciar sesión</button>
<button class="button button--secondary" type="submit" name="accion" value="cancelar">
Cancelar</button>
</div>
</form>
<section class="notice" aria-labelledby="cuentas">
<h2 id="cuentas">Cuentas de demostración</h2>
<p>Estas personas no existen y sus cédulas son inventadas. La contraseña de todas las
cuentas es <strong>{{ password }}</strong>.</p>
<table class="table">
<caption class="visually-hidden">Usuarios de demostración y su papel</caption>
<thead>
<tr><th scope="col">Usuario</th><th scope="col">Nombre</th><th scope="col">Papel</th></tr>
</thead>
<tbody>
{% for user in users %}
<tr><td>{{ user.username }}</td><td>{{ user.name }}</td><td>{{ user.description }}</td></tr>
{% endfor %}
</tbody>
</table>
</section>
{% endblock %}
"""

_INVALID = """{% extends "layout.html" %}
{% block title %}Solicitud no válida{% endblock %}
{% block content %}
<h1>La solicitud de inicio de sesión no es válida</h1>
<p>La aplicación que le envió aquí no está registrada o usó una dirección de regreso
que no le corresponde. Vuelva a la aplicación e inicie sesión desde allí.</p>
{% endblock %}
"""

_TEMPLATES = Environment(
    loader=DictLoader(
        {"layout.html": _LAYOUT, "login.html": _LOGIN, "invalid_request.html": _INVALID}
    ),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)

_STYLESHEET = """
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif;
  font-size: 1.1875rem; line-height: 1.5; color: %(text)s; background: %(background)s; }
.container { max-width: 40rem; margin: 0 auto; padding: 0 1rem; }
.header { color: %(on-brand)s; background: %(brand)s; border-bottom: 0.5rem solid %(accent)s;
  padding: 0.75rem 0; margin-bottom: 2rem; }
.header p { margin: 0; }
.header__name { font-size: 1.5rem; font-weight: 700; }
h1 { font-size: 2rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.5rem; margin: 0 0 0.75rem; }
a { color: %(link)s; }
a:focus-visible, button:focus-visible, input:focus-visible {
  outline: 3px solid %(text)s; outline-offset: 0; box-shadow: 0 0 0 6px %(focus)s; }
a:focus-visible { color: %(focus-text)s; background: %(focus)s; text-decoration: none; }
main:focus { outline: none; }
.skip-link { position: absolute; left: 0; top: 0; transform: translateY(-200%%);
  padding: 0.75rem 1rem; font-weight: 700; }
.skip-link:focus, .skip-link:focus-visible { position: static; display: block; transform: none; }
.form-group { margin-bottom: 1.5rem; }
.form-group--error { border-left: 5px solid %(error)s; padding-left: 1rem; }
.label { display: block; font-weight: 700; margin-bottom: 0.25rem; }
.hint { color: %(secondary-text)s; margin: 0 0 0.5rem; }
.error-message { color: %(error)s; font-weight: 700; margin: 0 0 0.5rem; }
.input { display: block; width: 100%%; max-width: 25rem; min-height: 2.75rem;
  padding: 0.375rem 0.5rem; font: inherit; color: %(text)s; background: %(background)s;
  border: 2px solid %(text)s; border-radius: 0; }
.form-group--error .input { border-color: %(error)s; }
.buttons { display: flex; flex-wrap: wrap; gap: 1rem; margin-bottom: 2rem; }
.button { min-height: 2.75rem; padding: 0.5rem 1rem; font: inherit; font-weight: 700;
  color: %(on-button)s; background: %(button)s; border: 2px solid transparent;
  border-radius: 0; box-shadow: 0 2px 0 %(text)s; cursor: pointer; }
.button:hover { background: %(button-hover)s; }
.button--secondary { color: %(text)s; background: %(panel)s; }
.button--secondary:hover { background: %(border)s; }
.button:focus-visible { color: %(focus-text)s; background: %(focus)s; }
.error-summary { border: 5px solid %(error)s; padding: 1rem; margin-bottom: 2rem; }
.error-summary h2 { margin-top: 0; }
.error-summary ul { margin: 0; padding-left: 1.25rem; }
.error-summary a { color: %(error)s; font-weight: 700; }
.notice { background: %(notice)s; border-left: 0.5rem solid %(text)s; padding: 1rem;
  margin-bottom: 2rem; }
.table { width: 100%%; border-collapse: collapse; }
.table th, .table td { text-align: left; padding: 0.25rem 0.5rem 0.25rem 0;
  border-bottom: 1px solid %(border)s; vertical-align: top; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px;
  padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
""" % dict(COLOURS)  # noqa: UP031 (CSS braces make str.format unreadable)


# -- Serving --------------------------------------------------------------------------


class ProviderHandle(Stoppable):
    """A provider listening on loopback, in a daemon thread of this process."""

    def __init__(self, provider: IdentityProvider, server: uvicorn.Server, sock: socket.socket):
        self.provider = provider
        self._server = server
        self._socket = sock
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="demo-identity", daemon=True
        )

    @property
    def issuer(self) -> str:
        return self.provider.issuer

    @property
    def port(self) -> int:
        port: int = self._socket.getsockname()[1]
        return port

    def issue_access_token(
        self,
        user: DemoUser | str,
        audience: str | Sequence[str] | None = None,
        expires_in: int = ACCESS_TOKEN_SECONDS,
        **options: Any,
    ) -> str:
        return self.provider.issue_access_token(user, audience, expires_in, **options)

    def _start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the demo identity provider did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()


def require_loopback(host: str) -> str:
    """`host` if it is an IPv4 loopback address or `localhost`; else `ValueError`.

    The provider's accounts and password are published: it never listens where another
    machine could reach it.
    """
    try:
        loopback = host == "localhost" or ipaddress.IPv4Address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            "the demo identity provider is for development and listens on loopback only "
            f"(127.0.0.1 or localhost); found host {host!r}"
        )
    return host


def start(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    clients: Iterable[DemoClient] | None = None,
    client_secret: str | None = None,
    users: Iterable[DemoUser] = DEMO_USERS,
    password_grant: bool = False,
) -> ProviderHandle:
    """Listen on `host:port` (0: any free port; loopback hosts only). Without `clients`,
    the hub's client (`planasmun-web`, any loopback port) with `client_secret` (random if
    None). `password_grant` lets public clients such as `developer_client()` trade a demo
    account's password for an access token."""
    require_loopback(host)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    issuer = f"http://{host}:{sock.getsockname()[1]}"
    if clients is None:
        secret = client_secret or secrets.token_urlsafe(32)
        clients = [loopback_client(DEFAULT_CLIENT_ID, secret)]
    provider = IdentityProvider(issuer, clients, users, password_grant=password_grant)
    config = uvicorn.Config(
        provider.app, lifespan="off", ws="none", log_level="warning", access_log=False
    )
    handle = ProviderHandle(provider, uvicorn.Server(config), sock)
    handle._start()
    return handle


def start_for_demo_hub(settings: IdentitySettings) -> ProviderHandle:
    """For `planasmun serve` in the demo: the provider on PLANASMUN_DEMO_IDP_PORT (8703),
    and the environment the hub's workers read, so that every worker agrees: the issuer,
    the client secret and the session key (random for this run unless already set)."""
    client_secret = os.environ.setdefault(settings.client_secret.env, secrets.token_urlsafe(32))
    os.environ.setdefault(settings.session_secret.env, secrets.token_urlsafe(32))
    extra = []
    if settings.redirect_base_url:
        extra.append(settings.redirect_base_url.rstrip("/") + CALLBACK_PATH)
    client = loopback_client(settings.client_id, client_secret, *extra)
    handle = start(int(os.environ.get(PORT_VARIABLE, DEFAULT_PORT)), clients=[client])
    os.environ[ISSUER_VARIABLE] = handle.issuer
    return handle


@contextlib.contextmanager
def running(port: int = 0, **options: Any) -> Iterator[ProviderHandle]:
    handle = start(port, **options)
    try:
        yield handle
    finally:
        handle.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="The demo's OpenID provider, on loopback.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--client-secret", default="demo-secret-not-for-production")
    args = parser.parse_args()
    handle = start(args.port, client_secret=args.client_secret)
    print(f"issuer {handle.issuer}; client {DEFAULT_CLIENT_ID} / {args.client_secret}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        handle.stop()


if __name__ == "__main__":
    main()
