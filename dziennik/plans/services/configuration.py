"""Writes of the plans' configuration: the school's model (L-05 for public schools), and
the leaflet's plans and prices as a starting configuration."""

from __future__ import annotations

import datetime
import ipaddress
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as NumberError
from stdnum.pl import nip
from stdnum.pl import regon as regon_number

from dziennik.core import audit, concurrency
from dziennik.schools.models import School
from dziennik.schools.viewer import get_viewer

from .. import entitlements
from ..models import Channel, Offer, Package, Plan, PlanSettings, Promotion


def _networks(text: str) -> list[str]:
    """The networks, one a line, normalised; ``ValidationError`` naming a bad line."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            found.append(str(ipaddress.ip_network(line, strict=False)))
        except ValueError as exc:
            raise ValidationError(
                {
                    "networks": _("Line %(n)s is no address range: %(line)s")
                    % {"n": number, "line": line}
                }
            ) from exc
    return found


def _hours(hours: list[dict]) -> list[dict]:
    cleaned = []
    for item in hours:
        try:
            weekday = int(item["weekday"])
            start = datetime.time.fromisoformat(item["start"])
            end = datetime.time.fromisoformat(item["end"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                {"consultation_hours": _("Give a weekday, a start and an end.")}
            ) from exc
        if not 1 <= weekday <= 7 or start >= end:
            raise ValidationError(
                {
                    "consultation_hours": _(
                        "Consultation hours end after they start, Monday to Sunday."
                    )
                }
            )
        cleaned.append({"weekday": weekday, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"})
    return cleaned


def check_mode(*, school: School, mode: str, networks: list[str], hours: list[dict]) -> None:
    """The L-05 rule: a public school must let parents see the register free of charge
    from anywhere, so it cannot run the at-school-only model."""
    if mode == PlanSettings.Mode.AT_SCHOOL:
        if school.is_public:
            raise ValidationError(
                {
                    "mode": _(
                        "A public school must let parents see their children's grades and "
                        "attendance free of charge from anywhere (the regulation on "
                        "registers, § 21 sec. 3 point 5), so its basic account cannot be "
                        "limited to the school's network. Only a non-public school (or a "
                        "Polish school abroad) may choose this model."
                    )
                }
            )
        if not networks or not hours:
            raise ValidationError(
                {"mode": _("This model needs the school's networks and consultation hours.")}
            )


SETTINGS_FIELDS = [
    "mode",
    "networks",
    "consultation_hours",
    "vat_rate",
    "vat_exempt",
    "tax_id",
    "regon",
]


def _tax_numbers(tax_id: str, regon: str) -> tuple[str, str]:
    """The NIP and REGON without separators, their check digits checked (blank: none)."""
    found = []
    for value, number, field, message in (
        (tax_id, nip, "tax_id", _("This is not a valid NIP: %(value)s")),
        (regon, regon_number, "regon", _("This is not a valid REGON: %(value)s")),
    ):
        if not (value or "").strip():
            found.append("")
            continue
        try:
            found.append(number.validate(value))
        except NumberError as exc:
            raise ValidationError({field: message % {"value": value}}) from exc
    return found[0], found[1]


def settings_version(settings: PlanSettings) -> str:
    """The version of the school's plan settings a form shows ("": never saved)."""
    return concurrency.version_of([settings]) if settings.pk else ""


@transaction.atomic
def plan_settings_update(
    *,
    actor,
    version: str | None = None,
    mode: str,
    networks: str = "",
    consultation_hours: list[dict] = (),
    vat_rate: Decimal = Decimal("23.00"),
    vat_exempt: bool = False,
    tax_id: str = "",
    regon: str = "",
) -> PlanSettings:
    """The principal sets the school's plan model, its VAT (a rate, or exempt: "zw." on
    the receipts) and the NIP and REGON its receipts print (checked, when given);
    recorded in the history. ``version``: what the form showed (``settings_version``);
    a form based on older settings is refused (``StaleEdit``).

    Back in the statutory model, the school is lawful at once (L-05): in the same
    transaction the free plan gets back what the law keeps free and the 2012 model let
    the principal take out of it (``restore_free_plan``, in the history by the
    principal). The codes restored are on the result's ``restored`` (empty: none)."""
    viewer = get_viewer(actor)
    if not viewer.is_principal or viewer.school_id is None:
        raise Http404
    # Locked as the catalogue's writes lock it: a free plan edited meanwhile waits.
    school = School.objects.select_for_update(no_key=True).get(pk=viewer.school_id)
    if mode not in PlanSettings.Mode.values:
        raise ValidationError({"mode": _("Choose a plan model.")})
    cleaned_networks = _networks(networks)
    hours = _hours(list(consultation_hours))
    check_mode(school=school, mode=mode, networks=cleaned_networks, hours=hours)
    settings, created = PlanSettings.objects.select_for_update().get_or_create(school=school)
    concurrency.require_version(version, "" if created else settings_version(settings))
    before = audit.snapshot(settings, fields=SETTINGS_FIELDS)
    settings.mode = mode
    settings.networks = "\n".join(cleaned_networks)
    settings.consultation_hours = hours
    settings.vat_rate = vat_rate
    settings.vat_exempt = vat_exempt
    settings.tax_id, settings.regon = _tax_numbers(tax_id, regon)
    settings.full_clean()
    settings.save()
    if created:
        audit.record_create(actor=actor, instance=settings)
    else:
        audit.record_update(actor=actor, instance=settings, before=before)
    settings.restored = restore_free_plan(actor=actor, settings=settings)
    return settings


