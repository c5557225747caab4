from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Channel, Statement


class StartForm(forms.Form):
    """A parent chooses a package, the children, and how to pay."""

    package = forms.TypedChoiceField(label=_("Package"), coerce=int)
    students = forms.TypedMultipleChoiceField(
        label=_("Children"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    channel = forms.ChoiceField(
        label=_("How you pay"),
        choices=[
            (Channel.ONLINE, _("online now")),
            (Channel.TRANSFER, _("by transfer or at the post office (a slip to print)")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, packages, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].choices = [(p.pk, f"{p} – {p.amount} zł") for p in packages]
        self.fields["students"].choices = [(c.pk, c.full_name) for c in children]


class BankAccountForm(forms.Form):
    holder = forms.CharField(label=_("Account holder"), max_length=140)
    address = forms.CharField(label=_("Holder's address"), max_length=140)
    iban = forms.CharField(label=_("Account number (IBAN)"), max_length=42)


class StatementForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=Statement.Format.choices)
    file = forms.FileField(label=_("Statement file"))


class AssignForm(forms.Form):
    title = forms.CharField(label=_("Payment title of the purchase"), max_length=40)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DismissForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=500)


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (zł)"), max_digits=8, decimal_places=2, min_value=0.01, required=False
    )
