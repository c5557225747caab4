"""The principal's form for a learning tool and the teacher's for a link to one (the
services check what matters)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class ToolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    login_url = forms.CharField(
        label=_("Login initiation address (OIDC)"),
        max_length=500,
        help_text=_("Where the register starts a launch; the tool's documentation gives it."),
    )
    launch_url = forms.CharField(label=_("Launch address"), max_length=500)
    redirect_uris = forms.CharField(
        label=_("Other redirect addresses"),
        required=False,
        help_text=_("One per line; the launch address is always allowed."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deep_link_url = forms.CharField(
        label=_("Deep linking address"),
        max_length=500,
        required=False,
        help_text=_("Where a teacher chooses content in the tool; empty: the launch address."),
    )
    jwks_url = forms.CharField(label=_("The tool's JWKS address"), max_length=500, required=False)
    public_key = forms.CharField(
        label=_("Or the tool's public key (PEM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    share_name = forms.BooleanField(label=_("Send the person's name"), required=False)
    share_email = forms.BooleanField(label=_("Send the person's e-mail address"), required=False)

    @property
    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["redirect_uris"] = data["redirect_uris"].split()
        return data


class PlacementForm(forms.Form):
    tool = forms.TypedChoiceField(label=_("Tool"), coerce=int, choices=[])
    teaching = forms.ChoiceField(label=_("Class and subject"), choices=[])
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.CharField(
        label=_("Content address"),
        max_length=500,
        required=False,
        help_text=_("Empty: the tool's launch address, or choose content in the tool later."),
    )
    column_maximum = forms.DecimalField(
        label=_("Gradebook column for its results: maximum points"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Empty: no column. Points become grades by the school's percentage table."),
    )
    category = forms.TypedChoiceField(
        label=_("Category of the column"), coerce=int, choices=[], required=False, empty_value=None
    )

    def __init__(self, *args, tools=(), teaching=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tool"].choices = [(t.pk, t.name) for t in tools]
        self.fields["teaching"].choices = [
            (f"{a.school_class_id}-{a.subject_id}", f"{a.school_class.name} – {a.subject.name}")
            for a in teaching
        ]
        self.fields["category"].choices = [("", "—")] + [(c.pk, c.name) for c in categories]
