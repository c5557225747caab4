"""Screens of the lesson register. Thin: parse input, call one service or selector."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.accounts.children import active_child_id, family_vary
from dziennik.core import cache
from dziennik.core.cache import PageCache, reads_ahead
from dziennik.core.concurrency import StaleEdit
from dziennik.core.forms import add_service_errors
from dziennik.core.http import content_disposition
from dziennik.core.params import (
    MAX_ID,
    Period,
    in_bounds,
    parse_date,
    parse_id,
    parse_int,
    query_date,
    query_month,
    query_period,
)
from dziennik.plans import entitlements, gating
from dziennik.plans.selectors import school_rules_key
from dziennik.schools import permissions as school_permissions
from dziennik.schools import selectors as school_selectors
from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import Viewer
from dziennik.timetable import selectors as timetable

from . import permissions, printing, selectors, services
from .forms import AbsenceNoticeForm, DecisionForm, JustificationForm
from .models import AttendanceKind, Justification


def _period(request, school_id: int) -> tuple[Period, list]:
    """The requested period (?od=&do=), by default the school year up to today; a period
    out of range or longer than a school year is refused (``Period.error``, shown on the
    page's period form with a 400) and the default one shown."""
    today = timezone.localdate()
    year, terms = selectors.year_and_terms(school_id, today)
    return _period_of(request, year, today), terms


def _period_of(request, year, today: datetime.date) -> Period:
    start = year.start_date if year else today - datetime.timedelta(days=30)
    return query_period(request.GET, default_from=start, default_to=today)


def _period_context(period: Period) -> dict:
    return {
        "date_from": period.date_from,
        "date_to": period.date_to,
        "period_error": period.error,
    }


def _staff_only(viewer: Viewer) -> None:
    if not permissions.uses_register(viewer):
        raise Http404


@login_required
def index(request):
    if permissions.uses_register(request.viewer):
        return redirect("attendance:today")
    student_id = active_child_id(request)
    if student_id is None:
        raise Http404
    return redirect("attendance:student", student_id=student_id)


# --- teacher: today's lessons, the lesson screen ------------------------------------
@login_required
def today(request):
    viewer = request.viewer
    _staff_only(viewer)
    day = query_date(request.GET, "dzien", timezone.localdate())
    occurrences = timetable.teacher_occurrences(viewer, day, day)
    lessons = selectors.lessons_by_occurrence(occurrences, viewer.school_id)
    rows = [
        (o, lessons.get((o.entry.school_class_id, o.entry.group_id, o.date, o.slot.pk)))
        for o in occurrences
    ]
    return render(
        request,
        "attendance/today.html",
        {
            "day": day,
            "rows": rows,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "is_today": day == timezone.localdate(),
            "future": day > timezone.localdate(),
        },
    )


@login_required
@require_POST
def lesson_open(request):
    _staff_only(request.viewer)
    entry_id = parse_id(request.POST.get("entry"))
    day = parse_date(request.POST.get("date"))
    if entry_id is None or day is None or not in_bounds(day):
        raise Http404
    try:
        lesson = services.lesson_open(actor=request.user, entry_id=entry_id, date=day)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("attendance:today")
    return redirect("attendance:lesson", lesson_id=lesson.pk)


def _posted_marks(post, prefix: str = "mark-") -> tuple[dict[int, int | None], bool]:
    """The lesson form's marks: student id → kind id, ``None`` for a value that is not a
    kind's number (the save names it as an unknown kind). False when some ``mark-``
    field is not a student's. With ``prefix="initial-"``: what the form showed."""
    marks: dict[int, int | None] = {}
    readable = True
    for key, value in post.items():
        if not key.startswith(prefix) or key == "initial-topic":
            continue
        try:
            student_id = parse_id(key[len(prefix) :])
        except Http404:
            student_id = None
        if student_id is None:
            readable = False
            continue
        try:
            marks[student_id] = int(value)
        except ValueError:
            marks[student_id] = None
    return marks, readable


@login_required
def lesson_detail(request, lesson_id: int):
    """The lesson's screen; POST saves the topic and every mark, or nothing: then the
    screen comes back with what was typed and every bad row named. A save that
    conflicts with someone else's meanwhile (409) shows the saved values of the rows in
    conflict, keeps the user's other changes, and is based on the saved lesson again."""
    viewer = request.viewer
    errors: dict[str, list[str]] = {}
    posted: dict[int, int | None] = {}
    initial: dict[int, int | None] = {}
    conflict = None
    if request.method == "POST":
        # the save needs the lesson's own columns only; the screen is built again below
        # only when the input has to be corrected
        lesson = selectors.get_lesson_for(viewer, lesson_id, action="edit", related=False)
        topic = request.POST.get("topic", "")
        posted, readable = _posted_marks(request.POST)
        initial, initial_readable = _posted_marks(request.POST, "initial-")
        try:
            if not readable or not initial_readable:
                raise ValidationError(_("Invalid input."))
            services.lesson_save(
                actor=request.user,
                lesson=lesson,
                topic=topic,
                marks=posted,
                initial={k: v for k, v in initial.items() if v is not None},
                initial_topic=request.POST.get("initial-topic"),
            )
        except StaleEdit as exc:
            conflict = exc
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("The lesson has been saved."))
            return redirect("attendance:lesson", lesson_id=lesson.pk)
    lesson = selectors.get_lesson_for(viewer, lesson_id)
    if request.method != "POST" or (conflict and "topic" in conflict.fields):
        topic = lesson.topic
    kinds = selectors.kinds_by_id(lesson.school_id)
    rows = selectors.lesson_sheet(lesson)
    present = selectors.default_kind(kinds)
    # A parent's announcement of the absence: the mark starts as an excused absence.
    notices = selectors.notices_for_lesson(lesson, [row.student.pk for row in rows])
    excused = _excused_absence(kinds)
    for row in rows:
        row.notice = notices.get(row.student.pk)
        start = excused if row.notice is not None and excused is not None else present
        # ``initial`` is what the lesson holds (no mark saves as present); ``start`` is
        # what the form proposes (an announced absence starts as excused).
        row.initial = row.mark.kind_id if row.mark else present.pk
        row.selected = posted.get(row.student.pk, row.mark.kind_id if row.mark else start.pk)
        if conflict is not None and (
            f"mark-{row.student.pk}" in conflict.fields
            or posted.get(row.student.pk) == initial.get(row.student.pk)
        ):
            row.selected = row.initial  # in conflict, or not changed: what is saved now
        # a mark of a kind the school no longer uses stays on offer for its student only,
        # so saving the lesson again keeps it instead of turning it into "present"
        kind = kinds.get(row.selected)
        row.retired_kind = kind if kind is not None and not kind.is_active else None
        row.error = " ".join(errors.get(f"mark-{row.student.pk}", []))
        row.conflict = conflict is not None and f"mark-{row.student.pk}" in conflict.fields
    return render(
        request,
        "attendance/lesson.html",
        {
            "lesson": lesson,
            "rows": rows,
            "kinds": selectors.active_kinds(kinds),
            "topic": topic,
            "can_edit": permissions.lessons.allows(viewer, "edit", lesson),
            "errors": [message for field in errors.values() for message in field],
            "conflict": conflict,
            "topic_error": " ".join(errors.get("topic", [])),
            "has_previous": any(r.previous_kind_id for r in rows),
        },
        status=409 if conflict else 400 if errors else 200,
    )


