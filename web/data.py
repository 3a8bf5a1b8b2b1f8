"""Running a page's GraphQL operation in-process: no HTTP hop, the hub's own schema."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import strawberry
from starlette.requests import Request


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """A GraphQL error the page shows: its message is plain Spanish from the schema."""

    message: str
    code: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class QueryResult:
    data: Mapping[str, Any]
    problems: tuple[Problem, ...]


class QueryFailed(RuntimeError):
    """The operation returned no data at all: a bug in the page's query, not a source —
    or a refusal of a non-null root field (`problems` then carries its code)."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


async def run_query(
    schema: strawberry.Schema,
    request: Request,
    query: str,
    variables: Mapping[str, Any] | None = None,
) -> QueryResult:
    hub = request.app.state.hub
    result = await schema.execute(
        query,
        variable_values=dict(variables or {}),
        context_value=hub.context(request),
    )
    problems: list[Problem] = []
    for error in result.errors or []:
        code = (error.extensions or {}).get("code")
        problem = Problem(error.message, None if code is None else str(code))
        if problem not in problems:  # one failed source may fail several fields
            problems.append(problem)
    if result.data is None:
        messages = "; ".join(e.message for e in result.errors or [])
        raise QueryFailed(f"the web client's query returned no data: {messages}", tuple(problems))
    return QueryResult(result.data, tuple(problems))
