"""The forms of the passkey screens and of the principal's second-factor reset."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .passkeys import NAME_MAX_LENGTH, REASON_MAX_LENGTH


class PasskeyAddForm(forms.Form):
    """The name of a new passkey; the page's script adds the browser's answer."""

    name = forms.CharField(
        label=_("Name of the passkey"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("So that you can tell your keys apart, e.g. “my phone” or “laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    credential = forms.CharField(widget=forms.HiddenInput, required=False)


class PasskeyRemoveForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Recorded in the history, e.g. “phone lost, reported in person on 3 March”."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
