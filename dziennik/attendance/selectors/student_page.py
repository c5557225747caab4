"""A student's attendance page from one read of the period's marks: the rows it lists,
the day grid and the statistics, computed once (``student_page_rows``,
``student_day_grid`` and ``student_statistics`` read the same marks three times, and
stay for the other screens and the printout)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import get_language

from dziennik.core import cache
from dziennik.core.prepared import Prepared
from dziennik.schools.models import SchoolYear, Student, Term
from dziennik.schools.viewer import Viewer

from .. import permissions
from ..config import settings_for, year_and_terms_uncached
from ..models import AttendanceKind, AttendanceMark, Justification
from ..templatetags import attendance_tags as tags
from .statistics import Tally
from .students import (
    DayGrid,
    GridCell,
    JustificationDeadline,
    _legend_order,
    deadline_of,
    justification_deadline,
)

Base = AttendanceKind.Base


def _marks(student_id: int, date_from: datetime.date, date_to: datetime.date):
    waiting = Justification.marks.through.objects.filter(
        attendancemark_id=OuterRef("pk"), justification__status=Justification.Status.PENDING
    )
    # tuples, not dicts: the grid and the statistics read every mark, the two lists a few
    return (
        AttendanceMark.objects.filter(student_id=student_id, date__range=(date_from, date_to))
        .annotate(pending=Exists(waiting))
        .values_list(*_FIELDS)
        .order_by("-date", "-lesson__slot__number", "lesson__subject__name", "pk")
    )


_prepared_marks = Prepared(_marks)  # its SQL built once (a cold page reads one month)


def _rows(student: Student, date_from: datetime.date, date_to: datetime.date) -> list[tuple]:
    return _prepared_marks(student.pk, date_from, date_to)


def student_page(
    student: Student,
    date_from: datetime.date,
    date_to: datetime.date,
    terms: list[Term],
    recent_since: datetime.date,
) -> dict:
    """``recent`` and ``absences`` (as ``student_page_rows``), ``grid`` (as
    ``student_day_grid``), ``stats`` (as ``student_statistics``) and the school's
    ``deadline`` (``justification_deadline``) of a period: one query, the student checked
    by the caller."""
    rows = _rows(student, date_from, date_to)
    deadline = justification_deadline(student.school_id)
    return {
        **_listed(rows, recent_since, deadline),
        "deadline": deadline,
        "grid": _grid(rows),
        "stats": _statistics(rows, terms),
    }


@dataclass(frozen=True)
class PageSetup:
    """What the student's page needs of the school's configuration: the student, the
    school year of the day and its terms, the school's deadline for excuses (days)."""

    student: Student
    year: SchoolYear | None
    terms: list[Term]
    deadline_days: int

    def deadline(self) -> JustificationDeadline:
        """The school's deadline for excuses as of today (``deadline_of``): built per
        request, not kept with the setup, as its ``since`` moves with the day."""
        return deadline_of(self.deadline_days)


def page_setup_key(school_id: int | None, student_id: int, day: datetime.date) -> str:
    """The cache key of ``page_setup`` (to ``core.cache.read_ahead`` it)."""
    return f"att-setup:{school_id}:{student_id}:{day.isoformat()}"


def page_setup(viewer: Viewer, student_id: int, day: datetime.date) -> PageSetup:
    """The student's page's ``PageSetup`` on ``day``, or ``Http404`` unless the viewer may
    see the student's attendance (``permissions.student_attendance``, missing and
    forbidden alike). All of it is configuration (``core.cache.config_scope``): kept per
    version of the school's configuration, so a page built afresh after a new mark reads
    it with the viewer (``page_setup_key``) instead of four queries."""
    school_id = viewer.school_id
    setup = cache.cached(
        page_setup_key(school_id, student_id, day),
        [cache.config_scope(school_id)],
        lambda: _page_setup(school_id, student_id, day),
    )
    if setup is None or not permissions.student_attendance.allows(viewer, "view", setup.student):
        raise Http404
    return setup


def _page_setup(school_id: int | None, student_id: int, day: datetime.date) -> PageSetup | None:
    student = Student.objects.filter(pk=student_id, school_id=school_id).first()
    if student is None:
        return None
    year, terms = year_and_terms_uncached(school_id, day)
    days = settings_for(school_id).justification_deadline_days
    return PageSetup(student=student, year=year, terms=terms, deadline_days=days)


# The row of a mark: the names ``student_page_rows`` gives its rows (and three more).
_NAMES = (
    "id",
    "date",
    "pending",
    "kind_id",
    "kind_code",
    "kind_name",
    "kind_base",
    "counts_as",
    "excusable",
    "colour",
    "topic",
    "slot",
    "subject_id",
    "subject",
)
_FIELDS = (
    "id",
    "date",
    "pending",
    "kind_id",
    "kind__code",
    "kind__name",
    "kind__base",
    "kind__counts_as",
    "kind__excused_kind_id",
    "kind__colour",
    "lesson__topic",
    "lesson__slot__number",
    "lesson__subject_id",
    "lesson__subject__name",
)
(ID, DATE, PENDING, KIND_ID, CODE, NAME, BASE, COUNTS_AS, EXCUSABLE, COLOUR) = range(10)
TOPIC, SLOT, SUBJECT_ID, SUBJECT = range(10, 14)


