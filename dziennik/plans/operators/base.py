"""What every online payment operator adapter offers (PayU's REST API is the model).

Amounts cross this interface in grosze (``int``), as operators count them; statuses are
normalised to ``Status``. An operator's failures are ``OperatorError``; no answer in time
is ``OperatorTimeout``, so a caller can say "try again" and know nothing was lost.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass, field


class OperatorError(Exception):
    """The operator refused or answered something we cannot read."""


class OperatorTimeout(OperatorError):
    """The operator did not answer in time (or could not be reached)."""


class BadSignature(OperatorError):
    """A notification whose signature does not match: not from the operator."""


class Status(enum.StrEnum):
    """An order's status at the operator (PayU's names)."""

    NEW = "NEW"
    PENDING = "PENDING"
    WAITING_FOR_CONFIRMATION = "WAITING_FOR_CONFIRMATION"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


@dataclass(frozen=True)
class OrderRequest:
    """An order to create: ``ext_order_id`` is ours (the purchase's), unique."""

    ext_order_id: str
    amount: int
    description: str
    notify_url: str
    continue_url: str
    customer_ip: str
    buyer_email: str = ""
    currency: str = "PLN"


@dataclass(frozen=True)
class CreatedOrder:
    order_id: str
    redirect_uri: str


@dataclass(frozen=True)
class Notification:
    """A verified status notification."""

    order_id: str
    ext_order_id: str
    status: Status
    amount: int
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Refund:
    refund_id: str
    status: str
    amount: int


class Operator(abc.ABC):
    """An online payment operator."""

    name: str = ""

    @abc.abstractmethod
    def create_order(self, order: OrderRequest) -> CreatedOrder:
        """Create the order; the parent is sent to ``redirect_uri``."""

    @abc.abstractmethod
    def order_status(self, order_id: str) -> Status:
        """The order's status now (when no notification has come yet)."""

    @abc.abstractmethod
    def refund(self, order_id: str, *, amount: int, description: str, ext_refund_id: str) -> Refund:
        """Return ``amount`` grosze of a completed order."""

    @abc.abstractmethod
    def parse_notification(self, body: bytes, headers) -> Notification:
        """Verify and read a notification; ``BadSignature`` when it is not genuine."""
