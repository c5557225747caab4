"""Recording changes in the history (``AuditEntry``). Every service that writes calls this."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from . import cache
from .cache import class_subject_scope, data_scope, student_scope, subject_scope
from .models import AuditEntry


def _changed(entries: Iterable[AuditEntry]) -> None:
    """Every recorded change also moves the cache versions of what it touched."""
    scopes = set()
    for entry in entries:
        app_label = entry.content_type.app_label
        months = getattr(entry, "months", None)
        model = (f"{app_label}.{entry.content_type.model}",)
        scopes.update(
            (app_label, scope, months, model)
            for scope in _scopes(
                entry.school_class_id, entry.student_id, getattr(entry, "subject_id", None)
            )
        )
    cache.bump_recorded(scopes)


def _scopes(
    school_class_id: int | None, student_id: int | None, subject_id: int | None = None
) -> list[cache.Scope]:
    """The class's and the student's data; with a subject (a grade, a column, a term
    grade), the student's data in that subject, or for a row of the whole class (a
    column) the class's."""
    scopes = []
    if school_class_id is not None:
        scopes.append(data_scope(school_class_id))
    if student_id is not None:
        scopes.append(student_scope(student_id))
    if subject_id is not None:
        if student_id is not None:
            scopes.append(subject_scope(student_id, subject_id))
        elif school_class_id is not None:
            scopes.append(class_subject_scope(school_class_id, subject_id))
    return scopes


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values (foreign keys as ids), JSON-ready."""
    result = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields and field.attname not in fields:
            continue
        if field.primary_key:
            continue
        if field.name == "password":
            result[field.name] = "***"
            continue
        result[field.name] = _json_value(getattr(instance, field.attname))
    return result


def _school_id(instance: models.Model, school_id: int | None) -> int | None:
    if school_id is not None:
        return school_id
    return getattr(instance, "school_id", None)


def build_entry(
    *,
    actor,
    instance: models.Model,
    action: str,
    changes: dict[str, list[Any]],
    school_id: int | None = None,
    student_id: int | None = None,
    school_class_id: int | None = None,
    subject_id: int | None = None,
    object_repr: str | None = None,
    memo: dict | None = None,
) -> AuditEntry:
    """An entry to record; ``object_repr`` when the caller knows the instance's name
    without the queries ``str(instance)`` would make. The subject of a row that has one
    (``core.cache.register_subject_models``) is not stored, only moves the subject's cache
    scope when the entry is recorded: given as ``subject_id`` or read from the instance
    (a grade's column, when not loaded: a query, once per column with ``memo``)."""
    if subject_id is None:
        subject_id = cache.subject_of(instance, memo)
    entry = AuditEntry(
        school_id=_school_id(instance, school_id),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=(str(instance) if object_repr is None else object_repr)[:300],
        changes=changes,
        student_id=student_id,
        school_class_id=school_class_id,
    )
    entry.subject_id = subject_id  # not a field: what ``_changed`` moves
    entry.months = cache.months_of(instance, changes)  # the same (a dated row's months)
    return entry


def build_updates(
    *,
    actor,
    instances: Iterable[models.Model],
    field: str,
    new: Any,
    links: Callable[[models.Model], dict[str, Any]] | None = None,
    **shared,
) -> list[AuditEntry]:
    """The entries of a bulk write that sets one ``field`` of each instance to ``new``
    (a queryset's ``update()``): the old value is read from each instance, so build them
    before the instances change; one that already holds ``new`` gets none. ``shared``
    are ``build_entry``'s links and ``object_repr`` common to all, ``links`` gives an
    instance's own (its student, its school…). Record them with ``record_many``."""
    value = _json_value(new)
    entries = []
    for instance in instances:
        concrete = instance._meta.get_field(field)
        old = _json_value(getattr(instance, concrete.attname))
        if old == value:
            continue
        entries.append(
            build_entry(
                actor=actor,
                instance=instance,
                action="update",
                changes={concrete.name: [old, value]},
                **{**shared, **(links(instance) if links else {})},
            )
        )
    return entries


def record_create(*, actor, instance: models.Model, **links) -> AuditEntry:
    changes = {name: [None, value] for name, value in snapshot(instance).items()}
    entry = build_entry(actor=actor, instance=instance, action="create", changes=changes, **links)
    entry.save()
    _changed([entry])
    return entry


def record_update(
    *, actor, instance: models.Model, before: dict[str, Any], **links
) -> AuditEntry | None:
    """Record the fields that differ between ``before`` (a snapshot) and the instance now.
    Nothing differs: no entry, but the versions still move, since the instance was saved
    (its ``updated_at`` with it)."""
    after = snapshot(instance, fields=before.keys())
    changes = {k: [before[k], after[k]] for k in before if before[k] != after.get(k)}
    if not changes:
        subject_id = links.get("subject_id") or cache.subject_of(instance)
        scopes = _scopes(links.get("school_class_id"), links.get("student_id"), subject_id)
        app_label = instance._meta.concrete_model._meta.app_label
        months = cache.months_of(instance)
        model = (instance._meta.concrete_model._meta.label_lower,)
        cache.bump_recorded((app_label, scope, months, model) for scope in scopes)
        return None
    entry = build_entry(actor=actor, instance=instance, action="update", changes=changes, **links)
    entry.save()
    _changed([entry])
    return entry


def record_delete(*, actor, instance: models.Model, **links) -> AuditEntry:
    changes = {name: [value, None] for name, value in snapshot(instance).items()}
    entry = build_entry(actor=actor, instance=instance, action="delete", changes=changes, **links)
    entry.save()
    _changed([entry])
    return entry


def record_many(entries: list[AuditEntry]) -> None:
    """Insert many prepared entries in one statement (for bulk services)."""
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    _changed(entries)
