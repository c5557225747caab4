"""The parent's attendance page kept per month (``selectors.student_page_parts``): after
every kind of change the next request shows it, byte for byte the page built afresh with
an empty cache, while the months the change did not touch stay kept."""

import datetime
import importlib
import re

import pytest
from django.core.cache import cache as django_cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dziennik.attendance import services
from dziennik.attendance.models import (
    AttendanceMark,
    AttendanceSettings,
    Justification,
    Lesson,
)
from dziennik.core import audit

from .factories import build_register, save_lesson

pytestmark = pytest.mark.django_db


def _page(client, url: str) -> str:
    html = client.get(url).content.decode()
    # a form's token is masked anew on every render: the same secret, other text
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1", html)
    return re.sub(r'("X-CSRFToken": ")[^"]*', r"\1", html)


def _fresh(client, url: str) -> str:
    django_cache.clear()
    return _page(client, url)


def _marks_read(queries) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "attendance_attendancemark"' in q["sql"]]


@pytest.fixture
def setup(world):
    reg = build_register(world)
    s = world.student
    old_day = reg.day - datetime.timedelta(days=35)  # another month, the same weekday
    save_lesson(world, reg, reg.history1, {s: "nb"}, day=old_day, topic="Piastowie")
    save_lesson(world, reg, reg.math2, {s: "sp"}, day=old_day)
    save_lesson(world, reg, reg.history1, {}, topic="Jagiellonowie")
    save_lesson(world, reg, reg.math2, {s: "nb"})
    client = world.client("own_parent")
    client.get("/")
    url = f"/frekwencja/uczen/{s.pk}/?od={old_day - datetime.timedelta(days=3)}&do={reg.day}"
    return world, reg, old_day, client, url


def _shows_at_once(client, url: str, change) -> str:
    """The page after ``change`` (the parts of before kept), checked against the page
    built with an empty cache."""
    _fresh(client, url)  # every part kept
    before = _page(client, url)
    change()
    after = _page(client, url)
    assert after != before
    assert after == _fresh(client, url)
    return after


def test_a_new_mark_today_rebuilds_this_month_only(setup):
    world, reg, old_day, client, url = setup
    _fresh(client, url)
    save_lesson(world, reg, reg.math3, {world.student: "nb"})
    with CaptureQueriesContext(connection) as queries:
        html = _page(client, url)
    [read] = _marks_read(queries.captured_queries)
    assert str(reg.day.replace(day=1)) in read and str(old_day) not in read
    assert html == _fresh(client, url)
    assert html.count('data-kind="nb"') == 2  # today's two absences among the recent lessons


def test_a_mark_changed_in_an_earlier_month(setup):
    world, reg, old_day, client, url = setup
    html = _shows_at_once(
        client, url, lambda: save_lesson(world, reg, reg.math2, {world.student: "nb"}, day=old_day)
    )
    assert f'data-date="{old_day}"' in html


def test_a_justification_submitted_then_approved(setup):
    world, _reg, old_day, client, url = setup
    # no deadline: an absence five weeks old may still be excused
    AttendanceSettings.objects.create(school=world.school, justification_deadline_days=0)

    def submit():
        services.justification_submit(
            actor=world.user("own_parent"),
            student=world.student,
            reason="choroba",
            date_from=old_day,
            date_to=old_day,
        )

    html = _shows_at_once(client, url, submit)
    assert 'data-status="pending"' in html
    justification = Justification.objects.get(student=world.student)

    def approve():
        services.justification_decide(
            actor=world.user("class_teacher"), justification=justification, accept=True
        )

    html = _shows_at_once(client, url, approve)
    assert 'data-status="accepted"' in html


