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
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext as _

logger = logging.getLogger("dziennik.uploads")


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
