"""Demo lesson register: every planned lesson of the school days so far, with a topic
and attendance, a few truants (some skipping single lessons in the middle of the day),
illnesses with justifications in every state, and the early warnings they cause.

Written day by day in bulk, so a school of 1,000 students stays fast and small in
memory. Generated data writes no history entries (the demo must stay removable).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from dziennik.schools.calendar import lesson_days
from dziennik.schools.models import ClassGroup, Guardianship, SchoolClass
from dziennik.timetable import selectors as timetable
from dziennik.timetable.models import TimetableEntry

from . import alerts, demo_topics, services
from .models import AbsenceNotice, AttendanceAlert, AttendanceMark, Justification, Lesson

if TYPE_CHECKING:  # the demo app calls populate(); apps name its context in hints only
    from dziennik.demo.context import DemoContext


@dataclass
class Absences:
    """Who misses which days and lessons, and what became of their excuses."""

    truants: set[int]  # skip single lessons in the middle of the day
    skippers: dict[int, int | None]  # skip one subject (chosen at their first lesson)
    sick: dict[int, list[tuple[datetime.date, datetime.date]]]  # illnesses, first/last day
    sick_days: set[tuple[int, datetime.date]]
    verdict: dict[tuple[int, datetime.date], str]  # by (student, first day): the excuse
    excused: set[tuple[int, datetime.date]]  # days whose absences were excused


def populate(ctx: DemoContext) -> None:
    kinds = services.attendance_kinds_ensure_defaults(school=ctx.school, record_history=False)
    k = {code: kind.pk for code, kind in kinds.items()}
    days = [d for d in ctx.school_days if d <= ctx.today]
    if not days:
        return
    ctx.progress(f"Register: lessons and attendance for {len(days)} school days")
    entries = TimetableEntry.objects.filter(school=ctx.school)
    by_day: dict[datetime.date, list] = defaultdict(list)
    lesson_days = set(days)
    for o in timetable.expand(entries, days[0], days[-1], school_id=ctx.school.pk):
        if o.takes_place and o.date in lesson_days:
            by_day[o.date].append(o)
    students_of_class = {cid: [s.pk for s in ss] for cid, ss in ctx.students_by_class.items()}
    all_students = [sid for ids in students_of_class.values() for sid in ids]
    absences = _absences(ctx, days, all_students)
    lesson_count = mark_count = 0
    register = _Register(ctx, k, students_of_class, absences)
    for day in days:
        lessons, marks = register.write_day(day, by_day.get(day, []))
        lesson_count += lessons
        mark_count += marks
    ctx.progress(f"Register: {lesson_count} lessons, {mark_count} attendance marks")
    _justifications(ctx, absences.sick, absences.verdict, k)
    _notices(ctx)
    recent = [d for d in days if d >= ctx.today - datetime.timedelta(days=14)]
    subject_ids = [s.pk for s in ctx.subjects]
    for day in recent:
        alerts.alerts_refresh(
            school_id=ctx.school.pk,
            day=day,
            student_ids=all_students,
            subject_ids=subject_ids if day == recent[-1] else (),
        )
    ctx.progress("Register: justifications and early warnings ready")


def _absences(ctx: DemoContext, days: list[datetime.date], all_students: list[int]) -> Absences:
    """~1% (at least 3) truants who skip lessons in the middle of the day; a few who skip
    one subject so often that they risk non-classification; illnesses of a few days.
    Illnesses justified long ago are accepted; a few were rejected; recent ones pending."""
    rng = ctx.rng
    truants = set(rng.sample(all_students, max(3, len(all_students) // 100)))
    skippers = {sid: None for sid in rng.sample(all_students, max(2, len(all_students) // 200))}
    sick: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    day_index = {d: i for i, d in enumerate(days)}
    for sid in all_students:
        i = 0
        while i < len(days):
            if rng.random() < 0.012:
                length = rng.choice((1, 1, 2, 3, 4, 5))
                end = min(i + length - 1, len(days) - 1)
                sick[sid].append((days[i], days[end]))
                i = end + 3
            else:
                i += 1

    def days_of(a: datetime.date, b: datetime.date) -> list[datetime.date]:
        return days[day_index[a] : day_index[b] + 1]

    sick_days = {(sid, d) for sid, spans in sick.items() for a, b in spans for d in days_of(a, b)}
    verdict: dict[tuple[int, datetime.date], str] = {}
    for sid, spans in sick.items():
        for start, end in spans:
            age = (ctx.today - end).days
            roll = rng.random()
            if age <= 3:
                verdict[(sid, start)] = "pending" if roll < 0.5 else "none"
            elif roll < 0.8:
                verdict[(sid, start)] = "accepted"
            elif roll < 0.88:
                verdict[(sid, start)] = "rejected"
            else:
                verdict[(sid, start)] = "none"
    excused = {
        (sid, d)
        for (sid, start), v in verdict.items()
        if v == "accepted"
        for a, b in sick[sid]
        if a == start
        for d in days_of(a, b)
    }
    return Absences(truants, skippers, sick, sick_days, verdict, excused)


class _Register:
    """Writes the demo register one school day at a time."""

    def __init__(self, ctx: DemoContext, k: dict[str, int], students_of_class, absences):
        self.ctx, self.k, self.absences = ctx, k, absences
        self.students_of_class = students_of_class
        self.group_members: dict[int, set[int]] = defaultdict(set)
        for group_id, student_id in ClassGroup.students.through.objects.filter(
            classgroup__school_class__school=ctx.school
        ).values_list("classgroup_id", "student_id"):
            self.group_members[group_id].add(student_id)
        self.now = timezone.localtime()
        self.db_now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.topic_counter: dict[tuple, int] = defaultdict(int)
        self.level_of = {c.pk: c.level for c in ctx.classes}
        # hours a week of each class's (or group's) subject: how fast its topics go by
        self.per_week = {
            (row["school_class_id"], row["group_id"], row["subject_id"]): row["n"]
            for row in TimetableEntry.objects.filter(school=ctx.school)
            .values("school_class_id", "group_id", "subject_id")
            .annotate(n=Count("pk"))
        }

    def write_day(self, day: datetime.date, occurrences: list) -> tuple[int, int]:
        """The day's lessons and their marks; how many of each."""
        todays = sorted(occurrences, key=lambda o: (o.entry.school_class_id, o.slot.number))
        if day == self.ctx.today:
            todays = [o for o in todays if o.slot.ends_at < self.now.time()]
        lessons = [self._lesson(day, o) for o in todays]
        Lesson.objects.bulk_create(lessons, batch_size=1000)
        marks = self._marks(day, lessons)
        _insert_marks(marks)
        return len(lessons), len(marks)

    def _lesson(self, day: datetime.date, o) -> Lesson:
        key = (o.entry.school_class_id, o.entry.group_id, o.entry.subject_id)
        self.topic_counter[key] += 1
        # a few lessons are left without a topic (the principal's list shows them)
        missing = (
            day >= self.ctx.today - datetime.timedelta(days=7) and self.ctx.rng.random() < 0.02
        )
        level = self.level_of.get(o.entry.school_class_id, 4)
        n = self.topic_counter[key]
        per_week = self.per_week.get(key, 1)
        topic = "" if missing else demo_topics.topic(o.entry.subject.name, level, n, per_week)
        stamp = datetime.datetime.combine(day, o.slot.ends_at, tzinfo=self.now.tzinfo)
        return Lesson(
            school=self.ctx.school,
            school_class_id=o.entry.school_class_id,
            group_id=o.entry.group_id,
            subject_id=o.entry.subject_id,
            teacher_id=o.teacher.pk if o.teacher else o.entry.teacher_id,
            date=day,
            slot=o.slot,
            timetable_entry=o.entry,
            topic=topic,
            conducted_at=stamp if topic else None,
            attendance_taken_at=stamp,
        )

    def _marks(self, day: datetime.date, lessons: list[Lesson]) -> list[tuple]:
        per_class_slots: dict[int, list[int]] = defaultdict(list)
        for lesson in lessons:
            per_class_slots[lesson.school_class_id].append(lesson.slot.number)
        marks: list[tuple] = []
        db_day = connection.ops.adapt_datefield_value(day)
        for lesson in lessons:
            roster = self.students_of_class.get(lesson.school_class_id, [])
            if lesson.group_id:
                roster = [s for s in roster if s in self.group_members[lesson.group_id]]
            slots_today = per_class_slots[lesson.school_class_id]
            first, last = min(slots_today), max(slots_today)
            middle = first < lesson.slot.number < last
            for sid in roster:
                code = self._code(
                    sid, day, lesson, first=lesson.slot.number == first, middle=middle
                )
                marks.append((lesson.pk, sid, self.k[code], db_day, self.db_now, False))
        return marks

    def _code(self, sid: int, day: datetime.date, lesson: Lesson, *, first: bool, middle: bool):
        rng, absences = self.ctx.rng, self.absences
        if (sid, day) in absences.sick_days:
            return "u" if (sid, day) in absences.excused else "nb"
        if sid in absences.truants and middle and rng.random() < 0.12:
            return "nb"
        if sid in absences.skippers:
            if absences.skippers[sid] is None:
                absences.skippers[sid] = lesson.subject_id
            if absences.skippers[sid] == lesson.subject_id and rng.random() < 0.6:
                return "nb"
            return "ob"
        if first and rng.random() < 0.02:
            return "sp"
        if rng.random() < 0.002:
            return "zw"
        if rng.random() < 0.003:
            return "ns"
        return "ob"


