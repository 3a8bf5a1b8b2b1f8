from __future__ import annotations

import pytest

from accessibility.views import View, choose_view, parse_view


def test_the_complete_view_is_the_default() -> None:
    assert choose_view(None, None) is View.COMPLETE


@pytest.mark.parametrize(
    ("requested", "remembered", "expected"),
    [
        ("simple", None, View.SIMPLE),
        (None, "simple", View.SIMPLE),
        ("completa", "simple", View.COMPLETE),  # the switch wins over the cookie
        ("SIMPLE ", None, View.SIMPLE),
        ("nonsense", "simple", View.SIMPLE),  # an unknown value falls through
        ("nonsense", "nonsense", View.COMPLETE),
        ("", None, View.COMPLETE),
    ],
)
def test_choose_view(requested: str | None, remembered: str | None, expected: View) -> None:
    assert choose_view(requested, remembered) is expected


def test_other_view_is_the_switch_target() -> None:
    assert View.COMPLETE.other is View.SIMPLE
    assert View.SIMPLE.other is View.COMPLETE


def test_parse_view_rejects_unknown_values() -> None:
    assert parse_view(None) is None
    assert parse_view("large") is None
