"""A local payment operator speaking PayU's REST API, for tests: a real HTTP server on
loopback in a thread.

    with PayUServer() as operator:
        settings.PAYMENT_OPERATOR = operator.config()
        ... our code creates an order (POST /api/v2_1/orders) ...
        operator.notify(order_id, "COMPLETED")           # signed POST to notifyUrl
        operator.notify(order_id, "COMPLETED", bad_signature=True)
        body, headers = operator.notification(order_id, "PENDING")  # to post yourself

It answers the OAuth token (``client_credentials`` only, the right client secret only),
orders (``302`` with ``redirectUri``), the status of an order, refunds, and refuses a
request without a valid bearer token with ``401``. ``delay`` makes every answer slow (for
our timeouts); ``requests`` records what came in.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from dziennik.plans.operators.payu import signature_header

POS_ID = "300746"
CLIENT_ID = "300746"
CLIENT_SECRET = "2ee86a66e5d97e3fadc400c9f19b065d"
SECOND_KEY = "b6ca15b0d1020e8094d9b5f8d163db54"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # quiet
        pass

    def _answer(self, status: int, data: dict, headers: dict | None = None) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client gave up
            self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if header.removeprefix("Bearer ") in self.server.tokens:
            return True
        self._answer(401, {"error": "invalid_token"})
        return False

    def do_POST(self):
        time.sleep(self.server.delay)
        body = self._body()
        self.server.requests.append(("POST", self.path, body))
        if self.path == "/pl/standard/user/oauth/authorize":
            return self._token(urllib.parse.parse_qs(body.decode()))
        if not self._authorised():
            return None
        if self.path == "/api/v2_1/orders":
            return self._order(json.loads(body))
        parts = self.path.strip("/").split("/")
        if len(parts) == 5 and parts[:3] == ["api", "v2_1", "orders"] and parts[4] == "refunds":
            return self._refund(parts[3], json.loads(body))
        return self._answer(404, {"status": {"statusCode": "DATA_NOT_FOUND"}})

    def do_GET(self):
        time.sleep(self.server.delay)
        self.server.requests.append(("GET", self.path, b""))
        if not self._authorised():
            return None
        parts = self.path.strip("/").split("/")
        order = self.server.orders.get(parts[3]) if len(parts) == 4 else None
        if parts[:3] != ["api", "v2_1", "orders"] or order is None:
            return self._answer(404, {"status": {"statusCode": "DATA_NOT_FOUND"}})
        return self._answer(200, {"orders": [order], "status": {"statusCode": "SUCCESS"}})

    def _token(self, form: dict) -> None:
        if (
            form.get("grant_type") != ["client_credentials"]
            or form.get("client_id") != [CLIENT_ID]
            or form.get("client_secret") != [CLIENT_SECRET]
        ):
            return self._answer(401, {"error": "invalid_client"})
        token = f"token-{next(self.server.counter)}"
        self.server.tokens.add(token)
        return self._answer(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": 43199,
                "grant_type": "client_credentials",
            },
        )

    def _order(self, data: dict) -> None:
        if data.get("merchantPosId") != POS_ID or not str(data.get("totalAmount", "")).isdigit():
            return self._answer(400, {"status": {"statusCode": "ERROR_VALUE_INVALID"}})
        order_id = f"ORD{next(self.server.counter):06d}X"
        self.server.orders[order_id] = {
            **data,
            "orderId": order_id,
            "status": "NEW",
            "orderCreateDate": "2026-12-07T10:00:00.000+01:00",
        }
        redirect = f"{self.server.base_url}/pay/?orderId={order_id}"
        return self._answer(
            302,
            {
                "status": {"statusCode": "SUCCESS"},
                "redirectUri": redirect,
                "orderId": order_id,
                "extOrderId": data.get("extOrderId"),
            },
            {"Location": redirect},
        )

    def _refund(self, order_id: str, data: dict) -> None:
        order = self.server.orders.get(order_id)
        if order is None:
            return self._answer(404, {"status": {"statusCode": "DATA_NOT_FOUND"}})
        if order["status"] != "COMPLETED":
            return self._answer(400, {"status": {"statusCode": "ERROR_VALUE_INVALID"}})
        ext_refund_id = data["refund"].get("extRefundId")
        earlier = [r for o, r in self.server.refunds if o == order_id and ext_refund_id]
        same = [r for r in earlier if r["extRefundId"] == ext_refund_id]
        if same:  # PayU takes a refund once per extRefundId
            return self._answer(
                200, {"orderId": order_id, "refund": same[0], "status": {"statusCode": "SUCCESS"}}
            )
        refund = {
            "refundId": f"R{next(self.server.counter):06d}",
            "extRefundId": data["refund"].get("extRefundId"),
            "amount": data["refund"]["amount"],
            "currencyCode": order.get("currencyCode", "PLN"),
            "description": data["refund"].get("description", ""),
            "status": "PENDING",
        }
        self.server.refunds.append((order_id, refund))
        return self._answer(
            200, {"orderId": order_id, "refund": refund, "status": {"statusCode": "SUCCESS"}}
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class PayUServer:
    """The operator on loopback; a context manager."""

    def __init__(self, *, delay: float = 0.0):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.delay = delay
        self._server.tokens = set()
        self._server.orders = {}
        self._server.refunds = []
        self._server.requests = []
        self._server.counter = itertools.count(1)
        self._server.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> PayUServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return self._server.base_url

    @property
    def orders(self) -> dict[str, dict]:
        return self._server.orders

    @property
    def refunds(self) -> list[tuple[str, dict]]:
        return self._server.refunds

    @property
    def requests(self) -> list[tuple[str, str, bytes]]:
        return self._server.requests

    @property
    def delay(self) -> float:
        return self._server.delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        self._server.delay = seconds

    def config(self, **overrides) -> dict:
        """``PAYMENT_OPERATOR`` for this server."""
        return {
            "backend": "dziennik.plans.operators.payu.PayU",
            "url": self.url,
            "pos_id": POS_ID,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "second_key": SECOND_KEY,
            "timeout": 2.0,
            **overrides,
        }

    def notification(
        self,
        order_id: str,
        status: str,
        *,
        bad_signature: bool = False,
        algorithm: str = "MD5",
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a status notification; the order takes ``status``."""
        order = self.orders[order_id]
        order["status"] = status
        body = json.dumps(
            {
                "order": order,
                "localReceiptDateTime": "2026-12-07T10:05:00.000+01:00",
                "properties": [{"name": "PAYMENT_ID", "value": f"P{order_id}"}],
            }
        ).encode()
        key = "not-the-second-key" if bad_signature else SECOND_KEY
        return body, {"OpenPayU-Signature": signature_header(body, key, algorithm)}

    def notify(self, order_id: str, status: str, **kwargs) -> int:
        """POST a notification to the order's ``notifyUrl``; the answer's status."""
        body, headers = self.notification(order_id, status, **kwargs)
        response = requests.post(
            self.orders[order_id]["notifyUrl"],
            data=body,
            headers={"Content-Type": "application/json", **headers},
            timeout=30,
        )
        return response.status_code


@contextlib.contextmanager
def payu_server(**kwargs):
    with PayUServer(**kwargs) as server:
        yield server
