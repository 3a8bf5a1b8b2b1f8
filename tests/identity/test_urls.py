from __future__ import annotations

import pytest

from gateway.identity.urls import safe_next


@pytest.mark.parametrize(
    "value", ["/", "/municipios/santiago", "/municipios/santiago?q=licencia&categoria=urbanismo"]
)
def test_local_paths_are_kept(value: str) -> None:
    assert safe_next(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "municipios",
        "/a\r\nSet-Cookie: x=1",
        "/" + "a" * 600,
    ],
)
def test_anything_else_is_dropped(value: str | None) -> None:
    assert safe_next(value) is None
