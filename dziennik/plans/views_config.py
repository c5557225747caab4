"""The principal's configuration screens of plans (``/plan-dostepu/ustawienia/``): the
school's model, networks, hours and VAT; its plans, packages, promotions and offers; the
leaflet's configuration as a start. Thin: parse input, call one service or selector,
render. Anyone but the school's principal, and another school's row, get 404. A form
based on rows someone changed meanwhile answers 409 with the saved data."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.concurrency import StaleEdit, version_of
from dziennik.core.confirm import confirm_then_delete
from dziennik.core.forms import add_service_errors

from . import config_selectors as selectors
from . import entitlements, services
from .config_forms import OfferForm, PackageForm, PlanForm, PromotionForm, SettingsForm

INDEX = "plans:config"


@login_required
def index(request):
    """The school's plans with what they include, their packages, promotions and the
    offers; the settings in short."""
    return render(
        request, "plans/config/index.html", {"overview": selectors.overview(request.viewer)}
    )


@login_required
def school_settings(request):
    current = selectors.settings_for(request.viewer)
    initial = {
        name: getattr(current, name)
        for name in ("mode", "networks", "vat_exempt", "vat_rate", "tax_id", "regon")
    }
    initial.update(SettingsForm.hour_initial(current.consultation_hours))
    form = SettingsForm(request.POST or None, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.plan_settings_update(
                actor=request.user, version=request.POST.get("version"), **form.values()
            )
        except ValidationError as exc:
            stale = isinstance(exc, StaleEdit)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The settings have been saved."))
            if saved.restored:
                messages.success(request, _restored_message(saved.restored))
            return redirect(INDEX)
    if stale:
        current = selectors.settings_for(request.viewer)
    return render(
        request,
        "plans/config/settings.html",
        {"form": form, "version": services.settings_version(current)},
        status=409 if stale else 400 if form.errors else 200,
    )


def _restored_message(codes: list[str]) -> str:
    return _(
        "The statutory model: parents see the register free of charge from anywhere "
        "(L-05), so the free plan includes again: %(restored)s."
    ) % {"restored": ", ".join(entitlements.label(code) for code in codes)}


def _edit(
    request,
    *,
    form,
    save: Callable[[dict], object],
    title: str,
    saved: str,
    row=None,
    reload: Callable[[], object] | None = None,
    delete_url: str = "",
):
    """The shared add/edit page: a valid form goes to ``save`` (the service); its
    errors show at the fields (400); a stale form answers 409 with the saved row."""
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            stale = isinstance(exc, StaleEdit)
            add_service_errors(form, exc)
        else:
            messages.success(request, saved)
            return redirect(INDEX)
    if stale and reload is not None:
        row = reload()
    return render(
        request,
        "plans/config/form.html",
        {
            "form": form,
            "title": title,
            "version": version_of([row]) if row is not None else None,
            "delete_url": delete_url,
        },
        status=409 if stale else 400 if form.errors else 200,
    )


def _version(request) -> str | None:
    return request.POST.get("version")


# --- plans ------------------------------------------------------------------------------


@login_required
def plan_new(request):
    selectors.require_principal(request.viewer)
    return _edit(
        request,
        form=PlanForm(request.POST or None),
        save=lambda data: services.plan_create(actor=request.user, **data),
        title=_("A new plan"),
        saved=_("The plan has been added."),
    )


@login_required
def plan_edit(request, plan_id: int):
    plan = selectors.get_plan_for(request.viewer, plan_id)
    initial = {n: getattr(plan, n) for n in ("name", "is_free", "entitlements", "validity_months")}
    return _edit(
        request,
        form=PlanForm(request.POST or None, initial=initial),
        save=lambda data: services.plan_update(
            actor=request.user, plan=plan, version=_version(request), **data
        ),
        title=_("The plan %(name)s") % {"name": plan.name},
        saved=_("The plan has been saved."),
        row=plan,
        reload=lambda: selectors.get_plan_for(request.viewer, plan_id),
        delete_url=reverse("plans:config_plan_delete", args=[plan.pk]),
    )


@login_required
def plan_delete(request, plan_id: int):
    plan = selectors.get_plan_for(request.viewer, plan_id)
    return confirm_then_delete(
        request,
        delete=lambda: services.plan_delete(actor=request.user, plan=plan),
        deleted=_("The plan %(name)s has been deleted.") % {"name": plan.name},
        done=INDEX,
        template="plans/config/delete.html",
        context={
            "what": _("the plan %(name)s") % {"name": plan.name},
            "bought": selectors.purchases_of_plan(plan),
        },
    )


# --- packages ---------------------------------------------------------------------------


@login_required
def package_new(request, plan_id: int):
    plan = selectors.get_plan_for(request.viewer, plan_id)
    return _edit(
        request,
        form=PackageForm(request.POST or None),
        save=lambda data: services.package_create(actor=request.user, plan=plan, **data),
        title=_("A new package of the plan %(name)s") % {"name": plan.name},
        saved=_("The package has been added."),
    )


@login_required
def package_edit(request, package_id: int):
    package = selectors.get_package_for(request.viewer, package_id)
    initial = {n: getattr(package, n) for n in ("kind", "amount", "channels")}
    return _edit(
        request,
        form=PackageForm(request.POST or None, initial=initial),
        save=lambda data: services.package_update(
            actor=request.user, package=package, version=_version(request), **data
        ),
        title=_("The package %(name)s") % {"name": package},
        saved=_("The package has been saved."),
        row=package,
        reload=lambda: selectors.get_package_for(request.viewer, package_id),
        delete_url=reverse("plans:config_package_delete", args=[package.pk]),
    )


@login_required
def package_delete(request, package_id: int):
    package = selectors.get_package_for(request.viewer, package_id)
    return confirm_then_delete(
        request,
        delete=lambda: services.package_delete(actor=request.user, package=package),
        deleted=_("The package %(name)s has been deleted.") % {"name": package},
        done=INDEX,
        template="plans/config/delete.html",
        context={
            "what": _("the package %(name)s") % {"name": package},
            "bought": selectors.purchases_of_package(package),
        },
    )


# --- promotions -------------------------------------------------------------------------


@login_required
def promotion_new(request, package_id: int):
    package = selectors.get_package_for(request.viewer, package_id)
    return _edit(
        request,
        form=PromotionForm(request.POST or None),
        save=lambda data: services.promotion_create(actor=request.user, package=package, **data),
        title=_("A new promotion of the package %(name)s") % {"name": package},
        saved=_("The promotion has been added."),
    )


@login_required
def promotion_edit(request, promotion_id: int):
    promotion = selectors.get_promotion_for(request.viewer, promotion_id)
    fields = ("name", "amount", "date_from", "date_to", "channels")
    return _edit(
        request,
        form=PromotionForm(
            request.POST or None, initial={n: getattr(promotion, n) for n in fields}
        ),
        save=lambda data: services.promotion_update(
            actor=request.user, promotion=promotion, version=_version(request), **data
        ),
        title=_("The promotion %(name)s of the package %(package)s")
        % {"name": promotion.name, "package": promotion.package},
        saved=_("The promotion has been saved."),
        row=promotion,
        reload=lambda: selectors.get_promotion_for(request.viewer, promotion_id),
        delete_url=reverse("plans:config_promotion_delete", args=[promotion.pk]),
    )


@login_required
def promotion_delete(request, promotion_id: int):
    promotion = selectors.get_promotion_for(request.viewer, promotion_id)
    return confirm_then_delete(
        request,
        delete=lambda: services.promotion_delete(actor=request.user, promotion=promotion),
        deleted=_("The promotion %(name)s has been deleted.") % {"name": promotion.name},
        done=INDEX,
        template="plans/config/delete.html",
        context={"what": _("the promotion %(name)s") % {"name": promotion.name}, "bought": 0},
    )


# --- offers -----------------------------------------------------------------------------


@login_required
def offer_new(request):
    selectors.require_principal(request.viewer)
    return _edit(
        request,
        form=OfferForm(request.POST or None),
        save=lambda data: services.offer_create(actor=request.user, **data),
        title=_("A new offer"),
        saved=_("The offer has been added."),
    )


@login_required
def offer_edit(request, offer_id: int):
    offer = selectors.get_offer_for(request.viewer, offer_id)
    fields = ("name", "entitlement", "amount", "validity_months", "window_days")
    return _edit(
        request,
        form=OfferForm(request.POST or None, initial={n: getattr(offer, n) for n in fields}),
        save=lambda data: services.offer_update(
            actor=request.user, offer=offer, version=_version(request), **data
        ),
        title=_("The offer %(name)s") % {"name": offer.name},
        saved=_("The offer has been saved."),
        row=offer,
        reload=lambda: selectors.get_offer_for(request.viewer, offer_id),
        delete_url=reverse("plans:config_offer_delete", args=[offer.pk]),
    )


@login_required
def offer_delete(request, offer_id: int):
    offer = selectors.get_offer_for(request.viewer, offer_id)
    return confirm_then_delete(
        request,
        delete=lambda: services.offer_delete(actor=request.user, offer=offer),
        deleted=_("The offer %(name)s has been deleted.") % {"name": offer.name},
        done=INDEX,
        template="plans/config/delete.html",
        context={
            "what": _("the offer %(name)s") % {"name": offer.name},
            "bought": selectors.purchases_of_offer(offer),
        },
    )


# --- the leaflet's configuration --------------------------------------------------------


@login_required
@require_POST
def leaflet(request):
    selectors.require_principal(request.viewer)
    try:
        services.leaflet_start(actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The leaflet's plans and prices have been set up."))
    return redirect(INDEX)
