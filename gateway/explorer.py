"""The GraphQL explorer page; its script, editor bundle and styles are files under `/explorer/`.

With JavaScript the page is a full explorer (explorer.js, with the CodeMirror editors that
gateway/explorer-editor bundles into editor.bundle.js). Without it, the page is a plain
form: it GETs `/graphql?query=…&variables=…&operationName=…&run=1`, the endpoint runs the
query (queries only: GET never runs a mutation) and `explorer_response` writes the
answer into the page, beside the form filled in as it was sent. Every word the page shows
is in index.html; this module only fills in values and shows the paragraph that fits.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

ASSETS = Path(__file__).with_name("explorer")

#: The no-JavaScript form's submit button: a GET carrying it asks for the answer in the page.
RUN_PARAMETER = "run"

#: Which of the page's prepared status paragraphs (`data-outcome="…"`) a run shows.
Outcome = Literal["ok", "errors", "bad-variables", "not-query", "bad-operation"]


@functools.cache
def explorer_page() -> str:
    return (ASSETS / "index.html").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What the no-JavaScript form sent."""

    query: str
    variables_text: str
    operation_name: str

    def variables(self) -> dict[str, Any] | Literal[False] | None:
        """The variables object, None when there are none, False when they are not one."""
        if not self.variables_text.strip():
            return None
        try:
            value = orjson.loads(self.variables_text)
        except orjson.JSONDecodeError:
            return False
        return value if isinstance(value, dict) else False


@dataclass(frozen=True, slots=True)
class PageRun:
    """A run of the no-JavaScript form: what was sent, how it went, and the answer."""

    request: PageRequest
    outcome: Outcome
    answer: Mapping[str, Any] | None = None


def requested_run(params: Mapping[str, str]) -> PageRequest | None:
    """The run a GET /graphql from the page's own form asks for, or None (just the page)."""
    query = params.get("query", "")
    if RUN_PARAMETER not in params or not query.strip():
        return None
    return PageRequest(
        query=query,
        variables_text=params.get("variables", ""),
        operation_name=params.get("operationName", "").strip(),
    )


async def explorer_response(view: GraphQL[Any, Any], request: Request) -> HTMLResponse:
    """The explorer's page for a browser's GET /graphql, with the answer when asked for."""
    asked = requested_run(request.query_params)
    if asked is None:
        return HTMLResponse(explorer_page())
    run = await run_for_page(view, request, asked)
    # The answer may hold what only this caller may see: never kept by a cache.
    return HTMLResponse(page_with_run(run), headers={"cache-control": "no-store"})


async def run_for_page(view: GraphQL[Any, Any], request: Request, asked: PageRequest) -> PageRun:
    """Execute the form's query as the endpoint would execute a GET of it."""
    variables = asked.variables()
    if variables is False:
        return PageRun(asked, "bad-variables")
    context = await view.get_context(request, Response())
    try:
        result = await view.schema.execute(
            asked.query,
            variable_values=variables,
            context_value=context,
            root_value=await view.get_root_value(request),
            operation_name=asked.operation_name or None,
            allowed_operation_types={OperationType.QUERY},
        )
    except InvalidOperationTypeError:
        return PageRun(asked, "not-query")
    except CannotGetOperationTypeError:
        return PageRun(asked, "bad-operation")
    answer = await view.process_result(request, result)
    return PageRun(asked, "errors" if answer.get("errors") else "ok", answer)


def _replace_once(old: str, new: str, page: str) -> str:
    """Replace text that must be in the page exactly once: index.html and this go together."""
    count = page.count(old)
    if count != 1:
        raise RuntimeError(f"explorer page: {old!r} found {count} times")
    return page.replace(old, new)


def _unhide(page: str, marker: str) -> str:
    """Show the one element whose start tag holds `marker` and ends in ` hidden>`."""
    pattern = re.compile(rf"(<[a-z]+ [^>]*{re.escape(marker)}[^>]*) hidden>")
    found = pattern.findall(page)
    if len(found) != 1:
        raise RuntimeError(f"explorer page: {marker!r} found {len(found)} times")
    return pattern.sub(lambda m: m.group(1) + ">", page)


def page_with_run(run: PageRun) -> str:
    """The page with the form as it was sent, and the outcome and answer shown."""
    asked = run.request
    page = explorer_page()
    page = _fill_textarea(page, "query", asked.query)
    page = _fill_textarea(page, "variables", asked.variables_text)
    page = _replace_once(
        '<input id="operation-name" ',
        f'<input id="operation-name" value="{html.escape(asked.operation_name)}" ',
        page,
    )
    page = _replace_once(
        '<p id="status" class="status">', '<p id="status" class="status" hidden>', page
    )
    page = _unhide(page, f'data-outcome="{run.outcome}"')
    if run.answer is not None:
        answer = orjson.dumps(run.answer, option=orjson.OPT_INDENT_2).decode()
        page = _replace_once(
            '<pre id="response" class="code response" tabindex="0" hidden></pre>',
            '<pre id="response" class="code response" tabindex="0">'
            + html.escape(answer, quote=False)
            + "</pre>",
            page,
        )
    return page


def _fill_textarea(page: str, element_id: str, value: str) -> str:
    pattern = re.compile(rf'(<textarea id="{element_id}"[^>]*>).*?(</textarea>)', re.DOTALL)
    match = pattern.search(page)
    if match is None:
        raise RuntimeError(f"explorer page: no textarea {element_id!r}")
    # A newline right after <textarea> is dropped by the HTML parser: keep the value's own.
    content = html.escape(value, quote=False)
    if content.startswith("\n"):
        content = "\n" + content
    return page[: match.end(1)] + content + page[match.start(2) :]
