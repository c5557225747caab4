"""The outbox's worker: deliver what is due, record each result, retry, give up.

``deliver_due`` takes one person's due deliveries on one channel at a time, locks their
rows (``SELECT … FOR UPDATE SKIP LOCKED``: other workers take other rows), sends them as
one message (batched per person: several notifications due together go in one e-mail)
and records the result, all in one transaction:

- a worker killed while sending (SIGKILL, a crash, a deploy) rolls back: the rows are
  queued again as they were and the next run sends them; nothing is lost, and what the
  server had not accepted is not sent twice. The one window left is between the
  server's "accepted" and our commit (microseconds); the message's Message-ID is its
  idempotency key, so a receiver can tell the rare repeat;
- a gateway that cannot be reached fails the message with an "outage": its channel rests
  for the rest of the run and the rows are retried with exponential back-off
  (``BACKOFF``), and after ``MAX_ATTEMPTS`` they are ``failed`` – the dead-letter list the
  school office sees and can retry;
- a notification past its ``expires_at`` is not sent any more (``expired``);
- an SMS or push that a channel gate no longer allows when it falls due (the family's
  access plan ended while it was held over quiet hours or waited for a retry) is not
  sent (``withheld``, the gate's reason in ``last_error``): the gates are asked again
  for the person's rows before the message is composed (``gates.withheld_when_due``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import channels, events, gates, push, receipts
from .channels import Outgoing, Result
from .models import Delivery, Preferences, SmsSettings
from .sms import encoding as sms_encoding
from .sms.address import phones_of

BACKOFF_FIRST = datetime.timedelta(minutes=1)
BACKOFF_LONGEST = datetime.timedelta(hours=6)
MAX_ATTEMPTS = 10  # about 16 hours of trying
MAX_PER_MESSAGE = 50


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4 … minutes, at most 6 hours."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_LONGEST)


@dataclass
class Run:
    settled: int = 0  # deliveries sent or given up
    messages: int = 0
    withheld: int = 0  # deliveries a channel gate no longer allowed when they fell due
    retrying: int = 0
    outages: set[str] = field(default_factory=set)


def expire(now: datetime.datetime) -> int:
    return Delivery.objects.filter(
        status=Delivery.Status.QUEUED, notification__expires_at__lt=now
    ).update(status=Delivery.Status.EXPIRED)


def deliver_due(
    *,
    now: datetime.datetime | None = None,
    clock: Callable[[], datetime.datetime] | None = None,
    limit: int | None = None,
) -> Run:
    """Deliver every due delivery (or ``limit`` messages); ``now`` fixes the clock (tests),
    else each message reads ``clock`` (``timezone.now``)."""
    clock = clock or ((lambda: now) if now else timezone.now)
    run = Run()
    expire(clock())
    senders = {name: sender() for name, sender in channels.configured().items()}
    for sender in senders.values():
        sender.open()
    try:
        while limit is None or run.messages < limit:
            with transaction.atomic():
                moment = clock()
                rows = _claim(moment, skip=run.outages)
                if not rows:
                    break
                rows = _allowed(rows, moment, run)
                if not rows:
                    continue
                channel = rows[0].channel
                sender = senders.get(channel)
                if sender is None:
                    result = Result(ok=False, error="no sender configured", outage=True)
                else:
                    [result] = sender.send([compose(rows)])
                _record(rows, result, moment, run)
                if result.gone or result.reached:
                    # push: forget the subscriptions the service says are gone
                    push.settle(user_id=rows[0].recipient_id, result=result, now=moment)
    finally:
        for sender in senders.values():
            sender.close()
    # receipts a gateway sent on its bind while we sent (SMPP transceiver): recorded now
    # that the messages they are about are committed
    for name, sender in senders.items():
        got = getattr(sender, "receipts", None)
        if got:
            receipts.apply(list(got), channel=name)
            got.clear()
    return run


def _claim(now: datetime.datetime, *, skip: set[str]) -> list[Delivery]:
    """One person's due deliveries on one channel, locked; [] when nothing is due."""
    due = Delivery.objects.filter(status=Delivery.Status.QUEUED, due_at__lte=now).exclude(
        channel__in=skip
    )
    first = (
        due.select_for_update(skip_locked=True)
        .order_by("due_at", "pk")
        .values_list("recipient_id", "channel")
        .first()
    )
    if first is None:
        return []
    recipient_id, channel = first
    return list(
        due.filter(recipient_id=recipient_id, channel=channel)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("notification", "recipient")
        .order_by("pk")[:MAX_PER_MESSAGE]
    )


