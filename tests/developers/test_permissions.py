"""`HasScope` for API clients' operations, and `IsNationalAdmin`, in a schema of their own."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from connectors import Federation
from schema import HubContext
from schema.developers import keys as api_keys
from schema.developers.permissions import HasScope, IsNationalAdmin
from schema.developers.types import ApiScope
from schema.principal import ANONYMOUS, Principal, PrincipalKind


@strawberry.type
class Query:
    @strawberry.field(
        extensions=[PermissionExtension([HasScope(api_keys.ApiScope.SUBMIT_OPEN311)])]
    )
    def submit(self) -> str | None:
        return "enviado"

    @strawberry.field(permission_classes=[IsNationalAdmin])
    def admin(self) -> str | None:
        return "hecho"


SCHEMA = strawberry.Schema(query=Query)


def _principal(kind: PrincipalKind, *scopes: str) -> Principal:
    return Principal(f"sujeto-{kind.value}", "Nombre", kind, scopes=frozenset(scopes))


async def _run(federation: Federation, principal: Principal, field: str) -> tuple[object, str]:
    result = await SCHEMA.execute(
        f"{{ {field} }}", context_value=HubContext.create(federation, principal=principal)
    )
    code = "" if not result.errors else str(result.errors[0].extensions["code"])  # type: ignore[index]
    return (result.data or {}).get(field), code


async def test_has_scope_needs_a_key_that_grants_the_scope(federation: Federation) -> None:
    developer = _principal(PrincipalKind.DEVELOPER, "submit_open311")
    reader = _principal(PrincipalKind.DEVELOPER, "read_public")
    citizen_with_key = _principal(PrincipalKind.CITIZEN, "submit_open311")
    assert await _run(federation, developer, "submit") == ("enviado", "")
    assert await _run(federation, citizen_with_key, "submit") == ("enviado", "")
    assert await _run(federation, reader, "submit") == (None, "FORBIDDEN")
    assert await _run(federation, _principal(PrincipalKind.STAFF), "submit") == (None, "FORBIDDEN")
    assert await _run(federation, ANONYMOUS, "submit") == (None, "UNAUTHENTICATED")


async def test_is_national_admin(federation: Federation) -> None:
    assert await _run(federation, _principal(PrincipalKind.NATIONAL_ADMIN), "admin") == (
        "hecho",
        "",
    )
    developer = _principal(PrincipalKind.DEVELOPER, "submit_open311", "read_public")
    assert await _run(federation, developer, "admin") == (None, "FORBIDDEN")
    assert await _run(federation, ANONYMOUS, "admin") == (None, "UNAUTHENTICATED")


def test_the_schema_enum_mirrors_the_gateways_scopes() -> None:
    assert [s.name for s in ApiScope] == [s.name for s in api_keys.ApiScope]
    assert all(s.granted is api_keys.ApiScope[s.name] for s in ApiScope)
