"""Who is calling: citizen and staff login (OpenID Connect), bearer tokens, roles.

The hub is an OpenID Connect relying party (`gateway.identity.login`: `/entrar`,
`/entrar/callback`, `/salir`) and its API a resource server accepting the same
provider's JWT access tokens. Every request gets a `Principal` from `IdentityMiddleware`
(bearer token, else session cookie, else anonymous) that `principal_from_connection()`
reads; staff roles are per municipality, mapped from the provider's claims by
`RoleMappingSettings`. The demo's provider is `demo.identity_provider`.

Wiring (see `gateway.app`)::

    identity = Identity(settings.identity, behind_https=..., demo=...)
    Starlette(routes=[*login_routes(identity), ...], middleware=[..., *identity.middleware()])
"""

from gateway.identity.errors import (
    IdentityError,
    IdentityNotConfigured,
    LoginFailed,
    LoginProblem,
    ProviderUnavailable,
    TokenProblem,
    TokenRejected,
)
from gateway.identity.middleware import IdentityMiddleware
from gateway.identity.provider import OpenIDProvider
from gateway.identity.roles import RoleMapper
from gateway.identity.service import Identity
from gateway.identity.settings import IdentitySettings, RoleMappingSettings
from gateway.identity.tokens import TokenVerifier
from gateway.identity.urls import login_link
from schema.principal import (
    ANONYMOUS,
    Principal,
    PrincipalKind,
    StaffRole,
    principal_from_connection,
)

__all__ = [
    "ANONYMOUS",
    "Identity",
    "IdentityError",
    "IdentityMiddleware",
    "IdentityNotConfigured",
    "IdentitySettings",
    "LoginFailed",
    "LoginProblem",
    "OpenIDProvider",
    "Principal",
    "PrincipalKind",
    "ProviderUnavailable",
    "RoleMapper",
    "RoleMappingSettings",
    "StaffRole",
    "TokenProblem",
    "TokenRejected",
    "TokenVerifier",
    "login_link",
    "principal_from_connection",
]
