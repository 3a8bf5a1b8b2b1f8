"""Errors the gateway answers before GraphQL runs, shaped like GraphQL errors.

One JSON shape for every client: `{"errors": [{"message": "es (en)", "extensions":
{"code", "es", "en", ...}}]}`, never cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse


def error_response(
    status_code: int,
    code: str,
    es: str,
    en: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"{es} ({en})",
                    "extensions": {"code": code, **extensions, "es": es, "en": en},
                }
            ]
        },
        status_code=status_code,
        headers={**(headers or {}), "Cache-Control": "no-store"},
    )
