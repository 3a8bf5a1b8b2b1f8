"""Pages: GET routes that render HTML and say which URLs show them at their fullest.

Every page declares examples taken from the demo data. The accessibility harness
(`tests/web/test_accessibility.py`) discovers pages from the route table and loads every
example in Chromium with axe-core, so a page cannot be added without being audited: a
`Page` refuses to exist without examples, and a test fails for any other HTML route.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from starlette.routing import BaseRoute, Route


@dataclasses.dataclass(frozen=True, slots=True)
class Example:
    """One URL of a page: path parameters and query string, the status it answers, and
    the demo account (`demo.identity_provider`) the audits sign in as to see it
    (None: anonymous)."""

    path_params: Mapping[str, str] = dataclasses.field(default_factory=dict)
    query: Mapping[str, str] = dataclasses.field(default_factory=dict)
    status: int = 200
    signed_in_as: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ExampleURL:
    page: str
    url: str
    status: int
    signed_in_as: str | None = None


class Page(Route):
    """A GET (and HEAD) route rendering HTML for citizens; `examples` may not be empty."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        name: str,
        examples: Sequence[Example],
    ) -> None:
        super().__init__(path, endpoint, methods=["GET"], name=name)
        if not examples:
            raise ValueError(f"page {name!r} must declare at least one example URL")
        self.examples: tuple[Example, ...] = tuple(examples)
        # Building every URL now turns a wrong parameter name into a start-up error.
        self.example_urls = tuple(
            ExampleURL(name, self._url(example), example.status, example.signed_in_as)
            for example in self.examples
        )

    def _url(self, example: Example) -> str:
        path = quote(str(self.url_path_for(self.name, **example.path_params)))
        return f"{path}?{urlencode(dict(example.query))}" if example.query else path


def pages(routes: Iterable[BaseRoute]) -> Iterator[Page]:
    """The pages among `routes`. Pages are top-level routes: a mount would change their URLs."""
    for route in routes:
        if isinstance(route, Page):
            yield route


def example_urls(routes: Iterable[BaseRoute]) -> list[ExampleURL]:
    """Every example URL of every page among `routes`, in route order."""
    return [url for page in pages(routes) for url in page.example_urls]
