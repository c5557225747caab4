"""An HTTP SMS gateway of the kind Polish providers offer (modelled on SMSAPI.pl's REST).

``HttpSmsChannel`` POSTs each message to ``SMS_HTTP_URL`` with ``Authorization: Bearer
SMS_HTTP_TOKEN`` and the form fields ``to`` (E.164 without "+"), ``message``, ``from``
(``SMS_SENDER``), ``encoding=utf-8``, ``format=json``, ``idx`` (the message's idempotency
key) with ``check_idx=1`` (the gateway refuses to send an idx twice, so a repeat after a
crash between its answer and our commit costs nothing), and ``notify_url`` for delivery
reports. The text is already transliterated when the school prefers cheaper messages; the
gateway chooses GSM-7 or UCS-2 and answers the parts it counted:

    {"count": 1, "list": [{"id": "1739", "points": 0.16, "number": "48601234567",
                           "status": "QUEUED", "parts": 2, "idx": "dz-17"}]}

or an error ``{"error": 13, "message": "No correct phone numbers"}``:

- 200 with a message id: ``Result(ok=True, receipt_id=id, parts=n)``;
- error 13 / 11 (no valid number, message refused): ``permanent``;
- error 105 (this idx was sent already): sent, with no receipt id to wait for;
- error 101–103 (authorization), 5xx, a timeout, a refused connection: ``outage``;
- anything else: retried with back-off.

Delivery reports come to ``views.sms_callback`` (``/powiadomienia/sms/raport/<token>/``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.urls import reverse

from ..channels import Outgoing, Result

TIMEOUT = 10
PERMANENT_ERRORS = {11, 13, 14}  # message refused, no valid number, bad sender
SENT_ALREADY = 105
AUTH_ERRORS = {101, 102, 103}


def callback_url() -> str:
    if not settings.SMS_CALLBACK_TOKEN:
        return ""
    path = reverse("notifications:sms_callback", args=[settings.SMS_CALLBACK_TOKEN])
    return settings.SITE_URL.rstrip("/") + path


class HttpSmsChannel:
    name = "sms"

    def __init__(self) -> None:
        self.opener: urllib.request.OpenerDirector | None = None

    def open(self) -> None:
        # no proxies from the environment: the gateway is configured, not discovered
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send(self, batch: list[Outgoing]) -> list[Result]:
        results: list[Result] = []
        for index, item in enumerate(batch):
            result = self._send(item)
            results.append(result)
            if result.outage:  # the rest wait for the retry
                results.extend(Result(ok=False, error=result.error, outage=True)
                               for _ in batch[index + 1 :])  # fmt: skip
                break
        return results

    def _send(self, item: Outgoing) -> Result:
        if not item.address:
            return Result(ok=False, error="no mobile phone number", permanent=True)
        fields = {
            "to": item.address.lstrip("+"),
            "message": item.text,
            "from": settings.SMS_SENDER,
            "encoding": "utf-8",
            "format": "json",
            "idx": item.key,
            "check_idx": "1",
        }
        if notify_url := callback_url():
            fields["notify_url"] = notify_url
        try:
            request = urllib.request.Request(  # noqa: S310 (the configured gateway's URL)
                settings.SMS_HTTP_URL,
                data=urllib.parse.urlencode(fields).encode(),
                headers={
                    "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
                    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                    "Accept": "application/json",
                },
                method="POST",
            )
            with self.opener.open(request, timeout=TIMEOUT) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            body = error.read()
            if error.code in (401, 403) or error.code >= 500 or error.code == 429:
                return Result(ok=False, error=f"HTTP {error.code}: {_message(body)}", outage=True)
        except (OSError, ValueError) as error:  # unreachable, or SMS_HTTP_URL is no URL
            return Result(ok=False, error=f"{type(error).__name__}: {error}"[:500], outage=True)
        return _result(body)

    def close(self) -> None:
        self.opener = None


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message", ""))[:300]
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", "replace")


def _result(body: bytes) -> Result:
    try:
        answer = json.loads(body)
    except ValueError:
        return Result(ok=False, error=f"not JSON: {body[:200]!r}")
    if not isinstance(answer, dict):
        return Result(ok=False, error=f"unexpected answer: {answer!r}"[:500])
    if "error" in answer:
        code = answer.get("error")
        reason = f"gateway error {code}: {answer.get('message', '')}"[:500]
        if code == SENT_ALREADY:
            return Result(ok=True)
        if code in PERMANENT_ERRORS:
            return Result(ok=False, error=reason, permanent=True)
        return Result(ok=False, error=reason, outage=code in AUTH_ERRORS)
    try:
        [sent] = answer["list"]
        return Result(ok=True, receipt_id=str(sent["id"]), parts=int(sent.get("parts", 1)))
    except (KeyError, TypeError, ValueError):
        return Result(ok=False, error=f"unexpected answer: {answer!r}"[:500])