def _allowed(rows: list[Delivery], now: datetime.datetime, run: Run) -> list[Delivery]:
    """Of one person's claimed rows, the ones the channel gates still allow now; the
    others are settled as ``withheld`` with the gate's reason. Nothing asked on a channel
    no gate may withhold (e-mail); on SMS and push the gates' fixed few queries."""
    if rows[0].channel not in gates.GATED_CHANNELS:
        return rows
    day = timezone.localdate(now)
    refused: dict[int, str] = {}
    for school_id in {row.school_id for row in rows}:
        mine = [row for row in rows if row.school_id == school_id]
        reasons = gates.withheld_when_due(
            school_id=school_id,
            pairs={(row.recipient_id, row.notification.about) for row in mine},
            channel=rows[0].channel,
            day=day,
        )
        for row in mine:
            reason = reasons.get((row.recipient_id, row.notification.about))
            if reason is not None:
                refused[row.pk] = reason
    if not refused:
        return rows
    gone = [row for row in rows if row.pk in refused]
    for row in gone:
        row.status = Delivery.Status.WITHHELD
        row.last_error = refused[row.pk][:500]
        row.held = ""
    Delivery.objects.bulk_update(gone, ["status", "last_error", "held"])
    run.withheld += len(gone)
    run.settled += len(gone)
    return [row for row in rows if row.pk not in refused]


def _record(rows: list[Delivery], result: Result, now: datetime.datetime, run: Run) -> None:
    for index, row in enumerate(rows):
        row.attempts += 1
        if result.ok:
            row.status = Delivery.Status.SENT
            row.sent_at = now
            row.last_error = ""
            row.receipt_id = result.receipt_id
            row.parts = result.parts if index == 0 else 0
        elif result.permanent or row.attempts >= MAX_ATTEMPTS:
            row.status = Delivery.Status.FAILED
            row.last_error = result.error
        else:
            row.due_at = now + backoff(row.attempts)
            row.last_error = result.error
    Delivery.objects.bulk_update(
        rows, ["attempts", "status", "sent_at", "last_error", "receipt_id", "due_at", "parts"]
    )
    if result.outage:
        run.outages.add(rows[0].channel)
    run.messages += 1
    if result.ok or rows[0].status == Delivery.Status.FAILED:
        run.settled += len(rows)
    else:
        run.retrying += len(rows)


def compose(rows: list[Delivery]) -> Outgoing:
    """One message with the person's notifications, in the school's language. Details
    (the grade itself…) only for a person who chose them: e-mail, SMS and push travel in
    clear."""
    recipient = rows[0].recipient
    prefs = Preferences.objects.filter(user_id=recipient.pk).first() or Preferences()
    if rows[0].channel == events.SMS:
        return compose_sms(rows, prefs)
    base = settings.SITE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        items, short = [], []
        for row in rows:
            notification = row.notification
            lines = [events.render_short(notification.event, notification.params)]
            detail = events.render_detail(notification.event, notification.params)
            if prefs.details and detail:
                lines.append(detail)
            short.append(" – ".join(lines))
            if notification.url:
                lines.append(base + notification.url)
            items.append(lines)
        if len(items) == 1:
            subject = items[0][0]
        else:
            subject = ngettext(
                "%(register)s: %(count)d new notification",
                "%(register)s: %(count)d new notifications",
                len(items),
            ) % {"count": len(items), "register": "Dziennik"}
        greeting = _("Hello %(name)s,") % {"name": recipient.get_full_name() or recipient.username}
        body = "\n\n".join("\n".join(lines) for lines in items)
        footer = _(
            "This message was sent automatically by the school register. "
            "Choose what you are told and how: %(url)s"
        ) % {"url": base + "/powiadomienia/ustawienia/"}
        text = f"{greeting}\n\n{body}\n\n-- \n{footer}\n"
        language = translation.get_language()
    return Outgoing(
        key="dz-" + "-".join(str(row.pk) for row in rows),
        address=_address(rows[0].channel, recipient),
        subject=subject,
        text=text,
        language=language,
        delivery_ids=[row.pk for row in rows],
        short="\n".join(short),
        # one notification: its own page through the centre (marked read on the way)
        url=reverse("notifications:open", args=[rows[0].notification_id])
        if len(rows) == 1
        else reverse("notifications:centre"),
    )


def compose_sms(rows: list[Delivery], prefs: Preferences) -> Outgoing:
    """The SMS: the notifications' short texts (details only for a person who chose
    them), no greeting and no links (each character costs); without Polish letters when
    the school prefers cheaper messages (``SmsSettings.cheap``)."""
    recipient = rows[0].recipient
    with translation.override(settings.LANGUAGE_CODE):
        lines = []
        for row in rows:
            notification = row.notification
            line = events.render_short(notification.event, notification.params)
            detail = events.render_detail(notification.event, notification.params)
            if prefs.details and detail:
                line = f"{line}: {detail}"
            lines.append(line)
        text = "Dziennik: " + "; ".join(lines)
        language = translation.get_language()
    if SmsSettings.objects.filter(school_id=rows[0].school_id, cheap=True).exists():
        text = sms_encoding.transliterate(text)
    return Outgoing(
        key="dz-" + "-".join(str(row.pk) for row in rows),
        address=phones_of([recipient.pk]).get(recipient.pk, ""),
        subject="",
        text=text,
        language=language,
        delivery_ids=[row.pk for row in rows],
    )


def _address(channel: str, recipient) -> str:
    if channel == events.EMAIL:
        return recipient.email
    if channel == events.PUSH:
        return push.address_of(recipient.pk)
    return str(recipient.pk)
