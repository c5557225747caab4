"""``manage.py sms_receipts``: bind to the SMS centre as a receiver and record its
delivery receipts as they come (for SMSCs that send receipts to a receiver bind rather
than to the transceiver the outbox sends on; docs/notifications.md, "SMS").

Long-running (run it beside the worker, one per installation); a lost bind is bound
again after a pause. A receipt that comes before the outbox committed its message (a
fast SMSC) is kept and tried again for ``--keep`` seconds."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dziennik.notifications import events, receipts
from dziennik.notifications.sms.smpp import Gone, SmppClient


class Command(BaseCommand):
    help = "Record the SMS centre's delivery receipts (SMPP receiver bind)"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--keep", type=float, default=600, help="seconds an unknown receipt is kept"
        )
        parser.add_argument("--seconds", type=float, default=0, help="stop after (0: never)")
        parser.add_argument("--pause", type=float, default=5, help="seconds between binds")

    def handle(self, *args, **options) -> None:
        if not settings.SMPP_URL:
            raise CommandError("SMPP_URL is not set (docs/notifications.md, SMS)")
        until = time.monotonic() + options["seconds"] if options["seconds"] else None
        receiver = SmppClient(settings.SMPP_URL, mode="receiver")
        waiting: dict[str, tuple[float, receipts.Receipt]] = {}
        while until is None or time.monotonic() < until:
            try:
                if not receiver.bound:
                    receiver.bind()
                    self.stdout.write("bound as a receiver")
                receiver.listen(1.0)
            except Gone as error:
                self.stderr.write(f"SMPP: {error}; binding again in {options['pause']} s")
                time.sleep(options["pause"])
                continue
            now = time.monotonic()
            for receipt in receiver.receipts:
                waiting[receipt.receipt_id] = (now + options["keep"], receipt)
            receiver.receipts.clear()
            if waiting:
                self._record(waiting, now)
        receiver.unbind()

    def _record(self, waiting: dict, now: float) -> None:
        found = receipts.known(set(waiting), channel=events.SMS)
        if found:
            receipts.apply([waiting.pop(pk)[1] for pk in found], channel=events.SMS)
        for pk, (deadline, _receipt) in list(waiting.items()):
            if deadline < now:
                self.stderr.write(f"no SMS was sent as {pk}: its receipt is dropped")
                del waiting[pk]
