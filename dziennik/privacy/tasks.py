"""Background work of privacy: a person's data export as PDF.

Tasks take ids, call a service and are safe to run twice.
"""

from __future__ import annotations

from django.tasks import task

from . import services


@task
def data_export_build(export_id: int) -> str:
    """Lay out a queued PDF export of a person's data for its requester."""
    return services.export_build(export_id=export_id)
