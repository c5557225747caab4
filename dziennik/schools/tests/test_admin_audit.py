"""Every schools and accounts model of the administration panel: adding, changing and
deleting a row there is either refused (and changes nothing) or written through the
services, with an entry in the history naming the secretary and the old and new values."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import reverse

from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import UserFactory
from dziennik.core.audit import snapshot
from dziennik.core.models import AuditEntry
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf


@dataclass
class Case:
    """How to exercise one model: what to add (``None``: adding is refused), which row to
    change and how (``None``: refused), which row to delete (its ``delete`` flag: whether
    deleting is allowed)."""

    add: Callable[[Any], dict] | None
    change: Callable[[Any], tuple[models.Model, dict]] | None
    fresh: Callable[[Any], models.Model]
    delete: bool = True
    # fields whose posted form differs from the stored value, compared as stored
    stored: dict[str, Any] = field(default_factory=dict)


def _next_year_start(world) -> datetime.date:
    return world.year.start_date.replace(year=world.year.start_date.year + 1)


CASES: dict[str, Case] = {
    "schools.school": Case(
        add=None,
        change=lambda w: (w.school, {"short_name": "SP 7"}),
        fresh=lambda w: w.school,
        delete=False,
    ),
    "schools.schoolyear": Case(
        add=lambda w: {
            "school": w.school.pk,
            "name": "następny",
            "start_date": _next_year_start(w).isoformat(),
            "end_date": _next_year_start(w)
            .replace(year=_next_year_start(w).year + 1, month=8, day=31)
            .isoformat(),
            "classes_start": _next_year_start(w).isoformat(),
            "classes_end": _next_year_start(w)
            .replace(year=_next_year_start(w).year + 1, month=6, day=25)
            .isoformat(),
            "terms-TOTAL_FORMS": "0",
            "days_off-TOTAL_FORMS": "0",
        },
        change=lambda w: (w.year, {"name": "rok bieżący"}),
        fresh=lambda w: sf.SchoolYearFactory(school=w.school, start_date=_next_year_start(w)),
    ),
    "schools.dayoff": Case(
        add=lambda w: {
            "school_year": w.year.pk,
            "kind": "school_free_day",
            "name": "Dzień dyrektorski",
            "date_from": (w.year.start_date + datetime.timedelta(days=40)).isoformat(),
            "date_to": (w.year.start_date + datetime.timedelta(days=40)).isoformat(),
        },
        change=lambda w: (
            sm.DayOff.objects.create(
                school=w.school,
                school_year=w.year,
                kind="school_free_day",
                name="Dzień sportu",
                date_from=w.year.start_date + datetime.timedelta(days=50),
                date_to=w.year.start_date + datetime.timedelta(days=50),
            ),
            {"name": "Dzień zdrowia"},
        ),
        fresh=lambda w: sm.DayOff.objects.create(
            school=w.school,
            school_year=w.year,
            kind="school_free_day",
            name="Dzień do usunięcia",
            date_from=w.year.start_date + datetime.timedelta(days=60),
            date_to=w.year.start_date + datetime.timedelta(days=60),
        ),
    ),
    "schools.lessonslot": Case(
        add=lambda w: {"number": "9", "starts_at": "15:30", "ends_at": "16:15"},
        change=lambda w: (
            sm.LessonSlot.objects.create(
                school=w.school,
                number=1,
                starts_at=datetime.time(8),
                ends_at=datetime.time(8, 45),
            ),
            {"ends_at": "08:50"},
        ),
        fresh=lambda w: sm.LessonSlot.objects.create(
            school=w.school, number=2, starts_at=datetime.time(9), ends_at=datetime.time(9, 45)
        ),
        stored={"ends_at": "08:50:00"},
    ),
    "schools.subject": Case(
        add=lambda w: {"name": "Chemia", "short_name": "chem"},
        change=lambda w: (w.subject, {"name": "Matematyka rozszerzona"}),
        fresh=lambda w: sf.SubjectFactory(school=w.school, name="Plastyka"),
    ),
    "schools.schoolclass": Case(
        add=lambda w: {
            "school_year": w.year.pk,
            "name": "8z",
            "level": "8",
            "groups-TOTAL_FORMS": "0",
        },
        change=lambda w: (w.other_class, {"level": "5"}),
        fresh=lambda w: sf.SchoolClassFactory(school=w.school, school_year=w.year, name="7x"),
        stored={"level": 5},
    ),
    "schools.classgroup": Case(
        add=lambda w: {"school_class": w.school_class.pk, "name": "ang. 2"},
        change=lambda w: (
            sm.ClassGroup.objects.create(school_class=w.school_class, name="niem. 1"),
            {"name": "niem. 2"},
        ),
        fresh=lambda w: sm.ClassGroup.objects.create(school_class=w.school_class, name="wf"),
    ),
    "schools.student": Case(
        add=lambda w: {
            "first_name": "Hanna",
            "last_name": "Ślusarczyk",
            "birth_date": "2016-03-04",
            "enrolments-TOTAL_FORMS": "0",
            "guardianships-TOTAL_FORMS": "0",
        },
        change=lambda w: (w.student, {"birth_place": "Zakopane"}),
        fresh=lambda w: sf.StudentFactory(school=w.school, first_name="Do", last_name="Usunięcia"),
    ),
    "schools.guardian": Case(
        add=lambda w: {
            "first_name": "Łukasz",
            "last_name": "Wiśniewski",
            "phone": "602345678",
            "guardianships-TOTAL_FORMS": "0",
        },
        change=lambda w: (w.own_guardian, {"phone": "601234567"}),
        fresh=lambda w: sf.GuardianFactory(school=w.school),
    ),
    "schools.family": Case(
        add=lambda w: {"name": "Nowakowie"},
        change=lambda w: (sm.Family.objects.get(name="Wiśniewscy"), {"name": "Wiśniewscy-Nowak"}),
        fresh=lambda w: sm.Family.objects.create(school=w.school, name="Pusta"),
    ),
    "schools.schoolrole": Case(
        add=lambda w: {"user": w.user("teacher_in").pk, "role": "council_member"},
        change=None,  # granted or revoked, never edited in place
        fresh=lambda w: sm.SchoolRole.objects.get(user=w.user("teacher_in"), role="teacher"),
    ),
    "schools.teachingassignment": Case(
        add=lambda w: {
            "teacher": w.user("teacher_out").pk,
            "subject": w.subject.pk,
            "school_class": w.other_class.pk,
        },
        change=lambda w: (
            sm.TeachingAssignment.objects.get(teacher=w.user("teacher_in")),
            {"teacher": w.user("teacher_out").pk},
        ),
        fresh=lambda w: sf.TeachingAssignmentFactory(
            school_class=w.other_class, subject=w.subject, teacher=w.user("principal")
        ),
    ),
    "accounts.user": Case(
        add=lambda w: {
            "username": "nowy-nauczyciel",
            "first_name": "Adam",
            "last_name": "Nowy",
            "usable_password": "true",
            "password1": "Bardzo-dobre-haslo-2026!",
            "password2": "Bardzo-dobre-haslo-2026!",
        },
        change=lambda w: (w.user("teacher_out"), {"last_name": "Kamińska-Nowak"}),
        fresh=lambda w: UserFactory(school=w.school, username="do-usuniecia"),
    ),
}

ADMIN_MODELS = sorted(
    model._meta.label_lower
    for model in admin.site._registry
    if model._meta.app_label in ("schools", "accounts")
)


def test_every_admin_model_of_the_two_apps_has_a_case():
    assert sorted(CASES) == ADMIN_MODELS


@pytest.fixture
def secretary(world) -> Client:
    user = world.user("secretary")
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _url(label: str, view: str, *args) -> str:
    return reverse(f"admin:{label.replace('.', '_')}_{view}", args=args)


def _form_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_form_value(v) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def page_data(response) -> dict[str, Any]:
    """What the page's form and inline forms would post back unchanged."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        forms.extend(formset.initial_forms)
    for form in forms:
        for name, form_field in form.fields.items():
            value = form[name].value()
            if form_field.disabled or value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else _form_value(value)
    return data


