"""`Identity`: the provider, the token verifier and the role mapping of one running hub."""

from __future__ import annotations

import httpx
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware

from gateway.identity.errors import IdentityNotConfigured
from gateway.identity.middleware import IdentityMiddleware
from gateway.identity.provider import OpenIDProvider
from gateway.identity.roles import RoleMapper
from gateway.identity.sessions import SESSION_COOKIE, resolve_session_secret
from gateway.identity.settings import IdentitySettings
from gateway.identity.tokens import TokenVerifier
from schema.principal import Principal


class Identity:
    """Built with the app (a bad setting stops start-up); closed at shutdown."""

    def __init__(
        self,
        settings: IdentitySettings | None = None,
        *,
        behind_https: bool = False,
        demo: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings or IdentitySettings()
        self.behind_https = behind_https
        self.provider = OpenIDProvider(self.settings, transport=transport)
        self.verifier = TokenVerifier(self.provider, self.settings)
        self.mapper = RoleMapper(self.settings.roles)
        self.session_secret = resolve_session_secret(self.settings, demo=demo)

    @property
    def enabled(self) -> bool:
        """Login and bearer tokens work only with a provider configured."""
        return self.settings.issuer is not None

    def client_secret(self) -> str:
        try:
            return self.settings.client_secret.reveal()
        except LookupError:
            raise IdentityNotConfigured(
                f"set {self.settings.client_secret.env} to the hub's client secret"
            ) from None

    async def principal_from_token(self, token: str) -> Principal:
        """The principal of a bearer token; raises `TokenRejected`, `ProviderUnavailable`."""
        claims = await self.verifier.verify_access_token(token)
        return self.mapper.principal(claims)

    def middleware(self) -> list[Middleware]:
        """For `Starlette(middleware=[...])`, in this order, after the security headers."""
        return [
            Middleware(
                SessionMiddleware,
                secret_key=self.session_secret,
                session_cookie=SESSION_COOKIE,
                max_age=self.settings.session_max_age_seconds,
                same_site="lax",
                https_only=self.behind_https,
            ),
            Middleware(IdentityMiddleware, identity=self),
        ]

    async def aclose(self) -> None:
        await self.provider.aclose()
