"""Behaviour notes' pages: thin, the rules are in the policies and the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.accounts.children import active_child_id
from dziennik.core.forms import add_service_errors
from dziennik.core.params import parse_id

from . import permissions, selectors, services
from .forms import CategoryForm, NoteForm, SettingsForm
from .models import BehaviourNote


@login_required
def index(request):
    """A family goes to its (chosen) child's notes; staff choose a class."""
    viewer = request.viewer
    if (viewer.is_parent or viewer.is_student) and not viewer.is_staff_member:
        student_id = active_child_id(request)
        if student_id is None:
            raise Http404
        return redirect("behaviour:student", student_id=student_id)
    if not viewer.is_staff_member:
        raise Http404
    return render(
        request,
        "behaviour/index.html",
        {
            "classes": selectors.summary_classes(viewer),
            "may_manage": permissions.manages_settings(viewer),
        },
    )


@login_required
def student_page(request, student_id: int):
    viewer = request.viewer
    student = permissions.student_notes.get(viewer, student_id, "view")
    return render(
        request,
        "behaviour/student.html",
        {
            "student": student,
            "notes": selectors.student_notes(viewer, student),
            "may_write": permissions.student_notes.allows(viewer, "write", student),
            "uses_points": services.settings_of(student.school_id).uses_points,
        },
    )


@login_required
def class_page(request, class_id: int):
    viewer = request.viewer
    school_class = permissions.class_notes.get(viewer, class_id, "summary")
    summary = selectors.class_summary(
        viewer,
        school_class,
        uses_points=services.settings_of(school_class.school_id).uses_points,
        term_id=parse_id(request.GET.get("okres")),
    )
    return render(request, "behaviour/class.html", {"summary": summary})


def _save(request, form: NoteForm, save) -> bool:
    """Run ``save(category=, text=, date=, points=)`` with the form's values; the
    service's errors go on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    data = form.cleaned_data
    category = form.categories.get(data["category"])
    try:
        save(
            category=category,
            text=data["text"],
            date=data["date"],
            points=data.get("points"),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True


@login_required
def note_new(request, student_id: int):
    viewer = request.viewer
    student = permissions.student_notes.get(viewer, student_id, "write")
    categories = services.behaviour_categories_ensure_defaults(school=student.school)
    form = NoteForm(
        request.POST or None,
        categories=categories,
        uses_points=services.settings_of(student.school_id).uses_points,
        initial={"date": timezone.localdate()},
    )

    def save(**values):
        services.note_create(actor=request.user, student=student, **values)

    if _save(request, form, save):
        messages.success(request, _("The note has been saved."))
        return redirect("behaviour:student", student_id=student.pk)
    return render(
        request,
        "behaviour/note_form.html",
        {"form": form, "student": student, "note": None},
        status=400 if form.errors else 200,
    )


@login_required
def note_edit(request, note_id: int):
    viewer = request.viewer
    note = permissions.notes.get(
        viewer, note_id, "change", queryset=BehaviourNote.objects.select_related("student")
    )
    form = NoteForm(
        request.POST or None,
        categories=selectors.categories(note.school_id),
        uses_points=services.settings_of(note.school_id).uses_points,
        initial={
            "category": note.category_id,
            "text": note.text,
            "date": note.date,
            "points": note.points,
        },
    )

    def save(**values):
        services.note_update(actor=request.user, note=note, **values)

    if _save(request, form, save):
        messages.success(request, _("The note has been corrected."))
        return redirect("behaviour:student", student_id=note.student_id)
    return render(
        request,
        "behaviour/note_form.html",
        {"form": form, "student": note.student, "note": note},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def note_withdraw(request, note_id: int):
    note = permissions.notes.get(request.viewer, note_id, "change")
    services.note_withdraw(actor=request.user, note=note)
    messages.success(request, _("The note has been withdrawn."))
    return redirect("behaviour:student", student_id=note.student_id)


@login_required
def settings_page(request):
    """The principal's page: points or not, and the school's list of categories (a new
    one added by the second form, ``action=category``)."""
    viewer = request.viewer
    if not permissions.manages_settings(viewer):
        raise Http404
    current = services.settings_of(viewer.school_id)
    posted = request.POST if request.method == "POST" else None
    adding = posted is not None and posted.get("action") == "category"
    form = SettingsForm(None if adding else posted, initial={"uses_points": current.uses_points})
    category_form = CategoryForm(posted if adding else None, prefix="category")
    if adding and category_form.is_valid():
        try:
            services.behaviour_category_create(actor=request.user, **category_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(category_form, exc)
        else:
            messages.success(request, _("The category has been added."))
            return redirect("behaviour:settings")
    elif posted is not None and not adding and form.is_valid():
        services.behaviour_settings_update(
            actor=request.user, uses_points=form.cleaned_data["uses_points"]
        )
        messages.success(request, _("The settings have been saved."))
        return redirect("behaviour:settings")
    invalid = form.errors or category_form.errors
    return render(
        request,
        "behaviour/settings.html",
        {
            "form": form,
            "category_form": category_form,
            "categories": selectors.categories(viewer.school_id),
        },
        status=400 if invalid else 200,
    )