def _model(label: str) -> type[models.Model]:
    return ContentType.objects.get_by_natural_key(*label.split(".")).model_class()


def _entries(label: str, **filters):
    content_type = ContentType.objects.get_by_natural_key(*label.split("."))
    return AuditEntry.objects.filter(content_type=content_type, **filters)


@pytest.mark.parametrize("label", sorted(CASES))
def test_add_is_refused_or_recorded(world, secretary, label):
    case = CASES[label]
    model = _model(label)
    url = _url(label, "add")
    before = set(model._default_manager.values_list("pk", flat=True))
    entries_before = AuditEntry.objects.count()
    if case.add is None:
        assert secretary.get(url).status_code == 403
        assert secretary.post(url, {"name": "Wtargnięcie"}).status_code == 403
        assert set(model._default_manager.values_list("pk", flat=True)) == before
        assert AuditEntry.objects.count() == entries_before
        return
    data = page_data(secretary.get(url)) | case.add(world)
    response = secretary.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    new = model._default_manager.exclude(pk__in=before).get()
    entry = _entries(label, object_id=str(new.pk), action="create").get()
    assert entry.actor == world.user("secretary")
    assert entry.school_id == world.school.pk
    assert entry.changes == {name: [None, value] for name, value in snapshot(new).items()}
    if label == "accounts.user":
        assert new.check_password("Bardzo-dobre-haslo-2026!")
        assert entry.changes["password"] == [None, "***"]


