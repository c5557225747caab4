from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField

from .services import SLOT_LENGTHS

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class _When(forms.Form):
    date = BoundedDateField(label=_("Date"), widget=_DATE)
    starts_at = forms.TimeField(label=_("From"), widget=_TIME)
    ends_at = forms.TimeField(label=_("Until"), widget=_TIME)
    room = forms.CharField(label=_("Room"), max_length=50)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end is not after the start."))
        return data


class SessionForm(_When):
    """Consultation hours: a day, a time range, the length of one conversation, a room."""

    slot_minutes = forms.TypedChoiceField(
        label=_("Minutes per conversation"),
        coerce=int,
        choices=[(n, str(n)) for n in SLOT_LENGTHS],
        initial=10,
    )
    note = forms.CharField(label=_("Note for parents"), max_length=300, required=False)


class ClassMeetingForm(_When):
    """A class meeting: the class, a day, a time range, a room and its topic."""

    school_class = forms.TypedChoiceField(label=_("Class"), coerce=int, choices=())
    topic = forms.CharField(label=_("Topic"), max_length=300, required=False)

    def __init__(self, *args, class_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].choices = class_choices


class BookForm(forms.Form):
    """Which child the conversation is about (among those the teacher teaches)."""

    student = forms.TypedChoiceField(label=_("About"), coerce=int, choices=())

    def __init__(self, *args, child_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = child_choices


class SettingsForm(forms.Form):
    cancel_hours = forms.IntegerField(
        label=_("Parents may cancel a booking until (hours before the meeting)"),
        min_value=0,
        max_value=336,
    )
