"""Input of the grading rule screens. The forms only parse and type the input; the rules
(contrast, distinct names, a used mark's fixed symbol, rising thresholds…) are the
services'. Decimal fields accept a comma (``2,5``) as Polish users write it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SpecialMark
from .settings_services import THRESHOLD_GRADES

Rule = SpecialMark.Rule


def _decimal(label, *, max_digits: int = 5, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=max_digits, decimal_places=2, localize=True, **kwargs
    )


class CategoryForm(forms.Form):
    """A grade category; ``weight_to_columns`` only when changing one that has columns."""

    name = forms.CharField(label=_("Name"), max_length=60)
    weight = _decimal(
        _("Weight"),
        help_text=_(
            "From 0 to 100, e.g. 3 for a test and 1 for classroom activity. A grade counts "
            "in the average as many times as its weight."
        ),
    )
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        help_text=_(
            "As #rrggbb. It must have a contrast ratio of at least 4.5:1 against the white "
            "page (WCAG 2.1 level AA), so a dark colour."
        ),
    )
    counts_towards_average = forms.BooleanField(
        label=_("Counts towards the average"),
        required=False,
        help_text=_("Untick for grades shown for information only, e.g. a mock exam."),
    )
    is_homework = forms.BooleanField(
        label=_("Homework"),
        required=False,
        help_text=_(
            "Homework is not graded in classes 1–8 of a public primary school (since 1 April "
            "2024): the gradebook refuses such grades there."
        ),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_(
            "An inactive category is no longer offered for new columns; columns that have "
            "it keep it, and their grades still count."
        ),
    )
    weight_to_columns = forms.BooleanField(
        label=_("Existing columns with the category's weight take the new weight"),
        required=False,
        initial=True,
        help_text=_(
            "Columns a teacher gave another weight keep theirs. The students' stored "
            "averages are recomputed right after the save."
        ),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, with_columns: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_columns:
            del self.fields["weight_to_columns"]


class MarkForm(forms.Form):
    """A special mark (np, bz, +…) and how the school counts it."""

    symbol = forms.CharField(
        label=_("Symbol"),
        max_length=5,
        help_text=_(
            "What the teacher types in the gradebook, 1 to 5 characters (e.g. np). Not a "
            "grade 1–6. It cannot change once grades have it."
        ),
    )
    name = forms.CharField(label=_("Meaning"), max_length=60)
    rule = forms.ChoiceField(
        label=_("How it counts in the average"),
        choices=Rule.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Special marks never turn into a grade by themselves: the statute decides "
            "whether they count as a value or several of them make one grade."
        ),
    )
    value = _decimal(
        _("Value"),
        max_digits=4,
        required=False,
        help_text=_("The value it counts as, or the grade several of them make (0 to 6)."),
    )
    convert_count = forms.IntegerField(
        label=_("How many make one grade"),
        required=False,
        min_value=1,
        max_value=50,
        help_text=_("Only when several of them make one grade, e.g. 3 pluses make a 5."),
    )
    converted_weight = _decimal(
        _("Weight of the grade they make"),
        help_text=_("Only when several of them make one grade; from 0 to 100."),
    )
    is_homework = forms.BooleanField(
        label=_("About homework"),
        required=False,
        help_text=_("Refused in classes 1–8 of a public primary school, as homework grades are."),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class PointStepForm(forms.Form):
    """One row of the point scale; an empty row is left out, a ticked one removed."""

    min_percent = _decimal(_("From percent"), required=False)
    symbol = forms.CharField(label=_("Grade"), max_length=3, required=False)


PointScaleFormSet = forms.formset_factory(PointStepForm, extra=3, can_delete=True)


class ThresholdsForm(forms.Form):
    """The lowest average for each grade 2–6 (``grade_2`` … ``grade_6``)."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for grade in THRESHOLD_GRADES:
            self.fields[f"grade_{grade}"] = _decimal(
                _("Lowest average for %(grade)s") % {"grade": grade}, max_digits=4
            )

    def thresholds(self) -> dict:
        return {grade: self.cleaned_data[f"grade_{grade}"] for grade in THRESHOLD_GRADES}
