"""The import service: parse, check against the register, write, all or nothing."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import School, SchoolYear
from ..selectors import current_school_year
from ..services.recording import require_office
from .parsing import parse
from .result import KINDS, Counts, ImportResult
from .rows import StudentRow
from .validation import match
from .writing import Writer

if TYPE_CHECKING:
    from dziennik.accounts.models import User


def students_import(
    *,
    actor: User | None,
    school: School,
    data: bytes,
    dry_run: bool = False,
    school_year: SchoolYear | None = None,
    today: datetime.date | None = None,
) -> ImportResult:
    """Import classes, students and guardians from CSV ``data`` into ``school``.

    All or nothing: returns a result with ``file_errors``/``row_errors`` and writes
    nothing when any row is bad. With ``dry_run`` the import runs and is rolled back, so
    the counts show exactly what a real import would do. ``actor`` runs the school's
    office (``PermissionDenied`` otherwise); ``None`` is the system (the command).
    """
    require_office(actor, school.pk)
    today = today or timezone.localdate()
    result = ImportResult(dry_run=dry_run)
    rows = parse(data, result)
    if not result.ok:
        return result
    year = school_year or current_school_year(school.pk, today)
    if year is None:
        result.file_errors.append(
            _("The school has no school year for today; add it in the administration first.")
        )
        return result
    try:
        _import_checked(actor, school, year, rows, result, today, dry_run)
    except (IntegrityError, DataError, ValidationError) as exc:
        # The checks above should make this impossible; if the database or a service
        # still refuses, the transaction is rolled back and the secretary is told,
        # nothing half-done.
        result.file_errors.append(
            _("The database refused the import, nothing was imported: %(error)s") % {"error": exc}
        )
        result.counts = {k: Counts() for k in KINDS}
    return result


def _import_checked(
    actor: User | None,
    school: School,
    year: SchoolYear,
    rows: list[StudentRow],
    result: ImportResult,
    today: datetime.date,
    dry_run: bool,
) -> None:
    with transaction.atomic():
        # Lock the school row: two imports into one school at once would race on matching.
        School.objects.select_for_update().filter(pk=school.pk).first()
        plan = match(school, year, rows, result)
        if not result.ok:
            result.row_errors.sort(key=lambda e: e.line)
            return
        Writer(plan, actor, result, today).run()
        if dry_run:
            transaction.set_rollback(True)