def restore_free_plan(*, actor, settings: PlanSettings) -> list[str]:
    """In the statutory model, give the school's free plan back what the law keeps free
    and it lacks (what the 2012 model let the principal take out of it); the change is
    in the history, by ``actor``. Returns the codes restored (none: nothing written).
    Called inside the settings' write, the school's row locked."""
    if settings.mode != PlanSettings.Mode.STATUTORY:
        return []
    free = Plan.objects.select_for_update().filter(school_id=settings.school_id, is_free=True)
    plan = free.first()
    if plan is None:
        return []
    missing = entitlements.FREE_BY_LAW - set(plan.entitlements)
    if not missing:
        return []
    before = audit.snapshot(plan, fields=["entitlements"])
    held = set(plan.entitlements) | missing
    plan.entitlements = [code for code, _label in entitlements.CHOICES if code in held]
    plan.full_clean(validate_constraints=False)
    plan.save()
    audit.record_update(actor=actor, instance=plan, before=before)
    return [code for code, _label in entitlements.CHOICES if code in missing]


def check_free_plan(plan: Plan, settings: PlanSettings | None) -> None:
    """In the statutory model the free plan holds everything the law keeps free."""
    mode = settings.mode if settings else PlanSettings.Mode.STATUTORY
    if plan.is_free and mode == PlanSettings.Mode.STATUTORY:
        missing = entitlements.FREE_BY_LAW - set(plan.entitlements)
        if missing:
            raise ValidationError(
                {
                    "entitlements": _(
                        "The free plan must include what parents see free of charge by law: "
                        "%(missing)s."
                    )
                    % {"missing": ", ".join(sorted(entitlements.label(c) for c in missing))}
                }
            )


def leaflet_configuration(*, school: School, year_start: int) -> dict[str, object]:
    """The leaflet's plans and prices for ``school`` (the demo's, and a starting point):
    a free basic account with the register (L-05), an extended one with SMS info at
    22 zł a child or 32 zł for all siblings for 12 months (the sibling package not
    online), 20 zł and 30 zł from 1 September to 31 October when collected at school,
    and the e-learning platform at 21 zł within 30 days of the activation. Written by
    the system (no actor: a configuration, recorded by the admin's audit when edited)."""
    with transaction.atomic():
        PlanSettings.objects.get_or_create(school=school)
        basic = Plan.objects.create(
            school=school,
            name=_("Basic"),
            is_free=True,
            entitlements=sorted(entitlements.FREE_BY_LAW),
        )
        extended = Plan.objects.create(
            school=school,
            name=_("Extended"),
            entitlements=sorted(entitlements.FREE_BY_LAW | {entitlements.SMS, entitlements.PUSH}),
        )
        everywhere = [Channel.SCHOOL, Channel.ONLINE, Channel.TRANSFER]
        single = Package.objects.create(
            school=school,
            plan=extended,
            kind=Package.Kind.SINGLE,
            amount=Decimal("22.00"),
            channels=everywhere,
        )
        siblings = Package.objects.create(
            school=school,
            plan=extended,
            kind=Package.Kind.SIBLINGS,
            amount=Decimal("32.00"),
            channels=[Channel.SCHOOL, Channel.TRANSFER],
        )
        autumn = {
            "date_from": datetime.date(year_start, 9, 1),
            "date_to": datetime.date(year_start, 10, 31),
            "channels": [Channel.SCHOOL],
        }
        Promotion.objects.create(
            package=single, name=_("Autumn at school"), amount=Decimal("20.00"), **autumn
        )
        Promotion.objects.create(
            package=siblings, name=_("Autumn at school"), amount=Decimal("30.00"), **autumn
        )
        offer = Offer.objects.create(
            school=school,
            name=_("E-learning platform"),
            entitlement=entitlements.ELEARNING,
            amount=Decimal("21.00"),
            validity_months=12,
            window_days=30,
        )
    return {
        "basic": basic,
        "extended": extended,
        "single": single,
        "siblings": siblings,
        "offer": offer,
    }
