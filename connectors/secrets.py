"""Secrets: given by reference only, and never shown.

One place says how a secret is kept out of sight, for every kind of source:

- in a file, a secret is a reference, `{"$env": "NAME"}`, resolved from the environment
  only when a connector needs it (`EnvSecret`);
- a literal secret found in a file is replaced by `Hidden` before validation, so that an
  error never echoes it (`hide_literal`, `reject_hidden`, `require_reference`);
- what an error says it found never shows a secret (`describe_found`), and passwords in
  URLs are masked (`mask_url_password` for one URL, `mask_url_passwords` in any text);
- the values a connector has revealed are replaced by `***` in every message it writes
  (`Redactor`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: What stands for a secret in a message.
HIDDEN = "***"
#: What an error says it found where a secret was written literally.
NOT_SHOWN = "a literal value (not shown)"


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


# ------------------------------------------------------------------- literal secrets in files


class Hidden:
    """Stands in for a literal secret during validation, so that no error ever echoes it.

    `reason` is what the error says was expected instead (see `reject_hidden`).
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str = "") -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return NOT_SHOWN


def hide_literal(data: Any, key: str, reason: str, *, only_text: bool = False) -> Any:
    """`data` with a literal (non-reference) secret under `key` replaced by `Hidden(reason)`.

    For a model validator that runs before pydantic sees the value. With `only_text`,
    only a string counts as a literal secret.
    """
    if not isinstance(data, Mapping):
        return data
    value = data.get(key)
    literal = (
        isinstance(value, str)
        if only_text
        else value is not None and not isinstance(value, Mapping | EnvSecret)
    )
    return {**data, key: Hidden(reason)} if literal else data


def reject_hidden(value: Any) -> Any:
    """A field validator's check: a hidden literal secret is refused with its reason."""
    if isinstance(value, Hidden):
        raise ValueError(value.reason)
    return value


def require_reference(value: Any, expected: str) -> Any:
    """A field validator's check: a secret written as text (or hidden) is refused."""
    if isinstance(value, Hidden | str):
        raise ValueError(expected)
    return value


def looks_like_secret_key(key: str) -> bool:
    """Keys whose values must never be echoed back in an error."""
    lowered = key.lower()
    return any(word in lowered for word in ("password", "secret", "token", "apikey", "api_key"))


# ----------------------------------------------------------------------------- in messages

_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@\s]*@")


def mask_url_passwords(text: str) -> str:
    """`scheme://user:secret@host` → `scheme://user:***@host`, anywhere in a text."""
    return _URL_PASSWORD.sub(rf"\g<head>{HIDDEN}@", text)


def mask_url_password(url: str) -> str:
    """`scheme://user:secret@host` → `scheme://user:***@host`, even in a URL that does not parse.

    The whole text is one URL: up to its last `@`, so that a password with an unescaped
    `@` or `/` is hidden whole.
    """
    scheme, separator, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:{HIDDEN}@{host}"


def describe_found(key: str, value: Any) -> str:
    """How an error message shows what was found, without leaking a secret."""
    if looks_like_secret_key(key) and not isinstance(value, dict):
        return NOT_SHOWN
    text = mask_url_passwords(repr(value))
    return text if len(text) <= 80 else text[:77] + "..."


class Redactor:
    """The secrets a connector has revealed; `redact` hides each of them in a text."""

    __slots__ = ("_secrets",)

    def __init__(self) -> None:
        self._secrets: list[str] = []

    def forget(self) -> None:
        """Before the secrets are revealed again (they may have changed)."""
        self._secrets = []

    def keep(self, secret: str) -> None:
        """A value just revealed: from now on it is hidden in messages."""
        if secret:
            self._secrets.append(secret)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, HIDDEN)
        return text
