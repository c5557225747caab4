"""Screens of the school's grading rule tables ("Kategorie, oceny specjalne i skale") for
the principal: grade categories, special marks, the point scale and the average
thresholds. Thin: parse input, call one service or selector, render. Missing and
forbidden are the same 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.confirm import confirm_then_delete
from dziennik.core.forms import add_service_errors
from dziennik.schools.viewer import Viewer

from . import permissions, selectors, settings_selectors
from . import settings_services as services
from .settings_forms import CategoryForm, MarkForm, PointScaleFormSet, ThresholdsForm


def _manager(request) -> Viewer:
    viewer = request.viewer
    if not permissions.can_manage_rules(viewer):
        raise Http404
    return viewer


def _page(request, template: str, context: dict, *, failed: bool):
    """A settings page; refused (400), or refused as stale (409: the form is shown
    again on the saved rows, docs/rules.md "Concurrent edits")."""
    status = 409 if context.get("stale") else 400 if failed else 200
    return render(request, template, context, status=status)


@login_required
def rules_index(request):
    """The school's categories, special marks, point scale and thresholds."""
    viewer = _manager(request)
    return render(
        request,
        "grades/settings/index.html",
        {"tables": settings_selectors.rule_tables(viewer)},
    )


@login_required
@require_POST
def rules_setup(request):
    _manager(request)
    try:
        made = services.grading_rules_setup(actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    if made:
        messages.success(request, _("The usual grading rules have been created."))
    else:
        messages.info(request, _("The school already has its grading rules."))
    return redirect("grades:rule_tables")


# --- grade categories ---------------------------------------------------------------
CATEGORY_INITIAL = {
    "weight": 1,
    "colour": "#0b5cad",
    "counts_towards_average": True,
    "is_active": True,
}


@login_required
def category_new(request):
    _manager(request)
    form = CategoryForm(request.POST or None, initial=CATEGORY_INITIAL)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            category = services.grade_category_create(actor=request.user, **data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The category %(name)s has been added.") % {"name": category.name}
            )
            return redirect("grades:rule_tables")
    return _page(
        request,
        "grades/settings/category_form.html",
        {"form": form, "category": None},
        failed=bool(form.errors),
    )


@login_required
def category_edit(request, category_id: int):
    viewer = _manager(request)
    category = settings_selectors.get_category_for(viewer, category_id)
    initial = {name: getattr(category, name) for name in services.CATEGORY_FIELDS}
    form = CategoryForm(request.POST or None, initial=initial, with_columns=category.columns > 0)
    stale = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.grade_category_update(
                actor=request.user,
                category=category,
                version=data.pop("version") or None,
                weight_to_columns=data.pop("weight_to_columns", False),
                **data,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except services.StaleRules as exc:
            stale = True
            add_service_errors(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The category %(name)s has been saved.") % {"name": data["name"]}
            )
            return redirect("grades:rule_tables")
    return _page(
        request,
        "grades/settings/category_form.html",
        {
            "form": form,
            "category": category,
            "stale": stale,
            "version": settings_selectors.category_version(category),
        },
        failed=bool(form.errors),
    )


@login_required
def category_delete(request, category_id: int):
    """GET: confirm; POST: delete a category no column has."""
    viewer = _manager(request)
    category = settings_selectors.get_category_for(viewer, category_id)
    return confirm_then_delete(
        request,
        delete=lambda: services.grade_category_delete(actor=request.user, category=category),
        deleted=_("The category %(name)s has been deleted.") % {"name": category.name},
        done="grades:rule_tables",
        template="grades/settings/category_delete.html",
        context={"category": category},
    )


# --- special marks ------------------------------------------------------------------
MARK_INITIAL = {"rule": services.Rule.IGNORED, "converted_weight": 1}


def _mark_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


@login_required
def mark_new(request):
    _manager(request)
    form = MarkForm(request.POST or None, initial=MARK_INITIAL)
    if request.method == "POST" and form.is_valid():
        try:
            mark = services.special_mark_create(actor=request.user, **_mark_data(form))
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The special mark %(symbol)s has been added.") % {"symbol": mark.symbol}
            )
            return redirect("grades:rule_tables")
    return _page(
        request,
        "grades/settings/mark_form.html",
        {"form": form, "mark": None},
        failed=bool(form.errors),
    )


@login_required
def mark_edit(request, mark_id: int):
    viewer = _manager(request)
    mark = settings_selectors.get_mark_for(viewer, mark_id)
    initial = {name: getattr(mark, name) for name in services.MARK_FIELDS}
    form = MarkForm(request.POST or None, initial=initial)
    if mark.in_use:
        form.fields["symbol"].disabled = True
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.special_mark_update(
                actor=request.user,
                mark=mark,
                version=form.cleaned_data["version"] or None,
                **_mark_data(form),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except services.StaleRules as exc:
            stale = True
            add_service_errors(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The special mark %(symbol)s has been saved.")
                % {"symbol": form.cleaned_data["symbol"]},
            )
            return redirect("grades:rule_tables")
    return _page(
        request,
        "grades/settings/mark_form.html",
        {
            "form": form,
            "mark": mark,
            "stale": stale,
            "version": settings_selectors.mark_version(mark),
        },
        failed=bool(form.errors),
    )


@login_required
def mark_delete(request, mark_id: int):
    """GET: confirm; POST: delete a special mark no grade has."""
    viewer = _manager(request)
    mark = settings_selectors.get_mark_for(viewer, mark_id)
    return confirm_then_delete(
        request,
        delete=lambda: services.special_mark_delete(actor=request.user, mark=mark),
        deleted=_("The special mark %(symbol)s has been deleted.") % {"symbol": mark.symbol},
        done="grades:rule_tables",
        template="grades/settings/mark_delete.html",
        context={"mark": mark},
    )


# --- the point scale and the thresholds ---------------------------------------------
@login_required
def point_scale_edit(request):
    """The whole percentage → grade table in one form (rows added, changed, removed)."""
    viewer = _manager(request)
    table = settings_selectors.point_scale(viewer)
    initial = [{"min_percent": row.min_percent, "symbol": row.symbol} for row in table.rows]
    # A posted row counts as entered whatever the rows shown were (no ``initial``): an
    # unchanged row is part of the scale, not an untouched blank.
    if request.method == "POST":
        formset = PointScaleFormSet(request.POST, prefix="step")
    else:
        formset = PointScaleFormSet(initial=initial, prefix="step")
    errors: list[str] = []
    stale = False
    if request.method == "POST" and formset.is_valid():
        steps = [
            (form.cleaned_data["min_percent"], form.cleaned_data["symbol"])
            for form in formset.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.cleaned_data.get("min_percent") is not None or form.cleaned_data["symbol"])
        ]
        try:
            services.point_scale_set(
                actor=request.user, steps=steps, version=request.POST.get("version") or None
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except services.StaleRules as exc:
            stale = True
            errors = exc.messages
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The point scale has been saved."))
            return redirect("grades:rule_tables")
    return _page(
        request,
        "grades/settings/point_scale.html",
        {"formset": formset, "errors": errors, "stale": stale, "table": table},
        failed=bool(errors or formset.errors or formset.non_form_errors()),
    )


@login_required
def thresholds_edit(request):
    """The lowest average that suggests each grade 2–6."""
    viewer = _manager(request)
    table = settings_selectors.average_thresholds(viewer)
    initial = {f"grade_{row.grade}": row.min_average for row in table.rows}
    form = ThresholdsForm(request.POST or None, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.average_thresholds_set(
                actor=request.user,
                thresholds=form.thresholds(),
                version=form.cleaned_data["version"] or None,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except services.StaleRules as exc:
            stale = True
            add_service_errors(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The average thresholds have been saved."))
            return redirect("grades:rule_tables")
    return _page(
        request,
        "grades/settings/thresholds.html",
        {"form": form, "stale": stale, "table": table},
        failed=bool(form.errors),
    )


@login_required
def scale_names_edit(request):
    """The names and abbreviations of the grades 1–6 (G-01)."""
    viewer = _manager(request)
    rules = selectors.load_rules(viewer.school_id)
    rows = [(grade, *rules.names[grade]) for grade in range(6, 0, -1)]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        rows = [
            (grade, request.POST.get(f"name_{grade}", ""), request.POST.get(f"abbr_{grade}", ""))
            for grade in range(6, 0, -1)
        ]
        try:
            services.scale_names_set(
                actor=request.user, names={grade: (name, abbr) for grade, name, abbr in rows}
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors = {
                name: [str(m) for m in messages_] for name, messages_ in exc.message_dict.items()
            }
        else:
            messages.success(request, _("The names of the grades have been saved."))
            return redirect("grades:rule_tables")
    return _page(
        request,
        "grades/settings/scale_names.html",
        {"rows": [(g, n, a, errors.get(f"name_{g}", [])) for g, n, a in rows], "errors": errors},
        failed=bool(errors),
    )
