"""What the login page's KeyStroke capture sends, and how it is read (docs/keystroke.md).

``accounts/static/accounts/keystroke.js`` records, for each key pressed in the password
field, when it went down and when it came up, in milliseconds from the first key-down —
never which key or character. It sends ``{"v": 1, "t": [[down, up], …]}`` in the hidden
field ``keystroke``, or nothing when the password was not simply typed (pasted, filled by
a password manager, edited, a touch keyboard that hides its keys).

``parse`` turns that into the detector's timing vector (``dziennik.keystroke.detector``):
``H1, DD1.2, UD1.2, H2, …, Hk`` in seconds. Anything absent, malformed, oversized or
impossible gives ``None``, and the login goes on as if no timings had been sent: the
capture can never lock anybody out. It lives here, with the login, so that the login can
read it without knowing the detector; the keystroke app above builds on it.
"""

from __future__ import annotations

import json
import math

FIELD = "keystroke"
VERSION = 1
MAX_CHARS = 8192
MAX_KEYS = 128
MAX_MILLISECONDS = 10 * 60 * 1000  # typing a password for longer than this is no rhythm


def _stroke(value) -> tuple[float, float] | None:
    if not isinstance(value, list) or len(value) != 2:
        return None
    for time in value:
        if isinstance(time, bool) or not isinstance(time, int | float):
            return None
        if not math.isfinite(time) or not 0 <= time <= MAX_MILLISECONDS:
            return None
    down, up = float(value[0]), float(value[1])
    return (down, up) if up >= down else None


def _strokes(raw: str) -> list[tuple[float, float]] | None:
    if not isinstance(raw, str) or not raw or len(raw) > MAX_CHARS:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("v") != VERSION:
        return None
    values = data.get("t")
    if not isinstance(values, list) or not 2 <= len(values) <= MAX_KEYS:
        return None
    strokes = [_stroke(value) for value in values]
    if any(stroke is None for stroke in strokes):
        return None
    downs = [down for down, _ in strokes]
    return strokes if downs == sorted(downs) else None


def parse(raw: str) -> list[float] | None:
    """The timing vector in seconds (3k − 2 numbers for k keys), or None."""
    strokes = _strokes(raw)
    if strokes is None:
        return None
    vector = []
    for index, (down, up) in enumerate(strokes):
        vector.append((up - down) / 1000)
        if index + 1 < len(strokes):
            next_down = strokes[index + 1][0]
            vector.append((next_down - down) / 1000)
            vector.append((next_down - up) / 1000)
    return vector