def _excused_absence(kinds):
    """The school's first active kind of excused absence (``u``), if it has one."""
    return next(
        (k for k in selectors.active_kinds(kinds) if k.base == AttendanceKind.Base.ABSENT_EXCUSED),
        None,
    )


@login_required
def missing(request):
    viewer = request.viewer
    _staff_only(viewer)
    today_ = timezone.localdate()
    # by default the two weeks up to the given end (or today)
    date_to = parse_date(request.GET.get("do"))
    default_to = date_to if date_to is not None and in_bounds(date_to) else today_
    period = query_period(
        request.GET,
        default_from=default_to - datetime.timedelta(days=13),
        default_to=default_to,
    )
    data = selectors.lessons_missing(viewer, period.date_from, min(period.date_to, today_))
    return render(
        request,
        "attendance/missing.html",
        {**_period_context(period), **data},
        status=400 if period.error else 200,
    )


# --- a student's attendance ---------------------------------------------------------
# Kept whole per version of what it shows: the school's configuration, the student, their
# class's register data.
STUDENT_PAGE = PageCache(
    "attendance-page",
    authorize=lambda request, student_id: school_permissions.students.require_pk(
        request.viewer, student_id
    ),
    scopes=lambda request, student_id: school_selectors.student_cache_scopes(
        request.viewer, student_id
    ),
    vary=family_vary,
)


# The models of the student page's part kept apart from its months.
APART = ("attendance.justification", "attendance.attendancealert", "attendance.absencenotice")


def _student_page_reads(request, student_id: int) -> tuple:
    """What the student's page reads from the cache before it knows more, read with the
    viewer (``core.cache.reads_ahead``): the student's classes (the page's scopes), the
    plan's rules (the gate) and the page's setup."""
    school_id = request.user.school_id
    return (
        school_selectors.student_classes_key(student_id),
        school_rules_key(school_id),
        selectors.page_setup_key(school_id, student_id, timezone.localdate()),
    )


