"""The year close of the demo school writes an archive that the independent verifier
(scripts/verify_archive.py, run as a separate process) accepts, and that fails it when
any file, the XML or the manifest is changed (L-10–L-12)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from lxml import etree

from dziennik.accounts.models import User
from dziennik.archive import documents, services
from dziennik.archive.models import YearArchive
from dziennik.attendance.tests.factories import committed
from dziennik.core.models import AuditEntry
from dziennik.schools.models import SchoolYear

VERIFIER = Path(settings.BASE_DIR) / "scripts" / "verify_archive.py"


def verify(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(path), *extra],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},  # no Django settings: the verifier needs none
    )


def rewrite(source: Path, target: Path, name: str, change) -> None:
    """A copy of the archive with one member changed by ``change(bytes) -> bytes``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info.filename, change(data) if info.filename == name else data)


def flip_byte(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


@pytest.fixture
def demo_archive(db, archive_settings):
    """The demo school's year closed by its principal (over the missing entries, with a
    reason) and its archive written by the background task."""
    call_command("demo", "--students-per-class", "2", stdout=io.StringIO())
    principal = User.objects.get(username="dyrektor")
    year = SchoolYear.objects.get()
    with committed():
        started = services.year_close_start(
            actor=principal, school_year=year, override_reason="Rok demonstracyjny"
        )
    archive = YearArchive.objects.get(pk=started.pk)
    return archive, Path(settings.ARCHIVE_DIR) / archive.file_name


def test_demo_year_close_writes_an_archive_that_verifies(demo_archive, tmp_path):
    archive, path = demo_archive
    assert archive.status == YearArchive.Status.DONE, archive.error
    assert archive.verified is True
    assert archive.verification.startswith("OK: ")
    assert archive.missing["topics"] >= 0 and set(archive.missing) == {
        "topics",
        "attendance",
        "annual_grades",
        "behaviour_grades",
    }
    result = verify(path)
    assert result.returncode == 0, result.stderr
    # 8 classes' registers and their grade sheets (arkusze ocen), the protocol, the
    # summary, the register's XML and its schema
    assert "OK: 20 files" in result.stdout

    with zipfile.ZipFile(path) as archive_zip:
        names = set(archive_zip.namelist())
        manifest = json.loads(archive_zip.read("manifest.json"))
        summary = archive_zip.read("year-close/summary.xml")
    assert {"manifest.json", "manifest.json.jws", "certificate.pem"} <= names
    assert {"xml/register.xml", "xml/dziennik-1.0.xsd"} <= names
    assert "journals/class-4a.pdf" in names
    assert "grade-sheets/class-4a.pdf" in names
    kinds = {entry["name"]: entry["signature"] for entry in manifest["files"]}
    assert kinds["year-close/summary.xml"] == "XAdES"
    assert kinds["journals/class-4a.pdf"] == "PAdES"
    assert kinds["grade-sheets/class-4a.pdf"] == "PAdES"
    assert manifest["school_year"] == archive.school_year.name
    # The signed summary still validates against the schema (the signature is allowed).
    documents.validate(summary)
    root = etree.fromstring(summary)
    assert root.find("{urn:dziennik:year-close:1}overrideReason").text == "Rok demonstracyjny"
    # The close and the archive are in the history.
    assert AuditEntry.objects.filter(object_repr__contains=archive.school_year.name).exists()

    # Pinned to another certificate, the archive is refused.
    other = verify(path, "--trust", "00" * 32)
    assert other.returncode == 1
    assert "not the trusted certificate" in other.stderr

    # The archive is built once (it takes a while): the tampering checks run on it here.
    check_tampering(path, tmp_path)


TAMPERING = [
    (
        "journals/class-4a.pdf",
        lambda data: flip_byte(data, len(data) // 2),
        "journals/class-4a.pdf: SHA-256 hash mismatch",
    ),
    (
        "year-close/summary.xml",
        lambda data: data.replace(b"Rok demonstracyjny", b"Rok demonstracyjnY"),
        "year-close/summary.xml: XAdES signature invalid",
    ),
    (
        "manifest.json",
        lambda data: data.replace(b'"school_year": "', b'"school_year": "X'),
        "manifest.json: the manifest's signature is invalid",
    ),
]


def check_tampering(path: Path, tmp_path: Path) -> None:
    """One changed byte of a PDF, of the XML or of the manifest fails the verifier, each
    with its own message."""
    for member, change, message in TAMPERING:
        tampered = tmp_path / "tampered.zip"
        rewrite(path, tampered, member, change)
        result = verify(tampered)
        assert result.returncode == 1, member
        assert message in result.stderr, result.stderr
        assert "OK:" not in result.stdout
