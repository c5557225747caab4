"""The configuration scope is per school: a row of every model of ``CONFIG_MODELS`` moves
the version of its own school, and of no other (``core.cache.config_scope``)."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dziennik.accounts.tests.factories import UserFactory
from dziennik.attendance.models import AttendanceSettings, SubjectExemption
from dziennik.attendance.services import attendance_kinds_ensure_defaults
from dziennik.attendance.tests.factories import make_slots
from dziennik.behaviour.models import BehaviourCategory, BehaviourSettings
from dziennik.core import cache, cache_guard
from dziennik.core.apps import CONFIG_MODELS, SELF_SCOPED
from dziennik.grades.services import grading_setup_defaults
from dziennik.keystroke.models import KeystrokeSettings
from dziennik.lucky.models import LuckySettings
from dziennik.meetings.models import MeetingSettings
from dziennik.messaging.models import MessagingSettings
from dziennik.planner.models import PlannerSettings
from dziennik.plans.models import PlanSettings
from dziennik.plans.services import leaflet_configuration
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from dziennik.timetable.models import Room, TimetableChange, TimetableEntry


def _rows_of_the_other_school(world) -> dict[str, object]:
    """One row of every configuration model, all in the world's other school."""
    school = world.other_school
    year = sm.SchoolYear.objects.get(school=school)
    school_class = sm.SchoolClass.objects.get(school=school)
    teacher = UserFactory(school=school)
    subject = sf.SubjectFactory(school=school)
    student = sf.StudentFactory(school=school)
    guardian = sf.GuardianFactory(school=school)
    slot = make_slots(school)[1]
    entry = TimetableEntry.objects.create(
        school=school,
        school_class=school_class,
        weekday=1,
        slot=slot,
        subject=subject,
        teacher=teacher,
        valid_from=year.start_date,
    )
    grading_setup_defaults(school=school)
    attendance_kinds_ensure_defaults(school=school)
    rows = {
        "accounts.User": teacher,
        "schools.School": school,
        "schools.SchoolYear": year,
        "schools.Term": sf.TermFactory(school_year=year),
        "schools.DayOff": sm.DayOff.objects.create(
            school=school,
            school_year=year,
            kind=sm.DayOff.Kind.SCHOOL_FREE_DAY,
            name="Dzień wolny",
            date_from=year.start_date,
            date_to=year.start_date,
        ),
        "schools.LessonSlot": slot,
        "schools.Subject": subject,
        "schools.SchoolClass": school_class,
        "schools.Family": sm.Family.objects.create(school=school, name="Obcy"),
        "schools.Student": student,
        "schools.Enrolment": sf.EnrolmentFactory(student=student, school_class=school_class),
        "schools.ClassGroup": sm.ClassGroup.objects.create(school_class=school_class, name="gr1"),
        "schools.Guardian": guardian,
        "schools.Guardianship": sf.GuardianshipFactory(guardian=guardian, student=student),
        "schools.SchoolRole": sm.SchoolRole.objects.get(school=school),
        "schools.TeachingAssignment": sf.TeachingAssignmentFactory(
            school=school, teacher=teacher, subject=subject, school_class=school_class
        ),
        "timetable.Room": Room.objects.create(school=school, name="7"),
        "timetable.TimetableEntry": entry,
        "timetable.TimetableChange": TimetableChange.objects.create(
            school=school,
            entry=entry,
            date=year.start_date,
            kind=TimetableChange.Kind.CANCELLATION,
        ),
        "attendance.AttendanceSettings": AttendanceSettings.objects.create(school=school),
        "behaviour.BehaviourSettings": BehaviourSettings.objects.create(school=school),
        "behaviour.BehaviourCategory": BehaviourCategory.objects.create(
            school=school, name="aktywność", kind="positive"
        ),
        "lucky.LuckySettings": LuckySettings.objects.create(school=school),
        "keystroke.KeystrokeSettings": KeystrokeSettings.objects.create(
            school=school, threshold=Decimal("1.50")
        ),
        "meetings.MeetingSettings": MeetingSettings.objects.create(school=school),
        "messaging.MessagingSettings": MessagingSettings.objects.create(school=school),
        "planner.PlannerSettings": PlannerSettings.objects.create(school=school),
        "attendance.SubjectExemption": SubjectExemption.objects.create(
            school=school,
            student=student,
            subject=subject,
            date_from=year.start_date,
            date_to=year.start_date + datetime.timedelta(days=30),
        ),
    }
    leaflet = leaflet_configuration(school=school, year_start=year.start_date.year)
    rows.update(
        {
            "plans.PlanSettings": PlanSettings.objects.get(school=school),
            "plans.Plan": leaflet["extended"],
            "plans.Package": leaflet["single"],
            "plans.Promotion": leaflet["single"].promotions.get(),
            "plans.Offer": leaflet["offer"],
        }
    )
    for label in CONFIG_MODELS:
        if label not in rows:  # the defaults of the grading and attendance rules
            rows[label] = apps.get_model(label).objects.filter(school=school).first()
    return rows


