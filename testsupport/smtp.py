"""A real SMTP server on loopback for tests that send mail (Python 3.12 has no ``smtpd``
and ``aiosmtpd`` is not a dependency): enough of RFC 5321 for Django's SMTP backend
(EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), each message kept
as parsed ``email.message.EmailMessage`` with its envelope.

    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        ... send ...
        server.messages[0]["To"]
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import socketserver
import threading
from dataclasses import dataclass


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif verb == "HELO":
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip().strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.received.append(Received(sender, recipients, self._data()))
                self.reply("250 OK: queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _data(self) -> email.message.EmailMessage:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return email.message_from_bytes(b"".join(lines), policy=email.policy.default)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def process_request(self, request, client_address):
        self.clients.add(request)
        super().process_request(request, client_address)

    def drop_clients(self) -> None:
        """A server that goes away drops its open sessions, as a real one does."""
        for client in list(self.clients):
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
        self.clients.clear()


class SMTPServer:
    """A server on 127.0.0.1 and a free port, running in a thread while in ``with``."""

    def __init__(self, port: int = 0) -> None:
        # a given port: a server that "comes back" where the mailers expect it
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.received = []
        self._server.clients = set()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def received(self) -> list[Received]:
        return self._server.received

    def mailers(self) -> dict:
        """Django's ``MAILERS`` for this server (the SMTP backend, no TLS)."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }

    def __enter__(self) -> SMTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.drop_clients()
