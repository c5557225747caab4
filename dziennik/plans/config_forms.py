"""Input of the principal's configuration screens of plans. The forms only parse and type
the input; the rules (L-05, one free plan, the sibling package not online, a promotion
below its package…) are the services' (``services/catalogue.py``, ``configuration.py``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField

from . import entitlements
from .models import Channel, Package, PlanSettings
from .selectors import WEEKDAYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
HOUR_ROWS = 7


PRICE = _("Price (gross, zł)")


def _price(label=PRICE) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=_("In złoty with grosze, e.g. 22.00."),
    )


def _channels(label, help_text="") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class SettingsForm(forms.Form):
    """The school's plan model, networks and consultation hours, VAT, NIP and REGON.
    Consultation hours are ``HOUR_ROWS`` rows of weekday, start and end (blank rows are
    left out)."""

    mode = forms.ChoiceField(
        label=_("Plan model"), choices=PlanSettings.Mode.choices, widget=forms.RadioSelect
    )
    networks = forms.CharField(
        label=_("School networks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For the at-school model: one address range a line, e.g. 192.0.2.0/24. A basic "
            "account sees grades and attendance only from these networks."
        ),
    )
    vat_exempt = forms.BooleanField(
        label=_("Exempt from VAT (receipts print “zw.”)"), required=False
    )
    vat_rate = forms.DecimalField(
        label=_("VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("99.99"),
        required=False,
        help_text=_("Prices are gross; receipts show the net amount and VAT at this rate."),
    )
    tax_id = forms.CharField(label=_("NIP"), max_length=20, required=False)
    regon = forms.CharField(label=_("REGON"), max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weekdays = [("", "—"), *WEEKDAYS]
        for row in range(HOUR_ROWS):
            self.fields[f"weekday_{row}"] = forms.TypedChoiceField(
                label=_("Day"), choices=weekdays, coerce=int, empty_value=None, required=False
            )
            self.fields[f"start_{row}"] = forms.TimeField(
                label=_("From"), widget=TIME, required=False
            )
            self.fields[f"end_{row}"] = forms.TimeField(label=_("To"), widget=TIME, required=False)

    @staticmethod
    def hour_initial(hours) -> dict:
        initial = {}
        for row, item in enumerate(list(hours or ())[:HOUR_ROWS]):
            initial[f"weekday_{row}"] = item.get("weekday")
            initial[f"start_{row}"] = item.get("start")
            initial[f"end_{row}"] = item.get("end")
        return initial

    def hour_rows(self) -> list[list]:
        return [
            [self[f"weekday_{row}"], self[f"start_{row}"], self[f"end_{row}"]]
            for row in range(HOUR_ROWS)
        ]

    def main_fields(self) -> list:
        return [self[name] for name in ("networks", "vat_exempt", "vat_rate", "tax_id", "regon")]

    def clean(self):
        cleaned = super().clean()
        for row in range(HOUR_ROWS):
            values = [cleaned.get(f"{name}_{row}") for name in ("weekday", "start", "end")]
            if any(v is not None for v in values) and any(v is None for v in values):
                self.add_error(
                    f"weekday_{row}", _("Give the day, the start and the end, or none of them.")
                )
        no_rate = not cleaned.get("vat_exempt") and cleaned.get("vat_rate") is None
        if no_rate and "vat_rate" not in self.errors:
            self.add_error("vat_rate", _("Give the VAT rate, or tick the exemption."))
        return cleaned

    def values(self) -> dict:
        """The service's arguments (``plan_settings_update``)."""
        data = self.cleaned_data
        hours = []
        for row in range(HOUR_ROWS):
            weekday, start, end = (data.get(f"{n}_{row}") for n in ("weekday", "start", "end"))
            if weekday is not None:
                hours.append({"weekday": weekday, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"})
        return {
            "mode": data["mode"],
            "networks": data["networks"],
            "consultation_hours": hours,
            "vat_exempt": data["vat_exempt"],
            "vat_rate": data["vat_rate"] if data["vat_rate"] is not None else Decimal("23.00"),
            "tax_id": data["tax_id"],
            "regon": data["regon"],
        }


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_free = forms.BooleanField(
        label=_("The free plan (the basic account)"),
        required=False,
        help_text=_(
            "Every account has it without paying. In the statutory model it must include "
            "the register itself: grades and attendance from home, messages, announcements, "
            "the timetable and the calendar (L-05)."
        ),
    )
    entitlements = forms.MultipleChoiceField(
        label=_("Includes"),
        choices=entitlements.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    validity_months = forms.IntegerField(
        label=_("Valid for (months from activation)"), min_value=1, max_value=36, initial=12
    )


class PackageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Package"), choices=Package.Kind.choices)
    amount = _price()
    channels = _channels(
        _("May be paid"),
        _("The sibling package cannot be paid online: its payment names every child's login."),
    )


class PromotionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    amount = _price(_("Price in the promotion (gross, zł)"))
    date_from = BoundedDateField(label=_("From"), widget=DATE)
    date_to = BoundedDateField(label=_("To (last day)"), widget=DATE)
    channels = _channels(_("Only when paid"), _("None ticked: however the package is paid."))


class OfferForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    entitlement = forms.ChoiceField(label=_("Adds"), choices=entitlements.CHOICES)
    amount = _price()
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"), min_value=1, max_value=36, initial=12
    )
    window_days = forms.IntegerField(
        label=_("May be bought within (days of activation)"),
        min_value=1,
        max_value=366,
        initial=30,
    )