@pytest.mark.parametrize("label", sorted(CASES))
def test_change_is_refused_or_recorded(world, secretary, label):
    case = CASES[label]
    if case.change is None:
        obj = case.fresh(world)
        url = _url(label, "change", obj.pk)
        page = secretary.get(url)
        assert page.status_code == 200 and not page.context["has_change_permission"]
        stored = snapshot(obj)
        assert secretary.post(url, {"role": "principal"}).status_code == 403
        obj.refresh_from_db()
        assert snapshot(obj) == stored
        assert not _entries(label, action="update").exists()
        return
    obj, changes = case.change(world)
    url = _url(label, "change", obj.pk)
    before = snapshot(obj)
    response = secretary.post(url, page_data(secretary.get(url)) | changes)
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    after = snapshot(obj)
    expected = {
        name: [before[name], after[name]] for name in changes if name in before and name in after
    }
    for name, value in case.stored.items():
        assert after[name] == value
    assert expected and all(old != new for old, new in expected.values())
    entry = _entries(label, object_id=str(obj.pk), action="update").get()
    assert entry.actor == world.user("secretary")
    assert entry.changes == expected


@pytest.mark.parametrize("label", sorted(CASES))
def test_delete_is_refused_or_recorded(world, secretary, label):
    case = CASES[label]
    obj = case.fresh(world)
    model = type(obj)
    url = _url(label, "delete", obj.pk)
    last = snapshot(obj)
    response = secretary.post(url, {"post": "yes"})
    if not case.delete:
        assert response.status_code == 403
        assert model._default_manager.filter(pk=obj.pk).exists()
        assert not _entries(label, action="delete").exists()
        return
    assert response.status_code == 302
    assert not model._default_manager.filter(pk=obj.pk).exists()
    entry = _entries(label, object_id=str(obj.pk), action="delete").get()
    assert entry.actor == world.user("secretary")
    assert entry.changes == {name: [value, None] for name, value in last.items()}


# --- the rules the services keep, seen from the admin --------------------------------


def test_a_secretary_cannot_grant_herself_principal(world, secretary):
    url = _url("schools.schoolrole", "add")
    form = secretary.get(url).context["adminform"].form
    assert [value for value, _label in form.fields["role"].choices] == [
        "",
        "teacher",
        "council_member",
    ]
    response = secretary.post(
        url, {"school": world.school.pk, "user": world.user("secretary").pk, "role": "principal"}
    )
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not sm.SchoolRole.objects.filter(user=world.user("secretary"), role="principal").exists()
    assert not _entries("schools.schoolrole").exists()


@pytest.mark.parametrize("role", ["principal", "deputy_principal", "secretary"])
@pytest.mark.parametrize("holder", ["secretary", "teacher_in"])
def test_nobody_grants_a_role_at_or_above_their_own(world, secretary, role, holder):
    """Neither to herself nor to a colleague: the add form's choices and a forged POST."""
    roles_before = set(sm.SchoolRole.objects.values_list("user_id", "role"))
    response = secretary.post(
        _url("schools.schoolrole", "add"),
        {"school": world.school.pk, "user": world.user(holder).pk, "role": role},
    )
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert set(sm.SchoolRole.objects.values_list("user_id", "role")) == roles_before
    assert not _entries("schools.schoolrole").exists()


