"""Colour contrast as WCAG 2.x defines it (relative luminance, contrast ratio).

WCAG 2.2 quotes the sRGB threshold 0.04045 (earlier versions print 0.03928); no 8-bit
channel value falls between the two, so both give the same ratios.
"""

from __future__ import annotations

import re

RGB = tuple[int, int, int]

#: 1.4.3 Contrast (Minimum): body text.
AA_NORMAL_TEXT = 4.5
#: 1.4.3 for large text (24 px, or 18.66 px bold) and 1.4.11 for UI components and focus.
AA_LARGE_TEXT = 3.0
AA_NON_TEXT = 3.0

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_hex(colour: str) -> RGB:
    """`#rgb` or `#rrggbb` to a tuple of 0–255 channels."""
    if not _HEX.match(colour):
        raise ValueError(f"expected a colour like #1d70b8, got {colour!r}")
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str | RGB) -> float:
    r, g, b = parse_hex(colour) if isinstance(colour, str) else colour
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(first: str | RGB, second: str | RGB) -> float:
    """From 1.0 (same colour) to 21.0 (black on white); the order does not matter."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def meets(first: str | RGB, second: str | RGB, minimum: float = AA_NORMAL_TEXT) -> bool:
    return contrast_ratio(first, second) >= minimum
