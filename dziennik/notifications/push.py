"""Web Push (RFC 8030) with VAPID (RFC 8292) through pywebpush: the ``push`` channel.

**One delivery, every device.** A person may have several subscriptions (a phone, a
laptop: ``PushSubscription``). The outbox keeps one ``Delivery`` per notification and
channel, so the push of a notification is one message whose address lists the person's
subscriptions (``address_of``); ``PushChannel.send`` posts it to each of them:

- one device took it (201): the delivery is ``sent`` – at most once per notification on
  this channel, as on every channel. A second device that failed for a passing reason at
  that moment misses that one push (the register's centre still has it); sending again
  would repeat it on the first;
- none took it and one failed for a passing reason (429, 5xx, a connection refused, a
  timeout): an outage, retried with back-off;
- none took it and none may ever (gone, refused): a permanent failure.

**Gone subscriptions are forgotten.** A push service answers 404/410 for a
subscription the browser dropped. The channel never touches the database: it names them
in ``Result.gone`` and the outbox (``settle``) deletes them in its transaction, and notes
``last_success_at`` of those that took a push (``Result.reached``).

**Idempotency.** Each push carries a ``Topic`` made of the message's key: a push service
that still holds an undelivered message of the same topic replaces it, so the rare repeat
after a crash between the service's "201" and our commit shows once on a device that was
offline. ``TTL`` keeps a push for a device that is off for a day.

**The payload** is JSON ``{"title", "body", "url", "tag"}`` with the short texts only
(the same rule as SMS and e-mail: "Nowa ocena z przedmiotu Matematyka – Zofia", the grade
only for a person who chose details), encrypted (aes128gcm) to the device's keys: the
push service reads nothing. ``url`` is the register's page (``/powiadomienia/<id>/``,
which marks it read), opened by the service worker when the person taps it.

**Where a push may go.** The browser chooses the push service; the register posts only
to the hosts in ``settings.PUSH_ENDPOINT_HOSTS`` over https (``endpoint_allowed``), so a
crafted subscription cannot make the server call an address of the school's network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from .channels import Outgoing, Result, _reason
from .models import PushSubscription

TTL = 24 * 3600  # s a push service keeps a push for a device that is off
TIMEOUT = 10  # s for one push service's answer
BODY_LIMIT = 1500  # characters of the body: a push payload may be 4 KB at most
GONE = (404, 410)
PASSING = (408, 425, 429)


def configured() -> bool:
    return bool(getattr(settings, "VAPID_PRIVATE_KEY", "") and settings.VAPID_PUBLIC_KEY)


def endpoint_allowed(endpoint: str) -> bool:
    """An https address of a known push service (``PUSH_ENDPOINT_HOSTS``: a host or a
    parent domain), or, where ``PUSH_ENDPOINT_HTTP`` allows it (tests), plain http."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    schemes = ("https", "http") if getattr(settings, "PUSH_ENDPOINT_HTTP", False) else ("https",)
    if parts.scheme not in schemes or not host or parts.username or parts.password:
        return False
    return any(
        host == allowed or host.endswith("." + allowed)
        for allowed in (h.lower() for h in settings.PUSH_ENDPOINT_HOSTS)
    )


def address_of(user_id: int) -> str:
    """The person's subscriptions as the address of one push (JSON); one query."""
    return json.dumps(
        [
            {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
            for endpoint, p256dh, auth in PushSubscription.objects.filter(user_id=user_id)
            .order_by("pk")
            .values_list("endpoint", "p256dh", "auth")
        ]
    )


def payload(item: Outgoing) -> str:
    lines = item.short or item.subject
    if len(lines) > BODY_LIMIT:
        lines = lines[: BODY_LIMIT - 1].rstrip() + "…"
    single = "\n" not in (item.short or "").strip()
    return json.dumps(
        {
            "title": "Dziennik" if single else item.subject,
            "body": lines,
            "url": item.url or "/",
            "tag": item.key,
        },
        ensure_ascii=False,
    )


def topic(key: str) -> str:
    """RFC 8030's Topic: at most 32 characters of the URL-safe base64 alphabet."""
    digest = hashlib.sha256(key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


class PushChannel:
    """Web Push to each of a person's subscriptions (see the module's docstring)."""

    name = "push"

    def __init__(self) -> None:
        self.session: requests.Session | None = None
        self.vapid: Vapid02 | None = None

    def open(self) -> None:
        self.session = requests.Session()
        self.vapid = Vapid02.from_raw(settings.VAPID_PRIVATE_KEY.encode())

    def send(self, batch: list[Outgoing]) -> list[Result]:
        return [self._send_one(item) for item in batch]

    def _send_one(self, item: Outgoing) -> Result:
        try:
            subscriptions = json.loads(item.address or "[]")
        except ValueError:
            subscriptions = []
        if not subscriptions:
            return Result(ok=False, error="no device subscribed to push", permanent=True)
        data = payload(item)
        reached, gone, passing, refused = [], [], [], []
        for subscription in subscriptions:
            endpoint = subscription["endpoint"]
            if not endpoint_allowed(endpoint):
                refused.append(f"{endpoint[:60]}: not a known push service")
                continue
            status, reason = self._post(subscription, data, item.key)
            if status is not None and status < 300:
                reached.append(endpoint)
            elif status in GONE:
                gone.append(endpoint)
            elif status is None or status in PASSING or status >= 500:
                passing.append(reason)
            else:
                refused.append(reason)
        if reached:
            return Result(ok=True, reached=tuple(reached), gone=tuple(gone))
        if passing:
            return Result(ok=False, error=passing[0], outage=True, gone=tuple(gone))
        error = (refused + [f"{len(gone)} subscriptions gone (404/410)"] * bool(gone))[0]
        return Result(ok=False, error=error, permanent=True, gone=tuple(gone))

    def _post(self, subscription: dict, data: str, key: str) -> tuple[int | None, str]:
        """Post one push; its HTTP status (None when there was no answer) and a reason."""
        parts = urlsplit(subscription["endpoint"])
        claims = {
            "sub": settings.VAPID_SUBJECT,
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int(time.time()) + 12 * 3600,
        }
        try:
            response = webpush(
                subscription_info=subscription,
                data=data,
                vapid_private_key=self.vapid,
                vapid_claims=claims,
                ttl=TTL,
                timeout=TIMEOUT,
                headers={"Topic": topic(key), "Urgency": "normal"},
                requests_session=self.session,
            )
        except WebPushException as error:
            status = error.status_code
            return status, f"push service answered {status}"[:500]
        except (requests.RequestException, OSError, ValueError) as error:
            return None, _reason(error)
        return response.status_code, ""

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None


def settle(*, user_id: int, result: Result, now=None) -> None:
    """After a push: forget the subscriptions that are gone, note the ones that took it
    (the outbox's transaction). One or two queries, none when there is nothing to do."""
    if result.gone:
        PushSubscription.objects.filter(user_id=user_id, endpoint__in=result.gone).delete()
    if result.reached:
        PushSubscription.objects.filter(user_id=user_id, endpoint__in=result.reached).update(
            last_success_at=now or timezone.now()
        )