@login_required
@reads_ahead(_student_page_reads)
def student_attendance(request, student_id: int):
    """A student's attendance: rendered once per version of the data it shows and per
    user (``STUDENT_PAGE``)."""
    viewer = request.viewer
    refused = gating.refusal(request, student_id, entitlements.ATTENDANCE)
    if refused is not None:  # the family's plan: decided per request, never cached
        return refused
    page = STUDENT_PAGE.open(request, student_id=student_id)

    def render_page():
        today = timezone.localdate()
        setup = selectors.page_setup(viewer, student_id, today)
        student, terms = setup.student, setup.terms
        period = _period_of(request, setup.year, today)
        date_from, date_to = period.date_from, period.date_to
        recent_since = today - datetime.timedelta(days=14)

        def apart() -> dict:
            # the excuses, warnings and announcements: kept per their own share of the
            # student's attendance (``core.cache.rows_scopes``), a new mark keeps them
            alerts = selectors.student_alerts(student.pk, since=recent_since)
            justifications = selectors.student_justifications(viewer, student)
            return {
                "alerts_html": render_to_string("attendance/_alerts.html", {"alerts": alerts})
                if alerts
                else "",
                "justifications_html": render_to_string(
                    "attendance/_student_justifications.html",
                    {"justifications": justifications},
                ),
                "notices": selectors.student_notices(viewer, student),
            }

        key = f"att-apart:{student.pk}:{request.user.pk}:{today}:{get_language()}"
        # the rows, the grid, the statistics and the deadline: kept per month, one read of
        # the marks of the months not kept
        data = selectors.student_page_parts(
            student,
            date_from,
            date_to,
            terms,
            recent_since,
            page.scopes,
            deadline=setup.deadline(),
            apart=(key, cache.rows_scopes(APART, page.scopes), apart),
        )
        return render(
            request,
            "attendance/student.html",
            {
                "student": student,
                **_period_context(period),
                **data,
                **data.pop("apart"),
                "reads_justifications": permissions.justifications.reads_any_of(viewer, student),
                "may_justify": permissions.student_attendance.allows(viewer, "justify", student),
            },
            status=400 if period.error else 200,
        )

    return page.serve(render_page)


@login_required
def student_topics(request, student_id: int):
    student = permissions.student_attendance.get(request.viewer, student_id)
    period, _terms = _period(request, student.school_id)
    return render(
        request,
        "attendance/topics.html",
        {
            "student": student,
            **_period_context(period),
            "subjects": selectors.lessons_with_topics(student, period.date_from, period.date_to),
        },
        status=400 if period.error else 200,
    )


@login_required
def student_pdf(request, student_id: int):
    student = permissions.student_attendance.get(request.viewer, student_id)
    period, terms = _period(request, student.school_id)
    date_from, date_to = period.check().date_from, period.date_to
    enrolment = school_selectors.current_enrolment(student)
    content = printing.student_attendance_pdf(
        school=student.school,
        student=student,
        school_class=enrolment.school_class if enrolment else None,
        date_from=date_from,
        date_to=date_to,
        marks=list(reversed(selectors.student_marks(student, date_from, date_to))),
        stats=selectors.student_statistics(student, date_from, date_to, terms),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"frekwencja-{student.pk}-{date_from}-{date_to}.pdf", inline=True
    )
    return response


