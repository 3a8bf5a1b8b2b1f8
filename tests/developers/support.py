"""GraphQL over HTTP for the API key tests."""

from __future__ import annotations

from typing import Any

import httpx

ISSUE = """
mutation Issue($input: IssueApiKeyInput!) {
  issueApiKey(input: $input) {
    key
    apiKey { id name contactEmail prefix scopes createdAt revokedAt lastUsedAt active }
    errors { field message code }
  }
}
"""
REVOKE = """
mutation Revoke($id: ID!) {
  revokeApiKey(id: $id) {
    apiKey { id prefix active revokedAt }
    errors { field message code }
  }
}
"""
LIST = "{ apiKeys { id name contactEmail prefix scopes createdAt revokedAt lastUsedAt active } }"
KEY_PATTERN = r"pm_[0-9a-f]{12}_[A-Za-z0-9_-]{43}"


def headers(token: str | None = None, key: str | None = None) -> dict[str, str]:
    found = {}
    if token is not None:
        found["Authorization"] = f"Bearer {token}"
    if key is not None:
        found["X-Api-Key"] = key
    return found


def graphql(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    key: str | None = None,
) -> httpx.Response:
    return client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers(token, key),
    )


def issue(
    client: httpx.Client,
    token: str,
    name: str = "Transporte SDE",
    scopes: tuple[str, ...] = ("READ_PUBLIC", "SUBMIT_OPEN311"),
    email: str = "equipo@transporte.example.do",
) -> dict[str, Any]:
    """Issue a key as `token`'s holder; the mutation's payload (asserting it worked)."""
    response = graphql(
        client,
        ISSUE,
        {"input": {"name": name, "contactEmail": email, "scopes": list(scopes)}},
        token=token,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["issueApiKey"]
    assert payload["errors"] == []
    return payload
