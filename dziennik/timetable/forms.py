"""Forms of the principal's timetable screens: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from dziennik.core.forms import BoundedDateField

from .models import Weekday
from .selectors import EditorOptions

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, separated by semicolons or commas, one lesson a row."),
    )
    valid_from = BoundedDateField(
        label=gettext_lazy("The new plan applies from"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("For rows without a date in the column obowiazuje_od."),
    )


def _choices(items, label=str, empty: str | None = None):
    choices = [(item.pk, label(item)) for item in items]
    return [("", empty), *choices] if empty is not None else choices


class EntryForm(forms.Form):
    """A weekly lesson: what, who, where, when; ``date`` is when it starts (adding) or when
    the change starts (changing)."""

    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Weekday"), coerce=int, choices=Weekday.choices
    )
    slot = forms.TypedChoiceField(label=gettext_lazy("Lesson number"), coerce=int)
    subject = forms.TypedChoiceField(label=gettext_lazy("Subject"), coerce=int)
    group = forms.TypedChoiceField(
        label=gettext_lazy("Group"), coerce=int, required=False, empty_value=None
    )
    teacher = forms.TypedChoiceField(label=gettext_lazy("Teacher"), coerce=int)
    room = forms.TypedChoiceField(
        label=gettext_lazy("Room"), coerce=int, required=False, empty_value=None
    )
    date = BoundedDateField(label=gettext_lazy("Valid from"), widget=DATE_INPUT)
    valid_to = BoundedDateField(
        label=gettext_lazy("Valid to (optional)"), required=False, widget=DATE_INPUT
    )

    def __init__(self, *args, options: EditorOptions, changing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["slot"].choices = _choices(options.slots, lambda s: str(s))
        self.fields["subject"].choices = _choices(options.subjects, empty="–")
        self.fields["group"].choices = _choices(options.groups, empty=gettext("whole class"))
        self.fields["teacher"].choices = _choices(
            options.teachers, lambda t: f"{t.last_name} {t.first_name}".strip() or t.username, "–"
        )
        # An inactive room is not offered, except as the lesson's current room.
        rooms = [r for r in options.rooms if r.is_active or r.pk == self.initial.get("room")]
        self.fields["room"].choices = _choices(rooms, empty="–")
        if changing:
            self.fields["date"].label = gettext_lazy("The change applies from")
            del self.fields["valid_to"]

    def values(self) -> dict:
        """The chosen objects, ready for the services."""
        data = self.cleaned_data
        o = self.options

        def pick(items, pk):
            return next((item for item in items if item.pk == pk), None)

        return {
            "weekday": data["weekday"],
            "slot": pick(o.slots, data["slot"]),
            "subject": pick(o.subjects, data["subject"]),
            "group": pick(o.groups, data["group"]),
            "teacher": pick(o.teachers, data["teacher"]),
            "room": pick(o.rooms, data["room"]),
        }


class EndForm(forms.Form):
    last_day = BoundedDateField(
        label=gettext_lazy("Last day of the lesson in the plan"), widget=DATE_INPUT
    )


class RoomForm(forms.Form):
    """A room: its name, and (when changing one) whether it is still in use."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=50,
        help_text=gettext_lazy("As the plan shows it, e.g. 12, 2B or sala gimnastyczna."),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Active"),
        required=False,
        help_text=gettext_lazy(
            "An inactive room is no longer offered for new lessons; the plan's lessons in "
            "it stay as they are."
        ),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, adding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if adding:
            del self.fields["is_active"]
