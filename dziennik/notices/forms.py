from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField

from .models import Announcement


class AnnouncementForm(forms.Form):
    """An announcement's text, readers, classes and display period."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text; web addresses become links."),
    )
    audience = forms.ChoiceField(label=_("Readers"), choices=Announcement.Audience.choices)
    classes = forms.TypedMultipleChoiceField(
        label=_("Classes (none chosen: the whole school)"),
        required=False,
        coerce=int,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    shown_from = BoundedDateField(
        label=_("Shown from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    shown_until = BoundedDateField(
        label=_("Shown until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, class_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classes"].choices = class_choices

    def clean(self):
        data = super().clean()
        start, end = data.get("shown_from"), data.get("shown_until")
        if start and end and end < start:
            self.add_error("shown_until", _("The end is before the start."))
        return data
