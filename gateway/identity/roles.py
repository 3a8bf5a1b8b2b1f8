"""Claims → principal, by the configured role mapping (`RoleMappingSettings`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from gateway.identity.settings import RoleMappingSettings
from schema.principal import Principal, PrincipalKind, StaffRole

log = logging.getLogger("planasmun.identity")

_SEPARATORS = re.compile(r"[\s,]+")


class RoleMapper:
    """Reads the roles claim of a verified ID token, access token or userinfo answer."""

    def __init__(self, settings: RoleMappingSettings | None = None) -> None:
        self.settings = settings or RoleMappingSettings()
        self._staff = re.compile(self.settings.staff_pattern)

    def values(self, claims: Mapping[str, Any]) -> list[str]:
        """The roles claim as a list of strings (empty when absent or of another shape)."""
        found: Any = claims
        for part in self.settings.claim.split("."):
            if not isinstance(found, Mapping):
                return []
            found = found.get(part)
        if isinstance(found, str):
            return [value for value in _SEPARATORS.split(found) if value]
        if isinstance(found, list | tuple):
            return [value for value in found if isinstance(value, str)]
        return []

    def staff_roles(self, values: list[str]) -> dict[str, set[StaffRole]]:
        roles: dict[str, set[StaffRole]] = {}
        for value in values:
            match = self._staff.fullmatch(value)
            if match is None:
                continue
            role = self.settings.role_names.get(match["role"])
            if role is None:
                log.debug("role value ignored: unknown role word %r", match["role"])
                continue
            roles.setdefault(match["municipality"], set()).add(role)
        return roles

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        """The principal for verified claims; `sub` must be a non-empty string."""
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise ValueError("the claims carry no subject")
        values = self.values(claims)
        staff = self.staff_roles(values)
        if any(value in self.settings.national_admin_values for value in values):
            kind = PrincipalKind.NATIONAL_ADMIN
        elif staff:
            kind = PrincipalKind.STAFF
        else:
            kind = PrincipalKind.CITIZEN
        return Principal(
            subject=subject,
            display_name=_display_name(claims, subject),
            kind=kind,
            staff_roles={m: frozenset(r) for m, r in staff.items()},
        )


def _display_name(claims: Mapping[str, Any], subject: str) -> str:
    for claim in ("name", "preferred_username", "given_name"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:200]
    return subject
