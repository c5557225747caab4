"""Forms of the plans' screens."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """The revenue report's period (``od``–``do``, both days counted); the school year by
    default."""

    od = BoundedDateField(label=_("From"), widget=DATE)
    do = BoundedDateField(label=_("To (last day)"), widget=DATE)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("od"), cleaned.get("do")
        if start and end and start > end:
            raise forms.ValidationError(_("The period ends before it begins."), code="order")
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        return self.cleaned_data["od"], self.cleaned_data["do"]
