"""The national administrator's listing of API keys, and the errors every operation maps."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import strawberry

from schema.context import Info
from schema.developers.keys import ApiKeys, ApiKeyStoreUnavailable
from schema.developers.permissions import IsNationalAdmin
from schema.developers.types import ApiKey
from schema.errors import PublicError
from schema.paging import list_size
from store.audit import AuditLogError
from words import Message


class KeysUnavailable(PublicError):
    code = "UNAVAILABLE"


def keys_of(info: Info) -> ApiKeys:
    keys = info.context.api_keys
    if keys is None:
        raise KeysUnavailable(Message("accounts", "This server has no register of API keys.").es)
    return keys


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """The hub store's failures as a public error (the details go to the log only)."""
    try:
        yield
    except (ApiKeyStoreUnavailable, AuditLogError) as exc:
        raise KeysUnavailable(
            Message(
                "accounts",
                "The register of API keys could not be consulted. Try again in a few minutes.",
            ).es
        ) from exc


def client_address(info: Info) -> str | None:
    request = info.context.request
    client = None if request is None else request.client
    return None if client is None else client.host


@strawberry.type
class DeveloperQueries:
    @strawberry.field(
        description="Every API key ever issued, newest first (national administrator only). "
        "Never the keys themselves.",
        permission_classes=[IsNationalAdmin],
        directives=[list_size(100)],
    )
    async def api_keys(self, info: Info) -> list[ApiKey] | None:
        with store_errors():
            records = await keys_of(info).list_keys(by=info.context.principal)
        return [ApiKey(record=record) for record in records]