def _insert_marks(rows: list[tuple]) -> None:
    """Insert attendance marks with one prepared statement: the demo writes hundreds of
    thousands of them, and the ORM's per-value preparation would dominate the time."""
    if not rows:
        return
    meta = AttendanceMark._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("lesson", "student", "kind", "date", "updated_at", "alerts_pending")
    )
    # Names come from the model's metadata, quoted; values are parameters. The demo
    # computes the warnings itself, so its marks are not left for the background check.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _justifications(ctx, sick, verdict, k) -> None:
    guardian_user = dict(
        Guardianship.objects.filter(
            student__school=ctx.school, guardian__user__isnull=False, access="full"
        )
        .order_by("student_id", "guardian_id")
        .values_list("student_id", "guardian__user_id")
        .distinct()
    )
    class_of = {s.pk: cid for cid, ss in ctx.students_by_class.items() for s in ss}
    class_teacher = dict(
        SchoolClass.objects.filter(school=ctx.school).values_list("pk", "class_teacher_id")
    )
    rng = ctx.rng
    items: list[tuple[Justification, int, datetime.date, datetime.date]] = []
    for (sid, start), v in verdict.items():
        if v == "none" or sid not in class_of:
            continue
        # Excuses are sent by parents. A family without an account brought a note
        # on paper: the class teacher excused the marks in the lesson register, and
        # there is no excuse in the register (its absence stays excused or not as decided).
        submitter = guardian_user.get(sid)
        if submitter is None:
            continue
        end = next(b for a, b in sick[sid] if a == start)
        submitted = timezone.make_aware(datetime.datetime.combine(end, datetime.time(19, 30)))
        decided = submitted + datetime.timedelta(days=1)
        cid = class_of[sid]
        j = Justification(
            school=ctx.school,
            student_id=sid,
            school_class_id=cid,
            submitted_by_id=submitter,
            date_from=start,
            date_to=end,
            reason=rng.choice(
                (
                    "Choroba dziecka – infekcja.",
                    "Wizyta u lekarza specjalisty.",
                    "Przeziębienie, dziecko zostało w domu.",
                    "Sprawy rodzinne.",
                )
            ),
            status=v,
        )
        if v != "pending" and class_teacher.get(cid):
            j.decided_by_id = class_teacher[cid]
            j.decided_at = decided
            j.decision_comment = "" if v == "accepted" else "Usprawiedliwienie po terminie."
        elif v != "pending":
            continue
        items.append((j, sid, start, end))
    Justification.objects.bulk_create([j for j, *_ in items], batch_size=1000)
    # submitted_at is auto_now_add: set it to the evening after the absence
    for j, _sid, _start, end in items:
        j.submitted_at = timezone.make_aware(datetime.datetime.combine(end, datetime.time(19, 30)))
    Justification.objects.bulk_update([j for j, *_ in items], ["submitted_at"], batch_size=1000)
    marks = defaultdict(list)
    for mark_id, sid, day in AttendanceMark.objects.filter(
        lesson__school=ctx.school, kind_id__in=[k["nb"], k["u"]]
    ).values_list("pk", "student_id", "date"):
        marks[(sid, day)].append(mark_id)
    through = Justification.marks.through
    links = []
    for j, sid, start, end in items:
        day = start
        while day <= end:
            links.extend(
                through(justification_id=j.pk, attendancemark_id=m)
                for m in marks.get((sid, day), [])
            )
            day += datetime.timedelta(days=1)
    through.objects.bulk_create(links, batch_size=2000)


