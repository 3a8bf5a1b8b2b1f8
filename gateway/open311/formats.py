"""Open311 answers in JSON and XML, and the spec's error format.

Every endpoint builds one plain value (dicts, lists, strings, numbers, booleans, None)
and a root element name; `render` writes it as JSON, or as XML with `xml.etree` (never by
joining strings): a dict becomes child elements in its order, a list repeats the item
element its parent's name calls for (`services` → `service`, `service_requests` →
`request`…), None an empty element, booleans `true`/`false`.

Errors are a list of `{code, description}` (`<errors><error>…`), `code` being the HTTP
status, the description in plain Spanish, or English when the client prefers it.
"""

from __future__ import annotations

import enum
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.responses import Response

from gateway.open311 import words
from schema.language import Language, Text, worded
from words import Message

__all__ = [
    "ITEM_NAMES",
    "Format",
    "Open311Error",
    "error_response",
    "render",
    "to_xml",
]

#: The element each list's items are written as, by the list's own element name.
ITEM_NAMES: Mapping[str, str] = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


class Format(enum.StrEnum):
    JSON = "json"
    XML = "xml"

    @property
    def media_type(self) -> str:
        return "application/json" if self is Format.JSON else "text/xml"

    @classmethod
    def of(cls, value: str) -> Format | None:
        try:
            return cls(value.lower())
        except ValueError:
            return None


#: A problem's description: a catalogue entry, a text the schema gave in both languages,
#: or a plain string as the schema worded it.
Description = Message | Text | str


def _worded(description: Description, language: Language) -> str:
    if isinstance(description, Message):
        return worded(description, language)
    if isinstance(description, Text):
        return description.in_(language)
    return description


class Open311Error(Exception):
    """An answer in the spec's error format: HTTP `status`, one entry per problem, each
    worded in the answer's language (see `Description`)."""

    def __init__(self, status: int, *descriptions: Description) -> None:
        super().__init__(str(status))
        self.status = status
        self.descriptions: tuple[Description, ...] = descriptions or (words.REQUEST_ERROR,)

    def body(self, language: Language = Language.ES) -> list[dict[str, Any]]:
        return [
            {"code": self.status, "description": _worded(d, language)} for d in self.descriptions
        ]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for name, child in value.items():
            _fill(ET.SubElement(element, str(name)), child)
        return
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        item = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item), child)
        return
    element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """`value` under the element `root`, as a UTF-8 document with its declaration."""
    element = ET.Element(root)
    _fill(element, value)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return body


def render(
    value: Any,
    root: str,
    fmt: Format,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """`value` as JSON (as is) or as XML under `root`."""
    body = orjson.dumps(value) if fmt is Format.JSON else to_xml(root, value)
    return Response(
        body,
        status_code=status,
        media_type=f"{fmt.media_type}; charset=utf-8",
        headers=dict(headers or {}),
    )


def error_response(error: Open311Error, fmt: Format, language: Language = Language.ES) -> Response:
    return render(
        error.body(language),
        "errors",
        fmt,
        status=error.status,
        headers={"Cache-Control": "no-store"},
    )
