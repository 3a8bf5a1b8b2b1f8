"""Secrets by reference only: `{"$env": "NAME"}` in a file, resolved from the environment."""

from __future__ import annotations

import os
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EnvSecret(BaseModel):
    """A secret named by the environment variable that holds it.

    Its value is fetched only when a connector needs it and is never part of `repr`,
    logs or error messages.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    env: str = Field(alias="$env", pattern=r"^[A-Z_][A-Z0-9_]*$")

    def reveal(self) -> str:
        value = os.environ.get(self.env)
        if value is None:
            raise LookupError(f"environment variable {self.env} is not set")
        return value

    def __repr__(self) -> str:
        return f"EnvSecret($env={self.env!r})"

    __str__ = __repr__


def looks_like_secret_key(key: str) -> bool:
    """Keys whose values must never be echoed back in an error."""
    lowered = key.lower()
    return any(word in lowered for word in ("password", "secret", "token", "apikey", "api_key"))


_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@\s]*@")


def mask_url_passwords(text: str) -> str:
    """`scheme://user:secret@host` → `scheme://user:***@host`, anywhere in a text."""
    return _URL_PASSWORD.sub(r"\g<head>***@", text)


def describe_found(key: str, value: Any) -> str:
    """How an error message shows what was found, without leaking a secret."""
    if looks_like_secret_key(key) and not isinstance(value, dict):
        return "a literal value (not shown)"
    text = mask_url_passwords(repr(value))
    return text if len(text) <= 80 else text[:77] + "..."
