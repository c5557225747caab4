"""Backup → change → restore gives back every row of every table and the same history.

The database under test is a real one of its own, built by the commands a school runs
(``migrate``, ``demo``) in a subprocess: on SQLite a file in ``tmp_path`` (the test
database lives in memory), on PostgreSQL a throw-away database next to the test
database (only in the PostgreSQL pass). ``backup`` and ``restore`` run as commands too.
Every model's table (discovered, many-to-many tables included) is read before the
backup, after the changes and after the restore; the history's chain is checked by
``audit_verify`` and its heads compared.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from dziennik.core.backup import MAGIC, Manifest, new_identity

ROOT = Path(settings.BASE_DIR)
NEEDS_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (runs in the PostgreSQL pass of .ci/run)",
)

# The demo writes no history; a term's corrections do (in two schools' chains if any).
HISTORY = """
from django.db import transaction
from dziennik.core import audit
from dziennik.schools.models import Student
with transaction.atomic():
    for student in Student.objects.order_by("pk")[:12]:
        before = audit.snapshot(student, ["first_name"])
        student.first_name = student.first_name + "a"
        student.save()
        audit.record_update(
            actor=None, instance=student, before=before, student_id=student.pk
        )
"""

# Deletes grades and a lesson's marks, renames a student, records it: a day's work lost.
CHANGE = """
from django.db import transaction
from dziennik.core import audit
from dziennik.grades.models import Grade
from dziennik.attendance.models import AttendanceMark
from dziennik.schools.models import Student
with transaction.atomic():
    # twenty grades no other grade corrects (a correction goes with the grade it corrects)
    doomed = Grade.objects.filter(correction__isnull=True).values_list("pk", flat=True)[:20]
    Grade.objects.filter(pk__in=list(doomed)).delete()
    AttendanceMark.objects.filter(lesson=AttendanceMark.objects.first().lesson).delete()
    student = Student.objects.order_by("pk").first()
    before = audit.snapshot(student, ["last_name"])
    student.last_name = "Zmieniony"
    student.save()
    audit.record_update(actor=None, instance=student, before=before)
"""


def tables() -> dict[str, tuple[list[str], list[str]]]:
    """Every model's table: its columns and the columns to order its rows by."""
    result = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        columns = [field.column for field in meta.concrete_fields]
        result[meta.db_table] = (columns, [meta.pk.column])
    return result


class Database:
    url: str

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, DATABASE_URL=self.url, DJANGO_SETTINGS_MODULE="config.settings.test")
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def rows(self) -> dict[str, list[tuple]]:
        found = {}
        for table, (columns, order) in tables().items():
            quoted = ", ".join(f'"{c}"' for c in columns)
            found[table] = self.query(f'SELECT {quoted} FROM "{table}" ORDER BY {", ".join(order)}')
        return found

    def heads(self) -> list[str]:
        output = self.manage("audit_verify").stdout
        assert "The history's chain is intact" in output
        return [line for line in output.splitlines() if " head " in line]


class SqliteDatabase(Database):
    def __init__(self, path: Path):
        self.path = path
        self.url = f"sqlite:///{path}"

    def query(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.path) as db:
            return db.execute(sql).fetchall()


class PostgresDatabase(Database):
    def __init__(self, name: str):
        self.name = name
        self.url = _pg_url(name)

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.url) as db:
            return db.execute(sql).fetchall()


def _pg_url(database: str) -> str:
    config = connection.settings_dict
    auth = f"{config['USER']}:{config['PASSWORD']}@" if config["PASSWORD"] else f"{config['USER']}@"
    return f"postgresql://{auth}{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{database}"


@pytest.fixture
def keys(tmp_path) -> tuple[Path, str]:
    identity, recipient = new_identity()
    path = tmp_path / "identity.txt"
    path.write_text(f"# public key: {recipient}\n{identity}\n")
    return path, recipient


@pytest.fixture(scope="module")
def sqlite_school(tmp_path_factory) -> Path:
    """A migrated SQLite file holding the (small) demo school."""
    path = tmp_path_factory.mktemp("school") / "school.sqlite3"
    db = SqliteDatabase(path)
    db.manage("migrate", "-v0")
    db.manage("demo", "--students-per-class", "2")
    db.manage("shell", "-v0", "-c", HISTORY)
    return path


@pytest.fixture
def sqlite_db(sqlite_school, tmp_path) -> SqliteDatabase:
    path = tmp_path / "db.sqlite3"
    shutil.copy(sqlite_school, path)
    return SqliteDatabase(path)


