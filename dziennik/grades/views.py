"""Grade pages: thin views over ``selectors`` (reads) and ``services`` (writes)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.accounts.children import active_child_id, family_vary
from dziennik.core.cache import PageCache, Plain, reads_ahead
from dziennik.core.concurrency import StaleEdit
from dziennik.core.extensions import collect_related_links
from dziennik.core.http import content_disposition
from dziennik.core.params import parse_date, parse_decimal, parse_id, parse_int
from dziennik.plans import entitlements, gating
from dziennik.plans.selectors import school_rules_key
from dziennik.schools import selectors as school_selectors

from . import charts, permissions, selectors, services
from .models import Assessment, BehaviourGrade, GradingSettings
from .pdf import grade_sheet_pdf
from .rules import need_answer
from .sheets import BEHAVIOUR_COLUMNS, CLASSIFICATION_COLUMNS, SheetInvalid, posted_cells


def _int_or_none(value) -> int | None:
    """An id from the form or the address; one no row can have is a missing page."""
    return parse_id(value)


def _decimal(value) -> Decimal | None:
    """A number typed with a comma or a dot, of at most ten digits before the point; None
    for anything else (``1e999``, ``NaN``, ``²``). Its range is the services' to check."""
    return parse_decimal(value, max_digits=12, decimal_places=2)


@login_required
def index(request):
    """Parents and students go to the child's grades, teachers to their gradebooks."""
    viewer = request.viewer
    if permissions.has_own_grades(viewer):
        child = active_child_id(request)
        if child is not None:
            return redirect("grades:student_overview", student_id=child)
    if permissions.has_gradebooks(viewer):
        return redirect("grades:gradebook_list")
    raise Http404


# --- parents and students -----------------------------------------------------------------
def _authorize_student(request, student_id):
    permissions.require_student_grades(request.viewer, student_id)


def _student_scopes(request, student_id):
    return school_selectors.student_cache_scopes(request.viewer, student_id, year_level=True)


def _student_class_scopes(request, student_id):
    return school_selectors.student_cache_scopes(request.viewer, student_id)


# Kept whole per version of what they show: the school's configuration, the student, and
# the register data of every class of their year (the full page compares with the year)
# or, for the overview, which shows no comparison, of their own class (its assessments).
STUDENT_PAGE = PageCache(
    "grade-page", authorize=_authorize_student, scopes=_student_scopes, vary=family_vary
)
OVERVIEW_PAGE = PageCache(
    "grade-overview",
    authorize=_authorize_student,
    scopes=_student_class_scopes,
    vary=family_vary,
)


def _report_reads(request, student_id: int) -> tuple:
    """What a grade page reads from the cache before it knows the student's class: read
    with the viewer (``core.cache.reads_ahead``)."""
    return (
        school_selectors.student_classes_key(student_id),
        school_rules_key(request.user.school_id),
        Plain(selectors.visit_cache_key(request.user.pk, student_id)),
        selectors.report_setup_key(student_id),
    )


def _report_page(request, student_id: int, cache: PageCache, template: str, charted: bool):
    """A page built from the student's report, rendered once per version of the data it
    shows, per user and per "last seen" mark; a reload costs a few cache reads. Opening
    it moves the "new since last visit" mark of the people it is about."""
    viewer = request.viewer
    page = cache.open(request, student_id=student_id)  # authorized from here on
    refused = gating.refusal(request, student_id, entitlements.GRADES)
    if refused is not None:  # the family's plan: decided per request, never cached
        return refused
    last_seen = selectors.last_visit(viewer.user_id, student_id)
    had_new = False

    def render_page():
        nonlocal had_new
        report = selectors.student_report(
            viewer,
            student_id,
            term_id=_int_or_none(request.GET.get("okres")),
            last_seen=last_seen,
            series=charted,
            compare=charted,  # the overview shows no class or year average
            # the overview keeps each subject's row per version of that subject's data
            parts=None if charted else "overview",
        )
        had_new = any(s.new_count for s in report.subjects)
        context = {"report": report}
        if charted:
            for subject in report.subjects:
                subject.chart = charts.line_chart(subject.series, small=True)
            context["overall_chart"] = charts.line_chart(report.overall_series)
            context["need_weights"] = sorted(
                {row.assessment.weight for r in report.subjects for row in r.rows}
            ) or [Decimal(1), Decimal(2), Decimal(3)]
        response = render(request, template, context)
        selectors.keep_parts(report)  # the rows the page wrote afresh
        return response

    # A page served from the cache had nothing new: had it shown new grades, the "last
    # seen" mark would have moved on, and with it the key.
    response = page.serve(render_page, key=[last_seen.timestamp() if last_seen else "-"])
    if permissions.is_own_student(viewer, student_id):
        services.grade_visit_seen(
            user=request.user,
            student_id=student_id,
            last_seen=last_seen,
            had_new=had_new,
        )
    return response


