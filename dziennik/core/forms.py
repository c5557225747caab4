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


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: each field's errors at the field
    (when the form has it), the rest above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, exc)
