"""Reading pages the way a test needs: parsed HTML, text by language, visible strings."""

from __future__ import annotations

import copy

import lxml.html
from lxml.html import HtmlElement

#: Attributes whose text people read or hear.
SPOKEN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


def parse(text: str) -> HtmlElement:
    return lxml.html.document_fromstring(text)


def text_of(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def texts(document: HtmlElement, xpath: str) -> list[str]:
    return [text_of(e) for e in document.xpath(xpath)]


def text_in_page_language(document: HtmlElement) -> str:
    """Visible text and spoken attributes, without parts marked as another language."""
    page = copy.deepcopy(document)
    page_lang = page.get("lang", "")
    for head in page.xpath("//head"):
        head.drop_tree()
    for part in page.xpath("//body//*[@lang]"):
        if part.get("lang") != page_lang and part.getparent() is not None:
            part.drop_tree()
    spoken = [value for name in SPOKEN_ATTRIBUTES for value in page.xpath(f"//body//@{name}")]
    return " ".join([page.text_content(), *map(str, spoken)])
