"""GraphQL over HTTP media types: which one a client accepts, and what a request error is.

The GraphQL-over-HTTP specification defines `application/graphql-response+json`: a client
that accepts it learns from the status code whether its request was understood. A request
that cannot be executed at all (it does not parse, does not validate, or its variables do
not fit) is answered `400` without a `data` entry; errors raised while executing keep
`200` with `data`. A client that only accepts `application/json` (or says nothing) gets
the traditional answer: `200` for every well-formed GraphQL request.
"""

from __future__ import annotations

from typing import Any

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def preferred_media_type(accept: str | None) -> str:
    """The response's media type for an `Accept` header (JSON when it names neither)."""
    if not accept:
        return JSON
    quality: dict[str, float] = {}
    for index, part in enumerate(accept.split(",")):
        name, *parameters = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # Earlier entries win ties, as clients list what they prefer first.
        quality.setdefault(name.lower(), q - index * 1e-6)
    graphql_response = quality.get(GRAPHQL_RESPONSE, 0.0)
    if graphql_response > 0 and graphql_response >= quality.get(JSON, 0.0):
        return GRAPHQL_RESPONSE
    return JSON


def is_request_error(result: Any) -> bool:
    """Whether an answer is a request error: no data, and errors none of which has a path
    (a field's error always has one; parse, validation and coercion errors never do)."""
    if not isinstance(result, dict) or result.get("data") is not None:
        return False
    errors = result.get("errors")
    return (
        isinstance(errors, list)
        and bool(errors)
        and all(isinstance(e, dict) and e.get("path") is None for e in errors)
    )
