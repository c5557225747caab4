"""The principal's forms of OneRoster (the services check what matters)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField


class ExportForm(forms.Form):
    platform = forms.TypedChoiceField(
        label=_("For the platform"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Its single sign-on ids, and only entitled families where it needs that."),
    )
    since = BoundedDateField(
        label=_("Only changes since (a delta)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the whole roster (bulk)."),
    )

    def __init__(self, *args, platforms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [("", _("the school itself (no platform)"))] + [
            (p.pk, p.name) for p in platforms
        ]


class ClientForm(forms.Form):
    gradebook = forms.BooleanField(
        label=_("It may also read the gradebook (columns and grades)"), required=False
    )
