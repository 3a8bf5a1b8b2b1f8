"""The hub as an OpenID Connect relying party: `/entrar`, `/entrar/callback`, `/salir`.

Authorization-code flow with PKCE (S256), `state` and `nonce`, built with authlib's
protocol helpers over the provider's shared httpx client (authlib's own httpx
integration is deprecated in favour of httpx2, which the hub does not use). `state`,
`nonce` and the PKCE verifier wait in the signed session cookie until the callback,
which takes them out once (a replayed callback finds nothing), exchanges the code, and
verifies the ID token against the provider's keys (signature, issuer, audience, expiry,
nonce) before the session holds the principal. Sign-out is a page
with a button: a POST carrying the session's CSRF token.

Kept apart from the package's `__init__`: these routes render the web client's
templates, and the web client's pages import the schema, which imports the principal.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.identity import urls
from gateway.identity.errors import (
    IdentityNotConfigured,
    LoginFailed,
    LoginProblem,
    ProviderUnavailable,
    TokenRejected,
)
from gateway.identity.service import Identity
from gateway.identity.sessions import (
    remember_login,
    sign_in,
    sign_out,
    take_login,
)
from schema.principal import principal_from_connection
from web.csrf import checks_own_token, csrf_matches, csrf_token
from web.preferences import read_preferences
from web.routing import Example, Page
from web.templating import Renderer, default_renderer

log = logging.getLogger("planasmun.identity")

#: RFC 7636 allows 43 to 128 characters; authlib's alphabet is letters and digits.
_VERIFIER_LENGTH = 64
_STATUS = {
    LoginProblem.STATE: 400,
    LoginProblem.CODE: 400,
    LoginProblem.DENIED: 400,
    LoginProblem.ID_TOKEN: 400,
    LoginProblem.UNAVAILABLE: 503,
    LoginProblem.NOT_CONFIGURED: 503,
}


class OAuthRefused(Exception):
    """The token endpoint answered with an OAuth error (the code was refused)."""


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


class LoginRoutes:
    def __init__(self, identity: Identity, renderer: Renderer | None = None) -> None:
        self.identity = identity
        self.renderer = renderer or default_renderer()

    def _authorization_url(
        self, endpoint: str, redirect_uri: str, state: str, nonce: str, verifier: str
    ) -> str:
        url: str = prepare_grant_uri(
            endpoint,
            client_id=self.identity.settings.client_id,
            response_type="code",
            redirect_uri=redirect_uri,
            scope=self.identity.settings.scopes,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
        return url

    async def _exchange_code(self, endpoint: str, code: str, login: dict[str, Any]) -> Any:
        """The token endpoint's answer; `OAuthRefused` when it says no."""
        settings = self.identity.settings
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=login["redirect_uri"],
            code_verifier=login["verifier"],
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        auth = ClientAuth(settings.client_id, self.identity.client_secret(), "client_secret_basic")
        endpoint, headers, body = auth.prepare("POST", endpoint, headers, body)
        response = await self.identity.provider.http_client().post(
            endpoint, content=body, headers=headers
        )
        answer = response.json()
        if not isinstance(answer, dict):
            raise ValueError("the token endpoint's answer is not a JSON object")
        if "error" in answer or response.status_code != 200:
            raise OAuthRefused(str(answer.get("error", response.status_code)))
        return answer

    def _failure(self, request: Request, failure: LoginFailed) -> Response:
        log.info("%s", failure)
        response = self.renderer.render(
            request,
            read_preferences(request),
            "auth/login_error.html",
            {"problem": failure.problem.value},
            status_code=_STATUS[failure.problem],
        )
        return _no_store(response)

    async def login(self, request: Request) -> Response:
        """Send the browser to the provider, remembering state, nonce and verifier."""
        try:
            if not self.identity.enabled:
                raise LoginFailed(LoginProblem.NOT_CONFIGURED)
            metadata = await self.identity.provider.metadata()
        except ProviderUnavailable as exc:
            return self._failure(request, LoginFailed(LoginProblem.UNAVAILABLE, str(exc)))
        except LoginFailed as failure:
            return self._failure(request, failure)
        redirect_uri = urls.callback_url(request, self.identity.settings.redirect_base_url)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = generate_token(_VERIFIER_LENGTH)
        url = self._authorization_url(
            metadata["authorization_endpoint"], redirect_uri, state, nonce, verifier
        )
        remember_login(
            request.session,
            state,
            {
                "nonce": nonce,
                "verifier": verifier,
                "redirect_uri": redirect_uri,
                "next": urls.safe_next(request.query_params.get(urls.NEXT_PARAMETER)),
            },
        )
        return _no_store(RedirectResponse(url, status_code=302))

    async def callback(self, request: Request) -> Response:
        try:
            destination = await self._finish_login(request)
        except LoginFailed as failure:
            return self._failure(request, failure)
        return _no_store(RedirectResponse(destination, status_code=303))

    async def _finish_login(self, request: Request) -> str:
        if not self.identity.enabled:
            raise LoginFailed(LoginProblem.NOT_CONFIGURED)
        params = request.query_params
        # Whatever the outcome, this state cannot be used twice.
        login = take_login(request.session, params.get("state"))
        if "error" in params:
            problem = (
                LoginProblem.DENIED if params["error"] == "access_denied" else LoginProblem.CODE
            )
            raise LoginFailed(problem, f"the provider answered {params['error'][:40]!r}")
        if login is None:
            raise LoginFailed(LoginProblem.STATE, "no login with this state in this session")
        code = params.get("code")
        if not code:
            raise LoginFailed(LoginProblem.CODE, "no code in the callback")
        try:
            metadata = await self.identity.provider.metadata()
            token = await self._exchange_code(metadata["token_endpoint"], code, login)
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise LoginFailed(LoginProblem.ID_TOKEN, "the token response has no ID token")
            claims = await self.identity.verifier.verify_id_token(id_token, nonce=login["nonce"])
            principal = self.identity.mapper.principal(claims)
        except OAuthRefused as exc:
            raise LoginFailed(LoginProblem.CODE, f"token endpoint: {str(exc)[:40]}") from None
        except TokenRejected as exc:
            raise LoginFailed(LoginProblem.ID_TOKEN, exc.problem.value) from None
        except (ProviderUnavailable, httpx.HTTPError, ValueError) as exc:
            raise LoginFailed(LoginProblem.UNAVAILABLE, type(exc).__name__) from None
        except IdentityNotConfigured as exc:
            raise LoginFailed(LoginProblem.NOT_CONFIGURED, str(exc)) from None
        sign_in(request.session, principal, self.identity.provider.issuer)
        log.info("signed in: a %s", principal.kind.value)
        return str(login.get("next") or "/")

    def _logout_page(self, request: Request, *, expired: bool = False) -> Response:
        principal = principal_from_connection(request)
        context = {
            "principal": principal,
            "csrf": csrf_token(request.session) if principal.is_authenticated else "",
            "expired": expired,
            "login_url": urls.login_link(request, urls.LOGOUT),
        }
        response = self.renderer.render(
            request,
            read_preferences(request),
            "auth/logout.html",
            context,
            status_code=400 if expired else 200,
        )
        return _no_store(response)

    async def logout_page(self, request: Request) -> Response:
        return self._logout_page(request)

    @checks_own_token  # a stale token gets the sign-out page again, not a bare refusal
    async def logout(self, request: Request) -> Response:
        async with request.form(max_files=0, max_fields=5) as form:
            submitted = form.get("csrf")
        if not csrf_matches(request.session, submitted):
            return self._logout_page(
                request, expired=principal_from_connection(request).is_authenticated
            )
        sign_out(request.session)
        return _no_store(RedirectResponse(request.url_for(urls.LOGOUT).path, status_code=303))

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/entrar", self.login, methods=["GET"], name=urls.LOGIN),
            Page(
                "/entrar/callback",
                self.callback,
                name=urls.LOGIN_CALLBACK,
                # Without a login started in this browser: the page that explains it.
                examples=[Example(query={"state": "ejemplo", "code": "ejemplo"}, status=400)],
            ),
            Page("/salir", self.logout_page, name=urls.LOGOUT, examples=[Example()]),
            Route("/salir", self.logout, methods=["POST"], name=urls.LOGOUT_SUBMIT),
        ]


def login_routes(identity: Identity, renderer: Renderer | None = None) -> list[BaseRoute]:
    """The routes for `create_app`, before the web client's (a `Page` is top-level)."""
    return LoginRoutes(identity, renderer).routes()
