"""The school's limits on tests (G-14) with concrete calendars: a day, a week, the notice;
the warning names the clashes, the teacher confirms, the principal can forbid it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dziennik.core.models import AuditEntry
from dziennik.planner import services
from dziennik.planner.models import Event
from dziennik.schools.models import ClassGroup

from .factories import maths_test, next_monday, plan

DAY = datetime.timedelta(days=1)


def _history_test(world, date, title):
    """A Historia test in 4a by the class teacher (who teaches Historia there)."""
    return plan(
        world.user("class_teacher"),
        world.school_class,
        subject=world.other_subject,
        title=title,
        date=date,
    )


def _set_limits(world, **values):
    defaults = {
        "tests_per_week": 3,
        "tests_per_day": 1,
        "notice_days": 7,
        "quizzes_count": False,
        "override_allowed": True,
    }
    defaults.update(values)
    return services.planner_settings_update(actor=world.user("principal"), **defaults)


def test_a_second_test_on_the_same_day_warns_and_names_the_first(world):
    monday = next_monday()
    maths_test(world, monday, title="Ułamki zwykłe")
    with pytest.raises(services.OverLimits) as caught:
        _history_test(world, monday, "Piastowie")
    (clash,) = caught.value.clashes
    assert clash.rule == "day"
    assert "Matematyka: Ułamki zwykłe" in clash.message
    assert [e.title for e in clash.events] == ["Ułamki zwykłe"]
    assert caught.value.may_override is True
    assert list(Event.objects.values_list("title", flat=True)) == ["Ułamki zwykłe"]


def test_a_fourth_test_in_a_week_warns_and_names_the_three(world):
    monday = next_monday()
    maths_test(world, monday, title="Pierwszy")
    _history_test(world, monday + DAY, "Drugi")
    maths_test(world, monday + 2 * DAY, title="Trzeci")
    with pytest.raises(services.OverLimits) as caught:
        _history_test(world, monday + 4 * DAY, "Czwarty")
    (clash,) = caught.value.clashes
    assert clash.rule == "week"
    assert [e.title for e in clash.events] == ["Pierwszy", "Drugi", "Trzeci"]
    # the next week is free again
    assert _history_test(world, monday + 7 * DAY, "Następny tydzień").limits_overridden is False


def test_a_test_announced_too_late_warns(world):
    soon = timezone.localdate() + 3 * DAY
    with pytest.raises(services.OverLimits) as caught:
        maths_test(world, soon)
    assert [c.rule for c in caught.value.clashes] == ["notice"]
    assert caught.value.clashes[0].message == (
        "Sprawdzian zapowiada się co najmniej 7 dni wcześniej; do tego zostało dni: 3."
    )


def test_the_teacher_confirms_and_the_history_says_so(world):
    monday = next_monday()
    maths_test(world, monday, title="Pierwszy")
    event = plan(
        world.user("class_teacher"),
        world.school_class,
        subject=world.other_subject,
        title="Drugi tego dnia",
        date=monday,
        confirm=True,
    )
    assert event.limits_overridden is True
    entry = AuditEntry.objects.get(object_id=str(event.pk), action="create")
    assert entry.changes["limits_overridden"] == [None, True]
    assert entry.school_class_id == world.school_class.pk


def test_the_principal_can_forbid_going_over(world):
    _set_limits(world, override_allowed=False)
    monday = next_monday()
    maths_test(world, monday)
    with pytest.raises(services.OverLimits) as caught:
        plan(
            world.user("class_teacher"),
            world.school_class,
            subject=world.other_subject,
            title="Mimo wszystko",
            date=monday,
            confirm=True,
        )
    assert caught.value.may_override is False
    assert Event.objects.count() == 1


def test_the_schools_own_numbers(world):
    _set_limits(world, tests_per_day=2, tests_per_week=2, notice_days=0)
    monday = next_monday()
    maths_test(world, monday, title="A")
    _history_test(world, monday, "B")  # two a day are allowed here
    with pytest.raises(services.OverLimits) as caught:
        maths_test(world, monday + DAY, title="C")
    assert [c.rule for c in caught.value.clashes] == ["week"]


def test_quizzes_do_not_count_unless_the_school_says_so(world):
    monday = next_monday()
    maths_test(world, monday)
    quiz = plan(
        world.user("teacher_in"),
        world.school_class,
        kind="quiz",
        subject=world.subject,
        title="Kartkówka",
        date=monday,
    )
    assert quiz.limits_overridden is False
    _set_limits(world, quizzes_count=True)
    with pytest.raises(services.OverLimits):
        plan(
            world.user("teacher_in"),
            world.school_class,
            kind="quiz",
            subject=world.subject,
            title="Druga kartkówka",
            date=monday,
        )


def test_another_class_and_another_groups_tests_do_not_count(world):
    monday = next_monday()
    group_a = ClassGroup.objects.create(school_class=world.school_class, name="gr. 1")
    group_b = ClassGroup.objects.create(school_class=world.school_class, name="gr. 2")
    principal = world.user("principal")
    plan(principal, world.other_class, subject=world.other_subject, title="4b", date=monday)
    plan(
        principal,
        world.school_class,
        group=group_a,
        subject=world.subject,
        title="gr. 1",
        date=monday,
    )
    # group 2's test does not clash with group 1's
    assert (
        plan(
            principal,
            world.school_class,
            group=group_b,
            subject=world.subject,
            title="gr. 2",
            date=monday,
        ).limits_overridden
        is False
    )
    # a test of the whole class clashes with both groups'
    with pytest.raises(services.OverLimits) as caught:
        plan(principal, world.school_class, subject=world.subject, title="Cała klasa", date=monday)
    assert [e.title for e in caught.value.clashes[0].events] == ["gr. 1", "gr. 2"]


def test_moving_a_test_checks_the_limits_again(world):
    monday = next_monday()
    maths_test(world, monday, title="Stały")
    moved = _history_test(world, monday + DAY, "Przenoszony")
    with pytest.raises(services.OverLimits):
        services.event_update(
            actor=world.user("class_teacher"), event=moved, title="Przenoszony", date=monday
        )
    moved.refresh_from_db()
    assert moved.date == monday + DAY
    services.event_update(
        actor=world.user("class_teacher"),
        event=moved,
        title="Przenoszony",
        date=monday,
        confirm_over_limits=True,
    )
    moved.refresh_from_db()
    assert (moved.date, moved.limits_overridden) == (monday, True)


def test_the_form_shows_the_warning_and_the_confirmation(world):
    monday = next_monday()
    maths_test(world, monday, title="Ułamki")
    client = world.client("class_teacher")
    data = {
        "kind": "test",
        "school_class": world.school_class.pk,
        "subject": world.other_subject.pk,
        "title": "Piastowie",
        "date": monday.isoformat(),
    }
    response = client.post(reverse("planner:new"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="limit-warnings"' in page
    assert "Matematyka: Ułamki" in page
    assert 'name="confirm_over_limits"' in page
    assert Event.objects.count() == 1
    response = client.post(reverse("planner:new"), {**data, "confirm_over_limits": "on"})
    assert response.status_code == 302
    assert Event.objects.get(title="Piastowie").limits_overridden is True


def test_the_form_says_when_overriding_is_forbidden(world):
    _set_limits(world, override_allowed=False)
    monday = next_monday()
    maths_test(world, monday)
    response = world.client("class_teacher").post(
        reverse("planner:new"),
        {
            "kind": "test",
            "school_class": world.school_class.pk,
            "subject": world.other_subject.pk,
            "title": "Piastowie",
            "date": monday.isoformat(),
            "confirm_over_limits": "on",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="override-forbidden"' in page
    assert 'name="confirm_over_limits"' not in page
    assert Event.objects.count() == 1


def test_limits_out_of_range_are_refused(world):
    with pytest.raises(ValidationError) as caught:
        _set_limits(world, tests_per_day=4, tests_per_week=3)
    assert "tests_per_day" in caught.value.error_dict
