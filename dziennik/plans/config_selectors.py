"""Reads of the principal's configuration screens of plans: the school's settings, its
plans with their packages and promotions, its offers. The principal of the school only;
anyone else, and another school's row, get the same 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.http import Http404

from dziennik.schools.viewer import Viewer

from . import entitlements
from .lookups import one_of
from .models import Channel, Offer, Package, Plan, PlanSettings, Promotion
from .selectors import WEEKDAYS, plan_settings_of


def require_principal(viewer: Viewer) -> int:
    """The viewer's school, when they are its principal; else 404."""
    if not viewer.is_principal or viewer.school_id is None:
        raise Http404
    return viewer.school_id


def settings_for(viewer: Viewer) -> PlanSettings:
    return plan_settings_of(require_principal(viewer))


@dataclass(frozen=True)
class Overview:
    settings: PlanSettings
    plans: list[Plan]
    offers: list[Offer]

    @property
    def open_from_anywhere(self) -> list[str]:
        """In the 2012 model, what the free plan still gives from anywhere of what the
        model limits to the school (the gate grants the free plan everywhere)."""
        if self.settings.mode != PlanSettings.Mode.AT_SCHOOL:
            return []
        free = next((plan for plan in self.plans if plan.is_free), None)
        held = set(free.entitlements) if free else set()
        return [entitlements.label(c) for c in sorted(entitlements.AT_SCHOOL_ONLY & held)]

    @property
    def hour_rows(self) -> list[str]:
        names = dict(WEEKDAYS)
        return [
            f"{names.get(int(h['weekday']), h['weekday'])} {h['start']}–{h['end']}"
            for h in self.settings.consultation_hours or ()
        ]


def channel_labels(codes) -> list[str]:
    return [str(Channel(code).label) for code in codes if code in Channel.values]


def overview(viewer: Viewer) -> Overview:
    """The settings, the plans (with their packages, promotions and purchase counts) and
    the offers: five queries whatever their number."""
    school_id = require_principal(viewer)
    promotions = Promotion.objects.order_by("date_from", "pk")
    packages = (
        Package.objects.annotate(bought=Count("purchases"))
        .prefetch_related(Prefetch("promotions", queryset=promotions))
        .order_by("kind")
    )
    plans = list(
        Plan.objects.filter(school_id=school_id)
        .prefetch_related(Prefetch("packages", queryset=packages))
        .order_by("-is_free", "name")
    )
    for plan in plans:
        plan.labels = [entitlements.label(code) for code in plan.entitlements]
        for package in plan.packages.all():
            package.channel_labels = channel_labels(package.channels)
            for promotion in package.promotions.all():
                promotion.channel_labels = channel_labels(promotion.channels)
    offers = list(
        Offer.objects.filter(school_id=school_id)
        .annotate(bought=Count("purchases"))
        .order_by("name")
    )
    return Overview(settings=plan_settings_of(school_id), plans=plans, offers=offers)


def get_plan_for(viewer: Viewer, plan_id: int) -> Plan:
    return one_of(Plan.objects, pk=plan_id, school_id=require_principal(viewer))


def get_package_for(viewer: Viewer, package_id: int) -> Package:
    packages = Package.objects.select_related("plan")
    return one_of(packages, pk=package_id, school_id=require_principal(viewer))


def get_promotion_for(viewer: Viewer, promotion_id: int) -> Promotion:
    promotions = Promotion.objects.select_related("package__plan")
    return one_of(promotions, pk=promotion_id, package__school_id=require_principal(viewer))


def get_offer_for(viewer: Viewer, offer_id: int) -> Offer:
    return one_of(Offer.objects, pk=offer_id, school_id=require_principal(viewer))


def purchases_of_plan(plan: Plan) -> int:
    return Plan.objects.filter(pk=plan.pk).aggregate(n=Count("packages__purchases"))["n"]


def purchases_of_package(package: Package) -> int:
    return package.purchases.count()


def purchases_of_offer(offer: Offer) -> int:
    return offer.purchases.count()
