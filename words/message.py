"""A text named by its message id and parameters, worded where it is read."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from words.catalogue import translations


def N_(message_id: str) -> str:
    """Marks a message id for extraction; it is translated where it is read."""
    return message_id


def translate(
    domain: str, message_id: str, language: str, params: Mapping[str, object] | None = None
) -> str:
    """`message_id` of `domain` in `language` (`es` or `en`), with `params` put in."""
    text = translations(str(language), domain).gettext(message_id)
    return text % dict(params) if params else text


@dataclasses.dataclass(frozen=True, slots=True)
class Message:
    """A catalogue entry and the values it needs, not yet in any language."""

    domain: str
    id: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)

    def in_(self, language: str) -> str:
        return translate(self.domain, self.id, language, self.params)

    @property
    def es(self) -> str:
        return self.in_("es")

    @property
    def en(self) -> str:
        return self.in_("en")
