"""Which media type an `Accept` header asks for, and what counts as a request error."""

from __future__ import annotations

import pytest

from gateway.graphql_media import GRAPHQL_RESPONSE, JSON, is_request_error, preferred_media_type


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", JSON),
        (f"application/json;q=0.9, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0, application/json", JSON),
        (f"{GRAPHQL_RESPONSE};q=oops", JSON),
    ],
)
def test_preferred_media_type(accept: str | None, expected: str) -> None:
    assert preferred_media_type(accept) == expected


def test_a_request_error_has_no_data_and_no_error_with_a_path() -> None:
    assert is_request_error({"data": None, "errors": [{"message": "Syntax Error"}]})
    assert is_request_error({"errors": [{"message": "Unknown field", "path": None}]})
    assert not is_request_error({"data": None, "errors": [{"message": "x", "path": ["a"]}]})
    assert not is_request_error({"data": {"a": 1}, "errors": [{"message": "x"}]})
    assert not is_request_error({"data": None, "errors": []})
