"""Encrypted backups of the whole database and their restore (rule L-03).

A backup file is one text line naming the format, one line of JSON (the manifest) and
the encrypted payload in the age format (https://age-encryption.org, through ``pyrage``,
the Python binding of rage), encrypted to the school's recipients (public keys,
``BACKUP_RECIPIENTS``); only the identity (the secret key the school keeps off the
server) opens it::

    DZIENNIK-BACKUP 1
    {"format": 1, "vendor": "postgresql", "migrations": [...], "created_at": ..., "sha256": ...}
    <age: the same manifest line, then the database dump>

The manifest outside lets a restore refuse a backup of the other database vendor, or one
made by a newer release, before it asks for the key; the copy inside is authenticated by
the encryption, so a manifest edited outside no longer matches it. ``sha256`` is the
dump's, checked after decryption. The dump is PostgreSQL's ``pg_dump --format=custom``
or, on SQLite, a copy made with SQLite's online backup API.

A restore checks everything first (the header, the key, the inner manifest, the hash,
the dump itself: ``pg_restore --list`` or SQLite's integrity check) and changes nothing
when any check fails. PostgreSQL restores in one transaction (``pg_restore
--single-transaction --clean --if-exists``), SQLite replaces the database file's
content through the backup API.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyrage
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from pyrage import x25519

MAGIC = b"DZIENNIK-BACKUP 1\n"
FORMAT = 1
CHUNK = 1 << 20


class BackupRefused(Exception):
    """The backup cannot be made or restored; the message says why. Nothing changed."""


@dataclass(frozen=True)
class Manifest:
    format: int
    vendor: str
    migrations: list[str]
    created_at: str
    sha256: str
    size: int

    def line(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode() + b"\n"

    @classmethod
    def parse(cls, line: bytes) -> Manifest:
        try:
            data = json.loads(line)
            manifest = cls(**data)
        except (ValueError, TypeError) as exc:
            raise BackupRefused("The backup's manifest is damaged.") from exc
        if manifest.format != FORMAT:
            raise BackupRefused(
                f"The backup has format {manifest.format}; this release reads format {FORMAT}."
            )
        return manifest


def new_identity() -> tuple[str, str]:
    """A new secret identity and its public recipient (``backup_keygen``)."""
    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def parse_recipients(texts: Iterable[str]) -> list[x25519.Recipient]:
    recipients = []
    for text in texts:
        try:
            recipients.append(x25519.Recipient.from_str(text.strip()))
        except pyrage.RecipientError as exc:
            raise BackupRefused(
                f"{text!r} is not an age recipient (a public key starting with age1)."
            ) from exc
    if not recipients:
        raise BackupRefused(
            "No recipient: set BACKUP_RECIPIENTS or pass --recipient (an unencrypted "
            "backup is never written)."
        )
    return recipients


def read_identities(path: Path) -> list[x25519.Identity]:
    """The identities of an identity file (``age-keygen``'s format: comments and keys)."""
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupRefused(f"The identity file {path} cannot be read: {exc}.") from exc
    identities = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(x25519.Identity.from_str(line))
        except pyrage.IdentityError as exc:
            raise BackupRefused(f"The identity file {path} holds no valid age identity.") from exc
    if not identities:
        raise BackupRefused(f"The identity file {path} holds no age identity.")
    return identities


def applied_migrations(alias: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _known_migrations() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _pg_env(settings_dict: dict) -> dict[str, str]:
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({key: str(value) for key, value in pairs.items() if value})
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        # the PostgreSQL client tools, with arguments of our own (no shell)
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupRefused(f"{args[0]} is not installed (postgresql-client).") from exc
    if result.returncode != 0:
        raise BackupRefused(f"{what} failed: {result.stderr.strip()}")


def _dump(alias: str, target: Path) -> str:
    """Write the database to ``target``; its vendor."""
    connection = connections[alias]
    vendor = connection.vendor
    if vendor == "postgresql":
        _run(
            ["pg_dump", "--format=custom", "--file", str(target)],
            _pg_env(connection.settings_dict),
            "pg_dump",
        )
    elif vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise BackupRefused("An in-memory SQLite database cannot be backed up.")
        source = sqlite3.connect(name)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        raise BackupRefused(f"Backups of {vendor} databases are not supported.")
    return vendor


def _sha256(path: Path, offset: int = 0) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        file.seek(offset)
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _Chain(io.RawIOBase):
    """One readable stream made of a few bytes and then a file."""

    def __init__(self, head: bytes, tail):
        self.head = io.BytesIO(head)
        self.tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.head.read(len(buffer)) or self.tail.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def backup(*, output: Path, recipients: Iterable[str], alias: str = "default") -> Manifest:
    """Dump the database, encrypt it to ``recipients`` and write it to ``output``."""
    keys = parse_recipients(recipients)
    with tempfile.TemporaryDirectory(prefix="dziennik-backup-") as work:
        dump = Path(work) / "dump"
        vendor = _dump(alias, dump)
        sha256, size = _sha256(dump)
        manifest = Manifest(
            format=FORMAT,
            vendor=vendor,
            migrations=applied_migrations(alias),
            created_at=timezone.now().isoformat(timespec="seconds"),
            sha256=sha256,
            size=size,
        )
        partial = output.with_name(output.name + ".partial")
        try:
            with dump.open("rb") as plain, partial.open("wb") as out:
                out.write(MAGIC)
                out.write(manifest.line())
                pyrage.encrypt_io(io.BufferedReader(_Chain(manifest.line(), plain)), out, keys)
            partial.replace(output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupRefused(f"The backup cannot be written to {output}: {exc}.") from exc
    return manifest


def read_manifest(path: Path) -> tuple[Manifest, int]:
    """The manifest outside the encryption, and where the encrypted part starts."""
    try:
        with path.open("rb") as file:
            magic = file.readline(len(MAGIC) + 1)
            line = file.readline(1 << 20)
            start = file.tell()
    except OSError as exc:
        raise BackupRefused(f"The backup {path} cannot be read: {exc}.") from exc
    if magic != MAGIC:
        raise BackupRefused(f"{path} is not a Dziennik backup.")
    return Manifest.parse(line), start


def _check_migrations(manifest: Manifest) -> list[str]:
    """Refuse a backup of a newer release; the migrations to run after restoring."""
    known = _known_migrations()
    unknown = sorted(set(manifest.migrations) - known)
    if unknown:
        raise BackupRefused(
            "The backup was made by a newer release of Dziennik (migrations this release "
            f"does not have: {', '.join(unknown[:5])}). Install that release first."
        )
    return sorted(known - set(manifest.migrations))


def _decrypt(path: Path, start: int, identities, target: Path) -> Manifest:
    with path.open("rb") as encrypted, target.open("wb") as plain:
        encrypted.seek(start)
        try:
            pyrage.decrypt_io(encrypted, plain, identities)
        except (pyrage.DecryptError, OSError) as exc:
            # rage reports a damaged payload chunk as an OSError ("decryption error")
            raise BackupRefused(
                "The backup cannot be decrypted: the identity does not match any of its "
                "recipients, or the file was changed or cut short."
            ) from exc
    with target.open("rb") as plain:
        return Manifest.parse(plain.readline(1 << 20))


def _check_dump(vendor: str, dump: Path) -> None:
    if vendor == "postgresql":
        _run(["pg_restore", "--list", str(dump)], dict(os.environ), "Reading the dump")
        return
    try:
        database = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            (result,) = database.execute("PRAGMA integrity_check").fetchone()
        finally:
            database.close()
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"The backup's SQLite database is damaged: {exc}.") from exc
    if result != "ok":
        raise BackupRefused(f"The backup's SQLite database is damaged: {result}.")


def _load(alias: str, vendor: str, dump: Path) -> None:
    connection = connections[alias]
    connections.close_all()
    if vendor == "postgresql":
        _run(
            [
                "pg_restore",
                "--single-transaction",
                "--exit-on-error",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--dbname",
                str(connection.settings_dict["NAME"]),
                str(dump),
            ],
            _pg_env(connection.settings_dict),
            "pg_restore",
        )
        return
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(str(connection.settings_dict["NAME"]))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    migrations_to_run: list[str]


def inspect(*, path: Path, alias: str = "default") -> tuple[Manifest, list[str]]:
    """The checks that need no key: the header, the vendor, the release."""
    manifest, _start = read_manifest(path)
    vendor = connections[alias].vendor
    if manifest.vendor != vendor:
        raise BackupRefused(
            f"The backup is of a {manifest.vendor} database; the configured database is "
            f"{vendor}. Nothing was changed."
        )
    return manifest, _check_migrations(manifest)


def restore(*, path: Path, identity_file: Path, alias: str = "default") -> Restored:
    """Check the backup at ``path`` completely, then replace the database with it."""
    manifest, to_run = inspect(path=path, alias=alias)
    _manifest, start = read_manifest(path)
    identities = read_identities(identity_file)
    with tempfile.TemporaryDirectory(prefix="dziennik-restore-") as work:
        plain = Path(work) / "plain"
        inner = _decrypt(path, start, identities, plain)
        if inner != manifest:
            raise BackupRefused("The backup's manifest was changed after it was written.")
        sha256, size = _sha256(plain, offset=len(manifest.line()))
        if (sha256, size) != (manifest.sha256, manifest.size):
            raise BackupRefused("The backup's content does not match its SHA-256.")
        dump = Path(work) / "dump"
        with plain.open("rb") as source, dump.open("wb") as target:
            source.seek(len(manifest.line()))
            shutil.copyfileobj(source, target, CHUNK)
        plain.unlink()
        _check_dump(manifest.vendor, dump)
        _load(alias, manifest.vendor, dump)
    return Restored(manifest=manifest, migrations_to_run=to_run)
