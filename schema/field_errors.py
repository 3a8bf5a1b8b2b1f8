"""Problems with a mutation's input, answered as data next to the field they concern.

`FieldError` is the shared shape for every domain's input problems: the input field (or
null for the whole operation), a stable `code` a client can branch on, and a message in
plain Spanish or English that never repeats the value given (it may be personal). The
message is a catalogue entry, worded in the language the client asks for.
"""

from __future__ import annotations

import strawberry

from schema.language import Language, worded
from words import Message

__all__ = ["FieldError", "problem"]


@strawberry.type(description="A problem with the input, to show next to the field it concerns.")
class FieldError:
    text: strawberry.Private[Message]
    field: str | None = strawberry.field(
        description="The input field to fix (e.g. 'description', 'answers.<code>'); null "
        "for the whole operation."
    )
    code: str = strawberry.field(
        description="Stable code, e.g. REQUIRED, TOO_LONG, CONSENT_REQUIRED, UNAUTHENTICATED."
    )

    @strawberry.field(description="What to do about it, in plain words; never repeats the value.")
    def message(self, language: Language = Language.ES) -> str:
        return worded(self.text, language)


def problem(field: str | None, code: str, message: Message) -> FieldError:
    return FieldError(text=message, field=field, code=code)
