from __future__ import annotations

import pytest

from accessibility.contrast import (
    AA_NORMAL_TEXT,
    contrast_ratio,
    meets,
    parse_hex,
    relative_luminance,
)


def test_parse_hex_accepts_short_and_long_forms() -> None:
    assert parse_hex("#fff") == (255, 255, 255)
    assert parse_hex("#1D70B8") == (29, 112, 184)


@pytest.mark.parametrize("bad", ["fff", "#ffff", "#gggggg", "", "rgb(0,0,0)"])
def test_parse_hex_rejects_anything_else(bad: str) -> None:
    with pytest.raises(ValueError, match="expected a colour"):
        parse_hex(bad)


def test_relative_luminance_of_black_and_white() -> None:
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#ffffff") == pytest.approx(1.0)


def test_relative_luminance_uses_the_srgb_curve() -> None:
    # 0x80 = 128: (128/255 + 0.055) / 1.055) ** 2.4 = 0.2158605
    assert relative_luminance((128, 128, 128)) == pytest.approx(0.2158605, abs=1e-6)
    # Channels are weighted: green is brightest, blue darkest.
    assert relative_luminance("#00ff00") > relative_luminance("#ff0000")
    assert relative_luminance("#ff0000") > relative_luminance("#0000ff")


def test_contrast_ratio_extremes_and_symmetry() -> None:
    assert contrast_ratio("#000", "#fff") == pytest.approx(21.0)
    assert contrast_ratio("#1d70b8", "#1d70b8") == pytest.approx(1.0)
    assert contrast_ratio("#fff", "#1d70b8") == contrast_ratio("#1d70b8", "#fff")


@pytest.mark.parametrize(
    ("foreground", "background", "expected"),
    [
        # Reference values from WebAIM's contrast checker.
        ("#767676", "#ffffff", 4.54),
        ("#777777", "#ffffff", 4.48),
        ("#1d70b8", "#ffffff", 5.17),
        ("#0b0c0c", "#ffdd00", 14.55),
    ],
)
def test_contrast_ratio_matches_reference_values(
    foreground: str, background: str, expected: float
) -> None:
    assert contrast_ratio(foreground, background) == pytest.approx(expected, abs=0.01)


def test_meets_uses_the_aa_threshold_by_default() -> None:
    assert meets("#767676", "#ffffff")
    assert not meets("#777777", "#ffffff")
    assert meets("#777777", "#ffffff", minimum=3.0)
    assert AA_NORMAL_TEXT == 4.5
