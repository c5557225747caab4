"""A real SMPP 3.4 server for the tests: the npm ``smpp`` package's server
(``testsupport/smpp_server.js``) in a ``node`` process on a free port.

    with SMPPServer() as smsc:
        settings.SMPP_URL = smsc.url
        ... send ...
        smsc.messages()  # what reached it, the parts of each joined: text, coding, parts

``stop()`` kills it as an SMSC that goes away (its binds drop), ``start()`` brings it back
on the same port. ``throttle(n)`` answers the next ``n`` submit_sm with ESME_RTHROTTLED,
``refuse(number)`` answers ESME_RINVDSTADR for a destination, ``receipt(id)`` sends a
``deliver_sm`` delivery receipt (to a receiver bind if there is one, else a transceiver,
else the next bind).
``make setup`` installs the package (``npm ci``, package.json)."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "testsupport" / "smpp_server.js"
SYSTEM_ID = "dziennik"
PASSWORD = "sekret"


@dataclass
class Message:
    """One SMS as the SMSC received it: its parts joined in their UDH order."""

    destination: str
    text: str
    data_coding: int
    parts: int
    ids: list[str]


class SMPPServer:
    def __init__(self, port: int = 0) -> None:
        if not (ROOT / "node_modules" / "smpp").is_dir() or not shutil.which("node"):
            raise RuntimeError("the SMPP test server needs node and `npm ci` (make setup)")
        self.port = port
        self.events: list[dict] = []
        self._changed = threading.Condition()
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"smpp://{SYSTEM_ID}:{PASSWORD}@127.0.0.1:{self.port}"

    def start(self) -> SMPPServer:
        self._process = subprocess.Popen(
            ["node", str(SCRIPT), str(self.port), SYSTEM_ID, PASSWORD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        threading.Thread(target=self._read, args=(self._process,), daemon=True).start()
        listening = self.wait(lambda e: e["event"] == "listening", since=len(self.events))
        self.port = listening["port"]
        return self

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            with self._changed:
                self.events.append(json.loads(line))
                self._changed.notify_all()

    def wait(self, match, *, since: int = 0, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self.events[since:]:
                    if match(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the SMPP server did not report it: {self.events[-5:]}")
                self._changed.wait(left)

    def command(self, **command) -> None:
        since = len(self.events)
        self._process.stdin.write(json.dumps(command) + "\n")
        self._process.stdin.flush()
        self.wait(lambda e: e == {"event": "done", "cmd": command["cmd"]}, since=since)

    def throttle(self, count: int) -> None:
        self.command(cmd="throttle", count=count)

    def refuse(self, destination: str) -> None:
        self.command(cmd="refuse", destination=destination.lstrip("+"))

    def receipt(
        self, message_id: str, stat: str = "DELIVRD", *, wait: bool = True, **options
    ) -> dict | None:
        """Send a receipt; with ``wait``, until the client answered it (deliver_sm_resp)."""
        since = len(self.events)
        self.command(cmd="receipt", id=message_id, stat=stat, **options)
        if not wait:
            return None
        return self.wait(
            lambda e: e["event"] in ("receipt_sent", "receipt_pending") and e["id"] == message_id,
            since=since,
        )

    def auto_receipts(self, on: bool = True) -> None:
        """A receipt for every message that asks for one, at once (a fast SMSC)."""
        self.command(cmd="auto_receipts", on=on)

    def stop(self) -> None:
        """Gone at once, as a crashed SMSC: the process is killed, its binds drop."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process.stdin.close()
            self._process = None

    def sync(self) -> None:
        """Wait until every event the server printed so far is read (it answers in order)."""
        if self._process is not None:
            self.command(cmd="sync")

    def of(self, kind: str) -> list[dict]:
        self.sync()
        with self._changed:
            return [e for e in self.events if e["event"] == kind]

    def messages(self) -> list[Message]:
        """The SMS received, each assembled from its parts (a UDH 00 03 ref count seq)."""
        whole, pending = [], {}
        for event in self.of("submit"):
            udh = next((h for h in event["udh"] if h.startswith("0003")), None)
            if udh is None:
                whole.append(
                    Message(event["destination"], event["message"], event["data_coding"], 1,
                            [event["id"]])
                )  # fmt: skip
                continue
            ref, count, number = bytes.fromhex(udh)[2:5]
            parts = pending.setdefault((event["destination"], ref, count), {})
            parts[number] = event
            if len(parts) == count:
                ordered = [parts[n] for n in sorted(parts)]
                whole.append(
                    Message(
                        event["destination"],
                        "".join(p["message"] for p in ordered),
                        event["data_coding"],
                        count,
                        [p["id"] for p in ordered],
                    )
                )
                del pending[(event["destination"], ref, count)]
        return whole

    def __enter__(self) -> SMPPServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
