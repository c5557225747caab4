"""SMPP 3.4: the protocol SMS centres speak, through ``smpplib`` (PDUs, the client).

``SmppChannel`` binds as a transceiver (``SMPP_URL``: smpp://system_id:password@host:port)
once per run of the outbox, and submits each message as ``submit_sm``: data_coding 0
(GSM-7, unpacked septets) or 8 (UCS-2), one PDU per part, a long text in concatenated
parts with a UDH (esm_class 0x40) whose reference is derived from the message's
idempotency key (a repeat after a crash carries the same reference). The last part asks
for a delivery receipt (registered_delivery 1); its message id is the receipt id.

What the SMSC answers:

- ``ESME_ROK``: ``Result(ok=True, receipt_id=<message_id>, parts=n)``;
- ``ESME_RTHROTTLED``, a lost bind, a refused connection, a timeout: ``outage`` (the
  outbox rests the channel for the run and retries with back-off);
- an invalid destination (``ESME_RINVDSTADR`` and its kind): ``permanent``;
- anything else: a failure retried with back-off.

Receipts (``deliver_sm`` with the esm_class receipt bit) that come on the transceiver
while it sends are acknowledged and kept in ``receipts``; the outbox records them after
its run (``receipts.apply``). ``manage.py sms_receipts`` binds as a receiver for SMSCs
that send receipts there, and records them as they come.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from urllib.parse import unquote, urlsplit

import smpplib.client
import smpplib.consts as c
import smpplib.exceptions
import smpplib.smpp
from django.conf import settings

from ..channels import Outgoing, Result
from ..receipts import Receipt
from . import encoding

logger = logging.getLogger(__name__)

# a destination no retry can mend
PERMANENT = {
    c.SMPP_ESME_RINVDSTADR,
    c.SMPP_ESME_RINVDSTTON,
    c.SMPP_ESME_RINVDSTNPI,
    c.SMPP_ESME_RINVNUMDESTS,
}
# the SMSC asks us to slow down or cannot take messages now
OUTAGE = {c.SMPP_ESME_RTHROTTLED, c.SMPP_ESME_RMSGQFUL, c.SMPP_ESME_RSYSERR}
RECEIPT_BIT = 0x04  # esm_class: SMSC delivery receipt
RECEIPT_TEXT = re.compile(r"id:(?P<id>\S+).*?stat:(?P<stat>\w+)(?:.*?err:(?P<err>\w+))?", re.S)
# message_state (SMPP 3.4 5.3.2.35): 2 DELIVERED; 3 EXPIRED, 4 DELETED, 5 UNDELIVERABLE,
# 8 REJECTED; the others are not final
FINAL_STATES = {2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 8: "REJECTD"}
FAILED_STATS = {"EXPIRED", "DELETED", "UNDELIV", "REJECTD"}


SMPP_ERRORS = (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError)


class Gone(Exception):
    """The bind is lost or the SMSC cannot be reached."""


def parse_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme != "smpp" or not parts.hostname:
        raise ValueError("SMPP_URL must look like smpp://system_id:password@host:port")
    return {
        "host": parts.hostname,
        "port": parts.port or 2775,
        "system_id": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
    }


def reference(key: str) -> int:
    """The 8-bit concatenation reference of a message, the same for its repeats."""
    return hashlib.sha256(key.encode()).digest()[0]


def receipt_of(pdu) -> Receipt | None:
    """The receipt a ``deliver_sm`` carries, or None (an incoming SMS, a non-final
    state such as ENROUTE)."""
    if not (getattr(pdu, "esm_class", 0) or 0) & RECEIPT_BIT:
        return None
    text = pdu.short_message or b""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    found = RECEIPT_TEXT.search(text)
    message_id = _text(getattr(pdu, "receipted_message_id", None)) or (found["id"] if found else "")
    state = getattr(pdu, "message_state", None)
    stat = FINAL_STATES.get(state) if state else (found["stat"].upper() if found else None)
    if not message_id or stat not in {"DELIVRD", *FAILED_STATS}:
        return None
    error = stat if stat == "DELIVRD" else f"{stat} err:{(found and found['err']) or '-'}"
    return Receipt(receipt_id=message_id, delivered=stat == "DELIVRD", error=error)


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return (value or "").strip("\x00").strip()


class SmppClient:
    """One bind to the SMSC (``mode``: transceiver or receiver), synchronous: each PDU
    sent waits for its response; receipts met on the way are acknowledged and kept."""

    def __init__(self, url: str, *, mode: str = "transceiver", timeout: float = 10) -> None:
        self.config = parse_url(url)
        self.mode = mode
        self.timeout = timeout
        self.client: smpplib.client.Client | None = None
        self.receipts: list[Receipt] = []

    @property
    def bound(self) -> bool:
        return self.client is not None

    def bind(self) -> None:
        client = smpplib.client.Client(
            self.config["host"],
            self.config["port"],
            timeout=self.timeout,
            allow_unknown_opt_params=True,
            logger_name="dziennik.smpp",
        )
        try:
            client.connect()
            getattr(client, f"bind_{self.mode}")(
                system_id=self.config["system_id"], password=self.config["password"]
            )
        except (OSError, smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError) as e:
            _drop(client)
            raise Gone(_reason(e)) from e
        self.client = client

    def unbind(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        with contextlib.suppress(OSError, *SMPP_ERRORS):
            # receipts that come before the SMSC's answer are read (and kept) on the way
            self.client = client
            client.send_pdu(smpplib.smpp.make_pdu("unbind", client=client))
            while self.read().command != "unbind_resp":
                pass
        self.client = None
        _drop(client)

    def lost(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            _drop(client)

    def submit(self, **fields) -> tuple[int, str]:
        """Send one ``submit_sm``; its status and message id."""
        try:
            pdu = self.client.send_message(**fields)
            while True:
                answer = self.read()
                if answer.command == "submit_sm_resp" and answer.sequence == pdu.sequence:
                    return int(answer.status), _text(getattr(answer, "message_id", ""))
        except (OSError, *SMPP_ERRORS) as e:  # a broken PDU too: the session is unusable
            self.lost()
            raise Gone(_reason(e)) from e

    def read(self, *, receipts_too: bool = False):
        """The next PDU that is not a receipt or a keep-alive (those are answered);
        ``receipts_too``: a receipt too (kept and answered), so a receiver records each
        as it comes."""
        while True:
            pdu = self.client.read_pdu()
            if pdu.command == "deliver_sm":
                receipt = receipt_of(pdu)
                if receipt is not None:
                    self.receipts.append(receipt)
                answer = smpplib.smpp.make_pdu("deliver_sm_resp", client=self.client)
                answer.sequence = pdu.sequence
                self.client.send_pdu(answer)
                if receipts_too:
                    return pdu
            elif pdu.command == "enquire_link":
                answer = smpplib.smpp.make_pdu("enquire_link_resp", client=self.client)
                answer.sequence = pdu.sequence
                self.client.send_pdu(answer)
            elif pdu.command == "unbind":
                raise smpplib.exceptions.ConnectionError("the SMSC unbound")
            else:
                return pdu

    def listen(self, seconds: float) -> None:
        """Read receipts for up to ``seconds`` (a receiver's loop); a quiet line is
        checked with ``enquire_link``."""
        self.client._socket.settimeout(seconds)
        try:
            pdu = self.read(receipts_too=True)
            if pdu.command != "deliver_sm":
                logger.debug("SMPP: unexpected %s", pdu.command)
        except TimeoutError:
            ping = smpplib.smpp.make_pdu("enquire_link", client=self.client)
            try:
                self.client.send_pdu(ping)
            except smpplib.exceptions.ConnectionError as e:
                self.lost()
                raise Gone(_reason(e)) from e
        except (OSError, smpplib.exceptions.ConnectionError) as e:
            self.lost()
            raise Gone(_reason(e)) from e
        finally:
            if self.client is not None:
                self.client._socket.settimeout(self.timeout)


class SmppChannel:
    """The outbox's SMS channel over SMPP 3.4 (see the module)."""

    name = "sms"

    def __init__(self) -> None:
        self.connection: SmppClient | None = None
        self.receipts: list[Receipt] = []
        self.problem = ""

    def open(self) -> None:
        # bound on the first message: a run with nothing to send costs no bind
        try:
            self.connection = SmppClient(settings.SMPP_URL)
        except ValueError as error:  # misconfigured: the SMS wait, the other channels go
            self.connection, self.problem = None, str(error)
            return
        self.receipts = self.connection.receipts

    def send(self, batch: list[Outgoing]) -> list[Result]:
        results: list[Result] = []
        if self.connection is None:
            return [Result(ok=False, error=self.problem, outage=True) for _ in batch]
        for index, item in enumerate(batch):
            try:
                if not self.connection.bound:
                    self.connection.bind()
                result = self._submit(item)
            except Gone as error:
                reason = f"SMPP: {error}"
                results.extend(Result(ok=False, error=reason, outage=True) for _ in batch[index:])
                return results
            results.append(result)
        return results

    def _submit(self, item: Outgoing) -> Result:
        if not item.address:
            return Result(ok=False, error="no mobile phone number", permanent=True)
        try:
            coding, parts = encoding.split(item.text)
        except ValueError as error:
            return Result(ok=False, error=str(error), permanent=True)
        ref = reference(item.key)
        message_id = ""
        for number, payload in enumerate(parts, start=1):
            many = len(parts) > 1
            status, message_id = self.connection.submit(
                service_type="",
                source_addr_ton=c.SMPP_TON_ALNUM,
                source_addr_npi=c.SMPP_NPI_UNK,
                source_addr=settings.SMS_SENDER,
                dest_addr_ton=c.SMPP_TON_INTL,
                dest_addr_npi=c.SMPP_NPI_ISDN,
                destination_addr=item.address.lstrip("+"),
                short_message=(encoding.udh(ref, len(parts), number) if many else b"") + payload,
                data_coding=coding,
                esm_class=c.SMPP_GSMFEAT_UDHI if many else c.SMPP_MSGTYPE_DEFAULT,
                registered_delivery=1 if number == len(parts) else 0,
            )
            if status != c.SMPP_ESME_ROK:
                reason = f"SMPP {_status(status)} (part {number} of {len(parts)})"
                if status in PERMANENT:
                    return Result(ok=False, error=reason, permanent=True)
                return Result(ok=False, error=reason, outage=status in OUTAGE)
        return Result(ok=True, receipt_id=message_id, parts=len(parts))

    def close(self) -> None:
        if self.connection is not None:
            self.connection.unbind()


def _status(status: int) -> str:
    names = {
        value: name.removeprefix("SMPP_")
        for name, value in vars(c).items()
        if name.startswith("SMPP_ESME_R") and isinstance(value, int)
    }
    return f"{names.get(status, 'error')} (0x{status:08X})"


def _drop(client) -> None:
    with contextlib.suppress(OSError):
        client.disconnect()


def _reason(error: Exception) -> str:
    return (f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)[:400]
