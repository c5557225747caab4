"""The school-setup admin: one school per secretary, every change in the history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import UserFactory
from dziennik.core.models import AuditEntry
from dziennik.schools import models as sm
from dziennik.schools import services
from dziennik.schools.tests import factories as sf

MODELS = [
    "schools/school",
    "schools/schoolyear",
    "schools/dayoff",
    "schools/lessonslot",
    "schools/subject",
    "schools/schoolclass",
    "schools/classgroup",
    "schools/student",
    "schools/guardian",
    "schools/family",
    "schools/schoolrole",
    "schools/teachingassignment",
    "accounts/user",
]


@pytest.fixture
def secretary(world) -> Client:
    user = world.user("secretary")
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def principal(world) -> Client:
    user = world.user("principal")
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def foreign(world):
    """Rows of the other school that the secretary must never see."""
    year = sm.SchoolYear.objects.get(school=world.other_school)
    school_class = sm.SchoolClass.objects.get(school=world.other_school)
    student = sf.StudentFactory(school=world.other_school, first_name="Ignacy", last_name="Obcy")
    guardian = sf.GuardianFactory(school=world.other_school, first_name="Ida", last_name="Obca")
    subject = sf.SubjectFactory(school=world.other_school, name="Obcy przedmiot")
    user = UserFactory(school=world.other_school, username="obcy-nauczyciel", last_name="Obcy")
    return {
        "year": year,
        "class": school_class,
        "student": student,
        "guardian": guardian,
        "subject": subject,
        "user": user,
    }


def changelist(model: str) -> str:
    app, name = model.split("/")
    return reverse(f"admin:{app}_{name}_changelist")


@pytest.mark.parametrize("model", MODELS)
def test_secretary_sees_own_school_only(world, secretary, foreign, model):
    response = secretary.get(changelist(model))
    assert response.status_code == 200
    content = response.content.decode()
    for secret in ("Obcy", "Obca", world.other_school.name):
        assert secret not in content
    shown = response.context["cl"].queryset
    assert shown.model._meta.label_lower == model.replace("/", ".")


def test_changelists_list_exactly_the_schools_rows(world, secretary, foreign):
    students = secretary.get(changelist("schools/student")).context["cl"].queryset
    assert set(students) == {world.student, world.classmate}
    users = secretary.get(changelist("accounts/user")).context["cl"].queryset
    assert foreign["user"] not in users
    assert world.user("principal") in users
    schools = secretary.get(changelist("schools/school")).context["cl"].queryset
    assert list(schools) == [world.school]


def test_foreign_objects_cannot_be_opened(world, secretary, foreign):
    for obj, name in (
        (foreign["student"], "student"),
        (foreign["subject"], "subject"),
        (foreign["guardian"], "guardian"),
        (world.other_school, "school"),
    ):
        url = reverse(f"admin:schools_{name}_change", args=[obj.pk])
        response = secretary.get(url)
        assert response.status_code == 302  # "does not exist", back to the index
        assert "Obcy" not in secretary.get(response["Location"]).content.decode()
    url = reverse("admin:accounts_user_change", args=[foreign["user"].pk])
    assert secretary.get(url).status_code == 302


def test_relation_choices_are_limited_to_the_school(world, secretary, principal, foreign):
    response = secretary.get(reverse("admin:schools_schoolclass_add"))
    form = response.context["adminform"].form
    assert set(form.fields["school_year"].queryset) == {world.year}
    assert set(form.fields["school"].queryset) == {world.school}
    response = principal.get(reverse("admin:schools_schoolclass_add"))
    form = response.context["adminform"].form
    assert foreign["user"] not in form.fields["class_teacher"].queryset
    response = secretary.get(reverse("admin:schools_teachingassignment_add"))
    form = response.context["adminform"].form
    assert foreign["subject"] not in form.fields["subject"].queryset
    assert foreign["class"] not in form.fields["school_class"].queryset


def test_autocomplete_stays_in_the_school(world, secretary, principal, foreign):
    response = principal.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "schools",
            "model_name": "schoolclass",
            "field_name": "class_teacher",
            "term": "Obcy",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == []
    response = secretary.get(
        reverse("admin:autocomplete"),
        {"app_label": "schools", "model_name": "classgroup", "field_name": "students", "term": ""},
    )
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {world.student.pk, world.classmate.pk}


def test_posting_another_schools_id_is_refused(world, secretary, foreign):
    before = sm.Subject.objects.count()
    response = secretary.post(
        reverse("admin:schools_subject_add"),
        {"school": world.other_school.pk, "name": "Wtargnięcie", "short_name": ""},
    )
    assert response.status_code == 200  # the form again, with an error
    assert "school" in response.context["adminform"].form.errors
    assert sm.Subject.objects.count() == before


def test_change_is_recorded_with_the_secretary_as_author(world, secretary):
    url = reverse("admin:schools_subject_change", args=[world.subject.pk])
    response = secretary.post(
        url,
        {
            "school": world.school.pk,
            "name": "Matematyka rozszerzona",
            "short_name": "mat",
            "counts_towards_average": "on",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(content_type__model="subject", action="update")
    assert entry.actor == world.user("secretary")
    assert entry.school_id == world.school.pk
    assert entry.changes == {
        "name": ["Matematyka", "Matematyka rozszerzona"],
        "short_name": ["", "mat"],
    }


def test_student_with_inline_enrolment_is_recorded(world, secretary):
    data = {
        "first_name": "Hanna",
        "second_name": "",
        "last_name": "Ślusarczyk",
        "external_id": "A-7",
        "birth_date": "2016-03-04",
        "birth_place": "Łódź",
        "pesel": "",
        "address": "",
        "family": "",
        "user": "",
        "enrolments-TOTAL_FORMS": "1",
        "enrolments-INITIAL_FORMS": "0",
        "enrolments-MIN_NUM_FORMS": "0",
        "enrolments-MAX_NUM_FORMS": "1000",
        "enrolments-0-school_class": world.school_class.pk,
        "enrolments-0-journal_number": "3",
        "enrolments-0-start_date": world.year.start_date.isoformat(),
        "enrolments-0-end_date": "",
        "guardianships-TOTAL_FORMS": "0",
        "guardianships-INITIAL_FORMS": "0",
        "guardianships-MIN_NUM_FORMS": "0",
        "guardianships-MAX_NUM_FORMS": "1000",
    }
    response = secretary.post(reverse("admin:schools_student_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    hanna = sm.Student.objects.get(external_id="A-7")
    assert hanna.school == world.school  # filled in from the secretary's school
    entries = AuditEntry.objects.filter(student=hanna, action="create")
    assert sorted(e.content_type.model for e in entries) == ["enrolment", "student"]
    enrolment_entry = entries.get(content_type__model="enrolment")
    assert enrolment_entry.school_class == world.school_class
    assert enrolment_entry.actor == world.user("secretary")
    assert enrolment_entry.changes["journal_number"] == [None, 3]

    # Ending the enrolment through the inline is an update in the history.
    enrolment = hanna.enrolments.get()
    data.update(
        {
            "enrolments-INITIAL_FORMS": "1",
            "enrolments-0-id": enrolment.pk,
            "enrolments-0-student": hanna.pk,
            "enrolments-0-end_date": (world.year.start_date + datetime.timedelta(9)).isoformat(),
        }
    )
    response = secretary.post(reverse("admin:schools_student_change", args=[hanna.pk]), data)
    assert response.status_code == 302
    update = AuditEntry.objects.get(content_type__model="enrolment", action="update")
    assert update.changes == {
        "end_date": [None, (world.year.start_date + datetime.timedelta(9)).isoformat()]
    }


def test_group_members_change_is_recorded(world, secretary):
    group = sm.ClassGroup.objects.create(school_class=world.school_class, name="ang. 1")
    response = secretary.post(
        reverse("admin:schools_classgroup_change", args=[group.pk]),
        {
            "school_class": world.school_class.pk,
            "name": "ang. 1",
            "students": [world.student.pk, world.classmate.pk],
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(content_type__model="classgroup")
    assert entry.changes == {"students": [[], sorted([world.student.pk, world.classmate.pk])]}
    assert entry.school_class == world.school_class


def test_delete_is_recorded(world, secretary):
    subject = sf.SubjectFactory(school=world.school, name="Chemia")
    url = reverse("admin:schools_subject_delete", args=[subject.pk])
    response = secretary.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not sm.Subject.objects.filter(pk=subject.pk).exists()
    entry = AuditEntry.objects.get(content_type__model="subject", action="delete")
    assert entry.changes["name"] == ["Chemia", None]
    assert entry.actor == world.user("secretary")


def test_bulk_delete_action_is_recorded(world, secretary):
    first = sf.SubjectFactory(school=world.school, name="Chemia")
    second = sf.SubjectFactory(school=world.school, name="Fizyka")
    response = secretary.post(
        changelist("schools/subject"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(content_type__model="subject", action="delete").count() == 2


def test_secretary_cannot_add_or_delete_schools(world, secretary):
    assert secretary.get(reverse("admin:schools_school_add")).status_code == 403
    url = reverse("admin:schools_school_delete", args=[world.school.pk])
    assert secretary.post(url, {"post": "yes"}).status_code == 403
    assert sm.School.objects.filter(pk=world.school.pk).exists()


def test_secretary_cannot_make_a_superuser(world, secretary):
    teacher = world.user("teacher_in")
    url = reverse("admin:accounts_user_change", args=[teacher.pk])
    form = secretary.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "groups" not in form.fields
    assert set(form.fields["school"].queryset) == {world.school}
    response = secretary.post(
        url,
        {
            "username": teacher.username,
            "first_name": teacher.first_name,
            "last_name": "Lewandowski-Nowak",
            "email": "",
            "school": world.school.pk,
            "must_change_password": "on",
            "is_active": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-09-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    teacher.refresh_from_db()
    assert teacher.is_superuser is False
    assert teacher.must_change_password is True
    entry = AuditEntry.objects.get(content_type__model="user", action="update")
    assert entry.changes["last_name"] == ["Lewandowski", "Lewandowski-Nowak"]
    assert entry.changes["must_change_password"] == [False, True]


def test_password_set_by_the_secretary_is_recorded(world, secretary):
    parent = world.user("own_parent")
    url = reverse("admin:auth_user_password_change", args=[parent.pk])
    response = secretary.post(
        url, {"password1": "Nowe-haslo-2026!", "password2": "Nowe-haslo-2026!"}
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.check_password("Nowe-haslo-2026!")
    entry = AuditEntry.objects.get(content_type__model="user", action="update")
    assert entry.changes == {"password": ["***", "***"]}
    assert entry.actor == world.user("secretary")
    assert "Nowe-haslo" not in str(entry.changes)


def test_superusers_are_hidden_from_the_secretary(world, secretary):
    root = User.objects.create_superuser("root", password="x-Very-long-pass-1")
    root.school = world.school
    root.save()
    users = secretary.get(changelist("accounts/user")).context["cl"].queryset
    assert root not in users


@pytest.mark.parametrize("role", ["teacher_in", "class_teacher", "own_parent"])
def test_staff_flag_without_a_school_wide_role_gives_nothing(world, role):
    user = world.user(role)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    assert client.get(changelist("schools/student")).status_code == 403
    assert client.get(reverse("admin:index")).context["app_list"] == []


def test_non_staff_secretary_is_sent_to_the_admin_login(world):
    client = Client()
    client.force_login(world.user("secretary"))
    response = client.get(changelist("schools/student"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_superuser_sees_every_school(world, foreign):
    root = User.objects.create_superuser("root", password="x-Very-long-pass-1")
    client = Client()
    client.force_login(root)
    students = client.get(changelist("schools/student")).context["cl"].queryset
    assert foreign["student"] in students and world.student in students


def test_new_year_with_terms_and_days_off_belongs_to_the_school(world, secretary):
    start = world.year.start_date.replace(year=world.year.start_date.year + 1)
    data = {
        "school": world.school.pk,
        "name": f"{start.year}/{start.year + 1}",
        "start_date": start.isoformat(),
        "end_date": start.replace(year=start.year + 1, month=8, day=31).isoformat(),
        "classes_start": start.isoformat(),
        "classes_end": start.replace(year=start.year + 1, month=6, day=26).isoformat(),
        "terms-TOTAL_FORMS": "1",
        "terms-INITIAL_FORMS": "0",
        "terms-MIN_NUM_FORMS": "0",
        "terms-MAX_NUM_FORMS": "1000",
        "terms-0-number": "1",
        "terms-0-start_date": start.isoformat(),
        "terms-0-end_date": start.replace(year=start.year + 1, month=1, day=31).isoformat(),
        "days_off-TOTAL_FORMS": "1",
        "days_off-INITIAL_FORMS": "0",
        "days_off-MIN_NUM_FORMS": "0",
        "days_off-MAX_NUM_FORMS": "1000",
        "days_off-0-kind": "school_free_day",
        "days_off-0-name": "Dzień Edukacji Narodowej",
        "days_off-0-date_from": start.replace(month=10, day=14).isoformat(),
        "days_off-0-date_to": start.replace(month=10, day=14).isoformat(),
    }
    response = secretary.post(reverse("admin:schools_schoolyear_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    year = sm.SchoolYear.objects.get(school=world.school, start_date=start)
    day_off = sm.DayOff.objects.get(school_year=year)
    assert day_off.school == world.school
    entries = AuditEntry.objects.filter(actor=world.user("secretary"), action="create")
    assert sorted(e.content_type.model for e in entries) == ["dayoff", "schoolyear", "term"]
    assert {e.school_id for e in entries} == {world.school.pk}


def test_school_year_must_start_on_1_september(world, secretary):
    before = AuditEntry.objects.count()
    response = secretary.post(
        reverse("admin:schools_schoolyear_add"),
        {
            "school": world.school.pk,
            "name": "zły",
            "start_date": "2030-09-02",
            "end_date": "2031-08-31",
            "classes_start": "2030-09-02",
            "classes_end": "2031-06-26",
            "terms-TOTAL_FORMS": "0",
            "terms-INITIAL_FORMS": "0",
            "days_off-TOTAL_FORMS": "0",
            "days_off-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "start_date" in response.context["adminform"].form.errors
    assert AuditEntry.objects.count() == before


def test_the_secretary_appoints_no_class_teacher(world, secretary, principal):
    """The class teacher is the principal's appointment: the secretary cannot make
    herself (or anyone) the class teacher of a class, in the admin or through the
    service; the principal can, and the history records it."""
    secretary_user = world.user("secretary")
    school_class = world.school_class
    before = school_class.class_teacher_id
    url = reverse("admin:schools_schoolclass_change", args=[school_class.pk])
    form = secretary.get(url).context["adminform"].form
    assert "class_teacher" not in form.fields
    data = {
        "school_year": school_class.school_year_id,
        "name": school_class.name,
        "level": school_class.level,
        "class_teacher": secretary_user.pk,
        "groups-TOTAL_FORMS": 0,
        "groups-INITIAL_FORMS": 0,
    }
    secretary.post(url, data)
    school_class.refresh_from_db()
    assert school_class.class_teacher_id == before
    with pytest.raises(PermissionDenied):
        services.school_class_update(
            actor=secretary_user, school_class=school_class, class_teacher=secretary_user
        )
    teacher = world.user("teacher_in")
    services.school_class_update(
        actor=world.user("principal"), school_class=school_class, class_teacher=teacher
    )
    school_class.refresh_from_db()
    assert school_class.class_teacher == teacher
    assert AuditEntry.objects.filter(
        object_id=str(school_class.pk), changes__class_teacher__isnull=False
    ).exists()


@pytest.mark.parametrize("end", ["9999-12-31", "0001-01-01"])
def test_extreme_dates_are_refused_in_the_admin(world, secretary, end):
    """A day off ending on 31.12.9999 (or in year 1) is refused with the form's error,
    and nothing is stored."""
    url = reverse("admin:schools_dayoff_add")
    before = sm.DayOff.objects.count()
    response = secretary.post(
        url,
        {
            "school_year": world.year.pk,
            "date_from": "2026-12-21",
            "date_to": end,
            "name": "Ferie",
            "kind": "school_free_day",
        },
    )
    assert response.status_code == 200
    assert "Wybierz datę" in response.content.decode()
    assert sm.DayOff.objects.count() == before
