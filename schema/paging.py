"""Offset paging for lists, bounded so that no query can ask for everything at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TypeVar

import strawberry
from strawberry.schema_directive import Location

from schema.errors import PublicError
from words import Message

T = TypeVar("T")

MAX_PAGE_SIZE = 200
#: A payload's `errors`: at most about one per input field.
PROBLEMS = 20


NEGATIVE_OFFSET = Message("schema", "The 'offset' argument cannot be negative.")


def first_out_of_range(maximum: int) -> Message:
    """Why a list's `first` argument was refused: it must be between 0 and `maximum`."""
    return Message(
        "schema", "The 'first' argument must be between 0 and %(maximum)s.", {"maximum": maximum}
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    first: int
    offset: int

    @classmethod
    def of(cls, first: int | None, offset: int) -> Page | None:
        if first is None and offset == 0:
            return None
        if first is not None and not 0 <= first <= MAX_PAGE_SIZE:
            raise PublicError(
                first_out_of_range(MAX_PAGE_SIZE),
                code="BAD_USER_INPUT",
                argument="first",
            )
        if offset < 0:
            raise PublicError(
                NEGATIVE_OFFSET,
                code="BAD_USER_INPUT",
                argument="offset",
            )
        return cls(MAX_PAGE_SIZE if first is None else first, offset)

    def slice(self, items: Sequence[T]) -> list[T]:
        return list(items[self.offset : self.offset + self.first])


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="How many items a list field holds, for the query cost limit (in the "
    "spirit of the GraphQL Cost specification's @listSize): the value of the first "
    "slicing argument given (or its default), else `assumedSize`. `sizedFields` are list "
    "fields of the result that the slicing argument sizes instead.",
)
class ListSize:
    assumed_size: int | None = strawberry.UNSET
    slicing_arguments: list[str] | None = strawberry.UNSET
    sized_fields: list[str] | None = strawberry.UNSET


def list_size(
    assumed: int | None = None, *, slicing: tuple[str, ...] = (), sized: tuple[str, ...] = ()
) -> ListSize:
    """`@listSize` for a field's `directives=[…]`; only the parts given appear in the SDL."""
    return ListSize(
        assumed_size=strawberry.UNSET if assumed is None else assumed,
        slicing_arguments=list(slicing) if slicing else strawberry.UNSET,
        sized_fields=list(sized) if sized else strawberry.UNSET,
    )


def paged(assumed: int) -> ListSize:
    """A paged list: its size is `first` (or `first`'s default), else `assumed`."""
    return list_size(assumed, slicing=("first",))
