"""Form fields shared by every app's forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from . import params


class BoundedDateField(forms.DateField):
    """A date within ``core.params.date_bounds()``: the register counts weeks, terms and
    school years from it, which a date like 31.12.9999 would overflow. Every date field
    of the project's forms is one (``core/tests/test_forms.py`` checks)."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not params.in_bounds(value):
            raise ValidationError(params.date_range_message(), code="out_of_range")
