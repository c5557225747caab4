from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LuckySettings


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Draw a lucky number every school day"), required=False)
    mode = forms.ChoiceField(
        label=_("Drawing"), choices=LuckySettings.Mode.choices, widget=forms.RadioSelect
    )
