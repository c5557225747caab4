"""The principal's writes of the school's plans, packages, promotions and offers (the
configuration screens, ``views_config.py``), and the leaflet's configuration as a start.

Every service takes the actor and checks that they are the principal of the school the
row belongs to (anyone else, or another school's row: ``Http404``), serialises the
school's configuration writes (its row locked), refuses a form based on an older row
(``concurrency.StaleEdit``), validates (``full_clean`` and the rules below) before
writing anything and records the change in the history. The rows are configuration:
saving them moves the school's configuration cache version (``core.apps.CONFIG_MODELS``),
so gated pages and the family's plan page follow at once.

Rules beyond the models' own:
- the free plan holds what the law keeps free in the statutory model (L-05,
  ``check_free_plan``); a school has one free plan, and it is not sold (no packages);
- a plan, package or offer something was bought of is not deleted (its purchases keep
  their quoted price and package; ``Purchase.package`` is ``PROTECT``): a clear refusal;
- the sibling package is not paid online: the operator's order names one account, while
  the payment for siblings must name every child's login (the leaflet's rule);
- a promotion costs less than its package, within its package's channels, in dates in
  order and within the register's bounds (``core.params.in_bounds``);
- in the statutory model an offer sells only extras (L-05): what the law keeps free is
  not sold as an add-on.
Changing a price never changes a purchase: each keeps the amount it was quoted.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit, concurrency, params
from dziennik.schools.models import School, SchoolYear
from dziennik.schools.viewer import get_viewer

from .. import entitlements
from ..lookups import one_of
from ..models import (
    ActivationLine,
    Channel,
    Offer,
    Package,
    Plan,
    PlanSettings,
    Promotion,
    Purchase,
)
from .configuration import check_free_plan, leaflet_configuration

GROSZ = Decimal("0.01")
MAX_AMOUNT = Decimal("999999.99")
PLAN_FIELDS = ("name", "is_free", "entitlements", "validity_months")
PACKAGE_FIELDS = ("kind", "amount", "channels")
PROMOTION_FIELDS = ("name", "amount", "date_from", "date_to", "channels")
OFFER_FIELDS = ("name", "entitlement", "amount", "validity_months", "window_days")


def _school_of(actor) -> int:
    """The actor's school, when they are its principal (else 404), locked for the write."""
    viewer = get_viewer(actor)
    if not viewer.is_principal or viewer.school_id is None:
        raise Http404
    list(School.objects.select_for_update(no_key=True).filter(pk=viewer.school_id).only("pk"))
    return viewer.school_id


def _locked[T: Model](model: type[T], pk: int, **scope) -> T:
    """The row ``pk`` of the actor's school, locked; 404 when missing or another school's."""
    return one_of(model.objects.select_for_update(), pk=pk, **scope)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _check_amount(errors, value, field: str = "amount") -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        _add(errors, field, _("Enter the price in złoty, e.g. 22.00."))
    elif value < 0 or value > MAX_AMOUNT or value != value.quantize(GROSZ):
        _add(
            errors,
            field,
            _("The price is from 0.00 to %(max)s zł, to the grosz.") % {"max": MAX_AMOUNT},
        )


def _check_name(errors, name: str) -> str:
    name = (name or "").strip()
    if not name:
        _add(errors, "name", _("Give a name."))
    elif len(name) > 100:
        _add(errors, "name", _("The name is too long (at most 100 characters)."))
    return name


def _check_channels(errors, channels, field: str = "channels") -> list[str]:
    channels = list(dict.fromkeys(channels or ()))
    if any(channel not in Channel.values for channel in channels):
        _add(errors, field, _("Choose the ways to pay from the list."))
    return [c for c in Channel.values if c in channels]


def _settings(school_id: int) -> PlanSettings | None:
    return PlanSettings.objects.filter(school_id=school_id).first()


def _version(row) -> str:
    return concurrency.version_of([row])


def _full_clean(row, exclude=()) -> None:
    try:
        row.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _save[T: Model](
    actor, row: T, errors: dict[str, list[str]], *, before=None, exclude=(), **links
) -> T:
    """The end of every create and update of a row: the rules' ``errors`` (any: nothing
    is written), the model's own validation (``exclude``: fields it does not check), the
    save and its history entry – a create, or an update from the ``before`` snapshot
    (``links``: the entry's school, for rows that do not name it)."""
    _raise(errors)
    _full_clean(row, exclude)
    row.save()
    if before is None:
        audit.record_create(actor=actor, instance=row, **links)
    else:
        audit.record_update(actor=actor, instance=row, before=before, **links)
    return row


# --- plans ------------------------------------------------------------------------------