def _listed(
    rows: list[tuple], recent_since: datetime.date, deadline: JustificationDeadline
) -> dict:
    recent, absences = _split(rows, recent_since)
    _with_deadline(absences, deadline)
    return {"recent": recent, "absences": absences}


def _split(rows: list[tuple], recent_since: datetime.date) -> tuple[list[dict], list[dict]]:
    recent, absences = [], []
    present = Base.PRESENT
    for r in rows:  # a dict only for a row listed, the same one in both lists
        is_recent, is_absence = r[DATE] >= recent_since, r[BASE] != present
        if is_recent or is_absence:
            row = dict(zip(_NAMES, r, strict=True))
            if is_recent:
                recent.append(row)
            if is_absence:
                absences.append(row)
    return recent, absences


def _with_deadline(absences: list[dict], deadline: JustificationDeadline) -> None:
    for row in absences:
        if type(row) is str:  # a month's rows written already (``_month_part``)
            continue
        # An unexcused mark without a pending excuse: until when a parent may excuse it.
        if row["excusable"] and not row["pending"] and deadline.days:
            row["justify_by"] = deadline.last_day_for(row["date"])
            row["overdue"] = row["date"] < deadline.since


def _grid(rows: list[tuple]) -> DayGrid:
    by_day: dict[datetime.date, dict[int, list[GridCell]]] = {}
    legend: dict[str, GridCell] = {}
    cells: dict[tuple, GridCell] = {}  # one cell per kind and subject, shared
    for row in rows:  # newest day first; within a lesson number, by subject
        key = (row[CODE], row[NAME], row[BASE], row[COLOUR], row[SUBJECT])
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = GridCell(*key)
            legend.setdefault(cell.code, cell)
        by_day.setdefault(row[DATE], {}).setdefault(row[SLOT], []).append(cell)
    numbers = sorted({n for cells in by_day.values() for n in cells})
    days = [(day, [cells.get(n, []) for n in numbers]) for day, cells in by_day.items()]
    return DayGrid(numbers=numbers, days=days, legend=sorted(legend.values(), key=_legend_order))


def _statistics(rows: list[tuple], terms: list[Term]) -> dict:
    return _tallies(_counted(rows, terms).items(), terms)


def _counted(rows: list[tuple], terms: list[Term]) -> Counter:
    # the marks counted by what tells the tallies apart (a few dozen keys, not a row
    # each), then added to the tallies
    month_and_term: dict = {}
    for day in {r[DATE] for r in rows}:
        term = next((t.number for t in terms if t.start_date <= day <= t.end_date), 0)
        month_and_term[day] = (day.replace(day=1), term)
    return Counter(
        (r[COUNTS_AS], r[KIND_ID], r[SUBJECT_ID], r[SUBJECT], *month_and_term[r[DATE]])
        for r in rows
    )


def _tallies(counted, terms: list[Term]) -> dict:
    overall = Tally()
    subjects: dict = defaultdict(Tally)
    months: dict = defaultdict(Tally)
    per_term: dict = defaultdict(Tally)
    for (counts_as, kind_id, subject_id, subject, month, term), n in counted:
        overall.add(counts_as, n, kind_id)
        subjects[(subject_id, subject)].add(counts_as, n, kind_id)
        months[month].add(counts_as, n, kind_id)
        per_term[term].add(counts_as, n, kind_id)
    return {
        "overall": overall,
        "subjects": sorted(((name, t) for (_, name), t in subjects.items()), key=lambda x: x[0]),
        "months": sorted(months.items(), key=lambda x: x[0]),
        "terms": [(t, per_term.get(t.number, Tally())) for t in terms],
    }


# --- the page kept per month ------------------------------------------------------------
#
# What the page shows of a month's marks (its rows of the grid, its absences, its lessons
# of the last two weeks, its counts) is kept per version of that month's share of the
# student's and the class's attendance (``core.cache.month_scopes``): a new mark today
# rebuilds this month's part only, the totals are added up from the parts.

RECENT_DAYS = 14
# The shape of what a month's part holds (``core.cache.cached_parts(shape=)``): moved
# whenever it changes, so that during a release the processes of the old code and of the
# new never take each other's parts (2: a month's absences may be its rows written,
# ``_month_part``).
MONTH_SHAPE = 2


