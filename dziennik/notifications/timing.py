"""When a delivery may go: quiet hours, the daily digest, urgent events.

The rule, per channel:
- in the register (in-app): at once, always;
- SMS and push: never during the person's quiet hours (default 21:00–7:00, Europe/Warsaw);
  held until the quiet hours end;
- e-mail: at once (an e-mail wakes nobody), unless the person asked to hold e-mail at
  night too (``quiet_email``); with the daily digest chosen, at the digest's time, all
  the day's notifications in one message;
- an urgent event (the school marks it so, or the event is urgent by nature) bypasses
  quiet hours and the digest on every channel.

Pure functions of the preferences and ``now``: the tests drive them with a controlled
clock.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from .events import EMAIL, IN_APP, PUSH, SMS

LOCAL = ZoneInfo(settings.TIME_ZONE)
QUIET = "quiet"
DIGEST = "digest"


def in_quiet_hours(local: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def _next_local(now: datetime.datetime, at: datetime.time) -> datetime.datetime:
    """The first moment at local time ``at`` after ``now`` (aware, in UTC)."""
    local = now.astimezone(LOCAL)
    candidate = datetime.datetime.combine(local.date(), at, tzinfo=LOCAL)
    if candidate <= local:
        candidate = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1), at, tzinfo=LOCAL
        )
    return candidate.astimezone(datetime.UTC)


def due(
    channel: str, prefs, *, urgent: bool, now: datetime.datetime
) -> tuple[datetime.datetime, str]:
    """When a delivery on ``channel`` may go, and why it waits ("" when at once)."""
    if channel == IN_APP or urgent:
        return now, ""
    quiet = in_quiet_hours(now.astimezone(LOCAL).time(), prefs.quiet_from, prefs.quiet_until)
    if channel in (SMS, PUSH) and quiet:
        return _next_local(now, prefs.quiet_until), QUIET
    if channel == EMAIL:
        if prefs.digest:
            return _next_local(now, prefs.digest_at), DIGEST
        if prefs.quiet_email and quiet:
            return _next_local(now, prefs.quiet_until), QUIET
    return now, ""
