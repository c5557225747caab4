"""Retention (L-13, P-07, M-01): what is due on a given day, exactly; nothing destroyed
without the principal's confirmation; a destruction leaves its protocol and a history
entry, and only the confirmed kind and year go."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dziennik.attendance.models import AttendanceMark, Lesson
from dziennik.core.audit_chain import verify
from dziennik.core.models import AuditEntry
from dziennik.messaging.models import Message, MessagingSettings
from dziennik.promotion.models import PromotionList
from dziennik.retention import selectors, services
from dziennik.retention.models import DestructionProtocol
from dziennik.retention.rules import BY_CODE
from dziennik.schools import models as sm
from dziennik.schools.viewer import get_viewer

from .factories import Records

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2031, 1, 1)


@pytest.fixture
def records(world):
    r = Records(world)
    # lessons: school year 2024/25 (due 1 January 2031, B5) and 2025/26 (due 2032)
    r.old = [r.lesson(datetime.date(2024, 10, 1)), r.lesson(datetime.date(2025, 6, 10))]
    r.newer = r.lesson(datetime.date(2025, 9, 10))
    # messages: 2028/29 (due 1 September 2030, M-01 default) and 2029/30 (due 2031)
    r.old_message = r.message(datetime.date(2029, 5, 1))
    r.newer_message = r.message(datetime.date(2029, 10, 1))
    return r


def _due(world, today):
    states = selectors.due(get_viewer(world.user("principal")), today)
    return {
        state.kind.code: [(item.year, item.counts, item.due_from) for item in state.due]
        for state in states
    }


def test_the_due_list_names_exactly_the_years_whose_period_ended(world, records):
    # another school's old lesson is never in this school's list
    other_class = sm.SchoolClass.objects.create(
        school=world.other_school,
        school_year=sm.SchoolYear.objects.get(school=world.other_school),
        name="3c",
        level=3,
    )
    records.lesson(datetime.date(2015, 3, 3), school=world.other_school, school_class=other_class)

    assert _due(world, TODAY) == {
        "R-01": [(2025, {"attendance.Lesson": 2}, datetime.date(2031, 1, 1))],
        "R-02": [],
        "R-03": [(2029, {"messaging.Message": 1}, datetime.date(2030, 9, 1))],
        "R-04": [],
        "R-05": [],
        "R-06": [],
    }
    # the day before, the lessons of 2024/25 are still kept (five full years)
    day_before = _due(world, TODAY - datetime.timedelta(days=1))
    assert day_before["R-01"] == []
    assert day_before["R-03"] == [(2029, {"messaging.Message": 1}, datetime.date(2030, 9, 1))]
    # a school keeping messages three years: none due yet
    MessagingSettings.objects.create(school=world.school, retention_years=3)
    assert _due(world, TODAY)["R-03"] == []

    states = {s.kind.code: s for s in selectors.due(get_viewer(world.user("principal")), TODAY)}
    assert (states["R-01"].next_year, states["R-01"].next_due_from) == (
        2026,
        datetime.date(2032, 1, 1),
    )


def test_the_command_lists_what_is_due_and_deletes_nothing(world, records):
    out = io.StringIO()
    call_command(
        "retention_due", "--school", str(world.school.pk), "--date", "2031-01-01", stdout=out
    )
    text = out.getvalue()
    assert "R-01 2024/2025: 2 due since 2031-01-01 (attendance.Lesson 2)" in text
    assert "R-03 2028/2029: 1 due since 2030-09-01 (messaging.Message 1)" in text
    assert "R-02" not in text
    out = io.StringIO()
    call_command("retention_due", "--school", str(world.other_school.pk), stdout=out)
    assert "nothing is due" in out.getvalue()
    assert Lesson.objects.count() == 3
    assert Message.objects.count() == 2


def test_a_confirmed_destruction_removes_that_kind_and_year_and_is_recorded(world, records):
    principal = world.user("principal")
    entries_before = AuditEntry.objects.count()
    protocol = services.destruction_confirm(
        actor=principal, kind_code="R-01", year=2025, expected_total=2, today=TODAY
    )
    assert protocol.counts == {"attendance.AttendanceMark": 4, "attendance.Lesson": 2}
    assert protocol.total == 6
    assert (protocol.kind, protocol.school_year, protocol.confirmed_by) == ("R-01", 2025, principal)
    assert protocol.due_from == datetime.date(2031, 1, 1)
    assert list(Lesson.objects.all()) == [records.newer]
    assert AttendanceMark.objects.filter(lesson=records.newer).count() == 2
    assert Message.objects.count() == 2  # another kind: untouched

    # the history: one new entry, the protocol's, chained; nothing rewritten
    assert AuditEntry.objects.count() == entries_before + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.object_id, entry.actor) == ("create", str(protocol.pk), principal)
    assert entry.changes["counts"] == [None, protocol.counts]
    assert verify().ok

    # messages go with their deliveries and their thread left empty
    protocol = services.destruction_confirm(
        actor=principal, kind_code="R-03", year=2029, expected_total=1, today=TODAY
    )
    assert protocol.counts == {
        "messaging.Delivery": 1,
        "messaging.Message": 1,
        "messaging.Thread": 1,
    }
    assert list(Message.objects.all()) == [records.newer_message]


@pytest.mark.parametrize(
    ("kind", "year", "expected", "code"),
    [
        ("R-01", 2026, 1, "not_due"),
        ("R-01", 2025, 3, "changed"),
        ("R-04", 2025, 1, "nothing"),
        ("nope", 2025, 1, "kind"),
    ],
)
def test_a_destruction_not_due_or_not_as_shown_is_refused_and_deletes_nothing(
    world, records, kind, year, expected, code
):
    with pytest.raises(ValidationError) as refused:
        services.destruction_confirm(
            actor=world.user("principal"),
            kind_code=kind,
            year=year,
            expected_total=expected,
            today=TODAY,
        )
    assert [e.code for e in refused.value.error_list] == [code]
    assert Lesson.objects.count() == 3
    assert AttendanceMark.objects.count() == 6
    assert not DestructionProtocol.objects.exists()


@pytest.mark.parametrize("role", ["teacher_in", "class_teacher", "secretary", "own_parent"])
def test_only_the_principal_may_destroy(world, records, role):
    with pytest.raises(Http404):
        services.destruction_confirm(
            actor=world.user(role), kind_code="R-01", year=2025, expected_total=2, today=TODAY
        )
    assert Lesson.objects.count() == 3


def _long_ago(records) -> tuple[int, list[Lesson]]:
    """Lessons of a school year whose five years ended long before the real today."""
    year = timezone.localdate().year - 10
    return year, [
        records.lesson(datetime.date(year - 1, 10, 1)),
        records.lesson(datetime.date(year, 3, 2)),
    ]


def test_the_screen_shows_what_is_due_and_asks_for_the_confirmation(world, records):
    year, _old = _long_ago(records)
    client = world.client("principal")
    page = client.get(reverse("retention:index")).content.decode()
    assert f"{year - 1}/{year}" in page
    assert 'name="confirm"' in page
    assert Lesson.objects.count() == 5

    # without the tick: refused, said why, nothing deleted
    data = {"kind": "R-01", "year": str(year), "expected_total": "2"}
    response = client.post(reverse("retention:destroy"), data)
    assert response.status_code == 400
    assert "Zaznacz potwierdzenie" in response.content.decode()
    assert Lesson.objects.count() == 5

    response = client.post(reverse("retention:destroy"), {**data, "confirm": "on"})
    assert response.status_code == 302
    assert Lesson.objects.count() == 3
    assert DestructionProtocol.objects.get().school_year == year
    page = client.get(reverse("retention:index")).content.decode()
    assert "Halina Zawadzka" in page
    assert "attendance.AttendanceMark: 4" in page


PAGE_QUERIES = 27  # one a part of every kind (R-02: grades, behaviour, promotion lists)


def test_the_screen_costs_the_same_however_many_records(world, records, django_assert_num_queries):
    client = world.client("principal")
    client.get(reverse("retention:index"))
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(reverse("retention:index"))
    year, _old = _long_ago(records)
    for day in (
        datetime.date(year - 4, 3, 1),
        datetime.date(year - 3, 3, 1),
        datetime.date(year + 2, 3, 1),
    ):
        records.lesson(day)
        records.message(day)
    services.destruction_confirm(
        actor=world.user("principal"), kind_code="R-01", year=year, expected_total=2
    )
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(reverse("retention:index"))


def test_every_kind_names_models_that_exist(world):
    for kind in BY_CODE.values():
        for part in kind.parts:
            assert part.with_year(world.school.pk).count() == 0


def test_the_promotion_lists_are_kept_with_the_grade_sheets(world):
    """R-02: a class's promotion list (the decisions its grade sheets print) is due
    with the year's grade sheets, 50 full years after the school year, not before."""
    PromotionList.objects.create(
        school=world.school, school_class=world.school_class, prepared_at=timezone.now()
    )
    year = world.year.end_date.year
    due_from = datetime.date(year + 51, 1, 1)
    assert _due(world, due_from - datetime.timedelta(days=1))["R-02"] == []
    assert _due(world, due_from)["R-02"] == [(year, {"promotion.PromotionList": 1}, due_from)]
