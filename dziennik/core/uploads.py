"""Files kept with a record (an excuse's doctor's note): stored whole with their record,
or not at all.

A storage that cannot take the file (a full disk, a read-only or missing directory, an
object store that does not answer) raises ``OSError`` from deep inside Django's file
handling, which would be a 500 – after the record's row may already be written. So a
service stores the file *first*, through ``stored_file``, and writes the record inside
the block:

* storing fails: a ``ValidationError`` on the form's field that says so (the form shows
  it, status 400), nothing is written, and what the storage left of a partial file is
  removed;
* the block fails (a refused write, a database error, the commit itself): the stored file
  is removed, so no file outlives its record's rollback.
"""

from __future__ import annotations

import contextlib
import logging
import zipfile
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext as _

logger = logging.getLogger("dziennik.uploads")

# Office documents are ZIP containers; what makes one a document, not any archive named
# like one: an Office Open XML package lists its parts in ``[Content_Types].xml``; an
# OpenDocument file starts with a ``mimetype`` member naming an OpenDocument type.
OOXML_EXTENSIONS = (".docx", ".xlsx", ".pptx")
ODF_EXTENSIONS = (".odt", ".ods", ".odp")
_ODF_MIMETYPE = b"application/vnd.oasis.opendocument."


def storage_failed_message() -> str:
    return _(
        "The file could not be stored (the server's storage failed), so nothing was saved. "
        "Try again later, or send the form without the file."
    )


def _remove(storage: Storage, name: str) -> None:
    with contextlib.suppress(OSError):
        if storage.exists(name):
            storage.delete(name)


@contextlib.contextmanager
def stored_file(upload, name: str, *, field: str, storage: Storage | None = None) -> Iterator[str]:
    """Store ``upload`` under ``name`` (or a free variant of it) and yield the stored
    name; write the record that refers to it inside the block, in its transaction."""
    storage = storage or default_storage
    try:
        name = storage.get_available_name(name)
        stored = storage.save(name, upload)
    except OSError as error:
        logger.error("Upload %r could not be stored: %s", name, error)
        _remove(storage, name)
        raise ValidationError({field: storage_failed_message()}) from error
    try:
        yield stored
    except BaseException:
        _remove(storage, stored)
        raise


def office_document(upload, extension: str) -> bool:
    """Whether ``upload`` (a seekable file) is the office document its ``extension``
    says: an Office Open XML package for .docx/.xlsx/.pptx, an OpenDocument file for
    .odt/.ods/.odp. Any other ZIP (an archive renamed, a broken file) is not. Reads the
    ZIP's directory and at most a few bytes of one member; leaves the file at its start."""
    extension = extension.lower()
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if extension in OOXML_EXTENSIONS:
                return "[Content_Types].xml" in names
            if extension in ODF_EXTENSIONS and names and names[0] == "mimetype":
                with archive.open("mimetype") as member:
                    return member.read(len(_ODF_MIMETYPE)) == _ODF_MIMETYPE
            return False
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
