from django import forms
from django.utils.translation import gettext_lazy as _


class CloseForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason to close the year although entries are missing"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