# --- justifications -----------------------------------------------------------------
@login_required
def justification_new(request, student_id: int):
    student = permissions.student_attendance.get(request.viewer, student_id, "justify")
    candidates = list(selectors.justifiable_marks(student))
    choices = [
        (
            m.pk,
            f"{m.date:%d.%m.%Y}, {m.lesson.slot.number}. {m.lesson.subject.name} – {m.kind.name}",
        )
        for m in candidates
    ]
    form = JustificationForm(request.POST or None, request.FILES or None, mark_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.justification_submit(
                actor=request.user,
                student=student,
                reason=data["reason"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                mark_ids=data["marks"],
                attachment=data["attachment"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The justification has been sent to the class teacher."))
            return redirect("attendance:student", student_id=student.pk)
    return render(
        request,
        "attendance/justification_form.html",
        {
            "student": student,
            "form": form,
            "candidates": candidates,
            "deadline": selectors.justification_deadline(student.school_id),
            "overdue": selectors.overdue_marks_count(student),
        },
        status=400 if form.errors else 200,
    )


@login_required
def absence_notice_new(request, student_id: int):
    """A parent announces a coming absence of their child (days, lessons, the reason)."""
    student = permissions.student_attendance.get(request.viewer, student_id, "justify")
    form = AbsenceNoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.absence_notice_submit(actor=request.user, student=student, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The absence has been announced to the class teacher."))
            return redirect("attendance:student", student_id=student.pk)
    return render(
        request,
        "attendance/notice_form.html",
        {"student": student, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def absence_notice_withdraw(request, notice_id: int):
    notice = permissions.absence_notices.get(request.viewer, notice_id, "withdraw")
    try:
        services.absence_notice_withdraw(actor=request.user, notice=notice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The announcement has been withdrawn."))
    return redirect("attendance:student", student_id=notice.student_id)


@login_required
def justification_list(request):
    viewer = request.viewer
    if not permissions.justifications.decides_any(viewer):
        raise Http404
    status = request.GET.get("status") or Justification.Status.PENDING
    if status not in Justification.Status.values and status != "all":
        status = Justification.Status.PENDING
    items = selectors.justifications_to_decide(viewer, None if status == "all" else status)[:200]
    return render(
        request,
        "attendance/justification_list.html",
        {
            "items": items,
            "status": status,
            "statuses": Justification.Status.choices,
            "notices": selectors.notices_to_know(viewer),
        },
    )


@login_required
def justification_detail(request, justification_id: int):
    viewer = request.viewer
    justification = selectors.get_justification_for(viewer, justification_id)
    may_decide = permissions.justifications.allows(viewer, "decide", justification)
    marks = selectors.justification_marks(justification)
    form = DecisionForm(request.POST or None, mark_ids=[m.pk for m in marks])
    if request.method == "POST":
        if not may_decide:
            raise Http404
        if form.is_valid():
            try:
                services.justification_decide(
                    actor=request.user,
                    justification=justification,
                    accept=form.cleaned_data["decision"] == "accept",
                    comment=form.cleaned_data["comment"],
                    # A form without the lesson choice (an older page): all its lessons.
                    mark_ids=form.cleaned_data["marks"] if "marks_sent" in request.POST else None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The decision has been saved."))
                return redirect("attendance:justification", justification_id=justification.pk)
    return render(
        request,
        "attendance/justification_detail.html",
        {
            "j": justification,
            "marks": marks,
            "chosen": _chosen_marks(form, marks),
            "may_decide": may_decide and justification.status == Justification.Status.PENDING,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _chosen_marks(form, marks) -> set[int]:
    """The lessons ticked for excusing: all at first, what was sent after a refused save."""
    if form.is_bound and "marks_sent" in form.data:
        sent = (parse_int(v, min_value=1, max_value=MAX_ID) for v in form.data.getlist("marks"))
        return {number for number in sent if number is not None}
    return {m.pk for m in marks}


@login_required
def justification_attachment(request, justification_id: int):
    justification = selectors.get_justification_for(request.viewer, justification_id)
    if not justification.attachment:
        raise Http404
    name = justification.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(justification.attachment.open("rb"), as_attachment=True, filename=name)


# --- class teacher and principal ----------------------------------------------------
@login_required
def class_summary(request, class_id: int):
    viewer = request.viewer
    school_class = permissions.class_attendance.get(viewer, class_id, "summary")
    period, _terms = _period(request, school_class.school_id)
    since = timezone.localdate() - datetime.timedelta(days=14)
    leads = permissions.class_attendance.allows(viewer, "lead", school_class)
    return render(
        request,
        "attendance/class_summary.html",
        {
            "school_class": school_class,
            **_period_context(period),
            "stats": selectors.class_statistics(
                viewer, school_class, period.date_from, period.date_to
            ),
            # below the school's risk threshold, as the warnings count
            "low": selectors.settings_for(school_class.school_id).risk_threshold_percent,
            "alerts": selectors.alerts_for_classes([class_id], since=since) if leads else [],
            "leads": leads,
            "month": timezone.localdate().strftime("%Y-%m"),
        },
        status=400 if period.error else 200,
    )


@login_required
def class_sheet_pdf(request, class_id: int):
    school_class = permissions.class_attendance.get(
        request.viewer, class_id, "lead", queryset=SchoolClass.objects.select_related("school")
    )
    month = query_month(request.GET, "miesiac", timezone.localdate())
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    sheet = selectors.month_sheet(school_class, month, next_month - datetime.timedelta(days=1))
    content = printing.class_month_pdf(
        school=school_class.school, school_class=school_class, month=month, sheet=sheet
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"frekwencja-{school_class.name}-{month:%Y-%m}.pdf", inline=True
    )
    return response


@login_required
def school_view(request):
    viewer = request.viewer
    if not permissions.sees_school_attendance(viewer):
        raise Http404
    period, _terms = _period(request, viewer.school_id)
    return render(
        request,
        "attendance/school.html",
        {
            **_period_context(period),
            "rows": selectors.school_statistics(viewer, period.date_from, period.date_to),
            "missing_url": reverse("attendance:missing"),
        },
        status=400 if period.error else 200,
    )