@pytest.fixture
def postgres_db():
    """A throw-away PostgreSQL database, migrated, with the demo school."""
    name = f"dz_backup_{secrets.token_hex(4)}"
    with psycopg.connect(_pg_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        db = PostgresDatabase(name)
        db.manage("migrate", "-v0")
        db.manage("demo", "--students-per-class", "2")
        db.manage("shell", "-v0", "-c", HISTORY)
        yield db
    finally:
        with psycopg.connect(_pg_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def round_trip(db: Database, keys, tmp_path: Path) -> None:
    identity, recipient = keys
    original = db.rows()
    heads = db.heads()
    assert original["grades_grade"], "the demo school has grades"
    assert len(original["core_auditentry"]) == 12

    backup = tmp_path / "school.age"
    made = db.manage("backup", "--output", str(backup), "--recipient", recipient)
    assert f"written to {backup}" in made.stdout
    assert backup.read_bytes().startswith(MAGIC)
    assert b"Zmieniony" not in backup.read_bytes()

    db.manage("shell", "-v0", "-c", CHANGE)
    changed = db.rows()
    assert len(changed["grades_grade"]) == len(original["grades_grade"]) - 20
    assert len(changed["core_auditentry"]) == len(original["core_auditentry"]) + 1
    assert db.heads() != heads

    restored = db.manage("restore", str(backup), "--identity", str(identity), "--yes")
    assert "Restored the backup" in restored.stdout
    after = db.rows()
    assert after.keys() == original.keys()
    for table in original:
        assert after[table] == original[table], table
    assert db.heads() == heads


def test_sqlite_backup_and_restore_give_back_every_row_and_the_history(sqlite_db, keys, tmp_path):
    round_trip(sqlite_db, keys, tmp_path)


@NEEDS_POSTGRES
def test_postgres_backup_and_restore_give_back_every_row_and_the_history(
    postgres_db, keys, tmp_path
):
    round_trip(postgres_db, keys, tmp_path)


def _refused(db: Database, backup: Path, identity: Path, message: str) -> None:
    before = db.rows()
    result = db.manage("restore", str(backup), "--identity", str(identity), "--yes", check=False)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Nothing was changed" in result.stderr
    assert db.rows() == before


def test_a_tampered_or_wrongly_keyed_backup_is_refused_and_changes_nothing(
    sqlite_db, keys, tmp_path
):
    identity, recipient = keys
    backup = tmp_path / "school.age"
    sqlite_db.manage("backup", "--output", str(backup), "--recipient", recipient)
    sqlite_db.manage("shell", "-v0", "-c", CHANGE)
    data = backup.read_bytes()

    other_identity, _other = new_identity()
    other = tmp_path / "other.txt"
    other.write_text(other_identity + "\n")
    _refused(sqlite_db, backup, other, "the identity does not match")

    flipped = tmp_path / "flipped.age"
    flipped.write_bytes(data[:-100] + bytes([data[-100] ^ 1]) + data[-99:])
    _refused(sqlite_db, flipped, identity, "changed or cut short")

    cut = tmp_path / "cut.age"
    cut.write_bytes(data[: len(data) // 2])
    _refused(sqlite_db, cut, identity, "changed or cut short")

    magic, line, payload = data.split(b"\n", 2)
    manifest = Manifest.parse(line)
    forged_hash = tmp_path / "forged.age"
    forged = Manifest(**{**manifest.__dict__, "sha256": "0" * 64})
    forged_hash.write_bytes(magic + b"\n" + forged.line() + payload)
    _refused(sqlite_db, forged_hash, identity, "manifest was changed after it was written")

    other_vendor = tmp_path / "vendor.age"
    forged = Manifest(**{**manifest.__dict__, "vendor": "postgresql"})
    other_vendor.write_bytes(magic + b"\n" + forged.line() + payload)
    _refused(sqlite_db, other_vendor, identity, "The backup is of a postgresql database")

    newer = tmp_path / "newer.age"
    forged = Manifest(**{**manifest.__dict__, "migrations": [*manifest.migrations, "core.9999_x"]})
    newer.write_bytes(magic + b"\n" + forged.line() + payload)
    _refused(sqlite_db, newer, identity, "made by a newer release")

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello\n")
    _refused(sqlite_db, not_a_backup, identity, "is not a Dziennik backup")

    # and the good one still restores over the changes
    sqlite_db.manage("restore", str(backup), "--identity", str(identity), "--yes")


def test_no_backup_without_a_recipient_and_no_restore_without_a_yes(sqlite_db, keys, tmp_path):
    identity, recipient = keys
    output = tmp_path / "plain.age"
    result = sqlite_db.manage("backup", "--output", str(output), check=False)
    assert result.returncode != 0
    assert "an unencrypted backup is never written" in result.stderr
    assert not output.exists()

    sqlite_db.manage("backup", "--output", str(output), "--recipient", recipient)
    sqlite_db.manage("shell", "-v0", "-c", CHANGE)
    before = sqlite_db.rows()
    result = sqlite_db.manage("restore", str(output), "--identity", str(identity), check=False)
    assert result.returncode != 0
    assert "Not restored: nothing was changed." in result.stderr
    assert sqlite_db.rows() == before