def _check_plan(school_id: int, plan: Plan, errors) -> None:
    codes = plan.entitlements
    if any(code not in entitlements.ALL for code in codes):
        _add(errors, "entitlements", _("Choose what the plan includes from the list."))
    plan.entitlements = [code for code, _label in entitlements.CHOICES if code in codes]
    others = Plan.objects.filter(school_id=school_id).exclude(pk=plan.pk)
    if others.filter(name=plan.name).exists():
        _add(errors, "name", _("The school already has a plan of this name."))
    if plan.is_free:
        if others.filter(is_free=True).exists():
            _add(errors, "is_free", _("The school already has a free plan; it has one."))
        if plan.pk and plan.packages.exists():
            _add(errors, "is_free", _("A plan with packages is sold, so it cannot be free."))
    try:
        check_free_plan(plan, _settings(school_id))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                _add(errors, field, message)


@transaction.atomic
def plan_create(
    *, actor, name: str, entitlements: list[str], validity_months: int, is_free: bool = False
) -> Plan:
    """A new plan of the principal's school."""
    school_id = _school_of(actor)
    errors: dict[str, list[str]] = {}
    plan = Plan(
        school_id=school_id,
        name=_check_name(errors, name),
        is_free=bool(is_free),
        entitlements=list(entitlements),
        validity_months=validity_months,
    )
    _check_plan(school_id, plan, errors)
    return _save(actor, plan, errors)


@transaction.atomic
def plan_update(
    *,
    actor,
    plan: Plan,
    name: str,
    entitlements: list[str],
    validity_months: int,
    is_free: bool = False,
    version: str | None = None,
) -> Plan:
    """The principal changes a plan: its name, what it includes, how long it lasts.
    Accesses already given keep what they were given (``Access.entitlements``)."""
    school_id = _school_of(actor)
    current = _locked(Plan, plan.pk, school_id=school_id)
    concurrency.require_version(version, _version(current))
    before = audit.snapshot(current, fields=PLAN_FIELDS)
    errors: dict[str, list[str]] = {}
    current.name = _check_name(errors, name)
    current.is_free = bool(is_free)
    current.entitlements = list(entitlements)
    current.validity_months = validity_months
    _check_plan(school_id, current, errors)
    return _save(actor, current, errors, before=before)


def _bought(**lookup) -> int:
    return Purchase.objects.filter(**lookup).count()


@transaction.atomic
def plan_delete(*, actor, plan: Plan) -> None:
    """Delete a plan nothing was bought of (with its packages and their promotions, each
    in the history). A plan families bought stays: their purchases refer to it."""
    school_id = _school_of(actor)
    current = _locked(Plan, plan.pk, school_id=school_id)
    bought = _bought(package__plan=current)
    if bought or ActivationLine.objects.filter(package__plan=current).exists():
        raise ValidationError(
            _(
                "Families have bought the plan %(plan)s (%(count)s purchases, or lines of "
                "activation lists), so it cannot be deleted: their purchases refer to it. "
                "Change its packages' prices or ways to pay instead."
            )
            % {"plan": current.name, "count": bought}
        )
    for package in current.packages.all():
        _delete_package_rows(actor, package)
    audit.record_delete(actor=actor, instance=current)
    current.delete()


# --- packages ---------------------------------------------------------------------------


def _check_package(package: Package, plan: Plan, errors) -> None:
    if plan.is_free:
        _add(errors, "kind", _("The free plan is not sold: it has no packages."))
    if package.kind not in Package.Kind.values:
        _add(errors, "kind", _("Choose one child or all siblings."))
    elif Package.objects.filter(plan=plan, kind=package.kind).exclude(pk=package.pk).exists():
        _add(
            errors,
            "kind",
            _("The plan already has a package for %(kind)s.")
            % {"kind": Package.Kind(package.kind).label},
        )
    _check_amount(errors, package.amount)
    package.channels = _check_channels(errors, package.channels)
    if not package.channels:
        _add(errors, "channels", _("Choose at least one way to pay."))
    if package.kind == Package.Kind.SIBLINGS and Channel.ONLINE in package.channels:
        _add(
            errors,
            "channels",
            _(
                "The sibling package cannot be paid online: its payment must name every "
                "child's login, and an online order names one account. Let families pay it "
                "at school or by transfer."
            ),
        )


def _check_promotions_below(package: Package, errors) -> None:
    if not package.pk or not isinstance(package.amount, Decimal):
        return
    for promotion in package.promotions.filter(amount__gte=package.amount):
        _add(
            errors,
            "amount",
            _(
                "The promotion %(promotion)s costs %(price)s zł: the package's price must "
                "be higher than its promotions'. Change or delete the promotion first."
            )
            % {"promotion": promotion.name, "price": promotion.amount},
        )


