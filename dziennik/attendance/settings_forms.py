"""Input of the attendance settings screens. The forms only parse and type the input; the
rules (contrast, distinct shortcuts, a used kind's fixed meaning…) are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dziennik.core.forms import BoundedDateField

from .models import AttendanceKind

Base = AttendanceKind.Base
# <input type="date"> takes ISO dates only, whatever the language's date format.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
Counts = AttendanceKind.Counts


class KindForm(forms.Form):
    """An attendance kind. ``code`` only when adding one; ``base`` and ``counts_as`` are
    shown disabled for a kind that already has marks."""

    code = forms.CharField(
        label=_("Code"),
        max_length=5,
        help_text=_(
            "1 to 5 letters or digits, shown in the register (e.g. “zp”). It cannot be "
            "changed later: the history of marks refers to it."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=60)
    base = forms.ChoiceField(
        label=_("Base type"),
        choices=Base.choices,
        help_text=_(
            "What the mark means for the register: unexcused absences raise the same-day "
            "and selective-absence warnings; the first active kind of the base type "
            "“present” is the mark every student starts a lesson with."
        ),
    )
    counts_as = forms.ChoiceField(
        label=_("How it counts in attendance statistics"),
        choices=Counts.choices,
        help_text=_(
            "Attendance = lessons counted as present ÷ (lessons counted as present + "
            "lessons counted as absent). Kinds left out count neither way."
        ),
    )
    shortcut = forms.CharField(
        label=_("Keyboard shortcut"),
        max_length=1,
        required=False,
        help_text=_(
            "One letter or digit, pressed on a student's row on the lesson screen. Active "
            "kinds need different shortcuts."
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
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=32767,
        help_text=_("Kinds are listed on the lesson screen from the lowest number."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_(
            "An inactive kind is no longer offered in the register; marks that have it keep "
            "it and still count."
        ),
    )
    excused_kind_id = forms.TypedChoiceField(
        label=_("After an accepted justification it becomes"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Only for unexcused absences and lateness: the excused kind the marks turn "
            "into when the class teacher accepts a justification. Without it, marks of this "
            "kind cannot be justified."
        ),
    )

    def __init__(
        self,
        *args,
        excused_choices=(),
        with_code: bool = True,
        meaning_fixed: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["excused_kind_id"].choices = [("", _("– none –")), *excused_choices]
        if not with_code:
            del self.fields["code"]
        if meaning_fixed:
            for name in ("base", "counts_as"):
                self.fields[name].disabled = True


class RulesForm(forms.Form):
    """The school's attendance rules (``AttendanceSettings``), with Polish help."""

    adult_students_may_justify = forms.BooleanField(
        label=_("Adult students may justify their own absences"),
        required=False,
        help_text=_(
            "A student who is 18 may send justifications themselves, as parents do. "
            "Without it only parents (legal guardians) justify."
        ),
    )
    justification_deadline_days = forms.IntegerField(
        label=_("Days after an absence to send a justification"),
        min_value=0,
        max_value=365,
        help_text=_(
            "Counted from the day of the absence, as the statute sets it (often 7 days). "
            "0 means no deadline."
        ),
    )
    risk_threshold_percent = forms.IntegerField(
        label=_("Non-classification risk below this attendance (%)"),
        min_value=0,
        max_value=100,
        help_text=_(
            "A student who attended less than this share of a subject's lessons in the term "
            "gets a warning (parents and the class teacher see it). The law allows not "
            "classifying a student absent from more than half of the lessons, so usually "
            "50. 0 turns the warning off."
        ),
    )
    risk_minimum_lessons = forms.IntegerField(
        label=_("Lessons before the risk is flagged"),
        min_value=1,
        max_value=200,
        help_text=_(
            "The warning appears only once the student has had at least this many counted "
            "lessons of the subject in the term, so that one absence at the start of a term "
            "does not raise it."
        ),
    )


class ExemptionForm(forms.Form):
    """A subject exemption: student, subject, period, and whether the student must stay."""

    student = forms.TypedChoiceField(label=_("Student"), coerce=int)
    subject = forms.TypedChoiceField(label=_("Subject"), coerce=int)
    date_from = BoundedDateField(label=_("From"), widget=DATE)
    date_to = BoundedDateField(label=_("To (last day)"), widget=DATE)
    must_attend = forms.BooleanField(
        label=_("The student must stay at the lesson"),
        required=False,
        help_text=_(
            "Leave unticked when the parent (or the adult student) declared that the "
            "student will not be at the lesson: the register then leaves the student out "
            "of its attendance. Ticked, the student's attendance is still taken."
        ),
    )
    basis = forms.CharField(
        label=_("Note (optional)"),
        max_length=200,
        required=False,
        help_text=_("E.g. “opinia lekarska z 2.09.2026”, the number of the principal's decision."),
    )

    def __init__(self, *args, student_choices=(), subject_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [("", _("– choose –")), *student_choices]
        self.fields["subject"].choices = [("", _("– choose –")), *subject_choices]


class ExemptionEndForm(forms.Form):
    last_day = BoundedDateField(label=_("Last day of the exemption"), widget=DATE)
