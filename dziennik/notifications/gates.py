"""Channel gates: who may be told on a channel at all, decided by an app above this one.

A family's SMS (and push, where the school sells it) depends on what the family paid
for – the access plans (``dziennik.plans``). The plans app sits above notifications in
the import layers (it tells families through the outbox), so notifications cannot ask
it directly. Instead an app registers a ``ChannelGate`` here when Django starts
(``AppConfig.ready``) and the outbox's fan-out (``services._deliveries``) asks every
registered gate once per ``notify`` call, for all its recipients together. With no gate
registered nothing is withheld.

A gate answers in bulk, so a fan-out to any number of families costs the gate a fixed
number of queries, and explains itself to one person for their settings page
(``explain``): why a channel is off for them and where to get it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

# (recipient's user id, the student the notification is about or None)
Pair = tuple[int, int | None]


@dataclass(frozen=True)
class Withheld:
    """Why ``channel`` is off for a person, and the page where they can get it."""

    channel: str
    label: str  # what is withheld, as the person knows it ("SMS info")
    reason: str
    url: str = ""
    link_text: str = ""


class ChannelGate(Protocol):
    def withheld(
        self,
        *,
        school_id: int,
        pairs: set[Pair],
        channels: frozenset[str],
        day: datetime.date,
    ) -> set[tuple[int, int | None, str]]:
        """Of ``pairs`` wanting ``channels``, the (recipient, student, channel) that may
        not go out on ``day``. A fixed number of queries whatever the number of pairs."""
        ...

    def explain(self, *, user_id: int, school_id: int, day: datetime.date) -> list[Withheld]:
        """The channels withheld from this person today, with the reason."""
        ...


_GATES: list[ChannelGate] = []


def register(gate: ChannelGate) -> None:
    """Add a gate (once: registering the same gate again changes nothing)."""
    if not any(type(existing) is type(gate) for existing in _GATES):
        _GATES.append(gate)


def withheld(
    *, school_id: int, pairs: Iterable[Pair], channels: Iterable[str], day: datetime.date
) -> set[tuple[int, int | None, str]]:
    pairs, channels = set(pairs), frozenset(channels)
    found: set[tuple[int, int | None, str]] = set()
    if not pairs or not channels:
        return found
    for gate in _GATES:
        found |= gate.withheld(school_id=school_id, pairs=pairs, channels=channels, day=day)
    return found


def explain(*, user_id: int, school_id: int | None, day: datetime.date) -> dict[str, Withheld]:
    """The channels withheld from the person, by channel (none without a school)."""
    if school_id is None:
        return {}
    found: dict[str, Withheld] = {}
    for gate in _GATES:
        for item in gate.explain(user_id=user_id, school_id=school_id, day=day):
            found.setdefault(item.channel, item)
    return found
