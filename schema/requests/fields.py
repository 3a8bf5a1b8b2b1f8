"""GraphQL types of the questions a request for a service asks (Open311 attributes), read
from the request forms; a service lists them, a request's answers refer to them."""

from __future__ import annotations

import enum

import strawberry

from schema.language import Language, worded
from schema.paging import list_size
from schema.requests.forms import MAX_CHOICES, FieldType, FormField, FormWords

__all__ = ["RequestField", "RequestFieldChoice", "RequestFieldType"]


@strawberry.enum(description="What kind of answer a request field takes (Open311 datatypes).")
class RequestFieldType(enum.Enum):
    STRING = "STRING"
    NUMBER = "NUMBER"
    DATETIME = "DATETIME"
    TEXT = "TEXT"
    SINGLEVALUELIST = "SINGLEVALUELIST"
    MULTIVALUELIST = "MULTIVALUELIST"

    @classmethod
    def of(cls, datatype: FieldType) -> RequestFieldType:
        return cls(datatype.value.upper())


@strawberry.type(description="One of the answers a list field offers.")
class RequestFieldChoice:
    key: str
    words: strawberry.Private[FormWords]

    @strawberry.field(description="What the citizen sees.")
    def name(self, language: Language = Language.ES) -> str:
        return worded(self.words, language)


@strawberry.type(
    description="A question a request for this service asks, beyond the description and the "
    "location (an Open311 attribute). Numbers are sent as '12' or '3.5', dates as "
    "'2026-12-25' (ISO 8601), a multiple choice as one answer per chosen key."
)
class RequestField:
    spec: strawberry.Private[FormField]

    @strawberry.field(description="The answer's code in `answers` (and in Open311).")
    def code(self) -> str:
        return self.spec.code

    @strawberry.field(description="The question.")
    def label(self, language: Language = Language.ES) -> str:
        return worded(self.spec.label, language)

    @strawberry.field(description="Help shown under the question.")
    def description(self, language: Language = Language.ES) -> str | None:
        words = self.spec.description
        return None if words is None else worded(words, language)

    @strawberry.field
    def datatype(self) -> RequestFieldType:
        return RequestFieldType.of(self.spec.datatype)

    @strawberry.field
    def required(self) -> bool:
        return self.spec.required

    @strawberry.field(description="Where to ask it: ascending.")
    def order(self) -> int:
        return self.spec.order

    @strawberry.field(
        description="For list fields: the answers to choose from.",
        directives=[list_size(MAX_CHOICES)],
    )
    def choices(self) -> list[RequestFieldChoice]:
        return [RequestFieldChoice(key=c.key, words=c.name) for c in self.spec.choices]
