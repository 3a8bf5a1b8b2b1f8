"""Issuing and revoking developers' API keys (national administrator only).

Input problems come back as data (`errors { field message code }`, in Spanish) so that
a form can point at the field to fix; a caller who may not manage keys gets a
`FORBIDDEN` (or `UNAUTHENTICATED`) error from the permission class instead.
"""

from __future__ import annotations

import re

import strawberry

from schema.context import Info
from schema.developers.keys import CONTACT_LENGTH, NAME_LENGTH, AlreadyRevoked, ApiKeyNotFound
from schema.developers.permissions import IsNationalAdmin
from schema.developers.resolvers import client_address, keys_of, store_errors
from schema.developers.types import (
    ApiKey,
    ApiKeyError,
    ApiKeyErrorCode,
    IssueApiKeyInput,
    IssueApiKeyPayload,
    RevokeApiKeyPayload,
)
from words import Message

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def issue_errors(input: IssueApiKeyInput) -> list[ApiKeyError]:
    """What is wrong with the input, one error per field at most."""
    errors = []
    name = input.name.strip()
    if not name:
        errors.append(
            ApiKeyError(
                field="name",
                message=Message(
                    "accounts", "Write the name of the application or organisation."
                ).es,
                code=ApiKeyErrorCode.REQUIRED,
            )
        )
    elif len(name) > NAME_LENGTH:
        errors.append(
            ApiKeyError(
                field="name",
                message=Message(
                    "accounts",
                    "The name cannot be longer than %(limit)s characters.",
                    {"limit": NAME_LENGTH},
                ).es,
                code=ApiKeyErrorCode.TOO_LONG,
            )
        )
    elif _CONTROL.search(name):
        errors.append(
            ApiKeyError(
                field="name",
                message=Message("accounts", "The name cannot contain control characters.").es,
                code=ApiKeyErrorCode.INVALID,
            )
        )
    email = input.contact_email.strip()
    if not email:
        errors.append(
            ApiKeyError(
                field="contactEmail",
                message=Message("accounts", "Write a contact email address.").es,
                code=ApiKeyErrorCode.REQUIRED,
            )
        )
    elif len(email) > CONTACT_LENGTH:
        errors.append(
            ApiKeyError(
                field="contactEmail",
                message=Message(
                    "accounts",
                    "The email address cannot be longer than %(limit)s characters.",
                    {"limit": CONTACT_LENGTH},
                ).es,
                code=ApiKeyErrorCode.TOO_LONG,
            )
        )
    elif not _EMAIL.fullmatch(email):
        errors.append(
            ApiKeyError(
                field="contactEmail",
                message=Message(
                    "accounts", "Write a valid email address, like name@example.do."
                ).es,
                code=ApiKeyErrorCode.INVALID,
            )
        )
    if not input.scopes:
        errors.append(
            ApiKeyError(
                field="scopes",
                message=Message("accounts", "Choose at least one permission for the key.").es,
                code=ApiKeyErrorCode.REQUIRED,
            )
        )
    return errors


def _no_store(info: Info) -> None:
    """The answer holds a secret: no cache may keep it."""
    response = info.context.response
    if response is not None:
        response.headers["Cache-Control"] = "no-store"


@strawberry.type
class DeveloperMutations:
    @strawberry.mutation(
        description="Issue an API key to a developer (national administrator only). The key "
        "is in this answer and nowhere else, ever: hand it over now.",
        permission_classes=[IsNationalAdmin],
    )
    async def issue_api_key(self, info: Info, input: IssueApiKeyInput) -> IssueApiKeyPayload | None:
        errors = issue_errors(input)
        if errors:
            return IssueApiKeyPayload(api_key=None, key=None, errors=errors)
        with store_errors():
            issued = await keys_of(info).issue(
                name=input.name.strip(),
                contact_email=input.contact_email.strip(),
                scopes=[scope.granted for scope in input.scopes],
                by=info.context.principal,
                client_address=client_address(info),
            )
        _no_store(info)
        return IssueApiKeyPayload(api_key=ApiKey(record=issued.record), key=issued.key, errors=[])

    @strawberry.mutation(
        description="Revoke an API key at once (national administrator only); it cannot be "
        "used again. The key stays in the listing, marked revoked.",
        permission_classes=[IsNationalAdmin],
    )
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> RevokeApiKeyPayload | None:
        try:
            with store_errors():
                record = await keys_of(info).revoke(
                    str(id), by=info.context.principal, client_address=client_address(info)
                )
        except ApiKeyNotFound:
            return RevokeApiKeyPayload(
                api_key=None,
                errors=[
                    ApiKeyError(
                        field="id",
                        message=Message("accounts", "There is no API key with that identifier.").es,
                        code=ApiKeyErrorCode.NOT_FOUND,
                    )
                ],
            )
        except AlreadyRevoked:
            return RevokeApiKeyPayload(
                api_key=None,
                errors=[
                    ApiKeyError(
                        field="id",
                        message=Message("accounts", "That API key was already revoked.").es,
                        code=ApiKeyErrorCode.ALREADY_REVOKED,
                    )
                ],
            )
        return RevokeApiKeyPayload(api_key=ApiKey(record=record), errors=[])
