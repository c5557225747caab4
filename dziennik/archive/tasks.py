"""Background work of the year close: writing the signed archive.

Tasks take ids, load what they need, call a service and are safe to run twice.
"""

from __future__ import annotations

from django.tasks import task

from . import builder


@task
def archive_build(archive_id: int) -> str:
    """Write, sign and verify the archive of a close; a finished one is left alone."""
    return builder.archive_build(archive_id=archive_id).status
