from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gateway.identity import PrincipalKind, RoleMapper, RoleMappingSettings, StaffRole


def _claims(roles: Any, **more: Any) -> dict[str, Any]:
    return {"sub": "demo-1", "name": "María Altagracia Pérez", "planasmun_roles": roles, **more}


def test_citizen() -> None:
    principal = RoleMapper().principal(_claims(["citizen"]))
    assert principal.kind is PrincipalKind.CITIZEN
    assert principal.subject == "demo-1"
    assert principal.display_name == "María Altagracia Pérez"
    assert principal.staff_roles == {}


def test_staff_roles_per_municipality() -> None:
    principal = RoleMapper().principal(
        _claims(
            [
                "staff:santo-domingo-este:agent",
                "staff:santo-domingo-este:supervisor",
                "staff:santiago:admin",
            ]
        )
    )
    assert principal.kind is PrincipalKind.STAFF
    assert principal.staff_roles == {
        "santo-domingo-este": {StaffRole.AGENT, StaffRole.SUPERVISOR},
        "santiago": {StaffRole.ADMIN},
    }


def test_national_admin_keeps_any_staff_roles() -> None:
    principal = RoleMapper().principal(_claims(["national:admin", "staff:santiago:agent"]))
    assert principal.kind is PrincipalKind.NATIONAL_ADMIN
    assert principal.has_role("santiago", StaffRole.AGENT)


@pytest.mark.parametrize(
    "roles",
    [
        None,
        [],
        ["staff:santiago:jefe"],  # a role word nobody mapped
        ["staff:Santiago:agent"],  # not a municipality id
        ["staff:santiago:agent:extra"],
        ["staff::agent"],
        ["national:admins"],
        "national",
        42,
        [{"role": "national:admin"}],
    ],
)
def test_anything_else_grants_nothing_beyond_citizen(roles: Any) -> None:
    principal = RoleMapper().principal(_claims(roles))
    assert principal.kind is PrincipalKind.CITIZEN
    assert principal.staff_roles == {}


def test_a_space_or_comma_separated_string_is_read_as_a_list() -> None:
    principal = RoleMapper().principal(_claims("staff:santiago:agent, staff:higuey:supervisor"))
    assert principal.staff_roles == {
        "santiago": {StaffRole.AGENT},
        "higuey": {StaffRole.SUPERVISOR},
    }


def test_another_providers_claims_are_mapped_by_configuration() -> None:
    """A Keycloak-style provider: roles nested in `realm_access.roles`, Spanish words."""
    mapper = RoleMapper(
        RoleMappingSettings(
            claim="realm_access.roles",
            staff_pattern=r"^ayuntamiento-(?P<municipality>[a-z-]+)-(?P<role>[a-z]+)$",
            role_names={"agente": StaffRole.AGENT, "encargado": StaffRole.SUPERVISOR},
            national_admin_values=frozenset({"lmd-administrador"}),
        )
    )
    staff = mapper.principal(
        {
            "sub": "kc-1",
            "preferred_username": "pjimenez",
            "realm_access": {"roles": ["ayuntamiento-la-vega-encargado", "offline_access"]},
        }
    )
    assert staff.kind is PrincipalKind.STAFF
    assert staff.staff_roles == {"la-vega": {StaffRole.SUPERVISOR}}
    assert staff.display_name == "pjimenez"
    admin = mapper.principal({"sub": "kc-2", "realm_access": {"roles": ["lmd-administrador"]}})
    assert admin.kind is PrincipalKind.NATIONAL_ADMIN
    assert admin.display_name == "kc-2"
    # The bundled provider's own values mean nothing to this mapping.
    other = mapper.principal({"sub": "kc-3", "planasmun_roles": ["national:admin"]})
    assert other.kind is PrincipalKind.CITIZEN


def test_the_claims_must_name_a_subject() -> None:
    with pytest.raises(ValueError, match="subject"):
        RoleMapper().principal({"name": "x", "planasmun_roles": ["national:admin"]})


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (r"^staff:(?P<role>\w+)$", "municipality"),
        (r"^staff:(?P<municipality>[a-z-]+)$", "role"),
        (r"^staff:(", "not a regular expression"),
    ],
)
def test_a_pattern_without_both_groups_is_a_configuration_error(pattern: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RoleMappingSettings(staff_pattern=pattern)


def test_a_role_word_must_map_to_a_known_role() -> None:
    with pytest.raises(ValidationError):
        RoleMappingSettings.model_validate({"role_names": {"jefe": "emperor"}})
