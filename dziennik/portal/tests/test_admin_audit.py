"""The Django admin cannot change the register behind the history's back.

For EVERY model registered in the admin (discovered from ``admin.site._registry``, so a
new model cannot be forgotten), a superuser tries through the real admin views what a
person would do: add a row (the add form filled in), change one (its change form posted
back with one value changed), delete one (the confirmation posted), and delete one with
the list's "delete selected" action. Each attempt must either be refused (403 or 405, or
a page that changed nothing — checked in the database) or leave at least one history
entry (``AuditEntry``) for the row it changed. Every failing model is reported at once.

Each model needs a builder below that makes a fresh row of it; a model registered
without one fails the test, which says so.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from dziennik.accounts.tests.factories import UserFactory
from dziennik.attendance.models import AttendanceKind, AttendanceSettings, SubjectExemption
from dziennik.core import audit
from dziennik.core.models import AuditEntry
from dziennik.grades.models import (
    AverageThreshold,
    GradeCategory,
    GradingSettings,
    PointScaleStep,
    SpecialMark,
)
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from dziennik.timetable.models import CalendarFeed, Room, TimetableChange, TimetableEntry
from testsupport.world import World

pytestmark = pytest.mark.django_db

REFUSED = {403, 405}
PASSWORD = "Walk-through-Admin-2026!"
_seq = itertools.count(1)


def n() -> int:
    return next(_seq)


# --- a fresh row of every registered model -------------------------------------------
def _axes(label: str) -> Callable[[World], models.Model]:
    def build(world: World) -> models.Model:
        from django.apps import apps

        model = apps.get_model(label)
        values = {
            "username": f"ktos{n()}",
            "ip_address": "127.0.0.1",
            "user_agent": "Mozilla/5.0",
            "http_accept": "text/html",
            "path_info": "/konto/logowanie/",
        }
        if model.__name__ == "AccessAttempt":
            values.update(get_data="", post_data="", failures_since_start=1)
        return model.objects.create(**values)

    return build


def _task_result(world: World) -> models.Model:
    from django_tasks_db.models import DBTaskResult, get_date_max

    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="dziennik.attendance.tasks.attendance_alerts_sweep",
        backend_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )


def _school(world: World) -> sm.School:
    return sf.SchoolFactory(name=f"Szkoła próbna nr {n()}")


def _slot(world: World) -> sm.LessonSlot:
    number = 10 + n()
    start = datetime.time(hour=6 + number % 12)
    return sm.LessonSlot.objects.create(
        school=_school(world),
        number=number % 16,
        starts_at=start,
        ends_at=datetime.time(hour=start.hour, minute=45),
    )


def _entry(world: World) -> TimetableEntry:
    return TimetableEntry.objects.create(
        school=world.school,
        school_class=world.school_class,
        weekday=1 + n() % 5,
        slot=_slot(world),
        subject=world.subject,
        teacher=world.user("teacher_in"),
        valid_from=world.term1.start_date,
    )


def _change(world: World) -> TimetableChange:
    entry = _entry(world)
    return TimetableChange.objects.create(
        school=world.school,
        entry=entry,
        date=world.term1.start_date,
        kind=TimetableChange.Kind.CANCELLATION,
    )


def _feed(world: World) -> CalendarFeed:
    return CalendarFeed.objects.create(user=UserFactory(school=world.school))


def _history_entry(world: World) -> AuditEntry:
    subject = sf.SubjectFactory(school=world.school, name=f"Przedmiot {n()}")
    return audit.record_create(actor=world.user("principal"), instance=subject)


BUILDERS: dict[str, Callable[[World], models.Model]] = {
    "auth.group": lambda w: Group.objects.create(name=f"Grupa {n()}"),
    "axes.accessattempt": _axes("axes.AccessAttempt"),
    "axes.accesslog": _axes("axes.AccessLog"),
    "axes.accessfailurelog": _axes("axes.AccessFailureLog"),
    "django_tasks_database.dbtaskresult": _task_result,
    "core.auditentry": _history_entry,
    "schools.school": _school,
    "schools.schoolyear": lambda w: sf.SchoolYearFactory(school=_school(w)),
    "schools.dayoff": lambda w: sm.DayOff.objects.create(
        school=w.school,
        school_year=w.year,
        kind=sm.DayOff._meta.get_field("kind").choices[0][0],
        name=f"Dzień wolny {n()}",
        date_from=w.term1.start_date + datetime.timedelta(days=3),
        date_to=w.term1.start_date + datetime.timedelta(days=3),
    ),
    "schools.lessonslot": _slot,
    "schools.subject": lambda w: sf.SubjectFactory(school=w.school, name=f"Przedmiot {n()}"),
    "schools.schoolclass": lambda w: sf.SchoolClassFactory(
        school=w.school, school_year=w.year, name=f"{n() % 8 + 1}x{n()}", level=5
    ),
    "schools.classgroup": lambda w: sm.ClassGroup.objects.create(
        school_class=w.school_class, name=f"gr. {n()}"
    ),
    "schools.student": lambda w: sf.StudentFactory(school=w.school),
    "schools.guardian": lambda w: sf.GuardianFactory(school=w.school),
    "schools.family": lambda w: sm.Family.objects.create(school=w.school, name=f"Rodzina {n()}"),
    "schools.schoolrole": lambda w: sm.SchoolRole.objects.create(
        school=w.school, user=UserFactory(school=w.school), role="teacher"
    ),
    "schools.teachingassignment": lambda w: sm.TeachingAssignment.objects.create(
        school=w.school,
        teacher=UserFactory(school=w.school),
        subject=w.subject,
        school_class=w.school_class,
    ),
    "accounts.user": lambda w: UserFactory(school=w.school, username=f"osoba{n()}"),
    "timetable.room": lambda w: Room.objects.create(school=w.school, name=f"Sala {n()}"),
    "timetable.timetableentry": _entry,
    "timetable.timetablechange": _change,
    "timetable.calendarfeed": _feed,
    "attendance.attendancekind": lambda w: AttendanceKind.objects.create(
        school=w.school, code=f"k{n()}", name="rodzaj", base="present", counts_as="present"
    ),
    "attendance.attendancesettings": lambda w: AttendanceSettings.objects.create(school=_school(w)),
    "attendance.subjectexemption": lambda w: SubjectExemption.objects.create(
        school=w.school,
        student=w.student,
        subject=w.subject,
        date_from=w.term1.start_date + datetime.timedelta(days=10 * n()),
        date_to=w.term1.start_date + datetime.timedelta(days=10 * n() + 1),
    ),
    "grades.gradingsettings": lambda w: GradingSettings.objects.create(school=_school(w)),
    "grades.gradecategory": lambda w: GradeCategory.objects.create(
        school=w.school, name=f"Kategoria {n()}", weight=Decimal(2)
    ),
    "grades.specialmark": lambda w: SpecialMark.objects.create(
        school=w.school, symbol=f"z{n()}", name="znak"
    ),
    "grades.pointscalestep": lambda w: PointScaleStep.objects.create(
        school=w.school, min_percent=Decimal(n() % 100), symbol="3"
    ),
    "grades.averagethreshold": lambda w: AverageThreshold.objects.create(
        school=_school(w), grade=3, min_average=Decimal("2.75")
    ),
}


# --- reading an admin form as a browser would submit it ------------------------------
class FormReader(HTMLParser):
    """The (name, value) pairs a browser would submit from the form ``form_id``."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = False
        self.pairs: list[tuple[str, str]] = []
        self.types: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = self.found = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            self.types[name] = kind
            if kind in ("submit", "button", "reset", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.pairs.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.types[name] = "select-multiple" if "multiple" in a else "select"
            self.options[name] = []
            self._select = {"name": name, "multiple": "multiple" in a, "first": None, "any": False}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self.options[self._select["name"]].append(value)
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["any"] = True
                self.pairs.append((self._select["name"], value))
        elif tag == "textarea" and name:
            self.types[name] = "textarea"
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select is not None:
            s = self._select
            if not s["any"] and not s["multiple"] and s["first"] is not None:
                self.pairs.append((s["name"], s["first"]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            self.pairs.append((self._textarea["name"], text.removeprefix("\n")))
            self._textarea = None


def read_form(html: str, form_id: str):
    """``(data, types, options)`` of the form, or None when the page has none."""
    reader = FormReader(form_id)
    reader.feed(html)
    if not reader.found:
        return None
    data: dict[str, list[str]] = {}
    for name, value in reader.pairs:
        data.setdefault(name, []).append(value)
    return data, reader.types, reader.options


# --- what a row looks like in the database --------------------------------------------
def row_state(model, pk):
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        return None
    state = audit.snapshot(obj)
    for field in model._meta.many_to_many:
        state[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return state


def history_of(model, pk, action: str) -> int:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id=str(pk),
        action=action,
    ).count()


# --- the changes a walk may try on a field ---------------------------------------------
PREFERRED = ("name", "last_name", "first_name", "short_name", "symbol", "username")
SKIPPED = {"password", "pesel", "token", "colour", "email"}


def _changed_text(value: str, max_length: int | None) -> str:
    if max_length and len(value) >= max_length:
        return value[:-1] + ("Y" if value.endswith("X") else "X")
    return value + "X"


def changes_to_try(model, data, types, options):
    """Candidate edits of one top-level model field each: (field name, new data)."""
    fields = {
        f.name: f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in SKIPPED
    }
    ordered = sorted(fields, key=lambda name: (name not in PREFERRED, name))
    for name in ordered:
        field, kind = fields[name], types.get(name)
        if kind is None:
            continue  # not on the form (read-only or excluded)
        new = {k: list(v) for k, v in data.items()}
        if isinstance(field, models.BooleanField) and kind == "checkbox":
            if name in new:
                del new[name]
            else:
                new[name] = ["on"]
            yield name, new
        elif (
            isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and kind in ("text", "textarea")
            and data.get(name, [""])[0]
        ):
            new[name] = [_changed_text(data[name][0], field.max_length)]
            yield name, new
        elif (
            isinstance(field, models.IntegerField | models.DecimalField)
            and not field.choices
            and kind in ("text", "number")
            and data.get(name, [""])[0]
        ):
            try:
                number = Decimal(data[name][0].replace(",", "."))
            except ArithmeticError:
                continue
            new[name] = [str(number + 1)]
            yield name, new
    for name in ordered:  # then another choice in a list (a relation, a kind…)
        if types.get(name) != "select":
            continue
        current = data.get(name, [""])[0]
        others = [v for v in options.get(name, []) if v and v != current]
        if others:
            new = {k: list(v) for k, v in data.items()}
            new[name] = [others[0]]
            yield name, new


def form_errors(html: str) -> str:
    import re

    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    text = " | ".join(re.sub(r"<[^>]+>", "", e).strip() for e in found)
    return text[:300] or "no visible error"


# --- the walk ----------------------------------------------------------------------------
class Walk:
    def __init__(self, world: World):
        self.world = world
        self.superuser = UserFactory(
            username="admin-walk", is_superuser=True, is_staff=True, school=None
        )
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.superuser)
        self.problems: list[str] = []
        self.audited_changes = 0

    def url(self, model, view: str, *args) -> str:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)

    def fail(self, model, what: str) -> None:
        self.problems.append(f"{model._meta.label}: {what}")

    # -- change ------------------------------------------------------------------
    def change(self, model, build) -> None:
        obj = build(self.world)
        url = self.url(model, "change", obj.pk)
        page = self.client.get(url)
        form = read_form(page.content.decode(), f"{model._meta.model_name}_form")
        if page.status_code in REFUSED or form is None:
            attempts = [("(no form)", {})]
        else:
            data, types, options = form
            attempts = list(itertools.islice(changes_to_try(model, data, types, options), 6))
            if not attempts:
                attempts = [("(nothing editable)", data)]
        errors = []
        for field, data in attempts:
            before = row_state(model, obj.pk)
            entries = history_of(model, obj.pk, "update")
            response = self.client.post(url, {**data, "_save": "Zapisz"})
            if response.status_code >= 500:
                self.fail(model, f"change of {field!r} answered {response.status_code}")
                return
            after = row_state(model, obj.pk)
            if response.status_code == 200 and after == before:
                errors.append(f"{field}: {form_errors(response.content.decode())}")
                continue  # the form refused this value: try another field
            if after == before:
                if response.status_code in REFUSED:
                    return  # refused
                continue  # a redirect that changed nothing: try another field
            if history_of(model, obj.pk, "update") > entries:
                self.audited_changes += 1
                return
            self.fail(model, f"change of {field!r} saved without a history entry")
            return
        if errors and form is not None and page.status_code not in REFUSED:
            self.fail(model, "the walk could not make a valid change: " + "; ".join(errors))

    # -- add ---------------------------------------------------------------------
    def add(self, model, build) -> None:
        url = self.url(model, "add")
        page = self.client.get(url)
        form = read_form(page.content.decode(), f"{model._meta.model_name}_form")
        existing = set(model._default_manager.values_list("pk", flat=True))
        if page.status_code in REFUSED or form is None:
            response = self.client.post(url, {})
            if set(model._default_manager.values_list("pk", flat=True)) != existing:
                self.fail(model, f"add refused ({response.status_code}) but a row was made")
            return
        data, types, _options = form
        # Fill in what the add form leaves empty as the change form of a fresh row shows
        # it, then remove that row (directly, it is the test's own) so that its unique
        # values are free again.
        sample = build(self.world)
        change = read_form(
            self.client.get(self.url(model, "change", sample.pk)).content.decode(),
            f"{model._meta.model_name}_form",
        )
        school_of_sample = getattr(sample, "school_id", None) or self.world.school.pk
        model._default_manager.filter(pk=sample.pk).delete()
        if change is not None:
            for name, values in change[0].items():
                if name in types and "-" not in name and not any(data.get(name, [""])):
                    data[name] = values
        for name in ("password1", "password2"):
            if name in data:
                data[name] = [PASSWORD]
        # A choice the change form does not show (a row's school is fixed once made) is
        # chosen as a person would: the world's school, or else the first real option.
        for name, choices in _options.items():
            real = [value for value in choices if value]
            if real and not any(data.get(name, [""])) and types.get(name) == "select":
                school = str(school_of_sample)
                data[name] = [school if name == "school" and school in real else real[0]]
        # Search-as-you-type choices (autocomplete) render no options: the school, and a
        # fresh account of it for a role.
        if "school" in types and not any(data.get("school", [""])):
            data["school"] = [str(school_of_sample)]
        if "user" in types and not any(data.get("user", [""])) and model is sm.SchoolRole:
            data["user"] = [str(UserFactory(school=self.world.school).pk)]
        response = self.client.post(url, {**data, "_save": "Zapisz"})
        if response.status_code >= 500:
            self.fail(model, f"add answered {response.status_code}")
            return
        made = model._default_manager.exclude(pk__in=existing)
        if response.status_code == 200 and not made.exists():
            self.fail(
                model, f"the walk could not add a row: {form_errors(response.content.decode())}"
            )
            return
        for row in made:
            if history_of(model, row.pk, "create"):
                self.audited_changes += 1
            else:
                self.fail(model, f"added row {row.pk} without a history entry")

    # -- delete ------------------------------------------------------------------
    def delete(self, model, build) -> None:
        obj = build(self.world)
        response = self.client.post(self.url(model, "delete", obj.pk), {"post": "yes"})
        self._judge_delete(model, obj, "delete", response)
        obj = build(self.world)
        response = self.client.post(
            self.url(model, "changelist"),
            {"action": "delete_selected", "_selected_action": [str(obj.pk)], "post": "yes"},
        )
        self._judge_delete(model, obj, "delete_selected", response)

    def _judge_delete(self, model, obj, how: str, response) -> None:
        if response.status_code >= 500:
            self.fail(model, f"{how} answered {response.status_code}")
            return
        if model._default_manager.filter(pk=obj.pk).exists():
            return  # refused: the row is still there
        if history_of(model, obj.pk, "delete"):
            self.audited_changes += 1
        else:
            self.fail(model, f"{how} removed row {obj.pk} without a history entry")


def registered_models() -> list[type[models.Model]]:
    return sorted(admin.site._registry, key=lambda m: m._meta.label)


def test_every_admin_change_is_refused_or_in_the_history(world):
    walk = Walk(world)
    for model in registered_models():
        build = BUILDERS.get(model._meta.label_lower)
        if build is None:
            walk.fail(model, "no builder in test_admin_audit.BUILDERS: add one")
            continue
        for step in (walk.change, walk.add, walk.delete):
            try:
                with transaction.atomic():  # a failed step must not end the walk
                    step(model, build)
            except Exception as exc:  # one model's crash must not hide the others'
                walk.fail(model, f"{step.__name__} raised {type(exc).__name__}: {exc}")
    assert not walk.problems, (
        f"{len(walk.problems)} admin paths change the register without history:\n  "
        + "\n  ".join(walk.problems)
    )
    # the walk really changes what the admin lets it change (it is not refused everywhere)
    assert walk.audited_changes > 0


def test_the_walk_catches_a_change_without_history(world, monkeypatch):
    """An admin that lets a row change without the history is reported: here the rooms'
    read-only admin, given back Django's default permissions (the walk is not vacuous)."""
    room_admin = admin.site._registry[Room]
    for name in ("has_add_permission", "has_change_permission", "has_delete_permission"):
        monkeypatch.setattr(room_admin, name, lambda request, obj=None: True)
    walk = Walk(world)
    for step in (walk.change, walk.add, walk.delete):
        step(Room, BUILDERS["timetable.room"])
    assert walk.problems[0] == "timetable.Room: change of 'name' saved without a history entry"
    assert walk.problems[1].startswith("timetable.Room: added row ")
    assert walk.problems[2].startswith("timetable.Room: delete removed row ")
    assert walk.problems[3].startswith("timetable.Room: delete_selected removed row ")
    assert len(walk.problems) == 4
