from django import forms
from django.utils.translation import gettext_lazy as _

from . import services


class ConsentForm(forms.Form):
    """Turning KeyStroke on: the consent is a box the person ticks themself."""

    consent = forms.BooleanField(
        label=_(
            "I agree that the register keeps and uses the rhythm of typing my password "
            "(biometric data) to protect my account, as described above."
        ),
        required=True,
        error_messages={"required": _("Tick the box to give your consent.")},
    )


class SchoolSettingsForm(forms.Form):
    required_for_staff = forms.BooleanField(
        label=_("Ask the school's staff to turn KeyStroke on"), required=False
    )
    threshold = forms.DecimalField(
        label=_("Threshold"),
        min_value=services.THRESHOLD_RANGE[0],
        max_value=services.THRESHOLD_RANGE[1],
        max_digits=3,
        decimal_places=2,
        help_text=_(
            "How unlike the owner's rhythm a typing may be before the second step is asked "
            "for (the mean difference per timing). Default 1.50; higher: fewer questions, "
            "more impostors let through."
        ),
    )
