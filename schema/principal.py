"""Who is asking: the principal every request carries, from a session or a bearer token.

A principal is a value: frozen, built once per request by the gateway's identity
middleware (which leaves it in the ASGI scope under `SCOPE_KEY`), and read by the
schema's permission checks, so that the web client, the explorer and any
API client get the same answer. It holds no personal data beyond the display name.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from starlette.requests import HTTPConnection


class PrincipalKind(enum.StrEnum):
    ANONYMOUS = "anonymous"
    CITIZEN = "citizen"
    #: Works for one or more local governments (see `Principal.staff_roles`).
    STAFF = "staff"
    #: The Liga Municipal Dominicana's administrators: national, not of a municipality.
    NATIONAL_ADMIN = "national_admin"
    #: An API client known only by its key (`X-Api-Key`, see `gateway.api_keys`): no
    #: person and no roles, only the key's scopes.
    DEVELOPER = "developer"


class StaffRole(enum.StrEnum):
    """A role in one local government. Roles do not imply one another: a supervisor
    who also handles requests holds `agent` too."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


StaffRoles = Mapping[str, frozenset[StaffRole]]

_NO_ROLES: StaffRoles = MappingProxyType({})


def freeze_roles(roles: Mapping[str, Iterable[StaffRole]]) -> StaffRoles:
    """A read-only copy; municipalities with no role are dropped."""
    return MappingProxyType(
        {municipality: frozenset(held) for municipality, held in roles.items() if held}
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    """The caller. `subject` is the provider's `sub`, None only for anonymous callers."""

    subject: str | None
    display_name: str
    kind: PrincipalKind
    #: Municipality id → roles there. Hashing ignores it (a mapping is unhashable).
    staff_roles: StaffRoles = dataclasses.field(default_factory=lambda: _NO_ROLES, hash=False)
    #: What an API key presented with this request grants (`schema.developers.keys.ApiScope`
    #: values). Never kept in the session: a key comes with every request.
    scopes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if (self.subject is None) != (self.kind is PrincipalKind.ANONYMOUS):
            raise ValueError("only an anonymous principal has no subject")
        if not isinstance(self.staff_roles, MappingProxyType):
            object.__setattr__(self, "staff_roles", freeze_roles(self.staff_roles))

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not PrincipalKind.ANONYMOUS

    @property
    def is_national_admin(self) -> bool:
        return self.kind is PrincipalKind.NATIONAL_ADMIN

    @property
    def municipalities(self) -> frozenset[str]:
        """The local governments this principal works for."""
        return frozenset(self.staff_roles)

    def has_scope(self, scope: str) -> bool:
        """An API key presented with this request grants `scope`."""
        return scope in self.scopes

    def is_staff_of(self, municipality_id: str) -> bool:
        return bool(self.staff_roles.get(municipality_id))

    def has_role(self, municipality_id: str, role: StaffRole | str) -> bool:
        """Exactly this role in exactly this municipality (a national admin has none)."""
        return StaffRole(role) in self.staff_roles.get(municipality_id, frozenset())

    def to_session(self) -> dict[str, Any]:
        """What the session cookie keeps: subject, name, kind and roles, nothing else."""
        return {
            "sub": self.subject,
            "name": self.display_name,
            "kind": self.kind.value,
            "roles": {m: sorted(r.value for r in roles) for m, roles in self.staff_roles.items()},
        }

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> Principal:
        """The inverse of `to_session`; raises ValueError (or KeyError) on anything else."""
        roles = data["roles"]
        if not isinstance(roles, Mapping):
            raise ValueError("roles must be a mapping")
        return cls(
            subject=str(data["sub"]),
            display_name=str(data["name"]),
            kind=PrincipalKind(data["kind"]),
            staff_roles={
                str(m): frozenset(StaffRole(r) for r in held) for m, held in roles.items()
            },
        )

    def __repr__(self) -> str:
        # The display name is personal data: it stays out of logs and tracebacks.
        roles = {m: sorted(r.value for r in held) for m, held in self.staff_roles.items()}
        return f"Principal(subject={self.subject!r}, kind={self.kind.value}, roles={roles})"

    __str__ = __repr__


#: The caller who presented nothing.
ANONYMOUS = Principal(subject=None, display_name="", kind=PrincipalKind.ANONYMOUS)


#: Where the gateway's identity middleware leaves the principal in the ASGI scope.
SCOPE_KEY = "planasmun.principal"


def principal_from_connection(connection: HTTPConnection) -> Principal:
    """The principal the identity middleware found for this request (anonymous without)."""
    found = connection.scope.get(SCOPE_KEY)
    if isinstance(found, Principal):
        return found
    scheme = connection.headers.get("authorization", "").strip().partition(" ")[0]
    if scheme.lower() == "bearer":
        # A token nobody verified must not be silently ignored: the app is miswired.
        raise RuntimeError("a bearer token arrived but the identity middleware is not installed")
    return ANONYMOUS
