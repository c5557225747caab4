"""Cache scopes are per school: a change of one school's rules rebuilds that school's
cached pages and leaves every other school's pages served from the cache."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dziennik.accounts.tests.factories import TEST_PASSWORD, UserFactory
from dziennik.attendance import settings_services as attendance_rules
from dziennik.attendance.models import AttendanceKind
from dziennik.attendance.services import attendance_kinds_ensure_defaults
from dziennik.grades import services as grades
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf

# A page from the cache costs the session and the user, nothing else.
WARM = 2


@pytest.fixture
def other_family(world, client):
    """A parent in the world's other school, with a child in its class 1a."""
    school = world.other_school
    year = sm.SchoolYear.objects.get(school=school)
    sf.TermFactory(school_year=year)
    parent = UserFactory(school=school, username="rodzic-lo", password=TEST_PASSWORD)
    student = sf.StudentFactory(school=school, first_name="Olga", last_name="Zielińska")
    sf.EnrolmentFactory(student=student, school_class=sm.SchoolClass.objects.get(school=school))
    guardian = sf.GuardianFactory(school=school, user=parent)
    sf.GuardianshipFactory(guardian=guardian, student=student)
    for school in (world.school, world.other_school):
        grades.grading_setup_defaults(school=school)
        attendance_kinds_ensure_defaults(school=school)
    client.force_login(parent)
    return SimpleNamespace(client=client, student=student)


def _pages(student) -> list[str]:
    return [
        "/",
        reverse("grades:student", args=[student.pk]),
        reverse("attendance:student", args=[student.pk]),
    ]


def _get(client, url) -> tuple[bytes, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content, len(queries)


def _rename_a_kind(world):
    kind = AttendanceKind.objects.get(school=world.school, code="nb")
    attendance_rules.attendance_kind_update(
        actor=world.user("principal"), kind=kind, name="Nieobecność (po zmianie)"
    )


def _switch_comparisons_on(world):
    grades.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )


@pytest.mark.parametrize("change", [_rename_a_kind, _switch_comparisons_on])
def test_a_rules_change_in_one_school_leaves_the_other_schools_pages_cached(
    world, other_family, change, assert_warm_queries
):
    ours, theirs = world.client("own_parent"), other_family.client
    our_pages, their_pages = _pages(world.student), _pages(other_family.student)
    for client, pages in ((ours, our_pages), (theirs, their_pages)):
        for url in pages:
            client.get(url)  # the CSRF cookie and the first "last seen" mark
            client.get(url)  # kept in the cache
    kept = {}
    for url in their_pages:
        kept[url], queries = _get(theirs, url)
        assert queries == WARM, f"{url} was not served from the cache"
    for url in our_pages:
        assert _get(ours, url)[1] == WARM

    change(world)

    for url in their_pages:
        with assert_warm_queries(WARM):  # still from the cache
            assert theirs.get(url).content == kept[url]
    for url in our_pages:
        assert _get(ours, url)[1] > WARM, f"{url} was served although its school's rules changed"
