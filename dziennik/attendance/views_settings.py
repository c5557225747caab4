"""Screens of the school's attendance rules ("Ustawienia frekwencji") for the principal,
and of subject exemptions for the principal and class teachers. Thin: parse input, call
one service or selector, render. Missing and forbidden are the same 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from dziennik.core.concurrency import StaleEdit, version_of
from dziennik.core.confirm import confirm_then_delete
from dziennik.core.forms import add_service_errors
from dziennik.schools.viewer import Viewer

from . import permissions, settings_selectors
from . import settings_services as services
from .settings_forms import ExemptionEndForm, ExemptionForm, KindForm, RulesForm


def _rules_manager(request) -> Viewer:
    viewer = request.viewer
    if not permissions.can_manage_rules(viewer):
        raise Http404
    return viewer


def _exemptions_manager(request) -> Viewer:
    viewer = request.viewer
    if not permissions.can_manage_exemptions(viewer):
        raise Http404
    return viewer


# --- the overview and attendance kinds ----------------------------------------------
@login_required
def settings_index(request):
    """The school's attendance kinds with what each means for statistics, and its rules."""
    viewer = _rules_manager(request)
    kinds = settings_selectors.kind_list(viewer)
    return render(
        request,
        "attendance/settings/index.html",
        {
            "kinds": kinds,
            "default_kind": settings_selectors.default_kind_of(kinds),
            "rules": settings_selectors.rules_for(viewer),
        },
    )


