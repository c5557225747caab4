"""Writes of the year close: the principal closes the year (after the checks, or over
them with a reason), the background task writes and verifies the signed archive, and the
principal opens a documented correction of a closed year (L-10–L-12)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.core.text import clean_text
from dziennik.schools import services as school_services
from dziennik.schools.models import SchoolYear
from dziennik.schools.viewer import get_viewer

from . import permissions, selectors
from .models import YearArchive
from .tasks import archive_build

if TYPE_CHECKING:
    from dziennik.accounts.models import User

REASON_MAX_LENGTH = 1000


@transaction.atomic
def year_close_start(
    *, actor: User, school_year: SchoolYear, override_reason: str = ""
) -> YearArchive:
    """Close the school year and queue the writing of its signed archive.

    The principal only. While the checks find something missing, the year is closed
    only with a reason (``override_reason``, kept with the archive and in the history).
    The year is frozen at once (``schools.services.school_year_close``); a correction
    open on a closed year ends here. A close already under way is returned as it is (a
    double click starts one)."""
    viewer = get_viewer(actor)
    if not permissions.may_close(viewer, school_year.school_id):
        raise PermissionDenied
    school_year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
    pending = YearArchive.objects.filter(
        school_year=school_year, status__in=[YearArchive.Status.QUEUED, YearArchive.Status.RUNNING]
    ).first()
    if pending is not None:
        return pending
    if (
        school_year.is_closed
        and school_year.correction_by_id is None
        and school_year.archives.filter(status=YearArchive.Status.DONE).exists()
    ):
        raise ValidationError(
            _("The school year is closed and archived already."), code="already_archived"
        )
    checks = selectors.year_close_checks(viewer, school_year)
    reason = clean_text(override_reason)
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"override_reason": _("The reason is too long (at most 1000 characters).")}
        )
    if checks.missing and not reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "Something is missing in the register: complete it, or give the reason "
                    "to close the year anyway."
                )
            },
            code="missing",
        )
    school_services.school_year_close(actor=actor, school_year=school_year)
    archive = YearArchive.objects.create(
        school_id=school_year.school_id,
        school_year=school_year,
        requested_by=actor,
        missing=checks.summary(),
        override_reason=reason if checks.missing else "",
    )
    audit.record_create(actor=actor, instance=archive)
    archive_id = archive.pk
    transaction.on_commit(lambda: _enqueue(archive_id))
    return archive


def _enqueue(archive_id: int) -> None:
    archive_build.enqueue(archive_id)


@transaction.atomic
def year_correction_open(*, actor: User, school_year: SchoolYear, reason: str) -> SchoolYear:
    """The principal's documented correction of a closed year (``schools``' service):
    recorded in the history with its reason; the next close writes a new archive."""
    return school_services.school_year_correction_open(
        actor=actor, school_year=school_year, reason=reason
    )
