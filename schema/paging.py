"""Offset paging for lists, bounded so that no query can ask for everything at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TypeVar

from schema.errors import PublicError

T = TypeVar("T")

MAX_PAGE_SIZE = 200


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
                f"El argumento 'first' debe estar entre 0 y {MAX_PAGE_SIZE}.",
                code="BAD_USER_INPUT",
                argument="first",
            )
        if offset < 0:
            raise PublicError(
                "El argumento 'offset' no puede ser negativo.",
                code="BAD_USER_INPUT",
                argument="offset",
            )
        return cls(MAX_PAGE_SIZE if first is None else first, offset)

    def slice(self, items: Sequence[T]) -> list[T]:
        return list(items[self.offset : self.offset + self.first])
