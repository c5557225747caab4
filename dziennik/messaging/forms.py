from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField

from .models import ATTACHMENT_KIND_CHOICES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each (type, size, name)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ComposeForm(forms.Form):
    """A new message: to people and groups the sender may write to."""

    recipients = forms.TypedMultipleChoiceField(
        label=_("To (people)"),
        required=False,
        coerce=int,
        choices=(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    groups = forms.MultipleChoiceField(
        label=_("To (groups)"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain text; web addresses become links."),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    forward = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, people=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = people
        self.fields["groups"].choices = groups

    def clean(self):
        data = super().clean()
        if not data.get("recipients") and not data.get("groups") and not self.errors:
            self.add_error("recipients", _("Choose at least one recipient."))
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain text; web addresses become links."),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    person = forms.CharField(label=_("Person"), required=False, max_length=100)
    date_from = BoundedDateField(
        label=_("Sent from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = BoundedDateField(
        label=_("Sent until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SettingsForm(forms.Form):
    parents_write_to_parents = forms.BooleanField(
        label=_("Parents may write to the parents of their children's classmates"),
        required=False,
    )
    students_write_to_students = forms.BooleanField(
        label=_("Students may write to their classmates"), required=False
    )
    attachment_max_mb = forms.IntegerField(
        label=_("Largest attachment (MB)"), min_value=1, max_value=50
    )
    attachment_kinds = forms.MultipleChoiceField(
        label=_("Allowed attachment types"),
        required=False,
        choices=ATTACHMENT_KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    sends_per_hour = forms.IntegerField(
        label=_("Messages a person may send in an hour"), min_value=1, max_value=1000
    )
    retention_years = forms.IntegerField(
        label=_("School years messages are kept after the year they were sent in"),
        min_value=1,
        max_value=10,
    )