@login_required
@require_POST
def kinds_setup(request):
    _rules_manager(request)
    try:
        services.attendance_kinds_setup(actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The default attendance kinds have been created."))
    return redirect("attendance:settings")


def _excused_choices(kinds, kind=None) -> list[tuple[int, str]]:
    """The kinds a justification may turn marks into (and the kind's current one)."""
    return [
        (
            k.pk,
            f"{k.code} – {k.name}"
            if k.is_active
            else f"{k.code} – {k.name} ({pgettext('attendance kind', 'inactive')})",
        )
        for k in kinds
        if (k.base in services.EXCUSED_BASES or (kind and k.pk == kind.excused_kind_id))
        and (kind is None or k.pk != kind.pk)
    ]


def _default_changed(request, before, viewer: Viewer) -> None:
    """Say so when a change made another kind the mark lessons start with."""
    after = settings_selectors.default_kind_of(settings_selectors.kind_list(viewer))
    if after is not None and (before is None or after.pk != before.pk):
        messages.info(
            request,
            _("Every student now starts a lesson with the mark %(kind)s.")
            % {"kind": f"{after.code} – {after.name}"},
        )


@login_required
def kind_new(request):
    viewer = _rules_manager(request)
    kinds = settings_selectors.kind_list(viewer)
    initial = {
        "base": services.Base.SCHOOL_REASONS,
        "counts_as": services.Counts.PRESENT,
        "colour": services.DEFAULT_COLOUR,
        "order": max((k.order for k in kinds), default=0) + 10,
        "is_active": True,
    }
    form = KindForm(request.POST or None, initial=initial, excused_choices=_excused_choices(kinds))
    if request.method == "POST" and form.is_valid():
        try:
            kind = services.attendance_kind_create(actor=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The kind %(kind)s has been added.") % {"kind": kind.name})
            _default_changed(request, settings_selectors.default_kind_of(kinds), viewer)
            return redirect("attendance:settings")
    return render(
        request,
        "attendance/settings/kind_form.html",
        {"form": form, "kind": None},
        status=400 if form.errors else 200,
    )


@login_required
def kind_edit(request, kind_id: int):
    viewer = _rules_manager(request)
    kind = settings_selectors.get_kind_for(viewer, kind_id)
    kinds = settings_selectors.kind_list(viewer)
    initial = {
        name: getattr(kind, name)
        for name in ("name", "base", "counts_as", "shortcut", "colour", "order", "is_active")
    }
    initial["excused_kind_id"] = kind.excused_kind_id
    form = KindForm(
        request.POST or None,
        initial=initial,
        with_code=False,
        meaning_fixed=kind.in_use,
        excused_choices=_excused_choices(kinds, kind),
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_kind_update(
                actor=request.user,
                kind=kind,
                version=request.POST.get("version"),
                **form.cleaned_data,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            stale = isinstance(exc, StaleEdit)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The kind %(kind)s has been saved.") % {"kind": kind.code})
            _default_changed(request, settings_selectors.default_kind_of(kinds), viewer)
            return redirect("attendance:settings")
    if stale:
        kind = settings_selectors.get_kind_for(viewer, kind_id)
    return render(
        request,
        "attendance/settings/kind_form.html",
        {"form": form, "kind": kind, "version": version_of([kind])},
        status=409 if stale else 400 if form.errors else 200,
    )


@login_required
def kind_delete(request, kind_id: int):
    """GET: confirm; POST: delete a kind no mark has."""
    viewer = _rules_manager(request)
    kind = settings_selectors.get_kind_for(viewer, kind_id)
    return confirm_then_delete(
        request,
        delete=lambda: services.attendance_kind_delete(actor=request.user, kind=kind),
        deleted=_("The kind %(kind)s has been deleted.") % {"kind": kind.code},
        done="attendance:settings",
        template="attendance/settings/kind_delete.html",
        context={"kind": kind},
    )


# --- the school's rules -------------------------------------------------------------
@login_required
def rules_edit(request):
    viewer = _rules_manager(request)
    rules = settings_selectors.rules_for(viewer)
    initial = {name: getattr(rules, name) for name in services.SETTINGS_FIELDS}
    form = RulesForm(request.POST or None, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_settings_update(
                actor=request.user, version=request.POST.get("version"), **form.cleaned_data
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            stale = isinstance(exc, StaleEdit)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The attendance rules have been saved."))
            return redirect("attendance:settings")
    if stale:
        rules = settings_selectors.rules_for(viewer)
    return render(
        request,
        "attendance/settings/rules.html",
        {"form": form, "version": services.settings_version(rules)},
        status=409 if stale else 400 if form.errors else 200,
    )


# --- subject exemptions -------------------------------------------------------------
def _class_param(request, classes) -> int | None:
    """The ``?klasa=`` filter, when it is one of the viewer's classes."""
    try:
        class_id = int(request.GET.get("klasa") or 0)
    except ValueError:
        return None
    return class_id if any(c.pk == class_id for c in classes) else None


@login_required
def exemption_list(request):
    """Subject exemptions of the school (principal) or of the class teacher's classes."""
    viewer = _exemptions_manager(request)
    classes = settings_selectors.exemption_classes(viewer)
    class_id = _class_param(request, classes)
    include_ended = request.GET.get("zakonczone") == "1"
    return render(
        request,
        "attendance/settings/exemptions.html",
        {
            "exemptions": settings_selectors.exemption_list(
                viewer,
                today=timezone.localdate(),
                include_ended=include_ended,
                class_id=class_id,
            ),
            "classes": classes,
            "class_id": class_id,
            "include_ended": include_ended,
            "today": timezone.localdate(),
        },
    )


@login_required
def exemption_new(request):
    viewer = _exemptions_manager(request)
    classes = settings_selectors.exemption_classes(viewer)
    class_id = _class_param(request, classes)
    students = settings_selectors.exemption_students(viewer, class_id=class_id)
    subjects = settings_selectors.exemption_subjects(viewer)
    grouped: dict[str, list[tuple[int, str]]] = {}
    for choice in students:
        grouped.setdefault(choice.class_name, []).append((choice.student_id, choice.label))
    form = ExemptionForm(
        request.POST or None,
        initial={"date_from": timezone.localdate()},
        student_choices=list(grouped.items()),
        subject_choices=[(s.pk, s.name) for s in subjects],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = permissions.student_attendance.get(viewer, data["student"], "exempt")
        subject = next(s for s in subjects if s.pk == data["subject"])
        try:
            services.subject_exemption_create(
                actor=request.user,
                student=student,
                subject=subject,
                date_from=data["date_from"],
                date_to=data["date_to"],
                must_attend=data["must_attend"],
                basis=data["basis"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(student)s is exempt from %(subject)s.")
                % {"student": student.full_name, "subject": subject.name},
            )
            url = reverse("attendance:exemptions")
            return redirect(f"{url}?klasa={class_id}" if class_id else url)
    return render(
        request,
        "attendance/settings/exemption_form.html",
        {"form": form, "classes": classes, "class_id": class_id},
        status=400 if form.errors else 200,
    )


@login_required
def exemption_end(request, exemption_id: int):
    """GET: the exemption and the form to end it; POST: end it (or withdraw it)."""
    viewer = _exemptions_manager(request)
    exemption = settings_selectors.get_exemption_for(viewer, exemption_id)
    today = timezone.localdate()
    form = ExemptionEndForm(
        request.POST or None, initial={"last_day": max(today, exemption.date_from)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.subject_exemption_end(
                actor=request.user, exemption=exemption, last_day=form.cleaned_data["last_day"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The exemption has been ended."))
            return redirect("attendance:exemptions")
    return render(
        request,
        "attendance/settings/exemption_end.html",
        {"exemption": exemption, "form": form, "may_withdraw": exemption.date_from > today},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def exemption_withdraw(request, exemption_id: int):
    viewer = _exemptions_manager(request)
    exemption = settings_selectors.get_exemption_for(viewer, exemption_id)
    try:
        services.subject_exemption_withdraw(actor=request.user, exemption=exemption)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("attendance:exemption_end", exemption_id=exemption.pk)
    messages.success(request, _("The exemption has been withdrawn."))
    return redirect("attendance:exemptions")
