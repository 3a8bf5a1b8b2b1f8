"""The identity settings, embedded in the hub's `Settings` as `identity`.

From the environment with a double underscore between the levels, e.g.
`PLANASMUN_IDENTITY__ISSUER=https://login.example.gob.do` or
`PLANASMUN_IDENTITY__ROLES__CLAIM=groups`. Secrets are named by the variable that holds
them (`{"$env": "NAME"}`), never written in settings.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.secrets import EnvSecret
from schema.principal import StaffRole

#: The default session lifetime: a working day.
EIGHT_HOURS = 8 * 3600


class RoleMappingSettings(BaseModel):
    """How the provider's claims become PLANASMUN roles.

    The defaults read the bundled provider's `planasmun_roles` claim, a list such as
    `["staff:santo-domingo-este:agent"]`, `["national:admin"]` or `["citizen"]`. Another
    provider is mapped by naming its claim (a dotted path reaches nested claims, as in
    Keycloak's `realm_access.roles`) and the pattern of its values. Anyone who signs in
    and holds no staff or national role is a citizen.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    claim: str = Field(
        default="planasmun_roles",
        description="Claim holding the roles: a list of strings, or one string of values "
        "separated by spaces or commas. A dotted path reaches into nested objects.",
    )
    staff_pattern: str = Field(
        default=r"^staff:(?P<municipality>[a-z0-9]+(?:-[a-z0-9]+)*):(?P<role>[a-z_]+)$",
        description="Regular expression for a staff value, with the named groups "
        "`municipality` (a municipality id) and `role`.",
    )
    role_names: dict[str, StaffRole] = Field(
        default_factory=lambda: {role.value: role for role in StaffRole},
        description="The provider's role words (the `role` group) → PLANASMUN's roles; "
        "a word not listed grants nothing.",
    )
    national_admin_values: frozenset[str] = Field(
        default=frozenset({"national:admin"}),
        description="Values that make the holder a national administrator (LMD).",
    )

    @field_validator("staff_pattern")
    @classmethod
    def _groups_present(cls, pattern: str) -> str:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        missing = {"municipality", "role"} - set(compiled.groupindex)
        if missing:
            raise ValueError(f"the pattern needs the named group(s) {sorted(missing)}")
        return pattern


class IdentitySettings(BaseModel):
    """Citizen and staff login (OpenID Connect) and the API's bearer tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: Annotated[str, Field(pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")] | None = Field(
        default=None,
        description="The OpenID provider's issuer URL; its discovery document is at "
        "`<issuer>/.well-known/openid-configuration`. Unset: login is off, and in the "
        "demo `planasmun serve` starts the bundled provider and sets this.",
    )
    client_id: str = Field(default="planasmun-web", min_length=1)
    client_secret: EnvSecret = Field(
        default=EnvSecret.model_validate({"$env": "PLANASMUN_OIDC_CLIENT_SECRET"}),
        description="The hub's client secret at the provider, by reference.",
    )
    scopes: str = Field(default="openid profile email")
    redirect_base_url: str | None = Field(
        default=None,
        description="The hub's public base URL (e.g. https://planasmun.gob.do), from which "
        "the callback URL `<base>/entrar/callback` is built; unset: the request's own.",
    )
    api_audience: str = Field(
        default="planasmun-api",
        min_length=1,
        description="The `aud` every bearer token presented to the API must carry.",
    )
    clock_skew_seconds: int = Field(default=30, ge=0, le=300)
    jwks_cache_seconds: float = Field(
        default=3600.0,
        ge=0,
        description="How long the provider's discovery document and keys are kept.",
    )
    jwks_min_refresh_seconds: float = Field(
        default=10.0,
        ge=0,
        description="A token signed with an unknown key refetches the keys (the provider "
        "may have rotated them), at most this often.",
    )
    http_timeout_seconds: float = Field(default=5.0, gt=0)
    session_secret: EnvSecret = Field(
        default=EnvSecret.model_validate({"$env": "PLANASMUN_SESSION_SECRET"}),
        description="Signs the session cookie. Required outside the demo; the demo makes "
        "a random one when the variable is unset (sessions then end with the process).",
    )
    session_max_age_seconds: int = Field(default=EIGHT_HOURS, ge=60)
    roles: RoleMappingSettings = Field(default_factory=RoleMappingSettings)

    @property
    def discovery_url(self) -> str | None:
        if self.issuer is None:
            return None
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"