@transaction.atomic
def package_create(
    *, actor, plan: Plan, kind: str, amount: Decimal, channels: list[str]
) -> Package:
    school_id = _school_of(actor)
    plan = _locked(Plan, plan.pk, school_id=school_id)
    errors: dict[str, list[str]] = {}
    package = Package(
        school_id=school_id, plan=plan, kind=kind, amount=amount, channels=list(channels)
    )
    _check_package(package, plan, errors)
    return _save(actor, package, errors)


@transaction.atomic
def package_update(
    *,
    actor,
    package: Package,
    kind: str,
    amount: Decimal,
    channels: list[str],
    version: str | None = None,
) -> Package:
    """A new price or ways to pay; purchases already made keep the amount they were
    quoted. The kind changes only while nothing was bought of the package."""
    school_id = _school_of(actor)
    current = _locked(Package, package.pk, school_id=school_id)
    concurrency.require_version(version, _version(current))
    before = audit.snapshot(current, fields=PACKAGE_FIELDS)
    errors: dict[str, list[str]] = {}
    if kind != current.kind and _bought(package=current):
        _add(errors, "kind", _("Families have bought this package, so its kind stays."))
    current.kind, current.amount, current.channels = kind, amount, list(channels)
    _check_package(current, current.plan, errors)
    _check_promotions_below(current, errors)
    return _save(actor, current, errors, before=before)


def _delete_package_rows(actor, package: Package) -> None:
    for promotion in package.promotions.all():
        audit.record_delete(actor=actor, instance=promotion)
    audit.record_delete(actor=actor, instance=package)


@transaction.atomic
def package_delete(*, actor, package: Package) -> None:
    school_id = _school_of(actor)
    current = _locked(Package, package.pk, school_id=school_id)
    bought = _bought(package=current)
    if bought or ActivationLine.objects.filter(package=current).exists():
        raise ValidationError(
            _(
                "Families have bought the package %(package)s (%(count)s purchases, or lines "
                "of activation lists), so it cannot be deleted: their purchases refer to it. "
                "Take away its ways to pay instead."
            )
            % {"package": current, "count": bought}
        )
    _delete_package_rows(actor, current)
    current.delete()


# --- promotions -------------------------------------------------------------------------


def _check_promotion(promotion: Promotion, package: Package, errors) -> None:
    _check_amount(errors, promotion.amount)
    if isinstance(promotion.amount, Decimal) and promotion.amount >= package.amount:
        _add(
            errors,
            "amount",
            _("A promotion costs less than its package (%(price)s zł).")
            % {"price": package.amount},
        )
    for field in ("date_from", "date_to"):
        day = getattr(promotion, field)
        if not isinstance(day, datetime.date) or not params.in_bounds(day):
            _add(errors, field, params.date_range_message())
    dated = "date_from" not in errors and "date_to" not in errors
    if dated and promotion.date_from > promotion.date_to:
        _add(errors, "date_to", _("The promotion ends before it begins."))
    promotion.channels = _check_channels(errors, promotion.channels)
    if any(channel not in package.channels for channel in promotion.channels):
        _add(
            errors,
            "channels",
            _("The package cannot be paid so: choose among its ways to pay (%(channels)s).")
            % {"channels": ", ".join(str(Channel(c).label) for c in package.channels)},
        )


@transaction.atomic
def promotion_create(
    *,
    actor,
    package: Package,
    name: str,
    amount: Decimal,
    date_from: datetime.date,
    date_to: datetime.date,
    channels: list[str] = (),
) -> Promotion:
    """A lower price of a package in some dates (only through ``channels``: none, all
    the package's)."""
    school_id = _school_of(actor)
    package = _locked(Package, package.pk, school_id=school_id)
    errors: dict[str, list[str]] = {}
    promotion = Promotion(
        package=package,
        name=_check_name(errors, name),
        amount=amount,
        date_from=date_from,
        date_to=date_to,
        channels=list(channels),
    )
    _check_promotion(promotion, package, errors)
    # channels none: however the package is paid
    return _save(actor, promotion, errors, exclude=["channels"], school_id=school_id)


@transaction.atomic
def promotion_update(
    *,
    actor,
    promotion: Promotion,
    name: str,
    amount: Decimal,
    date_from: datetime.date,
    date_to: datetime.date,
    channels: list[str] = (),
    version: str | None = None,
) -> Promotion:
    school_id = _school_of(actor)
    current = _locked(Promotion, promotion.pk, package__school_id=school_id)
    concurrency.require_version(version, _version(current))
    before = audit.snapshot(current, fields=PROMOTION_FIELDS)
    errors: dict[str, list[str]] = {}
    current.name = _check_name(errors, name)
    current.amount, current.channels = amount, list(channels)
    current.date_from, current.date_to = date_from, date_to
    _check_promotion(current, current.package, errors)
    return _save(actor, current, errors, before=before, exclude=["channels"], school_id=school_id)


