"""The one `httpx.AsyncClient` of a `rest` source: its headers, its credentials, its pool."""

from __future__ import annotations

import httpx

from connectors.errors import ConnectorConfigError
from connectors.rest.config import RestSourceConfig
from connectors.secrets import Redactor

__all__ = ["new_client"]


def new_client(config: RestSourceConfig, label: str, redactor: Redactor) -> httpx.AsyncClient:
    """A client for the service, with its credentials revealed (and kept by `redactor`)."""
    headers = {"Accept": "application/json", **config.headers}
    params: dict[str, str] = {}
    auth: httpx.Auth | None = None
    secrets: list[str] = []
    try:
        if config.bearer_token is not None:
            token = config.bearer_token.reveal()
            headers["Authorization"] = f"Bearer {token}"
            secrets.append(token)
        if config.api_key is not None:
            key = config.api_key.value.reveal()
            if config.api_key.query_param is not None:
                params[config.api_key.query_param] = key
            else:
                assert config.api_key.header is not None
                headers[config.api_key.header] = key
            secrets.append(key)
        if config.http_basic is not None:
            password = config.http_basic.password.reveal()
            auth = httpx.BasicAuth(config.http_basic.username, password)
            secrets.append(password)
    except LookupError as exc:
        raise ConnectorConfigError(f"{label}: {exc}") from None
    redactor.forget()
    for secret in secrets:
        redactor.keep(secret)
    return httpx.AsyncClient(
        base_url=config.base_url,
        headers=headers,
        params=params,
        auth=auth,
        verify=config.verify_tls,
        timeout=httpx.Timeout(config.timeout_seconds),
        limits=httpx.Limits(
            max_connections=config.max_connections,
            max_keepalive_connections=config.max_connections,
        ),
        follow_redirects=False,
    )