def test_a_deputy_grants_below_and_never_principal(world):
    deputy = UserFactory(username="wicedyr", school=world.school, is_staff=True)
    sm.SchoolRole.objects.create(school=world.school, user=deputy, role="deputy_principal")
    client = Client()
    client.force_login(deputy)
    url = _url("schools.schoolrole", "add")
    for role in ("principal", "deputy_principal"):
        response = client.post(url, {"school": world.school.pk, "user": deputy.pk, "role": role})
        assert "role" in response.context["adminform"].form.errors
    response = client.post(
        url, {"school": world.school.pk, "user": world.user("teacher_in").pk, "role": "secretary"}
    )
    assert response.status_code == 302
    entry = _entries("schools.schoolrole", action="create").get()
    assert (entry.actor, entry.changes["role"]) == (deputy, [None, "secretary"])


def test_a_secretary_cannot_revoke_the_principal(world, secretary):
    role = sm.SchoolRole.objects.get(user=world.user("principal"), role="principal")
    response = secretary.post(_url("schools.schoolrole", "delete", role.pk), {"post": "yes"})
    assert response.status_code == 403
    assert sm.SchoolRole.objects.filter(pk=role.pk).exists()
    response = secretary.post(
        reverse("admin:schools_schoolrole_changelist"),
        {"action": "delete_selected", "_selected_action": [role.pk], "post": "yes"},
    )
    assert sm.SchoolRole.objects.filter(pk=role.pk).exists()
    assert not _entries("schools.schoolrole").exists()


def test_an_inline_change_goes_through_the_service(world, secretary):
    """A class's groups edited on the class's page: renamed, added and removed."""
    kept = sm.ClassGroup.objects.create(school_class=world.school_class, name="ang. 1")
    removed = sm.ClassGroup.objects.create(school_class=world.school_class, name="ang. 2")
    url = _url("schools.schoolclass", "change", world.school_class.pk)
    data = page_data(secretary.get(url))
    rows = {data[f"groups-{i}-id"]: i for i in range(2)}
    data[f"groups-{rows[kept.pk]}-name"] = "ang. A"
    data[f"groups-{rows[removed.pk]}-DELETE"] = "on"
    data.update({"groups-TOTAL_FORMS": "3", "groups-2-name": "ang. B"})
    response = secretary.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(world.school_class.groups.values_list("name", flat=True)) == {"ang. A", "ang. B"}
    done = sorted(
        (e.action, e.object_repr, str(e.changes.get("name")))
        for e in _entries("schools.classgroup")
    )
    assert done == [
        ("create", "4a ang. B", "[None, 'ang. B']"),
        ("delete", "4a ang. 2", "['ang. 2', None]"),
        ("update", "4a ang. A", "['ang. 1', 'ang. A']"),
    ]
    assert {e.actor_id for e in _entries("schools.classgroup")} == {world.user("secretary").pk}


def test_a_superuser_cannot_be_made_through_a_secretarys_post(world, secretary):
    teacher = world.user("teacher_in")
    url = _url("accounts.user", "change", teacher.pk)
    data = page_data(secretary.get(url)) | {"is_superuser": "on", "last_name": "Nowak"}
    assert secretary.post(url, data).status_code == 302
    teacher.refresh_from_db()
    assert (teacher.is_superuser, teacher.last_name) == (False, "Nowak")
    entry = _entries("accounts.user", action="update").get()
    assert entry.changes == {"last_name": ["Lewandowski", "Nowak"]}


def test_the_system_administrators_account_is_out_of_reach(world, secretary):
    root = User.objects.create_superuser("root", password="x-Very-long-pass-1")
    root.school = world.school
    root.save()
    assert secretary.get(_url("accounts.user", "change", root.pk)).status_code == 302
    response = secretary.post(_url("accounts.user", "delete", root.pk), {"post": "yes"})
    assert response.status_code == 302  # "does not exist", back to the index
    assert User.objects.filter(pk=root.pk).exists()
    assert not _entries("accounts.user").exists()
