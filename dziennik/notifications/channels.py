"""Channels: how a notification leaves the register.

A channel is a small protocol (``Channel``): it is given a batch of ``Outgoing`` items
and answers one ``Result`` per item, in order. It never touches the database: the outbox
(``outbox.py``) chooses what is due, records each result, retries with back-off and puts
what keeps failing on the dead-letter list. A channel whose gateway reports delivery
later (SMS receipts, ``deliver_sm``) returns a ``receipt_id`` with the result, and the
receipt's handler calls ``services.delivery_receipt`` with it.

Built here: e-mail over SMTP (``EmailChannel``) and the register's own centre (in-app:
the notification row itself, delivered when it is written); SMS in ``sms/`` (SMPP 3.4,
``sms.smpp.SmppChannel``, or an HTTP gateway, ``sms.http.HttpSmsChannel``); Web Push in
``push.py`` (``PushChannel``). Others plug in the same way: a class with ``name``,
``open``, ``send`` and ``close``, named in ``settings.NOTIFICATION_CHANNELS``
(docs/notifications.md). A channel that hears receipts while it sends keeps them in
``receipts`` (``receipts.Receipt``); the outbox records them after its run.
"""

from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core import mail
from django.utils.module_loading import import_string


@dataclass
class Outgoing:
    """One message to one person: one notification or several (a person's batch).

    ``key`` is the idempotency key of the message (it names its deliveries); channels
    pass it to the gateway where the gateway can deduplicate (e-mail: the Message-ID)."""

    key: str
    address: str
    subject: str
    text: str
    html: str = ""
    language: str = "pl"
    delivery_ids: list[int] = field(default_factory=list)
    # for short channels (push): the short texts, one a line, without the greeting, the
    # links or the footer; and the register's page of the message (a path)
    short: str = ""
    url: str = ""


@dataclass
class Result:
    ok: bool
    error: str = ""
    # a failure no retry can mend (an address the server refuses): no more attempts
    permanent: bool = False
    # the gateway's id of the message, for a delivery receipt that comes later
    receipt_id: str = ""
    # the whole gateway is unreachable: the outbox stops this channel's run
    outage: bool = False
    # how many messages the gateway counts (a long SMS is sent in concatenated parts)
    parts: int = 0
    # addresses of the item the gateway took (``reached``) and ones it says no longer
    # exist (``gone``: a push subscription answered 404/410), for the outbox to record
    reached: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()


class Channel(Protocol):
    name: str

    def open(self) -> None: ...

    def send(self, batch: list[Outgoing]) -> list[Result]: ...

    def close(self) -> None: ...


class EmailChannel:
    """E-mail through Django's configured mailer (``MAILERS``), one connection per run.

    Each message has a plain-text part (and an HTML part when given); its Message-ID is
    made from the idempotency key, so a receiving system that sees it twice after a
    crash between the server's "250" and our commit can tell."""

    name = "email"

    def __init__(self) -> None:
        self.connection = None

    def open(self) -> None:
        self.connection = mail.mailers["default"]

    def _message(self, item: Outgoing) -> mail.EmailMultiAlternatives:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        message = mail.EmailMultiAlternatives(
            subject=item.subject,
            body=item.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[item.address],
            headers={
                "Message-ID": f"<{item.key}@{domain}>",
                "X-Dziennik-Key": item.key,
                "Content-Language": item.language,
                "Auto-Submitted": "auto-generated",
            },
            connection=self.connection,
        )
        if item.html:
            message.attach_alternative(item.html, "text/html")
        return message

    def send(self, batch: list[Outgoing]) -> list[Result]:
        results = []
        try:
            # kept open for the whole run: the backend then sends without reconnecting
            self.connection.open()
        except (OSError, smtplib.SMTPException) as error:
            reason = _reason(error)
            self.close()
            self.open()
            return [Result(ok=False, error=reason, outage=True) for _ in batch]
        for index, item in enumerate(batch):
            try:
                self._message(item).send()
            except smtplib.SMTPRecipientsRefused as error:
                results.append(Result(ok=False, error=_reason(error), permanent=True))
            except (OSError, smtplib.SMTPException) as error:
                # the server is gone: this item and the rest of the batch wait for a retry
                reason = _reason(error)
                results.extend(Result(ok=False, error=reason, outage=True) for _ in batch[index:])
                self.close()
                self.open()
                return results
            else:
                results.append(Result(ok=True))
        return results

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


DEFAULT_CHANNELS = {"email": "dziennik.notifications.channels.EmailChannel"}


def names() -> list[str]:
    """The channels the outbox can send on (besides in-app)."""
    return list(getattr(settings, "NOTIFICATION_CHANNELS", DEFAULT_CHANNELS))


def configured() -> dict[str, type]:
    """The channels delivered by the outbox (not in-app), by name."""
    names = getattr(settings, "NOTIFICATION_CHANNELS", DEFAULT_CHANNELS)
    return {name: import_string(path) for name, path in names.items()}
