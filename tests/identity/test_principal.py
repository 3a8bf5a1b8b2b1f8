from __future__ import annotations

import pytest

from gateway.identity import ANONYMOUS, Principal, PrincipalKind, StaffRole


def _staff() -> Principal:
    return Principal(
        subject="demo-personal-0004",
        display_name="Pedro Antonio Jiménez",
        kind=PrincipalKind.STAFF,
        staff_roles={
            "santo-domingo-este": frozenset({StaffRole.SUPERVISOR, StaffRole.AGENT}),
            "higuey": frozenset({StaffRole.AGENT}),
        },
    )


def test_roles_are_per_municipality() -> None:
    staff = _staff()
    assert staff.is_staff_of("santo-domingo-este")
    assert staff.is_staff_of("higuey")
    assert not staff.is_staff_of("santiago")
    assert staff.has_role("santo-domingo-este", StaffRole.SUPERVISOR)
    assert staff.has_role("santo-domingo-este", "agent")
    assert not staff.has_role("higuey", StaffRole.SUPERVISOR)
    assert not staff.has_role("santiago", StaffRole.AGENT)
    assert staff.municipalities == {"santo-domingo-este", "higuey"}
    assert not staff.is_national_admin


def test_an_unknown_role_name_is_an_error_not_a_silent_no() -> None:
    with pytest.raises(ValueError, match="jefe"):
        _staff().has_role("higuey", "jefe")


def test_a_principal_is_immutable_and_hashable() -> None:
    staff = _staff()
    with pytest.raises(AttributeError):
        staff.kind = PrincipalKind.NATIONAL_ADMIN  # type: ignore[misc]
    with pytest.raises(TypeError):
        staff.staff_roles["santiago"] = frozenset({StaffRole.ADMIN})  # type: ignore[index]
    assert hash(staff) == hash(_staff())
    assert staff == _staff()


def test_the_roles_given_are_copied() -> None:
    roles = {"santiago": {StaffRole.AGENT}}
    principal = Principal("s", "n", PrincipalKind.STAFF, roles)  # type: ignore[arg-type]
    roles["santiago"].add(StaffRole.ADMIN)
    roles["higuey"] = {StaffRole.ADMIN}
    assert principal.staff_roles == {"santiago": frozenset({StaffRole.AGENT})}


def test_anonymous() -> None:
    assert not ANONYMOUS.is_authenticated
    assert ANONYMOUS.subject is None
    assert not ANONYMOUS.is_staff_of("santiago")
    with pytest.raises(ValueError, match="anonymous"):
        Principal(None, "", PrincipalKind.CITIZEN)
    with pytest.raises(ValueError, match="anonymous"):
        Principal("s", "", PrincipalKind.ANONYMOUS)


def test_national_admin_is_not_staff_of_any_municipality() -> None:
    admin = Principal("demo-lmd-0006", "Luis Manuel Díaz", PrincipalKind.NATIONAL_ADMIN)
    assert admin.is_national_admin
    assert admin.is_authenticated
    assert not admin.is_staff_of("santiago")


def test_session_round_trip() -> None:
    staff = _staff()
    data = staff.to_session()
    assert set(data) == {"sub", "name", "kind", "roles"}
    assert data["roles"] == {"santo-domingo-este": ["agent", "supervisor"], "higuey": ["agent"]}
    assert Principal.from_session(data) == staff


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"sub": "s", "name": "n", "kind": "emperor", "roles": {}},
        {"sub": "s", "name": "n", "kind": "staff", "roles": {"santiago": ["jefe"]}},
        {"sub": "s", "name": "n", "kind": "staff", "roles": ["santiago"]},
    ],
)
def test_a_bad_session_is_refused(data: dict[str, object]) -> None:
    with pytest.raises((KeyError, ValueError)):
        Principal.from_session(data)


def test_the_display_name_stays_out_of_repr() -> None:
    """Names are personal data (Ley 172-13): a logged principal shows none."""
    text = repr(_staff()) + str(_staff())
    assert "Pedro" not in text
    assert "demo-personal-0004" in text
    assert "supervisor" in text
