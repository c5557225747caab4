"""Colour contrast as WCAG 2.1 defines it (success criterion 1.4.3, "Contrast (Minimum)").

Schools choose colours for things the register shows (attendance kinds, grade
categories); a colour must stay readable on the white page.
"""

from __future__ import annotations

import math
import re

# Level AA for normal text.
AA_NORMAL_TEXT = 4.5

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def normalise_hex(value: str) -> str | None:
    """``#rrggbb`` in lower case for ``#rgb``/``#rrggbb`` (with or without ``#``), else None."""
    match = _HEX.match((value or "").strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a ``#rrggbb`` colour (0 black … 1 white)."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str = "#ffffff") -> float:
    """The contrast ratio of two ``#rrggbb`` colours, 1 … 21."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def shown_ratio(ratio: float) -> float:
    """The ratio rounded *down* to two decimals for messages, so that a colour just under
    the limit (4.499) is never shown as meeting it (4.50)."""
    return math.floor(ratio * 100) / 100
