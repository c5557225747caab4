"""Rectification requests (RODO art. 16): filed by a person or a parent, answered by the
school office, told to both sides in the register, all in the history."""

import pytest
from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.notifications import events
from dziennik.notifications.models import Notification
from dziennik.privacy.models import RectificationRequest
from testsupport.url_matrix import expect

pytestmark = pytest.mark.django_db

FORM = {"data": "Adres zamieszkania", "wrong": "ul. Polna 1", "correct": "ul. Leśna 2"}


def _file(world, role="own_parent", about=None):
    about = about if about is not None else str(world.student.pk)
    return world.client(role).post(reverse("privacy:request_new"), {**FORM, "about": about})


def _notified(event):
    return sorted(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )


def test_the_lifecycle_of_a_request(world):
    response = _file(world)
    filed = RectificationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:request", args=[filed.pk])
    assert (filed.requester, filed.student, filed.status) == (
        world.user("own_parent"),
        world.student,
        "new",
    )
    # the school office is told in the register
    assert _notified(events.RECTIFICATION_FILED) == ["dyrektor-test", "sekr"]
    office_list = world.client("secretary").get(reverse("privacy:requests"))
    assert "Adres zamieszkania" in office_list.content.decode()

    url = reverse("privacy:request", args=[filed.pk])
    secretary = world.client("secretary")
    assert secretary.post(url, {"status": "in_progress"}).status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.handled_by) == ("in_progress", world.user("secretary"))
    assert _notified(events.RECTIFICATION_ANSWERED) == []
    # done needs an answer; without one nothing changes
    assert secretary.post(url, {"status": "done"}).status_code == 400
    filed.refresh_from_db()
    assert filed.status == "in_progress"
    answer = "Poprawiono adres w księdze uczniów."
    assert secretary.post(url, {"status": "done", "answer": answer}).status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.answer) == ("done", answer)
    assert filed.answered_at is not None
    assert _notified(events.RECTIFICATION_ANSWERED) == ["rodzic-test"]
    # the requester sees the status and the answer; an answered request stays answered
    page = world.client("own_parent").get(url).content.decode()
    assert answer in page
    assert 'name="answer"' not in page
    assert secretary.post(url, {"status": "refused", "answer": "x"}).status_code == 404
    # everything in the history, linked to the child
    entries = AuditEntry.objects.filter(content_type__model="rectificationrequest")
    assert [(e.action, e.student_id) for e in entries.order_by("pk")] == [
        ("create", world.student.pk),
        ("update", world.student.pk),
        ("update", world.student.pk),
    ]


def test_a_person_files_about_themself_and_never_about_another_family(world):
    assert _file(world, "teacher_in", about="self").status_code == 302
    assert RectificationRequest.objects.get().student is None
    assert _file(world, "student", about=str(world.student.pk)).status_code == 302
    response = _file(world, "own_parent", about=str(world.classmate.pk))
    assert response.status_code == 400
    assert RectificationRequest.objects.count() == 2
    # an empty field is refused with the field named, nothing saved
    response = world.client("own_parent").post(
        reverse("privacy:request_new"), {**FORM, "wrong": " ", "about": str(world.student.pk)}
    )
    assert response.status_code == 400
    assert RectificationRequest.objects.count() == 2


def _state():
    return list(RectificationRequest.objects.order_by("pk").values_list("pk", "status", "answer"))


def test_request_new_matrix(world, matrix):
    url = reverse("privacy:request_new")
    data = {**FORM, "about": "self"}
    expected = expect(302, anonymous=302, other_principal=302, student=400)
    matrix.check(url, expected, method="post", data=data)
    assert sorted(RectificationRequest.objects.values_list("requester__username", flat=True)) == [
        "dyrektor-inny",
        "dyrektor-test",
        "n-in",
        "n-out",
        "rodzic-inny",
        "rodzic-test",
        "sekr",
        "wych",
    ]


def test_request_answer_matrix(world, matrix):
    _file(world)
    filed = RectificationRequest.objects.get()
    url = reverse("privacy:request", args=[filed.pk])
    data = {"status": "refused", "answer": "Dane są zgodne z aktem urodzenia."}
    expected = expect(404, principal=302, secretary=302)
    refused = [r for r in expected if r not in ("principal", "secretary")]
    # the requester sees the request but may not answer it
    matrix.check(url, expected, method="post", data=data, state=_state, roles=refused)
    matrix.check(url, expected, method="post", data=data, roles=["secretary"])
    filed.refresh_from_db()
    assert (filed.status, filed.handled_by) == ("refused", world.user("secretary"))
