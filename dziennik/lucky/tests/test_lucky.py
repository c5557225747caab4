"""The lucky number (C-07): school days only, one per school and day, fair unless the
school chooses plain random, switched off by the school, on the home pages."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import timezone

from dziennik.lucky import services, tasks
from dziennik.lucky.models import LuckyNumber
from dziennik.schools.models import DayOff
from dziennik.schools.tests import factories as sf

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (runs in the PostgreSQL pass of .ci/run)",
)


def _school_days(world, count):
    """``count`` weekdays of the world's school year, from its first Monday in October."""
    day = datetime.date(world.year.start_date.year, 10, 1)
    while day.weekday() != 0:
        day += datetime.timedelta(days=1)
    days = []
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _draw(world, day):
    drawn = services.lucky_number_draw(school_id=world.school.pk, day=day)
    return None if drawn is None else drawn.number


def test_a_school_day_gets_one_number_among_the_journal_numbers(world):
    (day,) = _school_days(world, 1)
    number = _draw(world, day)
    assert number in (1, 2)  # Zofia 1, Kacper 2: the numbers in use
    assert [_draw(world, day) for _ in range(3)] == [number] * 3
    assert LuckyNumber.objects.filter(school=world.school, date=day).count() == 1
    # the other school has no students: no number
    assert services.lucky_number_draw(school_id=world.other_school.pk, day=day) is None


def test_never_on_a_weekend_or_a_day_off(world):
    monday = _school_days(world, 1)[0]
    saturday = monday - datetime.timedelta(days=2)
    DayOff.objects.create(
        school=world.school,
        school_year=world.year,
        kind="school_free_day",
        name="Dzień Edukacji Narodowej",
        date_from=monday,
        date_to=monday,
    )
    assert _draw(world, saturday) is None
    assert _draw(world, monday) is None
    summer = datetime.date(world.year.start_date.year + 1, 7, 15)
    assert _draw(world, summer) is None
    assert not LuckyNumber.objects.exists()


def test_fair_no_number_repeats_before_every_number_was_drawn(world):
    for n in range(3, 8):  # numbers 1..7 in use
        child = sf.StudentFactory(school=world.school)
        sf.EnrolmentFactory(student=child, school_class=world.other_class, journal_number=n)
    days = _school_days(world, 21)
    numbers = [_draw(world, day) for day in days]
    for start in (0, 7, 14):
        assert sorted(numbers[start : start + 7]) == [1, 2, 3, 4, 5, 6, 7]
    rounds = list(LuckyNumber.objects.order_by("date").values_list("round", flat=True))
    assert rounds == [1] * 7 + [2] * 7 + [3] * 7


def test_plain_random_when_the_school_chooses_it(world):
    services.lucky_settings_update(actor=world.user("principal"), enabled=True, mode="random")
    numbers = [_draw(world, day) for day in _school_days(world, 40)]
    assert set(numbers) == {1, 2}
    # with two numbers, 40 fair draws alternate in pairs; random ones repeat within a pair
    pairs = [numbers[i : i + 2] for i in range(0, 40, 2)]
    assert any(a == b for a, b in pairs)
    assert set(LuckyNumber.objects.values_list("round", flat=True)) == {1}


def test_switched_off_the_school_draws_nothing_and_shows_nothing(world):
    (day,) = _school_days(world, 1)
    services.lucky_settings_update(actor=world.user("principal"), enabled=False, mode="fair")
    assert _draw(world, day) is None
    assert services.lucky_number_of_day(world.school.pk, day) is None


def test_the_home_pages_show_the_number_of_the_day(world):
    today = timezone.localdate()
    LuckyNumber.objects.create(school=world.school, date=today, number=2)  # the morning draw
    for role in ("student", "own_parent"):
        page = world.client(role).get("/").content.decode()
        assert 'id="lucky-number-value">2<' in page, role
    principal = world.client("principal").get("/").content.decode()
    assert 'id="lucky-settings"' in principal
    services.lucky_settings_update(actor=world.user("principal"), enabled=False, mode="fair")
    assert "lucky-number" not in world.client("student").get("/").content.decode()


def test_the_morning_task_draws_for_every_school_that_draws(world):
    (day,) = _school_days(world, 1)
    assert tasks.lucky_numbers_draw.call(day.isoformat()) == 1
    assert tasks.lucky_numbers_draw.call(day.isoformat()) == 1  # twice: the same
    assert LuckyNumber.objects.filter(date=day).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_first_views_give_one_number(world):
    (day,) = _school_days(world, 1)
    start = threading.Barrier(2)
    results, errors = [], []

    def view():
        try:
            start.wait(5)
            results.append(services.lucky_number_draw(school_id=world.school.pk, day=day).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=view) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not errors
    assert len(results) == 2 and results[0] == results[1]
    assert LuckyNumber.objects.filter(school=world.school, date=day).count() == 1


def test_the_morning_command_queues_the_draw(world):
    (day,) = _school_days(world, 1)
    out = io.StringIO()
    call_command("lucky_draw", "--date", day.isoformat(), stdout=out)
    assert "Queued" in out.getvalue()
    # the tests run tasks at once (ImmediateBackend)
    assert LuckyNumber.objects.filter(school=world.school, date=day).count() == 1
    with pytest.raises(CommandError):
        call_command("lucky_draw", "--date", "2026-02-30", stdout=io.StringIO())
