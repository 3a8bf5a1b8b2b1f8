"""The citizen web client: server-rendered pages over the same GraphQL schema.

Pages run their GraphQL operations in-process through the hub's schema, render Jinja2
templates in Spanish (es-DO) or English, in the complete or the simplified view, and
need no JavaScript.
"""

from __future__ import annotations

import strawberry
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from web.citizen_pages import citizen_routes
from web.errors import exception_handlers
from web.figures_pages import FiguresPages
from web.pages import Pages
from web.request_pages import request_routes
from web.routing import Example, ExampleURL, Page, example_urls, pages
from web.staff_pages import staff_routes
from web.templating import STATIC_DIR, STATIC_ROUTE, default_renderer


def build_routes(schema: strawberry.Schema) -> list[BaseRoute]:
    """The web client's routes; catalogues and templates are loaded here, at start-up."""
    renderer = default_renderer()
    return [
        *Pages(schema, renderer).routes(),
        *FiguresPages(schema, renderer).routes(),
        *citizen_routes(schema, renderer),
        *request_routes(schema, renderer),
        *staff_routes(schema, renderer),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name=STATIC_ROUTE),
    ]


__all__ = [
    "Example",
    "ExampleURL",
    "Page",
    "build_routes",
    "example_urls",
    "exception_handlers",
    "pages",
]
