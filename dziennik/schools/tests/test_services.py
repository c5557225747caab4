"""The school services: every write validated, in one transaction, in the history with
old and new values; refused input and refused actors change nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dziennik.accounts.tests.factories import UserFactory
from dziennik.core.models import AuditEntry
from dziennik.schools import models as sm
from dziennik.schools import services
from dziennik.schools.tests import factories as sf


def entries(**filters):
    return AuditEntry.objects.filter(**filters).order_by("pk")


@pytest.fixture
def secretary(world):
    return world.user("secretary")


def state():
    """Everything a refused write must leave alone."""
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (
            sm.SchoolYear,
            sm.Term,
            sm.Subject,
            sm.SchoolClass,
            sm.ClassGroup,
            sm.Student,
            sm.Enrolment,
            sm.Guardian,
            sm.Guardianship,
            sm.Family,
            sm.SchoolRole,
            sm.TeachingAssignment,
            AuditEntry,
        )
    } | {
        "enrolments": sorted(
            sm.Enrolment.objects.values_list("pk", "school_class_id", "journal_number", "end_date")
        ),
        "subjects": sorted(sm.Subject.objects.values_list("pk", "name")),
    }


# --- history: created, changed, deleted ------------------------------------------------


def test_create_update_delete_record_old_and_new_values(world, secretary):
    subject = services.subject_create(
        actor=secretary, school=world.school, name="Chemia", short_name="chem"
    )
    created = entries(content_type__model="subject", action="create").get()
    assert created.actor == secretary
    assert created.school_id == world.school.pk
    assert created.changes == {
        "school": [None, world.school.pk],
        "name": [None, "Chemia"],
        "short_name": [None, "chem"],
        "counts_towards_average": [None, True],
    }

    services.subject_update(actor=secretary, subject=subject, name="Chemia rozszerzona")
    updated = entries(content_type__model="subject", action="update").get()
    assert updated.changes == {"name": ["Chemia", "Chemia rozszerzona"]}
    subject.refresh_from_db()
    assert subject.name == "Chemia rozszerzona"

    services.subject_delete(actor=secretary, subject=subject)
    deleted = entries(content_type__model="subject", action="delete").get()
    assert deleted.changes["name"] == ["Chemia rozszerzona", None]
    assert not sm.Subject.objects.filter(pk=subject.pk).exists()


def test_an_update_that_changes_nothing_writes_nothing(world, secretary):
    before = state()
    services.subject_update(actor=secretary, subject=world.subject, name="Matematyka")
    assert state() == before


def test_an_update_names_only_the_fields_its_service_allows(world, secretary):
    before = state()
    with pytest.raises(TypeError):
        services.subject_update(actor=secretary, subject=world.subject, school=world.other_school)
    assert state() == before


# --- refused input and refused actors change nothing ----------------------------------


def test_invalid_input_is_a_validation_error_and_changes_nothing(world, secretary):
    before = state()
    with pytest.raises(ValidationError) as excinfo:
        services.subject_create(actor=secretary, school=world.school, name="Matematyka")
    assert [error.code for error in excinfo.value.error_dict["__all__"]] == ["unique_together"]
    with pytest.raises(ValidationError):
        services.subject_update(actor=secretary, subject=world.other_subject, name="Matematyka")
    with pytest.raises(ValidationError):
        services.term_create(
            actor=secretary,
            school_year=world.year,
            number=3,
            start_date=world.year.end_date,
            end_date=world.year.end_date + datetime.timedelta(days=30),
        )
    with pytest.raises(ValidationError) as excinfo:  # Kacper is in 4a already
        services.student_enrol(
            actor=secretary,
            student=world.classmate,
            school_class=world.other_class,
            journal_number=9,
            start_date=world.year.start_date,
        )
    assert excinfo.value.messages == ["Uczeń jest już w oddziale."]
    assert state() == before
    world.other_subject.refresh_from_db()
    assert world.other_subject.name == "Historia"


def test_rows_never_cross_schools(world, secretary):
    foreign_subject = sf.SubjectFactory(school=world.other_school, name="Obcy")
    foreign_student = sf.StudentFactory(school=world.other_school)
    foreign_guardian = sf.GuardianFactory(school=world.other_school)
    before = state()
    with pytest.raises(ValidationError) as excinfo:
        services.teaching_assignment_create(
            actor=secretary,
            teacher=world.user("teacher_in"),
            subject=foreign_subject,
            school_class=world.school_class,
        )
    assert excinfo.value.message_dict == {"subject": ["To należy do innej szkoły."]}
    with pytest.raises(ValidationError):
        services.guardianship_create(
            actor=secretary, guardian=foreign_guardian, student=world.student, relation="mother"
        )
    with pytest.raises(PermissionDenied):  # another school's student: not hers to touch
        services.guardianship_create(
            actor=secretary, guardian=world.own_guardian, student=foreign_student, relation="mother"
        )
    with pytest.raises(ValidationError):
        services.class_group_create(
            actor=secretary, school_class=world.school_class, name="x", students=[foreign_student]
        )
    assert state() == before


@pytest.mark.parametrize("role", ["teacher_in", "class_teacher", "own_parent", "other_principal"])
def test_only_the_schools_office_writes_its_structure(world, role):
    before = state()
    with pytest.raises(PermissionDenied):
        services.subject_create(actor=world.user(role), school=world.school, name="Chemia")
    with pytest.raises(PermissionDenied):
        services.student_update(actor=world.user(role), student=world.student, pesel="")
    with pytest.raises(PermissionDenied):
        services.school_class_delete(actor=world.user(role), school_class=world.other_class)
    assert state() == before


def test_the_system_and_the_principal_write_too(world):
    services.subject_create(actor=None, school=world.school, name="Chemia")
    services.subject_create(actor=world.user("principal"), school=world.school, name="Fizyka")
    authors = dict(entries(content_type__model="subject").values_list("object_repr", "actor_id"))
    assert authors == {"Chemia": None, "Fizyka": world.user("principal").pk}


def test_a_new_school_is_the_system_administrators(world, secretary):
    with pytest.raises(PermissionDenied):
        services.school_create(
            actor=secretary, name="Nowa", school_type="primary", voivodeship="mazowieckie"
        )
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    school = services.school_create(
        actor=root, name="Nowa", school_type="primary", voivodeship="mazowieckie"
    )
    entry = entries(content_type__model="school").get()
    assert (entry.actor, entry.school_id, entry.changes["name"]) == (
        root,
        school.pk,
        [None, "Nowa"],
    )


# --- enrolment: enrol, transfer, leave, renumber ---------------------------------------


def test_admit_enrol_transfer_and_leave(world, secretary):
    start = world.year.start_date
    hanna = services.student_admit(
        actor=secretary,
        school_class=world.school_class,
        journal_number=3,
        start_date=start,
        first_name="Hanna",
        last_name="Ślusarczyk",
        birth_date=datetime.date(2016, 3, 4),
    )
    admitted = entries(student=hanna, action="create")
    assert [e.content_type.model for e in admitted] == ["student", "enrolment"]
    assert {e.school_class_id for e in admitted} == {world.school_class.pk}

    day = start + datetime.timedelta(days=40)
    new = services.student_transfer(
        actor=secretary, student=hanna, school_class=world.other_class, journal_number=1, on=day
    )
    old = sm.Enrolment.objects.get(student=hanna, school_class=world.school_class)
    assert old.end_date == day
    assert (new.school_class, new.journal_number, new.start_date, new.end_date) == (
        world.other_class,
        1,
        day,
        None,
    )
    ended = entries(student=hanna, action="update", content_type__model="enrolment").get()
    assert ended.changes == {"end_date": [None, day.isoformat()]}
    assert ended.school_class_id == world.school_class.pk

    with pytest.raises(ValidationError):
        services.student_transfer(
            actor=secretary, student=hanna, school_class=world.other_class, journal_number=2, on=day
        )
    left_on = day + datetime.timedelta(days=10)
    services.student_leave(actor=secretary, student=hanna, on=left_on)
    assert not sm.Enrolment.objects.filter(student=hanna, end_date__isnull=True).exists()
    before = state()
    with pytest.raises(ValidationError) as excinfo:
        services.student_leave(actor=secretary, student=hanna, on=left_on)
    assert excinfo.value.messages == ["Hanna Ślusarczyk nie jest w żadnym oddziale."]
    assert state() == before


def test_a_taken_journal_number_is_refused(world, secretary):
    newcomer = sf.StudentFactory(school=world.school)
    before = state()
    with pytest.raises(ValidationError) as excinfo:
        services.student_enrol(
            actor=secretary,
            student=newcomer,
            school_class=world.school_class,
            journal_number=1,  # Zofia's
            start_date=world.year.start_date,
        )
    assert [error.code for error in excinfo.value.error_dict["__all__"]] == ["journal_number_taken"]
    assert state() == before


def test_journal_numbers_can_be_swapped_at_once(world, secretary):
    zofia = sm.Enrolment.objects.get(student=world.student, end_date__isnull=True)
    kacper = sm.Enrolment.objects.get(student=world.classmate, end_date__isnull=True)
    services.enrolment_renumber(actor=secretary, numbers=[(zofia, 2), (kacper, 1)])
    numbers = dict(
        sm.Enrolment.objects.filter(end_date__isnull=True).values_list(
            "student_id", "journal_number"
        )
    )
    assert numbers == {world.student.pk: 2, world.classmate.pk: 1}
    changes = {
        e.student_id: e.changes for e in entries(action="update", content_type__model="enrolment")
    }
    # The parked numbers never show: only the real old and new ones.
    assert changes == {
        world.student.pk: {"journal_number": [1, 2]},
        world.classmate.pk: {"journal_number": [2, 1]},
    }


# --- groups, guardians, families -------------------------------------------------------


def test_group_members_are_recorded_as_ids_before_and_after(world, secretary):
    group = services.class_group_create(
        actor=secretary, school_class=world.school_class, name="ang. 1", students=[world.student]
    )
    services.class_group_update(
        actor=secretary, class_group=group, students=[world.student, world.classmate]
    )
    members = [
        e.changes for e in entries(content_type__model="classgroup", action="update").order_by("pk")
    ]
    assert members == [
        {"students": [[], [world.student.pk]]},
        {"students": [[world.student.pk], sorted([world.student.pk, world.classmate.pk])]},
    ]
    assert set(group.students.all()) == {world.student, world.classmate}
    assert {e.school_class_id for e in entries(content_type__model="classgroup")} == {
        world.school_class.pk
    }


def test_guardian_entered_for_a_student_shows_on_their_history(world, secretary):
    guardian = services.guardian_create(
        actor=secretary,
        school=world.school,
        first_name="Łukasz",
        last_name="Wiśniewski",
        for_student=world.student,
    )
    link = services.guardianship_create(
        actor=secretary, guardian=guardian, student=world.student, relation="father"
    )
    services.guardianship_update(
        actor=secretary,
        guardianship=link,
        access=sm.Guardianship.Access.COURT_LIMITED,
        court_order_reference="III RC 12/26",
    )
    history = entries(student=world.student)
    assert [(e.content_type.model, e.action) for e in history] == [
        ("guardian", "create"),
        ("guardianship", "create"),
        ("guardianship", "update"),
    ]
    assert history.last().changes == {
        "access": ["full", "court_limited"],
        "court_order_reference": ["", "III RC 12/26"],
    }


def test_a_court_limit_needs_its_reference(world, secretary):
    link = sm.Guardianship.objects.get(guardian=world.own_guardian)
    before = state()
    with pytest.raises(ValidationError) as excinfo:
        services.guardianship_update(
            actor=secretary, guardianship=link, access=sm.Guardianship.Access.COURT_LIMITED
        )
    assert excinfo.value.messages == ["Ograniczenie orzeczeniem sądu wymaga sygnatury orzeczenia."]
    assert state() == before
    link.refresh_from_db()
    assert link.access == sm.Guardianship.Access.FULL


def test_family_membership_is_a_change_of_the_member(world, secretary):
    family = services.family_create(actor=secretary, school=world.school, name="Nowakowie")
    services.student_update(actor=secretary, student=world.classmate, family=family)
    entry = entries(content_type__model="student", action="update").get()
    assert entry.student_id == world.classmate.pk
    assert entry.changes == {"family": [world.other_guardian.family_id, family.pk]}
    world.classmate.refresh_from_db()
    assert world.classmate.family == family


# --- roles: only below one's own -------------------------------------------------------


def test_a_secretary_cannot_make_herself_principal(world, secretary):
    before = state()
    for role in ("principal", "deputy_principal", "secretary"):
        with pytest.raises(PermissionDenied):
            services.school_role_grant(
                actor=secretary, school=world.school, user=secretary, role=role
            )
    principal_role = sm.SchoolRole.objects.get(user=world.user("principal"), role="principal")
    with pytest.raises(PermissionDenied):
        services.school_role_revoke(actor=secretary, school_role=principal_role)
    assert state() == before


def test_roles_below_ones_own_are_granted_and_revoked(world, secretary):
    teacher = world.user("teacher_in")
    role = services.school_role_grant(
        actor=secretary, school=world.school, user=teacher, role="council_member"
    )
    granted = entries(content_type__model="schoolrole", action="create").get()
    assert granted.changes["role"] == [None, "council_member"]
    assert granted.changes["user"] == [None, teacher.pk]
    services.school_role_revoke(actor=secretary, school_role=role)
    assert entries(content_type__model="schoolrole", action="delete").count() == 1
    # The principal may appoint a secretary, but not another principal.
    services.school_role_grant(
        actor=world.user("principal"), school=world.school, user=teacher, role="secretary"
    )
    with pytest.raises(PermissionDenied):
        services.school_role_grant(
            actor=world.user("principal"), school=world.school, user=teacher, role="principal"
        )


def test_a_role_goes_to_an_account_of_the_school(world, secretary):
    outsider = world.user("other_principal")
    before = state()
    with pytest.raises(ValidationError):
        services.school_role_grant(
            actor=secretary, school=world.school, user=outsider, role="teacher"
        )
    assert state() == before


def test_names_keep_no_control_characters_and_stay_within_their_columns(world, secretary):
    """What reaches the services from anywhere (the admin's forms, scripts) is cleaned of
    NUL and line breaks, which PostgreSQL and the download names refuse."""
    family = services.family_create(actor=secretary, school=world.school, name="Nowa\x00kowie")
    assert family.name == "Nowakowie"
    services.school_class_update(actor=secretary, school_class=world.other_class, name="4b\r\n")
    world.other_class.refresh_from_db()
    assert world.other_class.name == "4b"
    before = state()
    with pytest.raises(ValidationError):
        services.family_create(actor=secretary, school=world.school, name="x" * 101)
    assert state() == before
