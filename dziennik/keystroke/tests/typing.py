"""Typings for tests: what the login page's capture sends for a rhythm (numbers only)."""

from __future__ import annotations

import json

import numpy as np

from dziennik.accounts.tests.factories import TEST_PASSWORD

KEYS = len(TEST_PASSWORD)  # keystroke.js skips Shift and Enter: one stroke per character


def rhythm(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A person's own rhythm: hold times and key-down to key-down times, in ms."""
    rng = np.random.default_rng(seed)
    return rng.uniform(60, 140, size=KEYS), rng.uniform(120, 320, size=KEYS - 1)


def field(person: tuple[np.ndarray, np.ndarray], rng, spread: float = 0.08) -> str:
    """The hidden field of one typing of the password in ``person``'s rhythm."""
    holds, gaps = person
    holds = holds * rng.lognormal(0.0, spread, size=holds.size)
    gaps = gaps * rng.lognormal(0.0, spread, size=gaps.size)
    downs = np.concatenate(([0.0], np.cumsum(gaps)))
    strokes = [
        [round(down, 1), round(down + hold, 1)] for down, hold in zip(downs, holds, strict=True)
    ]
    return json.dumps({"v": 1, "t": strokes})
