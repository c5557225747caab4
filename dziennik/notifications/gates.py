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

from . import events

# (recipient's user id, the student the notification is about or None)
Pair = tuple[int, int | None]

# The channels a gate may withhold: in-app and e-mail never are.
GATED_CHANNELS = frozenset({events.SMS, events.PUSH})
# Said on a delivery withheld when it was due, by a gate that gives no reason of its own.
DEFAULT_DELIVERY_REASON = "withheld when due: a channel gate no longer allows it"


@dataclass(frozen=True)
class Withheld:
    """Why ``channel`` is off for a person, and the page where they can get it."""

    channel: str
    label: str  # what is withheld, as the person knows it ("SMS info")
    reason: str
    url: str = ""
    link_text: str = ""


@dataclass(frozen=True)
class Standing:
    """What a gate says of a person's channel, for the school office's screens: the plan
    the person's family has (its name, "" where no plan limits the person, e.g. staff),
    until when it runs (None: no end, the basic plan) and whether it allows the
    channel."""

    plan: str
    until: datetime.date | None
    allowed: bool


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

    # Optional: ``standings(*, school_id, user_ids, channel, day) -> dict[int, Standing]``
    # for the office's SMS page (``standings`` below), a fixed number of queries.
    # Optional: ``delivery_reason``, a short English text stored on a queued delivery
    # this gate withholds when it falls due (``Delivery.last_error``, beside the status
    # ``withheld``); ``DEFAULT_DELIVERY_REASON`` without one.


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


def withheld_when_due(
    *, school_id: int, pairs: Iterable[Pair], channel: str, day: datetime.date
) -> dict[tuple[int, int | None], str]:
    """The outbox asks again when a queued delivery falls due (held over quiet hours, a
    retry): of ``pairs`` on ``channel``, the ones a gate withholds now, with the gate's
    reason. The family's plan may have ended since the notification was written."""
    pairs = set(pairs)
    found: dict[tuple[int, int | None], str] = {}
    if channel not in GATED_CHANNELS or not pairs:
        return found
    for gate in _GATES:
        reason = getattr(gate, "delivery_reason", DEFAULT_DELIVERY_REASON)
        for user_id, student_id, _channel in gate.withheld(
            school_id=school_id, pairs=pairs, channels=frozenset({channel}), day=day
        ):
            found.setdefault((user_id, student_id), reason)
    return found


def standings(
    *, school_id: int, user_ids: Iterable[int], channel: str, day: datetime.date
) -> dict[int, Standing]:
    """Each person's standing on ``channel`` from the first gate that tells (the access
    plans: the family's plan, until when, whether it includes the channel); {} where no
    gate tells, e.g. a school without plans. A fixed number of queries."""
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    for gate in _GATES:
        tell = getattr(gate, "standings", None)
        if tell is not None:
            found = tell(school_id=school_id, user_ids=user_ids, channel=channel, day=day)
            if found:
                return found
    return {}


def explain(*, user_id: int, school_id: int | None, day: datetime.date) -> dict[str, Withheld]:
    """The channels withheld from the person, by channel (none without a school)."""
    if school_id is None:
        return {}
    found: dict[str, Withheld] = {}
    for gate in _GATES:
        for item in gate.explain(user_id=user_id, school_id=school_id, day=day):
            found.setdefault(item.channel, item)
    return found
