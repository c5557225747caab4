"""The person's data export (RODO art. 15 and 20): every row that holds their data.

No app has to remember the export: the collector **discovers** every model with a
foreign key (or a many-to-many field) to one of the person models – the account
(``accounts.User``), the student (``schools.Student``) and the guardian
(``schools.Guardian``) – and serialises the rows that point at the person, by field
name. What it must not show as it is, is listed here with the reason
(``EXCLUDED_MODELS``, ``EXCLUDED_FIELDS``, ``EXCLUDED_RELATIONS``) or covered by an app's
own part (``core.extensions.collect_personal_data``: KeyStroke's summary).
``tests/test_discovery.py`` fails when a model with a person foreign key is neither
exported nor excluded here with a reason, so a new model cannot be forgotten.

Two kinds of link (docs/privacy.md):

* a row **about** the person (a grade's ``student``, a notification's ``recipient``, a
  profile's ``user``): every field but the excluded ones;
* a row **by** the person (``BY_FIELDS``: a grade's ``teacher``, a note's ``author``, a
  history entry's ``actor``): the person's part of it – which record, when, and its links
  to things (a lesson, a subject) – but not its content or other people, which are the
  data of the person it is about and are in *their* export. Except the person's own words
  to the school (``FULL_BY``: their messages, justifications, absence notices).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.core.extensions import collect_personal_data, collect_personal_data_models
from dziennik.schools.models import Guardian, Student

PERSON_MODELS = (settings.AUTH_USER_MODEL, "schools.Student", "schools.Guardian")

# Whole models left out, with the reason (KeyStroke's come from its own part, see
# ``core.extensions.collect_personal_data_models``).
EXCLUDED_MODELS = {
    "accounts.WebAuthnChallenge": _(
        "A one-time challenge of a passkey login, deleted within minutes; it holds random "
        "bytes and nothing about the person."
    ),
    "admin.LogEntry": _(
        "Django's own log of the technical administration panel, used by the system's "
        "administrator, never by school staff or families; every change made there is in "
        "the history of changes, which is exported."
    ),
}

# Fields left out of rows that are exported, with the reason.
_SECRET = _("A secret that lets someone log in as the person; it says nothing about them.")
EXCLUDED_FIELDS = {
    "accounts.User": {
        "password": _("A one-way hash of the password: a secret, not information."),
        "session_generation": _("A technical counter that ends old sessions."),
    },
    "accounts.TotpDevice": {"encrypted_secret": _SECRET},
    "accounts.RecoveryCode": {"code_hash": _SECRET},
    "accounts.EmailLoginCode": {"code_hash": _SECRET},
    "accounts.Passkey": {
        "credential_id": _SECRET,
        "public_key": _("The passkey's public key: technical data of the device."),
    },
    "accounts.LetterJob": {
        "content": _("The letters' PDF holds the one-time passwords of a whole class.")
    },
    "privacy.DataExport": {
        "content": _("The PDF of an earlier export: a copy of the data this export holds anyway.")
    },
    "timetable.CalendarFeed": {"token": _SECRET},
    "core.AuditEntry": {
        "chain_seq": _("Integrity data of the history's hash chain."),
        "prev_hash": _("Integrity data of the history's hash chain."),
        "entry_hash": _("Integrity data of the history's hash chain."),
    },
}

# Links to a person that are not followed, with the reason.
EXCLUDED_RELATIONS = {
    ("schools.Guardian", "students"): _(
        "A child's guardians are their guardianships (exported); the guardians' own "
        "contact data belongs to their own export, not to the child's."
    ),
}

# Foreign keys naming who did something (the author), not whom a row is about.
BY_FIELDS = frozenset(
    {
        "actor",
        "author",
        "class_teacher",
        "decided_by",
        "handled_by",
        "reader",
        "requested_by",
        "reset_by",
        "sender",
        "started_by",
        "submitted_by",
        "substitute_teacher",
        "teacher",
    }
)
# Rows by the person that are their own words to the school: exported whole.
FULL_BY = frozenset(
    {
        ("messaging.Message", "sender"),
        ("messaging.Thread", "started_by"),
        ("attendance.Justification", "submitted_by"),
        ("attendance.AbsenceNotice", "submitted_by"),
        ("privacy.DataExport", "requested_by"),
    }
)


@dataclass(frozen=True)
class Link:
    """One way a model points at a person: its field and the person model."""

    field: str
    target: str  # "user", "student" or "guardian"
    many: bool = False

    @property
    def is_by(self) -> bool:
        return self.field in BY_FIELDS


@dataclass
class PersonModel:
    label: str
    model: type[models.Model]
    links: list[Link] = field(default_factory=list)


def _target_of(model) -> str | None:
    label = model._meta.label
    if label == settings.AUTH_USER_MODEL:
        return "user"
    if model is Student:
        return "student"
    if model is Guardian:
        return "guardian"
    return None


def person_links(model) -> list[Link]:
    """Every foreign key, one-to-one and many-to-many field of ``model`` to a person."""
    links = []
    for f in model._meta.get_fields():
        if not f.is_relation or not getattr(f, "concrete", False):
            continue
        if f.many_to_one or f.one_to_one:
            many = False
        elif f.many_to_many:
            many = True
        else:
            continue
        target = _target_of(f.related_model)
        if target is not None:
            links.append(Link(f.name, target, many))
    return links


@cache
def person_models() -> tuple[PersonModel, ...]:
    """Every installed model (but the excluded and the covered ones) that points at a
    person, and the person models themselves, in app order."""
    skipped = set(EXCLUDED_MODELS) | set(collect_personal_data_models())
    found = []
    for model in apps.get_models():
        label = model._meta.label
        if label in skipped:
            continue
        links = [
            link for link in person_links(model) if (label, link.field) not in EXCLUDED_RELATIONS
        ]
        own = _target_of(model)
        if links or own:
            found.append(PersonModel(label, model, links))
    return tuple(found)


@dataclass(frozen=True)
class Subject:
    """Whose data: an account, its student or guardian profile, or a student alone."""

    user: object | None = None
    student: Student | None = None
    guardian: Guardian | None = None

    def ids(self) -> dict[str, int]:
        return {
            name: value.pk
            for name, value in (
                ("user", self.user),
                ("student", self.student),
                ("guardian", self.guardian),
            )
            if value is not None
        }

    @property
    def name(self) -> str:
        for value in (self.student, self.guardian):
            if value is not None:
                return value.full_name
        return self.user.get_full_name() or self.user.username


def value_of(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def _by_only_field(f, model_label: str, link_fields: set[str]) -> bool:
    """In a row by the person, the fields shown: its id, the link, times, links to things."""
    if f.primary_key or f.name in link_fields:
        return True
    if isinstance(f, models.DateTimeField | models.DateField | models.TimeField):
        return True
    if f.is_relation:
        return _target_of(f.related_model) is None
    return False


def _fields(pm: PersonModel, *, by_only: set[str] | None):
    excluded = EXCLUDED_FIELDS.get(pm.label, {})
    result = []
    for f in pm.model._meta.concrete_fields:
        if f.name in excluded:
            continue
        if by_only is not None and not _by_only_field(f, pm.label, by_only):
            continue
        result.append(f)
    return result


def _serialise(row, fields) -> dict:
    return {f.name: value_of(getattr(row, f.attname)) for f in fields}


def _rows(pm: PersonModel, ids: dict[str, int]) -> tuple[list[dict], list[dict]]:
    """The rows of one model that hold the subject's data, each as {field: value}: those
    about the person, and those by the person (only the person's part of them)."""
    about, by = Q(), Q()
    by_fields: set[str] = set()
    own = _target_of(pm.model)
    if own in ids:
        about |= Q(pk=ids[own])
    for link in pm.links:
        if link.target not in ids:
            continue
        condition = Q(**{link.field: ids[link.target]})
        if link.is_by and (pm.label, link.field) not in FULL_BY:
            by |= condition
            by_fields.add(link.field)
        else:
            about |= condition
    about_rows: list[dict] = []
    by_rows: list[dict] = []
    manager = pm.model._base_manager
    if about:
        fields = _fields(pm, by_only=None)
        names = [f.name for f in fields]
        for row in manager.filter(about).distinct().order_by("pk").only(*names):
            about_rows.append(_serialise(row, fields))
    if by:
        fields = _fields(pm, by_only=by_fields)
        names = [f.name for f in fields]
        query = manager.filter(by).exclude(about) if about else manager.filter(by)
        for row in query.distinct().order_by("pk").only(*names):
            by_rows.append(_serialise(row, fields))
    return about_rows, by_rows


def collect(subject: Subject) -> dict:
    """The subject's data: ``{"person": …, "apps": {app_label: {Model: [rows]}}, "by":
    {app_label: {Model: [rows]}}, "own": {…}}`` – the rows about the person, the rows by
    the person (their part only) and the apps' own parts. Field names as in the code;
    foreign keys as the id of the row they name."""
    ids = subject.ids()
    about_app: dict[str, dict[str, list[dict]]] = {}
    by_app: dict[str, dict[str, list[dict]]] = {}
    for pm in person_models():
        if not any(link.target in ids for link in pm.links) and _target_of(pm.model) not in ids:
            continue
        about_rows, by_rows = _rows(pm, ids)
        app_label, model_name = pm.label.split(".")
        if about_rows:
            about_app.setdefault(app_label, {})[model_name] = about_rows
        if by_rows:
            by_app.setdefault(app_label, {})[model_name] = by_rows
    own = collect_personal_data(subject.user) if subject.user is not None else {}
    return {
        "person": {"name": subject.name, **{f"{k}_id": v for k, v in ids.items()}},
        "apps": about_app,
        "by": by_app,
        "own": own,
    }


def _names(label: str, field_name: str) -> tuple[str, str]:
    model = apps.get_model(label)
    if not field_name:
        return str(model._meta.verbose_name_plural), ""
    try:
        verbose = model._meta.get_field(field_name).verbose_name
    except FieldDoesNotExist:
        verbose = field_name
    return str(model._meta.verbose_name_plural), str(verbose)


def exclusions() -> list[dict]:
    """What the export leaves out: the model and field (by code name and by name for
    people) and the reason, for the JSON, the PDF and docs/privacy.md."""
    found = [(label, "", reason) for label, reason in EXCLUDED_MODELS.items()]
    found += [(label, "", reason) for label, reason in collect_personal_data_models().items()]
    for label, fields in EXCLUDED_FIELDS.items():
        found += [(label, name, reason) for name, reason in fields.items()]
    found += [(label, name, reason) for (label, name), reason in EXCLUDED_RELATIONS.items()]
    result = []
    for label, name, reason in found:
        model_name, field_name = _names(label, name)
        result.append(
            {
                "model": label,
                "field": name,
                "model_name": model_name,
                "field_name": field_name,
                "reason": str(reason),
            }
        )
    return result