@login_required
@reads_ahead(_report_reads)
def student_overview(request, student_id: int):
    """The first grade screen of parents and students: one row per subject with its
    grades as chips (details on tap, hover or focus), the average, the proposed and the
    term grade; the full tables one click away."""
    return _report_page(request, student_id, OVERVIEW_PAGE, "grades/overview.html", False)


@login_required
@reads_ahead(_report_reads)
def student_grades(request, student_id: int):
    """The child's grades in full: every grade's row per subject, charts, the calculator."""
    return _report_page(request, student_id, STUDENT_PAGE, "grades/student.html", True)


@login_required
def student_need(request, student_id: int):
    """ "What do I need?": the lowest grade of a given weight that reaches a target."""
    viewer = request.viewer
    student = school_selectors.get_student_for(viewer, student_id)
    refused = gating.refusal(request, student_id, entitlements.GRADES)
    if refused is not None:
        return refused
    enrolment = school_selectors.current_enrolment(student)
    if enrolment is None:
        raise Http404
    terms = selectors.year_terms(enrolment.school_class.school_year_id)
    term = selectors.pick_term(terms, _int_or_none(request.GET.get("okres")), timezone.localdate())
    subject_id = _int_or_none(request.GET.get("subject"))
    weight = _decimal(request.GET.get("weight"))
    target = _decimal(request.GET.get("target"))
    errors = []
    if subject_id is None or term is None:
        errors.append(_("Choose a subject."))
    if weight is None or not (Decimal(0) < weight <= 100):
        errors.append(_("Choose the weight of the next assessment."))
    if target is None or not (Decimal(1) <= target <= 6):
        errors.append(_("Enter the target average as a number from 1 to 6, e.g. 4.75."))
    context = {"student": student, "error": " ".join(errors), "result": None}
    if not errors:
        rules = selectors.load_rules(student.school_id)
        entries = selectors.student_entries(viewer, student, subject_id, term)
        context.update(
            target=target,
            weight=weight,
            **need_answer(entries, rules, weight=weight, target=target),
        )
    # HTMX swaps the answer into the page; without JavaScript it is a page of its own.
    template = "grades/_need.html" if request.htmx else "grades/need_page.html"
    status = 400 if context["error"] else 200
    return render(request, template, context, status=status)


@login_required
def student_pdf(request, student_id: int):

    viewer = request.viewer
    refused = gating.refusal(request, student_id, entitlements.GRADES)
    if refused is not None:
        return refused
    report = selectors.student_report(
        viewer, student_id, term_id=_int_or_none(request.GET.get("okres"))
    )
    data = grade_sheet_pdf(report)
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"oceny-{report.student.pk}.pdf", inline=True
    )
    return response


# --- teachers ---------------------------------------------------------------------------------
@login_required
def gradebook_list(request):
    viewer = request.viewer
    if not permissions.has_gradebooks(viewer):
        raise Http404
    return render(
        request,
        "grades/gradebook_list.html",
        {
            "assignments": selectors.teacher_gradebooks(viewer),
            "led_classes": selectors.behaviour_classes(viewer),
            "can_manage": permissions.can_manage_rules(viewer),
        },
    )


def _book(request, class_id: int, subject_id: int):
    return selectors.gradebook(
        request.viewer,
        class_id,
        subject_id,
        group_id=_int_or_none(request.GET.get("grupa") or request.POST.get("grupa")),
        term_id=_int_or_none(request.GET.get("okres") or request.POST.get("okres")),
    )