def test_a_lesson_moved_to_another_month_and_a_lesson_cancelled(setup):
    world, reg, old_day, client, url = setup
    lesson = Lesson.objects.get(date=reg.day, slot__number=2, school_class=world.school_class)
    new_day = old_day + datetime.timedelta(days=1)
    actor = world.user("class_teacher")

    def move():  # as a service would: the lesson and its marks, each recorded
        marks = list(AttendanceMark.objects.filter(lesson=lesson))
        entries = audit.build_updates(
            actor=actor,
            instances=marks,
            field="date",
            new=new_day,
            links=lambda m: {"student_id": m.student_id},
            school_class_id=lesson.school_class_id,
        )
        before = audit.snapshot(lesson, fields=["date"])
        lesson.date = new_day
        lesson.save(update_fields=["date"])
        AttendanceMark.objects.filter(lesson=lesson).update(date=new_day)
        audit.record_many(entries)
        audit.record_update(
            actor=actor, instance=lesson, before=before, school_class_id=lesson.school_class_id
        )

    html = _shows_at_once(client, url, move)
    assert f'data-date="{new_day}"' in html

    old_lesson = Lesson.objects.get(date=old_day, slot__number=1, school_class=world.school_class)

    def cancel():
        marks = list(AttendanceMark.objects.filter(lesson=old_lesson))
        for mark in marks:
            audit.record_delete(
                actor=actor,
                instance=mark,
                student_id=mark.student_id,
                school_class_id=old_lesson.school_class_id,
            )
        old_lesson.delete()
        audit.record_delete(
            actor=actor, instance=old_lesson, school_class_id=old_lesson.school_class_id
        )

    html = _shows_at_once(client, url, cancel)
    assert "Piastowie" not in html


def test_the_terms_and_the_school_year_settings(setup):
    world, _reg, old_day, client, url = setup

    def shorten_the_first_term():  # a configuration row: its school's version moves
        world.term1.end_date = old_day - datetime.timedelta(days=1)
        world.term1.save()

    _shows_at_once(client, url, shorten_the_first_term)


def test_an_announcement(setup):
    world, reg, _old_day, client, url = setup

    def announce():
        services.absence_notice_submit(
            actor=world.user("own_parent"),
            student=world.student,
            date_from=reg.day + datetime.timedelta(days=1),
            date_to=reg.day + datetime.timedelta(days=1),
            reason="wizyta u lekarza",
        )

    html = _shows_at_once(client, url, announce)
    assert "wizyta u lekarza" in html


@pytest.mark.parametrize("days", [0, 3])
def test_the_deadline_for_excuses_and_a_month_past_it(setup, days):
    # an earlier month's absences past the school's deadline (or with none) are kept
    # written with its part; a new deadline (configuration) rewrites them at once
    world, reg, _old_day, client, url = setup
    AttendanceSettings.objects.update_or_create(
        school=world.school, defaults={"justification_deadline_days": days}
    )
    html = _fresh(client, url)
    assert html.count('class="overdue"') == (2 if days else 0)  # the old month's two
    save_lesson(world, reg, reg.math3, {world.student: "nb"})  # this month rebuilt only
    assert _page(client, url) == _fresh(client, url)

    def another_deadline():
        settings = AttendanceSettings.objects.get(school=world.school)
        settings.justification_deadline_days = days + 2
        settings.save()

    html = _shows_at_once(client, url, another_deadline)
    assert html.count('class="overdue"') == 2
    assert f"({days + 2} dni)" in html


def test_the_months_kept_by_a_release_of_another_shape_are_built_afresh(setup, monkeypatch):
    """During a release the old code and the new share the cache under the same keys and
    versions: a month's part kept with another shape (``MONTH_SHAPE``, the old release's)
    is not taken, each process builds and keeps its own."""
    # the module (the package's ``student_page`` is the selector of that name)
    student_page = importlib.import_module("dziennik.attendance.selectors.student_page")
    _world, _reg, old_day, client, url = setup
    first_day = old_day - datetime.timedelta(days=3)  # the period's (``?od=``)

    def months_built(release: str) -> bool:
        """Whether the page (another address: not the page kept whole) read the marks of
        the whole period, every month's part built; ``False`` when it read none."""
        with CaptureQueriesContext(connection) as queries:
            html = _page(client, f"{url}&release={release}")
        assert f'data-date="{old_day}"' in html and 'data-kind="nb"' in html  # both months
        reads = _marks_read(queries.captured_queries)
        assert reads == [] or (len(reads) == 1 and str(first_day) in reads[0])
        return bool(reads)

    monkeypatch.setattr(student_page, "MONTH_SHAPE", 1)  # the old release's parts
    _fresh(client, url)
    assert not months_built("old")  # kept
    monkeypatch.setattr(student_page, "MONTH_SHAPE", 2)  # the new release's
    assert months_built("new")
    assert not months_built("new-again")
    monkeypatch.setattr(student_page, "MONTH_SHAPE", 1)
    assert months_built("old-again")
