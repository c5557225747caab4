from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField

from .models import Kind


class NoteForm(forms.Form):
    """A note: its category, text, date and (where the school counts them) points."""

    category = forms.TypedChoiceField(label=_("Category"), coerce=int, choices=())
    text = forms.CharField(
        label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    date = BoundedDateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    points = forms.IntegerField(
        label=_("Points (empty: the category's)"),
        required=False,
        min_value=-100,
        max_value=100,
    )

    def __init__(self, *args, categories=(), uses_points=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = [
            (c.pk, f"{c.name} ({c.get_kind_display()})") for c in categories
        ]
        if not uses_points:
            del self.fields["points"]


class SettingsForm(forms.Form):
    uses_points = forms.BooleanField(
        label=_("Notes carry points (behaviour graded by points)"), required=False
    )


class CategoryForm(forms.Form):
    """A new category of the school's list."""

    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    default_points = forms.IntegerField(
        label=_("Suggested points"), initial=0, min_value=-100, max_value=100
    )
