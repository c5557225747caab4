"""Screens of the lesson register. Thin: parse input, call one service or selector."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.accounts.children import active_child_id, family_vary
from dziennik.core.cache import PageCache
from dziennik.schools import permissions as school_permissions
from dziennik.schools import selectors as school_selectors
from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import Viewer
from dziennik.timetable import selectors as timetable

from . import permissions, printing, selectors, services
from .forms import DecisionForm, JustificationForm
from .models import Justification


def _date(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _period(request, school_id: int) -> tuple[datetime.date, datetime.date, list]:
    """The requested period (?od=&do=), by default the school year up to today."""
    today = timezone.localdate()
    year, terms = selectors.year_and_terms(school_id, today)
    start = year.start_date if year else today - datetime.timedelta(days=30)
    date_from = _date(request.GET.get("od"), start)
    date_to = _date(request.GET.get("do"), today)
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    return date_from, date_to, terms


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
    day = _date(request.GET.get("dzien"), timezone.localdate())
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
    try:
        entry_id = int(request.POST.get("entry", ""))
        day = datetime.date.fromisoformat(request.POST.get("date", ""))
    except ValueError as exc:
        raise Http404 from exc
    try:
        lesson = services.lesson_open(actor=request.user, entry_id=entry_id, date=day)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("attendance:today")
    return redirect("attendance:lesson", lesson_id=lesson.pk)


def _posted_marks(post) -> tuple[dict[int, int | None], bool]:
    """The lesson form's marks: student id → kind id, ``None`` for a value that is not a
    kind's number (the save names it as an unknown kind). False when some ``mark-``
    field is not a student's."""
    marks: dict[int, int | None] = {}
    readable = True
    for key, value in post.items():
        if not key.startswith("mark-"):
            continue
        try:
            student_id = int(key[5:])
        except ValueError:
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
    screen comes back with what was typed and every bad row named."""
    viewer = request.viewer
    errors: dict[str, list[str]] = {}
    posted: dict[int, int | None] = {}
    if request.method == "POST":
        # the save needs the lesson's own columns only; the screen is built again below
        # only when the input has to be corrected
        lesson = selectors.get_lesson_for(viewer, lesson_id, action="edit", related=False)
        topic = request.POST.get("topic", "")
        posted, readable = _posted_marks(request.POST)
        try:
            if not readable:
                raise ValidationError(_("Invalid input."))
            services.lesson_save(actor=request.user, lesson=lesson, topic=topic, marks=posted)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("The lesson has been saved."))
            return redirect("attendance:lesson", lesson_id=lesson.pk)
    lesson = selectors.get_lesson_for(viewer, lesson_id)
    if request.method != "POST":
        topic = lesson.topic
    kinds = selectors.kinds_by_id(lesson.school_id)
    rows = selectors.lesson_sheet(lesson)
    present = selectors.default_kind(kinds)
    for row in rows:
        row.selected = posted.get(row.student.pk, row.mark.kind_id if row.mark else present.pk)
        # a mark of a kind the school no longer uses stays on offer for its student only,
        # so saving the lesson again keeps it instead of turning it into "present"
        kind = kinds.get(row.selected)
        row.retired_kind = kind if kind is not None and not kind.is_active else None
        row.error = " ".join(errors.get(f"mark-{row.student.pk}", []))
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
            "topic_error": " ".join(errors.get("topic", [])),
            "has_previous": any(r.previous_kind_id for r in rows),
        },
        status=400 if errors else 200,
    )


@login_required
def missing(request):
    viewer = request.viewer
    _staff_only(viewer)
    today_ = timezone.localdate()
    date_to = _date(request.GET.get("do"), today_)
    date_from = _date(request.GET.get("od"), date_to - datetime.timedelta(days=13))
    data = selectors.lessons_missing(viewer, date_from, min(date_to, today_))
    return render(
        request,
        "attendance/missing.html",
        {"date_from": date_from, "date_to": date_to, **data},
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


@login_required
def student_attendance(request, student_id: int):
    """A student's attendance: rendered once per version of the data it shows and per
    user (``STUDENT_PAGE``)."""
    viewer = request.viewer

    def render_page():
        student = permissions.student_attendance.get(viewer, student_id)
        date_from, date_to, terms = _period(request, student.school_id)
        recent_since = timezone.localdate() - datetime.timedelta(days=14)
        recent, absences = selectors.student_page_rows(student, date_from, date_to, recent_since)
        return render(
            request,
            "attendance/student.html",
            {
                "student": student,
                "date_from": date_from,
                "date_to": date_to,
                "absences": absences,
                "recent": recent,
                "stats": selectors.student_statistics(student, date_from, date_to, terms),
                "justifications": selectors.student_justifications(viewer, student),
                "reads_justifications": permissions.justifications.reads_any_of(viewer, student),
                "alerts": selectors.alerts_for_students([student.pk], since=recent_since),
                "may_justify": permissions.student_attendance.allows(viewer, "justify", student),
            },
        )

    return STUDENT_PAGE.serve(request, render_page, student_id=student_id)


@login_required
def student_topics(request, student_id: int):
    student = permissions.student_attendance.get(request.viewer, student_id)
    date_from, date_to, _terms = _period(request, student.school_id)
    return render(
        request,
        "attendance/topics.html",
        {
            "student": student,
            "date_from": date_from,
            "date_to": date_to,
            "subjects": selectors.lessons_with_topics(student, date_from, date_to),
        },
    )


@login_required
def student_pdf(request, student_id: int):
    student = permissions.student_attendance.get(request.viewer, student_id)
    date_from, date_to, terms = _period(request, student.school_id)
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
    response["Content-Disposition"] = (
        f'inline; filename="frekwencja-{student.pk}-{date_from}-{date_to}.pdf"'
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
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("The justification has been sent to the class teacher."))
            return redirect("attendance:student", student_id=student.pk)
    return render(
        request,
        "attendance/justification_form.html",
        {"student": student, "form": form, "candidates": candidates},
        status=400 if form.errors else 200,
    )


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
        {"items": items, "status": status, "statuses": Justification.Status.choices},
    )


@login_required
def justification_detail(request, justification_id: int):
    viewer = request.viewer
    justification = selectors.get_justification_for(viewer, justification_id)
    may_decide = permissions.justifications.allows(viewer, "decide", justification)
    form = DecisionForm(request.POST or None)
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
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The decision has been saved."))
                return redirect("attendance:justification", justification_id=justification.pk)
    return render(
        request,
        "attendance/justification_detail.html",
        {
            "j": justification,
            "marks": selectors.justification_marks(justification),
            "may_decide": may_decide and justification.status == Justification.Status.PENDING,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


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
    date_from, date_to, _terms = _period(request, school_class.school_id)
    since = timezone.localdate() - datetime.timedelta(days=14)
    leads = permissions.class_attendance.allows(viewer, "lead", school_class)
    return render(
        request,
        "attendance/class_summary.html",
        {
            "school_class": school_class,
            "date_from": date_from,
            "date_to": date_to,
            "stats": selectors.class_statistics(viewer, school_class, date_from, date_to),
            # below the school's risk threshold, as the warnings count
            "low": selectors.settings_for(school_class.school_id).risk_threshold_percent,
            "alerts": selectors.alerts_for_classes([class_id], since=since) if leads else [],
            "leads": leads,
            "month": timezone.localdate().strftime("%Y-%m"),
        },
    )


@login_required
def class_sheet_pdf(request, class_id: int):
    school_class = permissions.class_attendance.get(
        request.viewer, class_id, "lead", queryset=SchoolClass.objects.select_related("school")
    )
    try:
        month = datetime.date.fromisoformat((request.GET.get("miesiac") or "") + "-01")
    except ValueError:
        month = timezone.localdate().replace(day=1)
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    sheet = selectors.month_sheet(school_class, month, next_month - datetime.timedelta(days=1))
    content = printing.class_month_pdf(
        school=school_class.school, school_class=school_class, month=month, sheet=sheet
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="frekwencja-{school_class.name}-{month:%Y-%m}.pdf"'
    )
    return response


@login_required
def school_view(request):
    viewer = request.viewer
    if not permissions.sees_school_attendance(viewer):
        raise Http404
    date_from, date_to, _terms = _period(request, viewer.school_id)
    return render(
        request,
        "attendance/school.html",
        {
            "date_from": date_from,
            "date_to": date_to,
            "rows": selectors.school_statistics(viewer, date_from, date_to),
            "missing_url": reverse("attendance:missing"),
        },
    )
