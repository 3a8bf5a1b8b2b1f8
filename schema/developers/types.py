"""GraphQL types of developers' API keys: never the key, but once, when it is issued."""

from __future__ import annotations

import datetime as dt
import enum

import strawberry

from schema.developers import keys as api_keys
from schema.developers.keys import ApiKeyRecord
from schema.paging import PROBLEMS, list_size


@strawberry.enum(description="What an API key lets its holder do.")
class ApiScope(enum.Enum):
    READ_PUBLIC = strawberry.enum_value(
        api_keys.ApiScope.READ_PUBLIC.value,
        description="Read public data on the key's own rate budget (public data is open "
        "to anyone; the key buys a larger budget).",
    )
    SUBMIT_OPEN311 = strawberry.enum_value(
        api_keys.ApiScope.SUBMIT_OPEN311.value,
        description="Submit service requests through Open311.",
    )

    @property
    def granted(self) -> api_keys.ApiScope:
        return api_keys.ApiScope[self.name]


@strawberry.type(
    description="A developer's API key as the national administrator sees it: its name, "
    "prefix and history, never the key."
)
class ApiKey:
    record: strawberry.Private[ApiKeyRecord]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="Who the key was issued to: an application or organisation.")
    def name(self) -> str:
        return self.record.name

    @strawberry.field(description="Where to reach the developer about this key.")
    def contact_email(self) -> str:
        return self.record.contact_email

    @strawberry.field(
        description="The start of the key, 'pm_' and 12 hexadecimal digits: enough to "
        "recognise it, not to use it."
    )
    def prefix(self) -> str:
        return f"{api_keys.KEY_PREFIX}_{self.record.prefix}"

    @strawberry.field
    def scopes(self) -> list[ApiScope]:
        return [ApiScope[scope.name] for scope in api_keys.known_scopes(self.record.scopes)]

    @strawberry.field
    def created_at(self) -> dt.datetime:
        return self.record.created_at

    @strawberry.field(description="When it was revoked; null while it works.")
    def revoked_at(self) -> dt.datetime | None:
        return self.record.revoked_at

    @strawberry.field(description="Last request made with it, to the minute; null if never.")
    def last_used_at(self) -> dt.datetime | None:
        return self.record.last_used_at

    @strawberry.field(description="True until the key is revoked.")
    def active(self) -> bool:
        return not self.record.revoked


@strawberry.enum(description="Why an API key operation was refused.")
class ApiKeyErrorCode(enum.Enum):
    REQUIRED = "required"
    INVALID = "invalid"
    TOO_LONG = "too_long"
    NOT_FOUND = "not_found"
    ALREADY_REVOKED = "already_revoked"


@strawberry.type(description="A problem with the input, in Spanish, naming the field to fix.")
class ApiKeyError:
    field: str | None = strawberry.field(
        description="The input field, e.g. 'contactEmail'; null for the whole request."
    )
    message: str
    code: ApiKeyErrorCode


@strawberry.input(description="A new API key for a developer.")
class IssueApiKeyInput:
    name: str = strawberry.field(description="The application or organisation it is for.")
    contact_email: str = strawberry.field(description="Where to reach the developer.")
    scopes: list[ApiScope] = strawberry.field(description="At least one.")


@strawberry.type
class IssueApiKeyPayload:
    api_key: ApiKey | None
    key: str | None = strawberry.field(
        description="The key itself, shown in this answer only: the hub stores a hash of "
        "it and can never show it again. Send it in the X-Api-Key header."
    )
    errors: list[ApiKeyError] = strawberry.field(directives=[list_size(PROBLEMS)])


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey | None
    errors: list[ApiKeyError] = strawberry.field(directives=[list_size(PROBLEMS)])
