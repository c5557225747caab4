"""The archive's deadline (10 September, L-10) on the principal's home page from
1 August until the year's archive exists."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from dziennik.archive import selectors
from dziennik.archive.models import YearArchive
from dziennik.schools.viewer import get_viewer


def test_the_deadline_is_due_from_august_until_the_archive_exists(world):
    viewer = get_viewer(world.user("principal"))
    end = world.year.end_date
    assert selectors.due_archive(viewer, end.replace(month=7, day=31)) is None
    assert selectors.due_archive(viewer, end.replace(month=8, day=1)) == (
        world.year,
        datetime.date(end.year, 9, 10),
    )
    assert selectors.due_archive(viewer, datetime.date(end.year, 9, 20)) == (
        world.year,
        datetime.date(end.year, 9, 10),
    )
    YearArchive.objects.create(
        school=world.school, school_year=world.year, status=YearArchive.Status.FAILED
    )
    assert selectors.due_archive(viewer, end.replace(month=8, day=15)) is not None
    YearArchive.objects.create(
        school=world.school, school_year=world.year, status=YearArchive.Status.DONE
    )
    assert selectors.due_archive(viewer, end.replace(month=8, day=15)) is None
    for role in ("secretary", "teacher_in", "own_parent"):
        other = get_viewer(world.user(role))
        assert selectors.due_archive(other, end.replace(month=8, day=15)) is None


def test_the_home_page_shows_the_deadline_in_august(world, monkeypatch):
    day = world.year.end_date.replace(month=8, day=20)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    page = world.client("principal").get(reverse("portal:home")).content.decode()
    assert 'id="archive-deadline"' in page
    assert f"10 września {day.year}" in page
    assert reverse("archive:close", args=[world.year.pk]) in page
    secretary = world.client("secretary").get(reverse("portal:home")).content.decode()
    assert 'id="archive-deadline"' not in secretary
