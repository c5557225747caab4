"""The demo's signing certificate: in local development (DEBUG) without a configured
``ARCHIVE_P12``, a self-signed test certificate in ``ARCHIVE_DIR`` (as
``manage.py archive_test_certificate`` makes it), so the demo principal can close the year
and see its signed archive. The demo adds no close: the year is the current one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from . import signing

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext


def populate(ctx: DemoContext) -> None:
    if settings.ARCHIVE_P12 or not settings.DEBUG:
        return
    path = Path(settings.ARCHIVE_DIR) / signing.TEST_CERTIFICATE_NAME
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        signing.make_test_certificate(
            common_name="Dziennik – certyfikat testowy archiwum",
            password=settings.ARCHIVE_P12_PASSWORD,
        )
    )
    path.chmod(0o600)
