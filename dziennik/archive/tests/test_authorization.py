"""Who may close a year, open a correction, see and download its archive: its school's
principal only; everyone else gets the 404 of a missing page and changes nothing."""

from __future__ import annotations

from django.urls import reverse

from dziennik.archive.models import YearArchive
from dziennik.schools import services as school_services
from dziennik.schools.models import SchoolYear
from testsupport.url_matrix import PRINCIPAL_OBJECT, expect


def _state(world):
    def state():
        year = SchoolYear.objects.get(pk=world.year.pk)
        return (
            year.closed_at,
            year.correction_by_id,
            year.correction_reason,
            YearArchive.objects.count(),
        )

    return state


def _split(expected, allowed):
    refused = [role for role in expected if role not in allowed]
    return refused, list(allowed)


def test_close_matrix(world, matrix):
    url = reverse("archive:close", args=[world.year.pk])
    expected = expect(404, principal=302)
    refused, allowed = _split(expected, ("principal",))
    data = {"override_reason": "Koniec roku mimo braków"}
    matrix.check(url, expected, method="post", data=data, state=_state(world), roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    world.year.refresh_from_db()
    assert world.year.closed_by == world.user("principal")
    archive = YearArchive.objects.get()
    assert archive.override_reason == "Koniec roku mimo braków"


def test_close_without_a_reason_is_refused_and_nothing_changes(world):
    state = _state(world)
    before = state()
    response = world.client("principal").post(reverse("archive:close", args=[world.year.pk]))
    assert response.status_code == 400
    assert "podaj powód" in response.content.decode()
    assert state() == before


def test_correction_matrix(world, matrix):
    school_services.school_year_close(actor=None, school_year=world.year)
    url = reverse("archive:correction", args=[world.year.pk])
    expected = expect(404, principal=302)
    refused, allowed = _split(expected, ("principal",))
    data = {"reason": "Błędna ocena roczna z matematyki"}
    matrix.check(url, expected, method="post", data=data, state=_state(world), roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=allowed)
    world.year.refresh_from_db()
    assert world.year.correction_by == world.user("principal")
    assert world.year.correction_reason == "Błędna ocena roczna z matematyki"


def test_the_archive_page_is_the_principals(world, matrix):
    archive = YearArchive.objects.create(
        school=world.school, school_year=world.year, requested_by=world.user("principal")
    )
    matrix.check(reverse("archive:archive", args=[archive.pk]), PRINCIPAL_OBJECT)
