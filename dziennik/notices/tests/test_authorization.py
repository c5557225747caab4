"""The POST matrices of the announcement board: who may publish, correct and withdraw;
refused requests change nothing."""

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from dziennik.notices.models import Announcement
from testsupport.url_matrix import expect

from .factories import publish


def _state():
    return list(
        Announcement.objects.order_by("pk").values_list(
            "pk", "title", "audience", "shown_until", "withdrawn_at"
        )
    )


def _data(title, world):
    today = timezone.localdate()
    return {
        "title": title,
        "body": "Szczegóły w sekretariacie.",
        "audience": "parents",
        "shown_from": today.isoformat(),
        "shown_until": (today + datetime.timedelta(days=3)).isoformat(),
    }


def test_publish_matrix(world, matrix):
    url = reverse("notices:new")
    expected = expect(302, student=404, own_parent=404, other_parent=404)
    refused = [r for r, s in expected.items() if s != 302 or r == "anonymous"]
    matrix.check(
        url, expected, method="post", data=_data("Nowe", world), state=_state, roles=refused
    )
    assert not Announcement.objects.exists()
    allowed = [r for r in expected if r not in refused]
    matrix.check(url, expected, method="post", data=_data("Nowe", world), roles=allowed)
    by_school = dict(
        Announcement.objects.order_by().values_list("school_id").annotate(n=Count("pk"))
    )
    # every member of staff of this school, and the other school's principal in theirs
    assert by_school == {world.school.pk: 5, world.other_school.pk: 1}


def test_edit_matrix(world, matrix):
    announcement = publish(world.user("principal"), "Pierwsza wersja")
    url = reverse("notices:edit", args=[announcement.pk])
    expected = expect(404, principal=302, secretary=302)
    refused = [r for r in expected if r not in ("principal", "secretary")]
    matrix.check(
        url, expected, method="post", data=_data("Poprawione", world), state=_state, roles=refused
    )
    matrix.check(url, expected, method="post", data=_data("Poprawione", world), roles=["secretary"])
    announcement.refresh_from_db()
    assert (announcement.title, announcement.audience) == ("Poprawione", "parents")


def test_withdraw_matrix(world, matrix):
    announcement = publish(world.user("teacher_in"), "Do wycofania")
    url = reverse("notices:withdraw", args=[announcement.pk])
    expected = expect(404, teacher_in=302, principal=302, secretary=302)
    refused = [r for r in expected if r not in ("teacher_in", "principal", "secretary")]
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=["teacher_in"])
    announcement.refresh_from_db()
    assert announcement.withdrawn_at is not None
