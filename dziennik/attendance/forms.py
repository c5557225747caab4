from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField


class JustificationForm(forms.Form):
    """Input for an excuse: a date range, or chosen lessons, a reason, an attachment."""

    date_from = BoundedDateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedDateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    marks = forms.TypedMultipleChoiceField(
        label=_("Or choose the lessons"), required=False, coerce=int, choices=()
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(
        label=_("Attachment (PDF, PNG or JPEG, up to 5 MB)"), required=False
    )

    def __init__(self, *args, mark_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["marks"].choices = mark_choices

    def clean(self):
        data = super().clean()
        if not data.get("marks") and not (data.get("date_from") and data.get("date_to")):
            raise forms.ValidationError(_("Choose the dates or the lessons to justify."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("accept", _("Accept")), ("reject", _("Reject"))), widget=forms.HiddenInput
    )
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)
    # The lessons to excuse when accepting; all of them unless some are unticked.
    marks = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args, mark_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["marks"].choices = [(pk, str(pk)) for pk in mark_ids]


class AbsenceNoticeForm(forms.Form):
    """A parent's announcement of a coming absence: days, optionally lessons, a reason."""

    date_from = BoundedDateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedDateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    lesson_from = forms.IntegerField(
        label=_("From lesson"),
        required=False,
        min_value=0,
        max_value=15,
        help_text=_("Leave both lesson numbers empty for whole days."),
    )
    lesson_to = forms.IntegerField(label=_("To lesson"), required=False, min_value=0, max_value=15)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
