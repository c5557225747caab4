from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RectificationRequest

SELF = "self"


class RectificationForm(forms.Form):
    about = forms.ChoiceField(label=_("Whose data"))
    data = forms.CharField(label=_("Which data"), max_length=200)
    wrong = forms.CharField(label=_("What is wrong"), max_length=2000, widget=forms.Textarea)
    correct = forms.CharField(label=_("What it should be"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, students=(), own_student_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if own_student_id is None:
            choices.append((SELF, _("My own data")))
        for student in students:
            label = _("My own data") if student.pk == own_student_id else student.full_name
            choices.append((str(student.pk), label))
        self.fields["about"].choices = choices

    def student_id(self) -> int | None:
        about = self.cleaned_data["about"]
        return None if about == SELF else int(about)


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (RectificationRequest.Status.IN_PROGRESS, _("in progress")),
            (RectificationRequest.Status.DONE, _("corrected")),
            (RectificationRequest.Status.REFUSED, _("refused")),
        ],
    )
    answer = forms.CharField(
        label=_("Answer to the requester"), max_length=4000, required=False, widget=forms.Textarea
    )


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)