NOTICE_REASONS = (
    "Wyjazd na zawody pływackie.",
    "Wizyta u ortodonty – dziecko będzie od 4. lekcji.",
    "Uroczystość rodzinna.",
)


def _notices(ctx) -> None:
    """A few parents announced coming absences: one or two per class, next school days."""
    coming = lesson_days(ctx.year, until=ctx.today + datetime.timedelta(days=14))
    ahead = [d for d in coming if d > ctx.today][:8]
    if not ahead:
        return
    guardian_user = dict(
        Guardianship.objects.filter(
            student__school=ctx.school, guardian__user__isnull=False, access="full"
        )
        .order_by("student_id", "guardian_id")
        .values_list("student_id", "guardian__user_id")
        .distinct()
    )
    rng = ctx.rng
    notices = []
    for cid, students in ctx.students_by_class.items():
        with_parent = [s.pk for s in students if s.pk in guardian_user]
        for sid in rng.sample(with_parent, min(2, len(with_parent))):
            day = rng.choice(ahead)
            reason = rng.choice(NOTICE_REASONS)
            notices.append(
                AbsenceNotice(
                    school=ctx.school,
                    student_id=sid,
                    school_class_id=cid,
                    submitted_by_id=guardian_user[sid],
                    date_from=day,
                    date_to=day,
                    lesson_from=1 if "ortodonty" in reason else None,
                    lesson_to=3 if "ortodonty" in reason else None,
                    reason=reason,
                )
            )
    AbsenceNotice.objects.bulk_create(notices)


def reset(school_ids: list[int]) -> None:
    """Remove the register data of demo schools (before their accounts are removed)."""
    AbsenceNotice.objects.filter(school_id__in=school_ids).delete()
    Justification.marks.through.objects.filter(justification__school_id__in=school_ids).delete()
    Justification.objects.filter(school_id__in=school_ids).delete()
    AttendanceAlert.objects.filter(school_id__in=school_ids).delete()
    AttendanceMark.objects.filter(lesson__school_id__in=school_ids).delete()
    Lesson.objects.filter(school_id__in=school_ids).delete()
