"""The steps every write to the register shares: check the actor, validate, write, record.

The entity services (``year``, ``structure``, ``people``, ``roles``, and the account
services of ``dziennik.accounts``) are thin on purpose: each states its fields and its own
rules and leaves the common steps here, so that no write can forget the history.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.core.models import AuditEntry
from dziennik.core.params import date_bounds
from dziennik.core.text import clean_text

from .. import permissions
from ..models import (
    ClassGroup,
    Enrolment,
    Guardianship,
    School,
    SchoolClass,
    Student,
    TeachingAssignment,
    Term,
)
from ..viewer import get_viewer

if TYPE_CHECKING:
    from dziennik.accounts.models import User


def require_office(actor: User | None, school_id: int | None) -> None:
    """``PermissionDenied`` unless ``actor`` runs the office of the school (or is the
    system administrator). ``actor=None`` is the system itself (a command, the demo)."""
    if actor is None:
        return
    if not permissions.administers(get_viewer(actor), school_id):
        raise PermissionDenied


def history_links(obj: models.Model, *, deleting: bool = False) -> dict[str, Any]:
    """``school_id``/``student_id``/``school_class_id`` for the history entry of ``obj``.

    A deleted student or class is not linked by id: the entry would protect the row and
    make the deletion impossible (the entry keeps its name in ``object_repr``).
    """
    links: dict[str, Any] = {}
    if isinstance(obj, School):
        links["school_id"] = None if deleting else obj.pk
    elif isinstance(obj, Term):
        links["school_id"] = obj.school_year.school_id
    elif isinstance(obj, Student):
        links["student_id"] = None if deleting else obj.pk
    elif isinstance(obj, SchoolClass):
        links["school_class_id"] = None if deleting else obj.pk
    elif isinstance(obj, Enrolment):
        links.update(
            school_id=obj.student.school_id,
            student_id=obj.student_id,
            school_class_id=obj.school_class_id,
        )
    elif isinstance(obj, Guardianship):
        links.update(school_id=obj.student.school_id, student_id=obj.student_id)
    elif isinstance(obj, ClassGroup):
        links.update(school_id=obj.school_class.school_id, school_class_id=obj.school_class_id)
    elif isinstance(obj, TeachingAssignment):
        links["school_class_id"] = obj.school_class_id
    return links


def validate(instance: models.Model) -> None:
    """The model's own checks (fields, ``clean``, unique and check constraints), as
    ``ValidationError``. Relations are not looked up again: the services receive the
    related rows themselves, and the database refuses a dangling id anyway."""
    relations = {f.name for f in instance._meta.concrete_fields if f.is_relation}
    instance.clean_fields(exclude=relations)
    check_dates(instance)
    instance.clean()
    instance.validate_unique()
    instance.validate_constraints()


# No record of a school begins before this (birth dates of the oldest adult learners).
EARLIEST_DATE = datetime.date(1900, 1, 1)


def check_dates(instance: models.Model) -> None:
    """Every date of ``instance`` lies between ``EARLIEST_DATE`` and the last date the
    screens accept (``core.params.date_bounds``): a school year ending on 31.12.9999,
    typed in the administration panel, would otherwise reach every week and month the
    pages compute from it."""
    last = date_bounds()[1]
    message = _("Choose a date between %(first)s and %(last)s.") % {
        "first": EARLIEST_DATE.strftime("%d.%m.%Y"),
        "last": last.strftime("%d.%m.%Y"),
    }
    errors = {
        field.name: message
        for field in instance._meta.concrete_fields
        if isinstance(field, models.DateField)
        and not isinstance(field, models.DateTimeField)
        and isinstance(value := getattr(instance, field.attname), datetime.date)
        and not EARLIEST_DATE <= value <= last
    }
    if errors:
        raise ValidationError(errors)


def clean_texts(instance: models.Model, names: Iterable[str] | None = None) -> None:
    """Remove control characters (NUL, which PostgreSQL refuses, line breaks in a name)
    from the instance's text fields (``names``, or all of them) before it is validated:
    ``core.text.clean_text``, keeping the lines of a ``TextField``."""
    for field in instance._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
            setattr(
                instance,
                field.attname,
                clean_text(value, multiline=isinstance(field, models.TextField)),
            )


def create(actor: User | None, instance: models.Model, **links: Any) -> models.Model:
    """Validate and save a new ``instance`` (its text cleaned, ``clean_texts``) and
    record its creation. ``links`` add to (or replace) the entry's usual links
    (``history_links``)."""
    clean_texts(instance)
    validate(instance)
    instance.save()
    audit.record_create(actor=actor, instance=instance, **{**history_links(instance), **links})
    return instance


def _stored(field: models.Field, value: Any) -> Any:
    """The value as the row stores it (a related row by its id)."""
    if field.is_relation and isinstance(value, models.Model):
        return value.pk
    return value


def update(
    actor: User | None,
    instance: models.Model,
    changes: dict[str, Any],
    *,
    editable: Iterable[str],
    **links: Any,
) -> AuditEntry | None:
    """Set the ``changes`` that differ, validate, save those fields and record them.

    ``editable`` names the fields the service lets change; any other name is a
    programming error (``TypeError``). ``links`` add to the entry's usual links.
    Returns the history entry, ``None`` when nothing differed (nothing is written then).
    """
    unknown = set(changes) - set(editable)
    if unknown:
        raise TypeError(f"{type(instance).__name__} cannot change {sorted(unknown)}")
    fields = {name: instance._meta.get_field(name) for name in changes}
    changed = [
        name
        for name, value in changes.items()
        if getattr(instance, fields[name].attname) != _stored(fields[name], value)
    ]
    if not changed:
        return None
    before = audit.snapshot(instance, fields=changed)
    for name in changed:
        setattr(instance, name, changes[name])
    clean_texts(instance, changed)
    validate(instance)
    instance.save(update_fields=changed)
    return audit.record_update(
        actor=actor, instance=instance, before=before, **{**history_links(instance), **links}
    )


def delete(actor: User | None, instance: models.Model, **links: Any) -> None:
    """Record the deletion of ``instance`` (with its last values), then delete it."""
    links = {**history_links(instance, deleting=True), **links}
    audit.record_delete(actor=actor, instance=instance, **links)
    instance.delete()


def set_many(
    actor: User | None,
    instance: models.Model,
    name: str,
    related: Iterable[models.Model],
    **links: Any,
) -> AuditEntry | None:
    """Set the many-to-many ``name`` of ``instance`` to ``related`` and record the ids
    before and after; ``None`` when the set did not change."""
    manager = getattr(instance, name)
    before = sorted(manager.values_list("pk", flat=True))
    after = sorted({obj.pk for obj in related})
    if before == after:
        return None
    manager.set(after)
    entry = audit.build_entry(
        actor=actor,
        instance=instance,
        action="update",
        changes={name: [before, after]},
        **{**history_links(instance), **links},
    )
    audit.record_many([entry])
    return entry
