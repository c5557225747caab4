"""Writing the signed archive of a closed year: every part's file signed (PAdES, XAdES),
the close protocol and its XML summary, the signed manifest, all in one zip in
``ARCHIVE_DIR``, then verified by the independent verifier (L-10–L-12)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.core.extensions import collect_archive_parts

from . import documents, selectors, signing
from .models import YearArchive

logger = logging.getLogger(__name__)

VERIFIER = Path(settings.BASE_DIR) / "scripts" / "verify_archive.py"
PROGRESS_KEY = "archive:progress:{}"
PROGRESS_KEPT_FOR = 3600  # seconds
FORMAT = "dziennik-archive/1"


def archive_progress(archive_id: int) -> tuple[int, int] | None:
    """``(files done, files in all)`` of a running archive, when the cache is shared with
    the worker (else ``None``)."""
    return cache.get(PROGRESS_KEY.format(archive_id))


def _signed_file(key: signing.SchoolKey, name: str, content_type: str, data: bytes, reason: str):
    if content_type == "application/pdf":
        signed, kind = signing.sign_pdf(key, data, reason=reason), "PAdES"
    elif content_type in ("application/xml", "text/xml"):
        signed, kind = signing.sign_xml(key, data, description=reason), "XAdES"
    else:
        raise ValueError(f"Cannot sign {content_type!r} ({name})")
    entry = documents.FileEntry(
        name=name,
        content_type=content_type,
        size=len(signed),
        sha256=hashlib.sha256(signed).hexdigest(),
        signature=kind,
        signed_at=timezone.now().isoformat(),
    )
    return entry, signed


def _archive_path(archive: YearArchive) -> Path:
    year = archive.school_year.name.replace("/", "-")
    return Path(settings.ARCHIVE_DIR) / str(archive.school_id) / f"archiwum-{year}-{archive.pk}.zip"


def _write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    """Write the archive beside its place and move it there, so a half-written file
    never has the archive's name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive_zip:
        for name, data in members:
            archive_zip.writestr(name, data)
    os.replace(partial, path)


def verify_archive_file(path: Path, fingerprint: str = "") -> tuple[bool, str]:
    """Run the independent verifier (``scripts/verify_archive.py``, no Django) on the
    file: (passed, its message)."""
    command = [sys.executable, str(VERIFIER), str(path)]
    if fingerprint:
        command += ["--trust", fingerprint]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603 (our own script, no shell)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def _build_files(archive: YearArchive, key: signing.SchoolKey) -> list[tuple[str, bytes]]:
    """Every part's file signed, then the protocol (PDF) and its XML summary listing them.
    Long because it is the archive's one sequence: parts, protocol, summary, manifest."""
    year = archive.school_year
    parts = collect_archive_parts(year)
    total = len(parts) + 2
    progress_key = PROGRESS_KEY.format(archive.pk)
    reason = _("Archive of the school year %(name)s") % {"name": year.name}
    entries: list[documents.FileEntry] = []
    members: list[tuple[str, bytes]] = []
    for done, part in enumerate(parts):
        cache.set(progress_key, (done, total), PROGRESS_KEPT_FOR)
        entry, data = _signed_file(key, part.name, part.content_type, part.build(), reason)
        entries.append(entry)
        members.append((part.name, data))
    closed_by = archive.requested_by.get_full_name() if archive.requested_by else ""
    checks = selectors.close_checks_of(year)
    common = {
        "school_year": year,
        "closed_by": closed_by,
        "closed_at": archive.requested_at,
        "checks": checks.checks,
        "override_reason": archive.override_reason,
    }
    cache.set(progress_key, (len(parts), total), PROGRESS_KEPT_FOR)
    protocol = documents.protocol_pdf(signer=key.subject, files=entries, **common)
    entry, data = _signed_file(key, "year-close/protocol.pdf", "application/pdf", protocol, reason)
    entries.append(entry)
    members.append((entry.name, data))
    cache.set(progress_key, (len(parts) + 1, total), PROGRESS_KEPT_FOR)
    summary = documents.summary_xml(files=entries, **common)
    entry, data = _signed_file(key, "year-close/summary.xml", "application/xml", summary, reason)
    entries.append(entry)
    members.append((entry.name, data))
    manifest = json.dumps(
        {
            "format": FORMAT,
            "school": {"name": year.school.name, "rspo": year.school.rspo},
            "school_year": year.name,
            "closed_by": closed_by,
            "closed_at": archive.requested_at.isoformat(),
            "created_at": timezone.now().isoformat(),
            "signer": {"subject": key.subject, "sha256": key.fingerprint},
            "files": [
                {
                    "name": e.name,
                    "content_type": e.content_type,
                    "size": e.size,
                    "sha256": e.sha256,
                    "signature": e.signature,
                    "signer": key.subject,
                    "signed_at": e.signed_at,
                }
                for e in entries
            ],
        },
        ensure_ascii=False,
        indent=2,
    ).encode("utf-8")
    cache.set(progress_key, (total, total), PROGRESS_KEPT_FOR)
    return [
        ("manifest.json", manifest),
        ("manifest.json.jws", signing.sign_detached_jws(key, manifest)),
        ("certificate.pem", key.certificate_pem),
        *members,
    ]


def archive_build(*, archive_id: int) -> YearArchive:
    """Write, sign and verify the archive of a close (the background task's work).

    Safe to run twice: a finished archive is left as it is. The file is written first
    (under a temporary name, then moved), then verified by the independent verifier,
    then the archive's row and its history are saved in one transaction. A failure is
    kept on the row (``error``) for the principal to see, and the close can be
    started again."""
    with transaction.atomic():
        archive = YearArchive.objects.select_for_update().get(pk=archive_id)
        if not archive.is_pending:
            return archive
        archive.status = YearArchive.Status.RUNNING
        archive.save(update_fields=["status"])
    archive = YearArchive.objects.select_related("school_year__school", "requested_by").get(
        pk=archive_id
    )
    try:
        key = signing.load_school_key()
        path = _archive_path(archive)
        members = _build_files(archive, key)
        _write_zip(path, members)
        verified, message = verify_archive_file(path, key.fingerprint)
        content = path.read_bytes()
    except Exception as exc:  # any failure is the principal's to see, and to retry
        logger.exception("The archive %s could not be written", archive_id)
        with transaction.atomic():
            YearArchive.objects.filter(pk=archive_id).update(
                status=YearArchive.Status.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )
        archive.refresh_from_db()
        return archive
    with transaction.atomic():
        archive = YearArchive.objects.select_for_update().get(pk=archive_id)
        before = audit.snapshot(
            archive, fields=["status", "file_name", "size", "sha256", "signer", "verified"]
        )
        archive.status = YearArchive.Status.DONE if verified else YearArchive.Status.FAILED
        archive.finished_at = timezone.now()
        archive.file_name = str(path.relative_to(settings.ARCHIVE_DIR))
        archive.size = len(content)
        archive.sha256 = hashlib.sha256(content).hexdigest()
        archive.signer = key.subject
        archive.verified = verified
        archive.verification = message[:4000]
        if not verified:
            archive.error = _("The archive did not verify.")
        archive.save()
        audit.record_update(actor=archive.requested_by, instance=archive, before=before)
    return archive


def archive_file(archive: YearArchive) -> Path:
    return Path(settings.ARCHIVE_DIR) / archive.file_name