@transaction.atomic
def promotion_delete(*, actor, promotion: Promotion) -> None:
    """Purchases made at the promotion's price keep that price (their ``promotion`` link
    is cleared by the database, the amount stays)."""
    school_id = _school_of(actor)
    current = _locked(Promotion, promotion.pk, package__school_id=school_id)
    audit.record_delete(actor=actor, instance=current, school_id=school_id)
    current.delete()


# --- offers -----------------------------------------------------------------------------


def _check_offer(school_id: int, offer: Offer, errors) -> None:
    if offer.entitlement not in entitlements.ALL:
        _add(errors, "entitlement", _("Choose what the offer adds from the list."))
    elif offer.entitlement in entitlements.FREE_BY_LAW:
        settings = _settings(school_id)
        school = School.objects.only("is_public").get(pk=school_id)
        if school.is_public or settings is None or settings.mode == PlanSettings.Mode.STATUTORY:
            _add(
                errors,
                "entitlement",
                _(
                    "Parents see %(what)s free of charge by law (L-05), so it cannot be sold "
                    "as an add-on."
                )
                % {"what": entitlements.label(offer.entitlement)},
            )
    _check_amount(errors, offer.amount)
    if Offer.objects.filter(school_id=school_id, name=offer.name).exclude(pk=offer.pk).exists():
        _add(errors, "name", _("The school already has an offer of this name."))


@transaction.atomic
def offer_create(
    *,
    actor,
    name: str,
    entitlement: str,
    amount: Decimal,
    validity_months: int,
    window_days: int,
) -> Offer:
    school_id = _school_of(actor)
    errors: dict[str, list[str]] = {}
    offer = Offer(
        school_id=school_id,
        name=_check_name(errors, name),
        entitlement=entitlement,
        amount=amount,
        validity_months=validity_months,
        window_days=window_days,
    )
    _check_offer(school_id, offer, errors)
    return _save(actor, offer, errors)


@transaction.atomic
def offer_update(
    *,
    actor,
    offer: Offer,
    name: str,
    entitlement: str,
    amount: Decimal,
    validity_months: int,
    window_days: int,
    version: str | None = None,
) -> Offer:
    school_id = _school_of(actor)
    current = _locked(Offer, offer.pk, school_id=school_id)
    concurrency.require_version(version, _version(current))
    before = audit.snapshot(current, fields=OFFER_FIELDS)
    errors: dict[str, list[str]] = {}
    current.name = _check_name(errors, name)
    current.entitlement, current.amount = entitlement, amount
    current.validity_months, current.window_days = validity_months, window_days
    _check_offer(school_id, current, errors)
    return _save(actor, current, errors, before=before)


@transaction.atomic
def offer_delete(*, actor, offer: Offer) -> None:
    school_id = _school_of(actor)
    current = _locked(Offer, offer.pk, school_id=school_id)
    bought = _bought(offer=current)
    if bought:
        raise ValidationError(
            _(
                "Families have bought the offer %(offer)s (%(count)s purchases), so it cannot "
                "be deleted: their purchases refer to it."
            )
            % {"offer": current.name, "count": bought}
        )
    audit.record_delete(actor=actor, instance=current)
    current.delete()


# --- the leaflet's configuration as a start --------------------------------------------


def school_year_start(school_id: int, day: datetime.date) -> int:
    """The calendar year the school year of ``day`` begins in (its row, else September)."""
    year = (
        SchoolYear.objects.filter(school_id=school_id, start_date__lte=day, end_date__gte=day)
        .values_list("start_date", flat=True)
        .first()
    )
    if year is not None:
        return year.year
    return day.year if day.month >= 9 else day.year - 1


@transaction.atomic
def leaflet_start(*, actor) -> dict[str, object]:
    """A school without plans or offers starts from the leaflet's configuration
    (``leaflet_configuration``, its promotions in the current school year); every row it
    writes is in the history, by the principal."""
    school_id = _school_of(actor)
    school = School.objects.get(pk=school_id)
    if Plan.objects.filter(school_id=school_id).exists() or school.plan_offers.exists():
        raise ValidationError(
            _("The school already has plans or offers: change them instead of starting anew.")
        )
    had_settings = PlanSettings.objects.filter(school_id=school_id).exists()
    year_start = school_year_start(school_id, timezone.localdate())
    made = leaflet_configuration(school=school, year_start=year_start)
    rows: list = []
    if not had_settings:
        rows.append(PlanSettings.objects.get(school_id=school_id))
    rows += [made["basic"], made["extended"], made["single"], made["siblings"]]
    rows += list(
        Promotion.objects.filter(package__in=[made["single"], made["siblings"]]).order_by("pk")
    )
    rows.append(made["offer"])
    for row in rows:
        audit.record_create(actor=actor, instance=row, school_id=school_id)
    return made
