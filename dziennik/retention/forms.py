from django import forms
from django.utils.translation import gettext_lazy as _


class DestroyForm(forms.Form):
    """The principal's confirmation of one kind of record for one school year."""

    kind = forms.CharField(max_length=10, widget=forms.HiddenInput)
    year = forms.IntegerField(min_value=1900, max_value=3000, widget=forms.HiddenInput)
    expected_total = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I confirm the destruction of these records (protokół brakowania)"),
        error_messages={"required": _("Tick the confirmation to destroy the records.")},
    )
