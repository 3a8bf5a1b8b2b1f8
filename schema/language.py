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
from words import Message

__all__ = ["Language", "Text", "worded"]


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


def worded(message: Message, language: Language | None) -> str:
    """A catalogue entry in the language a field was asked for (Spanish by default)."""
    return message.in_(language.value if language is not None else Language.ES.value)
