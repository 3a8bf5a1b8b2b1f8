"""The languages the hub speaks to citizens in, for texts the schema itself words.

The schema answers in Spanish (es-DO) unless a field's `language` argument asks for
English: the web client passes the page's language, API clients whichever they show.
Data from the municipalities (service names, notes) is in the words they wrote it in.
The schema's own texts are catalogue entries (`words.Message`), worded with `worded`
where a field is read.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Protocol, runtime_checkable

import strawberry

from accessibility import Language as PageLanguage
from words import Message, translate

__all__ = ["Count", "Language", "Text", "Wordable", "worded"]


@strawberry.enum(description="A language the hub words its own texts in (Spanish by default).")
class Language(enum.Enum):
    ES = PageLanguage.SPANISH.value
    EN = PageLanguage.ENGLISH.value


@dataclasses.dataclass(frozen=True, slots=True)
class Text:
    """A text already worded in Spanish and in English (from the catalogues, or from the
    schema's answer), carried on as a pair, e.g. into an Open311 error."""

    es: str
    en: str

    def in_(self, language: Language | None) -> str:
        return self.en if language is Language.EN else self.es


@runtime_checkable
class Wordable(Protocol):
    """Something worded in a language code (`es`, `en`): a catalogue entry, a count, the
    words a configuration file gives in both languages. A message's parameter that is
    one is worded in the message's language."""

    def in_(self, language: str) -> str: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Count:
    """A number in figures: grouped by thousands in English (4,000), not in Spanish (4000)."""

    value: int

    def in_(self, language: str) -> str:
        return f"{self.value:,}" if language == Language.EN.value else str(self.value)

    def __str__(self) -> str:
        return str(self.value)


def worded(message: Wordable, language: Language | None) -> str:
    """A catalogue entry (or anything `Wordable`) in the language a field was asked for,
    Spanish by default; a message's `Wordable` parameters are worded in that language too."""
    code = (Language.ES if language is None else language).value
    if not isinstance(message, Message):
        return message.in_(code)
    params = {
        name: worded(value, language) if isinstance(value, Wordable) else value
        for name, value in message.params.items()
    }
    return translate(message.domain, message.id, code, params)