def student_page_parts(
    student: Student,
    date_from: datetime.date,
    date_to: datetime.date,
    terms: list[Term],
    recent_since: datetime.date,
    scopes,
    *,
    deadline: JustificationDeadline,
    apart: tuple | None = None,
) -> dict:
    """What ``student_page`` gives, with the grid's rows (``grid["rows_html"]``) and the
    recent lessons (``recent_html``) written, from parts kept per month (``scopes``: the
    page's, ``schools.selectors.student_cache_scopes``): one query for the months not
    kept (none when all are), the student checked by the caller. ``apart``: ``(key,
    scopes, build)`` of one more part looked up with them (the page's other reads), its
    value (``build()``'s) under ``"apart"``. ``deadline``: the school's deadline for
    excuses as of today (``PageSetup.deadline()``)."""
    language = get_language() or ""
    wanted: dict = {}
    if apart is not None:
        wanted["apart"] = apart[:2]
    for start, end in _months(date_from, date_to):
        # a month's recent lessons: those it may show while it is kept (the last two
        # weeks of it, or since ``recent_since`` for the month of today)
        since = min(end - datetime.timedelta(days=RECENT_DAYS), recent_since)
        key = f"att-month:{student.pk}:{start.isoformat()}:{end.isoformat()}:{since}:{language}"
        month = cache.month_of(start)
        wanted[(start, end, since)] = (
            key,
            cache.month_scopes("attendance", scopes, month),
            MONTH_SHAPE,
        )
    kept = cache.cached_parts(wanted)
    missing = [name for name in wanted if name not in kept.found and name != "apart"]
    built = {}
    if apart is not None and "apart" not in kept.found:
        built["apart"] = apart[2]()
    if missing:
        rows = _rows(student, min(m[0] for m in missing), max(m[1] for m in missing))
        written: dict = {}  # a mark of a subject is written once for every month built
        for start, end, since in missing:
            mine = [r for r in rows if start <= r[DATE] <= end]
            # the recent lessons it may show: since ``since``, but none before today's
            # ``recent_since`` (a later day shows fewer, never more)
            shown = max(since, recent_since)
            built[(start, end, since)] = _month_part(mine, terms, shown, written, deadline, end)
    if built:
        kept.keep(built)
    found = {**kept.found, **built}
    parts = [found[name] for name in wanted if name != "apart"]  # newest month first

    numbers = sorted({n for part in parts for n in part[0]})
    rows_html, legend, counted, absences, recent = [], {}, [], [], []
    for part_numbers, html, cells, part_legend, part_counted, part_absences, part_recent in parts:
        rows_html.append(html if list(part_numbers) == numbers else tags.grid_rows(cells, numbers))
        for cell in part_legend:
            legend.setdefault(cell[0], cell)
        counted += part_counted
        absences += part_absences
        recent += [text for day, text in part_recent if day >= recent_since]
    _with_deadline(absences, deadline)
    return {
        "recent_html": "".join(recent) if recent else tags.no_recent_rows(),
        "absences": absences,
        "deadline": deadline,
        "grid": {
            "days": any(part[2] for part in parts),
            "numbers": numbers,
            "rows_html": "".join(rows_html),
            "legend": sorted((GridCell(*c) for c in legend.values()), key=_legend_order),
        },
        "stats": _tallies(counted, terms),
        "apart": found.get("apart"),
    }


def _months(date_from: datetime.date, date_to: datetime.date) -> list[tuple]:
    """The period's months, newest first, each as its first and last day in the period."""
    months = []
    start = date_from
    while start <= date_to:
        following = (start.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        end = min(date_to, following - datetime.timedelta(days=1))
        months.append((start, end))
        start = following
    return months[::-1]


def _month_part(
    rows: list[tuple],
    terms: list[Term],
    since: datetime.date,
    written: dict,
    deadline: JustificationDeadline,
    end: datetime.date,
) -> tuple:
    """A month's part: its lesson numbers, its grid rows written for them and per day
    and number (for a page whose other months use other numbers), its legend, its
    counts, its absences and its lessons since ``since`` (each row written). The
    absences are written too once nothing in them can change with the day: the school
    has no deadline for excuses, or the month ended before it (``deadline.since``: each
    unexcused one is past it, and stays so); a new excuse or mark rebuilds the part."""
    grid = _grid(rows)
    by_number = [(day, dict(zip(grid.numbers, cells, strict=True))) for day, cells in grid.days]
    cells = tags.grid_cells(by_number, written)
    first_seen = {}  # the legend keeps the newest cell of each code, not the sorted one
    for r in rows:
        first_seen.setdefault(r[CODE], (r[CODE], r[NAME], r[BASE], r[COLOUR], r[SUBJECT]))
    legend = list(first_seen.values())
    recent, absences = _split(rows, since)
    if absences and (not deadline.days or end < deadline.since):
        _with_deadline(absences, deadline)
        absences = [tags.written_absence_rows(absences, deadline)]
    return (
        tuple(grid.numbers),
        tags.grid_rows(cells, grid.numbers),
        cells,
        legend,
        list(_counted(rows, terms).items()),
        absences,
        [(row["date"], tags.recent_row(row)) for row in recent],
    )
