"""SMS through an HTTP gateway of the SMSAPI.pl kind, against a local HTTP server the
test starts (stdlib ``http.server`` in a thread): the bearer token, the form fields, the
parts it counts, idempotency by ``idx``, its errors, and the delivery-report callback."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse

from dziennik.notifications import events, outbox, services
from dziennik.notifications.models import Delivery
from dziennik.notifications.sms import encoding

from .helpers import OWN_PARENT_PHONE, at, sms_on

TOKEN = "token-szkoly-7"
CHANNEL = "dziennik.notifications.sms.http.HttpSmsChannel"


class Gateway:
    """What an SMSAPI-like provider does: checks the token, counts parts, sends an idx
    once, answers JSON; ``fail`` makes its next answers an error or an HTTP status."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.sent: dict[str, dict] = {}  # idx -> the answer
        self.fail: list[tuple[int, dict]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers["Content-Length"])
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                gateway.requests.append({"auth": self.headers["Authorization"], **form})
                status, answer = gateway.answer(self.headers["Authorization"], form)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, auth: str, form: dict) -> tuple[int, dict]:
        if self.fail:
            return self.fail.pop(0)
        if auth != f"Bearer {TOKEN}":
            return 401, {"error": 101, "message": "Authorization failed"}
        if form["idx"] in self.sent:  # SMSAPI with check_idx=1
            return 200, {"error": 105, "message": "Invalid idx: already used"}
        text = form["message"]
        answer = {
            "count": 1,
            "list": [
                {
                    "id": f"msg-{len(self.sent) + 1}",
                    "points": 0.16,
                    "number": form["to"],
                    "status": "QUEUED",
                    "parts": encoding.segments(text),
                    "idx": form["idx"],
                }
            ],
        }
        self.sent[form["idx"]] = answer
        return 200, answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms.do"

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(world, settings):
    sms_on(world, settings, channel=CHANNEL)
    settings.SMS_HTTP_TOKEN = TOKEN
    settings.SMS_CALLBACK_TOKEN = "raport-7f3a"
    settings.SITE_URL = "https://dziennik.sp7.example.pl"
    with Gateway() as server:
        settings.SMS_HTTP_URL = server.url
        yield server


def _notify(world, key="n:1", sender="Dyrektor Łucja Żółtowska"):
    with transaction.atomic():
        services.notify(
            event=events.MESSAGE,
            school_id=world.school.pk,
            recipient_ids=[world.user("own_parent").pk],
            key=key,
            params={"sender": sender},
            urgent=True,
            now=at(10, 0),
        )


def _sms():
    return Delivery.objects.filter(channel="sms").order_by("pk")


def test_the_gateway_gets_the_token_the_number_and_polish_text(world, gateway):
    _notify(world)
    outbox.deliver_due(now=at(10, 0))
    [request] = gateway.requests
    assert request["auth"] == f"Bearer {TOKEN}"
    assert request["to"] == OWN_PARENT_PHONE.lstrip("+")
    assert "Łucja Żółtowska" in request["message"]
    assert request["encoding"] == "utf-8"
    assert request["check_idx"] == "1"
    assert request["idx"] == f"dz-{_sms().get().pk}"
    assert request["notify_url"] == (
        "https://dziennik.sp7.example.pl/powiadomienia/sms/raport/raport-7f3a/"
    )
    delivery = _sms().get()
    assert (delivery.status, delivery.receipt_id, delivery.parts) == ("sent", "msg-1", 1)


def test_parts_as_the_gateway_counts_them(world, gateway):
    _notify(world, sender="Ż" * 100)  # UCS-2: 110 code units, two parts
    outbox.deliver_due(now=at(10, 0))
    assert _sms().get().parts == 2


def test_a_repeat_of_the_same_idx_is_not_sent_twice(world, gateway):
    _notify(world)
    outbox.deliver_due(now=at(10, 0))
    # the worker died after the gateway's answer, before our commit: the row goes again
    Delivery.objects.filter(channel="sms").update(status="queued", receipt_id="", attempts=0)
    outbox.deliver_due(now=at(10, 1))
    assert len(gateway.requests) == 2
    assert len(gateway.sent) == 1
    assert _sms().get().status == "sent"


def test_a_wrong_token_is_an_outage_and_errors_are_sorted(world, gateway, settings):
    settings.SMS_HTTP_TOKEN = "stary-token"
    _notify(world, key="n:1")
    run = outbox.deliver_due(now=at(10, 0))
    assert run.outages == {"sms"}
    assert (_sms().get().status, _sms().get().last_error) == (
        "queued",
        "HTTP 401: Authorization failed",
    )
    settings.SMS_HTTP_TOKEN = TOKEN
    gateway.fail = [(200, {"error": 13, "message": "No correct phone numbers"})]
    outbox.deliver_due(now=at(11, 0))
    assert (_sms().get().status, _sms().get().last_error) == (
        "failed",
        "gateway error 13: No correct phone numbers",
    )


def test_the_gateway_down_is_an_outage(world, settings):
    sms_on(world, settings, channel=CHANNEL)
    with Gateway() as server:
        settings.SMS_HTTP_URL = server.url
    _notify(world)
    run = outbox.deliver_due(now=at(10, 0))
    assert run.outages == {"sms"}
    assert "Connection refused" in _sms().get().last_error


def test_the_delivery_report_callback(world, gateway, client):
    _notify(world, key="n:1")
    outbox.deliver_due(now=at(10, 0))
    _notify(world, key="n:2")  # one SMS each (due together, they would be one)
    outbox.deliver_due(now=at(10, 0))
    first, second = _sms()
    assert first.receipt_id != second.receipt_id
    # a wrong secret: the same 404 as any missing page, nothing changes
    url = reverse("notifications:sms_callback", args=["zgadywanie"])
    assert client.get(url, {"MsgId": first.receipt_id, "status": "404"}).status_code == 404
    assert _sms().first().status == "sent"
    url = reverse("notifications:sms_callback", args=["raport-7f3a"])
    answer = client.get(url, {"MsgId": f"{first.receipt_id},{second.receipt_id}",
                              "status": "404,405"})  # fmt: skip
    assert (answer.status_code, answer.content) == (200, b"OK")
    assert list(_sms().values_list("status", "last_error")) == [
        ("delivered", ""),
        ("failed", "UNDELIVERED"),
    ]
    # repeated (the gateway did not hear our OK): nothing changes
    assert client.post(url, {"MsgId": first.receipt_id, "status": "406"}).content == b"OK"
    assert _sms().first().status == "delivered"
    assert client.get(url, {"MsgId": "x,y", "status": "404"}).status_code == 400
