"""Every date a form reads is within the register's bounds (``core/forms.py``)."""

import datetime
import importlib
import pkgutil

import pytest
from django import forms

import dziennik
from dziennik.core.forms import BoundedDateField
from dziennik.core.params import date_bounds


def _all_forms() -> list[type[forms.Form]]:
    for module in pkgutil.walk_packages(dziennik.__path__, "dziennik."):
        if ".tests" in module.name or ".migrations" in module.name:
            continue
        importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("dziennik."):
            found.append(cls)
    return found


def test_every_date_field_of_the_projects_forms_is_bounded():
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _all_forms()
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.DateField) and not isinstance(field, BoundedDateField)
    ]
    assert _all_forms(), "no form found: the walk is broken"
    assert unbounded == []


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1900-01-01"])
def test_a_date_out_of_bounds_is_a_field_error(value):
    field = BoundedDateField()
    with pytest.raises(forms.ValidationError) as caught:
        field.clean(value)
    assert caught.value.code == "out_of_range"


def test_dates_within_bounds():
    first, last = date_bounds()
    field = BoundedDateField(required=False)
    assert field.clean(first.isoformat()) == first
    assert field.clean(last.isoformat()) == last
    assert field.clean("") is None
    assert field.clean(datetime.date.today().isoformat()) == datetime.date.today()
