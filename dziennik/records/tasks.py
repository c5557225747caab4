"""Background work of the records: the whole school's XML export.

Tasks take ids, call a service and are safe to run twice.
"""

from __future__ import annotations

from django.tasks import task

from . import services


@task
def register_export_write(export_id: int) -> str:
    """Write a queued export of the whole school into the private storage."""
    return services.export_write(export_id=export_id)
