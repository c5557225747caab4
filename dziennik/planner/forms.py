from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField

from .models import Event

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class EventTextForm(forms.Form):
    """What may be corrected on an event: its text, date, time and place."""

    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text."),
    )
    date = BoundedDateField(label=_("Date (for homework: when it is due)"), widget=DATE_WIDGET)
    starts_at = forms.TimeField(label=_("Starts at"), required=False, widget=TIME_WIDGET)
    ends_at = forms.TimeField(label=_("Ends at"), required=False, widget=TIME_WIDGET)
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    confirm_over_limits = forms.BooleanField(
        label=_("I know the test goes over the school's limits and plan it anyway"),
        required=False,
    )


class EventForm(EventTextForm):
    """A new event: its kind and whom it is for, then its text."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    school_class = forms.TypedChoiceField(
        label=_("Class"), coerce=int, required=False, empty_value=None, choices=()
    )
    group = forms.TypedChoiceField(
        label=_("Group (none: the whole class)"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=(),
    )
    subject = forms.TypedChoiceField(
        label=_("Subject (tests, quizzes and homework)"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=(),
    )
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)

    field_order = ["kind", "school_class", "group", "subject", "title"]

    def __init__(self, *args, choices: dict, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["kind"].choices = kinds
        self.fields["school_class"].choices = blank + [(c.pk, c.name) for c in choices["classes"]]
        self.fields["group"].choices = blank + [
            (g.pk, f"{g.school_class.name} {g.name}") for g in choices["groups"]
        ]
        self.fields["subject"].choices = blank + [(s.pk, s.name) for s in choices["subjects"]]


class SettingsForm(forms.Form):
    """The school's limits on tests (G-14)."""

    tests_per_week = forms.IntegerField(label=_("Tests a week at most"), min_value=0, max_value=20)
    tests_per_day = forms.IntegerField(label=_("Tests a day at most"), min_value=0, max_value=10)
    notice_days = forms.IntegerField(label=_("Days of notice at least"), min_value=0, max_value=60)
    quizzes_count = forms.BooleanField(label=_("Quizzes count towards the limits"), required=False)
    override_allowed = forms.BooleanField(
        label=_("A teacher may plan over the limits after confirming"), required=False
    )
