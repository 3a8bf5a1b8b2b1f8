"""Who may do what with API keys, and the scope check for API clients' operations.

Both raise `PublicError`s (so the gateway shows them): `UNAUTHENTICATED` for a caller who
presented nothing, `FORBIDDEN` for one who may not. Use them as field extensions::

    @strawberry.mutation(permission_classes=[IsNationalAdmin])
    @strawberry.mutation(extensions=[PermissionExtension([HasScope(ApiScope.SUBMIT_OPEN311)])])
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema import personal
from schema.context import Info
from schema.developers.keys import ApiScope
from schema.errors import PublicError
from words import Message


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"


class Forbidden(PublicError):
    code = "FORBIDDEN"


class IsNationalAdmin(personal.IsNationalAdmin):
    """Only the Liga Municipal Dominicana's national administrators (the schema's one
    check, `schema.personal.IsNationalAdmin`), in the words of API keys."""

    message = Message("accounts", "Only the national administration (LMD) may manage API keys.").es
    unauthenticated_message = Message(
        "accounts", "Sign in as a national administrator (LMD) to manage API keys."
    ).es


class HasScope(BasePermission):
    """The request presented an API key (`X-Api-Key`) that grants `scope`."""

    def __init__(self, scope: ApiScope) -> None:
        self.scope = scope
        self.message = Message(
            "accounts",
            "This operation needs an API key with the %(scope)s permission; send it in the "
            "X-Api-Key header.",
            {"scope": scope.name},
        ).es

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if not principal.is_authenticated:
            raise Unauthenticated(self.message or "", requiredScope=self.scope.name)
        return principal.has_scope(self.scope)

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message or "", requiredScope=self.scope.name)