def _versions(world) -> tuple[str, str]:
    return cache.versions(
        cache.config_scope(world.school.pk), cache.config_scope(world.other_school.pk)
    )


@pytest.mark.parametrize("label", sorted(CONFIG_MODELS))
def test_a_row_of_every_configuration_model_moves_only_its_own_school(world, label):
    row = _rows_of_the_other_school(world)[label]
    assert row is not None, f"no {label} row to test with"
    model = apps.get_model(label)
    # read afresh, so a row reached through a relation finds its school with a query
    fresh = model._base_manager.get(pk=row.pk)
    assert cache.config_school_of(fresh) == world.other_school.pk
    assert cache.config_school_of(row) == world.other_school.pk  # relation already loaded
    before = _versions(world)
    fresh.save()
    after = _versions(world)
    assert after[1] != before[1], "the other school's configuration did not move"
    assert after[0] == before[0], "the world's school's pages were invalidated too"


def test_every_model_of_a_school_is_configuration_or_guarded_register_data():
    """A new model that belongs to a school is either in ``CONFIG_MODELS`` (its saves move
    the school's configuration) or register data that the history moves (and the guard
    watches): never cached silently."""
    unsorted = []
    for model in apps.get_models():
        belongs = any(
            (f.many_to_one or f.one_to_one) and f.related_model is sm.School
            for f in model._meta.concrete_fields
        )
        label = model._meta.label
        if not model.__module__.startswith("dziennik.") or not belongs:
            continue
        if label not in (*CONFIG_MODELS, *SELF_SCOPED) and model not in cache_guard._row_scopes:
            unsorted.append(label)
    assert unsorted == ["core.AuditEntry"]  # the history itself


def test_a_deleted_row_moves_its_school(world):
    rows = _rows_of_the_other_school(world)
    before = _versions(world)
    rows["schools.Enrolment"].delete()
    after = _versions(world)
    assert after[1] != before[1] and after[0] == before[0]


def test_a_group_membership_moves_the_groups_school(world):
    rows = _rows_of_the_other_school(world)
    before = _versions(world)
    rows["schools.ClassGroup"].students.add(rows["schools.Student"])
    after = _versions(world)
    assert after[1] != before[1] and after[0] == before[0]


def test_a_user_without_a_school_moves_the_scope_of_no_school(world):
    admin = UserFactory(school=None, is_superuser=True, is_staff=True)
    no_school = cache.config_scope(None)
    before = (*_versions(world), *cache.versions(no_school))
    admin.first_name = "Root"
    admin.save()
    after = (*_versions(world), *cache.versions(no_school))
    assert after[:2] == before[:2]  # no school's pages show such a user
    assert after[2] != before[2]


def test_a_login_moves_nothing(world):
    user = world.user("own_parent")
    before = _versions(world)
    user.save(update_fields=["last_login"])
    assert _versions(world) == before


def test_a_wrong_path_fails_when_the_table_is_read():
    with pytest.raises(Exception, match="no field named 'schol'"):
        cache.school_resolver(sm.Subject, "schol")
    with pytest.raises(ValueError, match="more than one step"):
        cache.school_resolver(sm.Term, "school_year__school__name")


def test_the_rows_of_one_deletion_look_their_school_up_once(world):
    school_class = sm.SchoolClass.objects.get(school=world.other_school)
    for number in range(5):
        student = sf.StudentFactory(school=world.other_school)
        sf.EnrolmentFactory(student=student, school_class=school_class, journal_number=number)
    before = _versions(world)
    with CaptureQueriesContext(connection) as queries:
        sm.Enrolment.objects.filter(school_class=school_class).delete()
    lookups = [q["sql"] for q in queries if 'FROM "schools_schoolclass"' in q["sql"]]
    assert len(lookups) == 1
    after = _versions(world)
    assert after[1] != before[1] and after[0] == before[0]
