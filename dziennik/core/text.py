"""Text helpers shared by every app."""

from __future__ import annotations


def polish_sort_key(text: str) -> tuple[int, ...]:
    """Alphabetical order of the Polish alphabet (ą after a, ł after l, ż last…)."""
    alphabet = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
    return tuple(alphabet.index(ch) if ch in alphabet else 100 + ord(ch) for ch in text.lower())
