"""PayU's REST API (``/api/v2_1``) as an ``Operator``.

- OAuth ``client_credentials`` at ``/pl/standard/user/oauth/authorize``; the token is
  kept until shortly before ``expires_in``.
- ``POST /api/v2_1/orders`` answers ``302`` with ``redirectUri`` and ``orderId`` (not
  followed: the parent's browser goes there).
- Notifications carry ``OpenPayU-Signature: sender=…;signature=…;algorithm=MD5|SHA-256;
  content=DOCUMENT``; the signature is the hash of the body followed by the second key
  (*drugi klucz*), compared in constant time.
- ``GET /api/v2_1/orders/{id}`` for the status, ``POST /api/v2_1/orders/{id}/refunds``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time

import requests

from .base import (
    BadSignature,
    CreatedOrder,
    Notification,
    Operator,
    OperatorError,
    OperatorTimeout,
    OrderRequest,
    Refund,
    Status,
)

HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256, "SHA256": hashlib.sha256}


def signature_header(body: bytes, second_key: str, algorithm: str = "MD5") -> str:
    """The ``OpenPayU-Signature`` header PayU sends with ``body``."""
    digest = HASHES[algorithm](body + second_key.encode()).hexdigest()
    return f"sender=checkout;signature={digest};algorithm={algorithm};content=DOCUMENT"


def verify_signature(body: bytes, header: str, second_key: str) -> None:
    """``BadSignature`` unless ``header`` signs ``body`` with ``second_key``."""
    parts = dict(item.split("=", 1) for item in (header or "").split(";") if "=" in item)
    algorithm = parts.get("algorithm", "").upper()
    given = parts.get("signature", "")
    if algorithm not in HASHES or not given or not second_key:
        raise BadSignature("missing or unknown signature")
    expected = HASHES[algorithm](body + second_key.encode()).hexdigest()
    if not hmac.compare_digest(expected.encode(), given.lower().encode()):
        raise BadSignature("signature does not match")


class PayU(Operator):
    name = "payu"

    def __init__(
        self,
        *,
        url: str,
        pos_id: str,
        client_id: str,
        client_secret: str,
        second_key: str,
        timeout: float = 10.0,
    ):
        self.url = url.rstrip("/")
        self.pos_id = str(pos_id)
        self.client_id = str(client_id)
        self.client_secret = client_secret
        self.second_key = second_key
        self.timeout = float(timeout)
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None

    # --- transport -------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            return requests.request(
                method, self.url + path, timeout=self.timeout, allow_redirects=False, **kwargs
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise OperatorTimeout(str(exc)) from exc

    def _json(self, response: requests.Response, ok: tuple[int, ...]) -> dict:
        if response.status_code not in ok:
            raise OperatorError(f"operator answered {response.status_code}: {response.text[:200]}")
        try:
            return response.json()
        except ValueError as exc:
            raise OperatorError("operator answered something that is not JSON") from exc

    def _access_token(self) -> str:
        with self._lock:
            if self._token and self._token[1] > time.monotonic():
                return self._token[0]
            response = self._request(
                "POST",
                "/pl/standard/user/oauth/authorize",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
            )
            data = self._json(response, (200,))
            token = data.get("access_token")
            if not token:
                raise OperatorError("operator gave no access token")
            lifetime = max(int(data.get("expires_in", 60)) - 30, 1)
            self._token = (token, time.monotonic() + lifetime)
            return token

    def _authorised(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._access_token()}"}
        return self._request(method, path, headers=headers, **kwargs)

    # --- the operator ----------------------------------------------------------------
    def create_order(self, order: OrderRequest) -> CreatedOrder:
        body = {
            "notifyUrl": order.notify_url,
            "continueUrl": order.continue_url,
            "customerIp": order.customer_ip,
            "merchantPosId": self.pos_id,
            "description": order.description,
            "currencyCode": order.currency,
            "totalAmount": str(order.amount),
            "extOrderId": order.ext_order_id,
            "products": [
                {"name": order.description, "unitPrice": str(order.amount), "quantity": "1"}
            ],
        }
        if order.buyer_email:
            body["buyer"] = {"email": order.buyer_email, "language": "pl"}
        data = self._json(self._authorised("POST", "/api/v2_1/orders", json=body), (200, 201, 302))
        if data.get("status", {}).get("statusCode") != "SUCCESS" or not data.get("orderId"):
            raise OperatorError(f"order refused: {data.get('status')}")
        return CreatedOrder(order_id=data["orderId"], redirect_uri=data.get("redirectUri", ""))

    def order_status(self, order_id: str) -> Status:
        data = self._json(self._authorised("GET", f"/api/v2_1/orders/{order_id}"), (200,))
        try:
            return Status(data["orders"][0]["status"])
        except (KeyError, IndexError, ValueError) as exc:
            raise OperatorError("operator gave no order status") from exc

    def refund(self, order_id: str, *, amount: int, description: str, ext_refund_id: str) -> Refund:
        body = {
            "refund": {
                "description": description,
                "amount": str(amount),
                "extRefundId": ext_refund_id,
            }
        }
        response = self._authorised("POST", f"/api/v2_1/orders/{order_id}/refunds", json=body)
        data = self._json(response, (200, 201))
        refund = data.get("refund") or {}
        if data.get("status", {}).get("statusCode") != "SUCCESS" or not refund.get("refundId"):
            raise OperatorError(f"refund refused: {data.get('status')}")
        return Refund(
            refund_id=str(refund["refundId"]),
            status=str(refund.get("status", "")),
            amount=int(refund.get("amount", amount)),
        )

    def parse_notification(self, body: bytes, headers) -> Notification:
        verify_signature(body, headers.get("OpenPayU-Signature", ""), self.second_key)
        try:
            order = json.loads(body)["order"]
            return Notification(
                order_id=str(order["orderId"]),
                ext_order_id=str(order.get("extOrderId", "")),
                status=Status(order["status"]),
                amount=int(order["totalAmount"]),
                raw=order,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise OperatorError("notification without an order") from exc
