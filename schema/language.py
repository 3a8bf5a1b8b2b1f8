"""The languages the hub speaks to citizens in, for texts the schema itself words.

The schema answers in Spanish (es-DO) unless a field's `language` argument asks for
English: the web client passes the page's language, API clients whichever they show.
Data from the municipalities (service names, notes) is in the words they wrote it in.
"""

from __future__ import annotations

import dataclasses
import enum

import strawberry

from accessibility import Language as PageLanguage

__all__ = ["Language", "Text"]


@strawberry.enum(description="A language the hub words its own texts in (Spanish by default).")
class Language(enum.Enum):
    ES = PageLanguage.SPANISH.value
    EN = PageLanguage.ENGLISH.value


@dataclasses.dataclass(frozen=True, slots=True)
class Text:
    """A text of the hub's own, in Spanish and in English."""

    es: str
    en: str

    def in_(self, language: Language | None) -> str:
        return self.en if language is Language.EN else self.es