def _book_url(book, name="grades:gradebook") -> str:
    url = reverse(name, args=[book.school_class.pk, book.subject.pk]) + f"?okres={book.term.pk}"
    if book.group:
        url += f"&grupa={book.group.pk}"
    return url


@login_required
def gradebook(request, class_id: int, subject_id: int):
    book = _book(request, class_id, subject_id)
    return render(
        request,
        "grades/gradebook.html",
        {
            "book": book,
            "kinds": Assessment.Kind.choices,
            "today": timezone.localdate().isoformat(),
            "book_query": _book_url(book).split("?", 1)[1],
        },
    )


@login_required
@require_POST
def assessment_new(request, class_id: int, subject_id: int):
    book = _book(request, class_id, subject_id)
    if not book.can_edit:
        raise Http404
    category = next(
        (c for c in book.categories if str(c.pk) == request.POST.get("category", "")), None
    )
    date = parse_date(request.POST.get("date"))
    weight = _decimal(request.POST.get("weight")) if request.POST.get("weight") else None
    errors = []
    if category is None:
        errors.append(_("Choose a category."))
    if date is None:
        errors.append(_("Enter a valid date."))
    if request.POST.get("weight") and weight is None:
        errors.append(_("The weight must be a number."))
    if not errors:
        try:
            created = services.assessment_create(
                actor=request.user,
                school_class=book.school_class,
                subject=book.subject,
                term=book.term,
                group=book.group,
                name=request.POST.get("name", ""),
                date=date,
                category=category,
                weight=weight,
                kind=request.POST.get("kind") or Assessment.Kind.STANDARD,
                max_points=_decimal(request.POST.get("max_points")),
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
        except PermissionDenied:
            raise Http404 from None
    if errors:
        book = _book(request, class_id, subject_id)
        return render(
            request,
            "grades/gradebook.html",
            {
                "book": book,
                "kinds": Assessment.Kind.choices,
                "column_errors": errors,
                "column_form": request.POST,
                "today": request.POST.get("date", ""),
                "book_query": _book_url(book).split("?", 1)[1],
            },
            status=400,
        )
    messages.success(request, _("The column was added."))
    return redirect(_book_url(book) + f"#enter-{created.pk}")


def _column_url(assessment: Assessment) -> str:
    """The gradebook (term and group) a column belongs to, scrolled to the column."""
    url = reverse("grades:gradebook", args=[assessment.school_class_id, assessment.subject_id]) + (
        f"?okres={assessment.term_id}"
    )
    if assessment.group_id:
        url += f"&grupa={assessment.group_id}"
    return url + f"#col-{assessment.pk}"


def _column_initial(assessment: Assessment) -> dict:
    """The edit form's values: the weight is left empty while it is the category's."""
    weight = assessment.weight
    return {
        "name": assessment.name,
        "date": assessment.date.isoformat(),
        "category": str(assessment.category_id),
        "weight": "" if weight == assessment.category.weight else f"{weight.normalize():f}",
        "max_points": (
            f"{assessment.max_points.normalize():f}" if assessment.max_points is not None else ""
        ),
    }


@login_required
def assessment_edit(request, assessment_id: int):
    """Change a column's name, date, category, weight or maximum points."""
    viewer = request.viewer
    assessment = selectors.get_assessment_for_grading(viewer, assessment_id)
    categories = selectors.categories(assessment.school_id, keep_id=assessment.category_id)
    errors = []
    stale = False
    if request.method == "POST":
        category = next(
            (c for c in categories if str(c.pk) == request.POST.get("category", "")), None
        )
        date = parse_date(request.POST.get("date"))
        raw_weight = request.POST.get("weight", "").strip()
        weight = _decimal(raw_weight) if raw_weight else None
        changes = {"name": request.POST.get("name", ""), "weight": weight}
        if category is None:
            errors.append(_("Choose a category."))
        else:
            changes["category"] = category
        if date is None:
            errors.append(_("Enter a valid date."))
        else:
            changes["date"] = date
        if raw_weight and weight is None:
            errors.append(_("The weight must be a number."))
        if assessment.kind == Assessment.Kind.POINTS:
            changes["max_points"] = _decimal(request.POST.get("max_points"))
        if not errors:
            try:
                services.assessment_update(
                    actor=request.user,
                    assessment=assessment,
                    version=request.POST.get("version"),
                    **changes,
                )
            except ValidationError as exc:
                stale = isinstance(exc, StaleEdit)
                errors.extend(exc.messages)
            except (PermissionDenied, Assessment.DoesNotExist):
                raise Http404 from None
        if not errors:
            messages.success(request, _("The column was saved."))
            return redirect(_column_url(assessment))
    return render(
        request,
        "grades/assessment_edit.html",
        {
            "assessment": assessment,
            "categories": categories,
            "form": request.POST if errors else _column_initial(assessment),
            "errors": errors,
            "book_url": _column_url(assessment),
            "version": services.column_version(
                selectors.get_assessment_for_grading(viewer, assessment_id) if stale else assessment
            ),
        },
        status=409 if stale else 400 if errors else 200,
    )


@login_required
def assessment_delete(request, assessment_id: int):
    """GET: what deleting the column removes; POST: delete it, once confirmed."""
    viewer = request.viewer
    assessment = selectors.get_assessment_for_grading(viewer, assessment_id)
    errors = []
    if request.method == "POST":
        try:
            confirmed = int(request.POST.get("grades") or 0)
        except ValueError:
            confirmed = -1  # never the number of grades: asked again
        try:
            removed = services.assessment_delete(
                actor=request.user, assessment=assessment, expected_grades=confirmed
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
        except (PermissionDenied, Assessment.DoesNotExist):
            raise Http404 from None
        else:
            messages.success(
                request,
                _("The column was deleted with its grades: %(count)s.") % {"count": removed},
            )
            return redirect(_column_url(assessment).split("#", 1)[0])
    return render(
        request,
        "grades/assessment_delete.html",
        {
            "assessment": assessment,
            "grade_count": selectors.column_grade_count(assessment),
            "errors": errors,
            "book_url": _column_url(assessment),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def grade_cell(request, assessment_id: int):
    """One cell of the grid: set, change or clear a grade, its comment or correction."""
    viewer = request.viewer
    assessment = selectors.get_assessment_for_grading(viewer, assessment_id)
    student_id = _int_or_none(request.POST.get("student"))
    if student_id is None:
        raise Http404
    student = school_selectors.get_student_for(viewer, student_id)
    rules = selectors.load_rules(assessment.school_id)
    field = request.POST.get("field", "value")
    based_on = request.POST.get("version")  # the cell's version when shown; None: no check
    try:
        if field == "comment":
            grade = selectors.cell_grade(assessment, student)
            if grade is None:
                raise ValidationError(_("Enter the grade before its comment."))
            grade.assessment = assessment
            services.grade_comment_set(
                actor=request.user,
                grade=grade,
                comment=request.POST.get("comment", ""),
                based_on=based_on,
            )
        elif field == "correction":
            grade = selectors.cell_grade(assessment, student)
            if grade is None:
                raise ValidationError(_("There is no grade to correct."))
            grade.assessment = assessment
            services.grade_correct(
                actor=request.user,
                grade=grade,
                raw=request.POST.get("value", ""),
                rules=rules,
                based_on=based_on,
            )
        else:
            services.grade_set(
                actor=request.user,
                assessment=assessment,
                student=student,
                raw=request.POST.get("value", ""),
                comment=request.POST.get("comment"),
                rules=rules,
                based_on=based_on,
            )
    except StaleEdit as exc:
        return _cell_state(assessment, student, rules, error=" ".join(exc.messages), status=409)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "error": " ".join(exc.messages)}, status=400)
    except PermissionDenied:
        raise Http404 from None
    return _cell_state(assessment, student, rules)


def _cell_state(assessment, student, rules, *, error: str = "", status: int = 200):
    """The cell as it is saved now: after a save (200) or, with the reason, after a
    stale edit was refused (409: the cell shows the saved grade and its versions)."""
    own, correction, avg = selectors.cell_state(assessment, student, rules)
    if own is None:
        value = ""
    elif own.points is not None:
        value = floatformat(own.points, "-2")
    else:
        value = own.text or own.symbol
    return JsonResponse(
        {
            "ok": not error,
            "error": error,
            "stale": bool(error),
            "value": value,
            "version": own.version if own else "",
            "correction_version": correction.version if correction else "",
            "display": own.display if own else "",
            "comment": own.comment if own else "",
            "correction": correction.display if correction else "",
            "average": formats.localize(avg) if avg is not None else "",
            "average_value": str(avg) if avg is not None else "",
            "proposed": rules.proposed_grade(avg) or "",
        },
        status=status,
    )


@login_required
def analytics(request, class_id: int, subject_id: int):
    book = _book(request, class_id, subject_id)
    return render(
        request,
        "grades/analytics.html",
        {"book": book, "stats": selectors.class_analytics(book), "book_url": _book_url(book)},
    )


@login_required
def classification(request, class_id: int, subject_id: int):
    """Term and final grades and their proposals for the gradebook's students: the whole
    sheet is saved at once, or – with any bad cell – nothing, and every bad cell says why."""
    book = _book(request, class_id, subject_id)
    refused = None
    if request.method == "POST":
        if not book.can_edit:
            raise Http404
        target = {"school_class": book.school_class, "subject": book.subject, "term": book.term}
        try:
            if "publish" in request.POST:
                count = services.proposals_publish(actor=request.user, **target)
                messages.success(
                    request, _("Published proposed grades: %(count)s.") % {"count": count}
                )
            else:
                services.classification_sheet_save(
                    actor=request.user,
                    cells=posted_cells(
                        request.POST, [row.student for row in book.rows], CLASSIFICATION_COLUMNS
                    ),
                    based_on=request.POST.get("version") or None,
                    initial=_posted_initial(request.POST),
                    **target,
                )
                messages.success(request, _("Saved."))
        except SheetInvalid as exc:
            refused = exc
        except PermissionDenied:
            raise Http404 from None
        if refused is None:
            return redirect(_book_url(book, "grades:classification"))
    sheet = selectors.classification_sheet(book)
    return _sheet_page(
        request,
        "grades/classification.html",
        sheet,
        refused,
        {"book": book, "sheet": sheet, "book_url": _book_url(book)},
    )


def _posted_initial(post) -> dict[str, str] | None:
    """What each cell of a sheet showed when the form was rendered (``initial-<cell>``
    fields), or ``None`` when the form sent none."""
    initial = {k[8:]: v for k, v in post.items() if k.startswith("initial-")}
    return initial or None


def _sheet_page(request, template: str, sheet, refused: SheetInvalid | None, context: dict):
    """A sheet's page; after a refused save (400, 409 when stale) every cell keeps what
    was typed and shows its error – a cell in conflict shows what is saved now – and
    the form carries the sheet's current version."""
    if refused is not None:
        sheet.show_input(request.POST, refused.by_name, stale=refused.stale, keep=refused.conflicts)
    return render(
        request,
        template,
        {**context, "errors": refused.messages if refused else []},
        status=(409 if refused.stale else 400) if refused else 200,
    )


@login_required
def behaviour(request, class_id: int):
    """The class teacher's behaviour grades of the class: saved at once, or not at all."""
    sheet = selectors.behaviour_sheet(
        request.viewer, class_id, term_id=_int_or_none(request.GET.get("okres"))
    )
    refused = None
    if request.method == "POST":
        if not sheet.can_edit:
            raise PermissionDenied
        try:
            services.behaviour_sheet_save(
                actor=request.user,
                school_class=sheet.school_class,
                term=sheet.term,
                cells=posted_cells(
                    request.POST, [row.student for row in sheet.rows], BEHAVIOUR_COLUMNS
                ),
                based_on=request.POST.get("version") or None,
                initial=_posted_initial(request.POST),
            )
        except SheetInvalid as exc:
            refused = exc
        else:
            messages.success(request, _("Saved."))
            return redirect(
                reverse("grades:behaviour", args=[class_id]) + f"?okres={sheet.term.pk}"
            )
    return _sheet_page(
        request,
        "grades/behaviour.html",
        sheet,
        refused,
        {
            "sheet": sheet,
            "values": BehaviourGrade.Value.choices,
            # the class's behaviour notes (the behaviour app, above this one)
            "related": collect_related_links(
                request.viewer, "class_behaviour_grades", sheet.school_class
            ),
        },
    )


@login_required
def class_summary(request, class_id: int):
    """The class teacher's grade summary of their class: every subject's averages,
    proposals and grades, and the students at risk (the principal reads it too)."""
    summary = selectors.class_summary(
        request.viewer, class_id, term_id=_int_or_none(request.GET.get("okres"))
    )
    # the class's promotion list (the promotion app, above this one)
    related = collect_related_links(request.viewer, "class_grade_summary", summary.school_class)
    return render(request, "grades/class_summary.html", {"summary": summary, "related": related})


def _optional_settings(data, changes: dict, errors: list) -> None:
    """The modifiers only some statutes use (empty: not used, G-03), the distinction rule
    and the absence threshold of no classification (G-11, G-15), when the form has them."""
    for name in ("double_plus_value", "double_minus_value", "equals_value"):
        if name not in data:
            continue
        raw = (data.get(name) or "").strip()
        value = _decimal(raw) if raw else None
        if raw and (value is None or not 0 < value < 1):
            errors.append(_("Enter a valid value for: %(field)s") % {"field": name})
        else:
            changes[name] = value
    if "distinction_average" in data:
        value = _decimal(data.get("distinction_average"))
        if value is None or not 1 <= value <= 6:
            errors.append(
                _("Enter a valid value for: %(field)s") % {"field": "distinction_average"}
            )
        else:
            changes["distinction_average"] = value
    if "distinction_behaviour" in data:
        value = data.get("distinction_behaviour")
        if value in BehaviourGrade.Value.values:
            changes["distinction_behaviour"] = value
        else:
            errors.append(_("Choose a behaviour grade from the scale."))
    if "unclassified_absence_percent" in data:
        value = parse_int(data.get("unclassified_absence_percent"), min_value=1, max_value=100)
        if value is None:
            errors.append(_("Enter a percentage from 1 to 100."))
        else:
            changes["unclassified_absence_percent"] = value


@login_required
def school_settings(request):
    """The principal's page: the comparison switch and the school's grading rules."""
    viewer = request.viewer
    if not permissions.can_manage_rules(viewer):
        raise Http404
    grading = selectors.settings_for(viewer.school_id)
    errors = []
    stale = False
    if request.method == "POST":
        changes = {"comparisons_enabled": request.POST.get("comparisons_enabled") == "on"}
        for name in ("plus_value", "minus_value", "pass_threshold"):
            value = _decimal(request.POST.get(name))
            if value is None or value < 0 or (value >= 1 and name != "pass_threshold"):
                errors.append(_("Enter a valid value for: %(field)s") % {"field": name})
            else:
                changes[name] = value
        _optional_settings(request.POST, changes, errors)
        days = parse_int(request.POST.get("proposal_notice_days"), min_value=0, max_value=120)
        if days is not None:
            changes["proposal_notice_days"] = days
        else:
            errors.append(_("Enter the number of days (0–120)."))
        policy = request.POST.get("correction_policy")
        if policy in dict(GradingSettings._meta.get_field("correction_policy").choices):
            changes["correction_policy"] = policy
        elif policy is not None:
            errors.append(_("Choose how a correction counts."))
        if not errors:
            try:
                services.grading_settings_update(
                    actor=request.user,
                    school_id=viewer.school_id,
                    version=request.POST.get("version"),
                    **changes,
                )
            except ValidationError as exc:
                stale = isinstance(exc, StaleEdit)
                errors.extend(exc.messages)
        if not errors:
            messages.success(request, _("Saved."))
            return redirect("grades:settings")
    return render(
        request,
        "grades/settings.html",
        {
            "grading": grading,
            "errors": errors,
            "policies": GradingSettings._meta.get_field("correction_policy").choices,
            "behaviour_values": BehaviourGrade.Value.choices,
            "version": services.grading_settings_version(
                selectors.settings_for(viewer.school_id) if stale else grading
            ),
        },
        status=409 if stale else 400 if errors else 200,
    )
