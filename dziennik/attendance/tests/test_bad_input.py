"""Bad input on the register's screens: a clear 400 or 404 with the error shown, never a
server error, and nothing stored."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dziennik.attendance import services, settings_services
from dziennik.attendance.models import AttendanceMark, Justification, Lesson, SubjectExemption
from dziennik.core.models import AuditEntry

from .factories import build_register, open_lesson, save_lesson

REFUSED = "Wybierz datę z przedziału"
TOO_LONG = "najwyżej 366 dni"


@pytest.fixture
def reg(world):
    return build_register(world)


def period_urls(world):
    return {
        "student": reverse("attendance:student", args=[world.student.pk]),
        "topics": reverse("attendance:student_topics", args=[world.student.pk]),
        "class": reverse("attendance:class_summary", args=[world.school_class.pk]),
        "school": reverse("attendance:school"),
        "missing": reverse("attendance:missing"),
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"od": "0001-01-02"}, REFUSED),
        ({"do": "9999-12-31"}, REFUSED),
        ({"od": "2000-01-01", "do": "2000-01-01"}, REFUSED),
        ({"od": "{two_years_ago}"}, TOO_LONG),
    ],
)
def test_a_period_out_of_range_shows_the_forms_error(world, reg, query, message):
    two_years_ago = timezone.localdate() - datetime.timedelta(days=730)
    query = {k: v.format(two_years_ago=two_years_ago) for k, v in query.items()}
    client = world.client("principal")
    for name, url in period_urls(world).items():
        response = client.get(url, query)
        assert response.status_code == 400, name
        html = response.content.decode()
        assert message in html, name
        # the period form is on the page, with a period that works
        assert re.search(r'<input type="date" id="od" name="od" value="\d{4}-', html), name


def test_a_period_of_one_school_year_is_shown(world, reg):
    today = timezone.localdate()
    query = {"od": (today - datetime.timedelta(days=365)).isoformat(), "do": today.isoformat()}
    client = world.client("principal")
    for name, url in period_urls(world).items():
        assert client.get(url, query).status_code == 200, name


def test_the_pdf_of_a_period_out_of_range_is_a_clear_400(world, reg):
    url = reverse("attendance:student_pdf", args=[world.student.pk])
    response = world.client("principal").get(url, {"od": "0001-01-01"})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_lessons_of_a_day_out_of_range_are_a_clear_400(world, reg, day):
    response = world.client("teacher_in").get(reverse("attendance:today"), {"dzien": day})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_the_month_sheet_of_a_month_out_of_range_is_a_clear_400(world, reg, month):
    url = reverse("attendance:class_sheet", args=[world.school_class.pk])
    response = world.client("class_teacher").get(url, {"miesiac": month})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "²"])
def test_opening_a_lesson_on_a_day_out_of_range_finds_none(world, reg, day):
    response = world.client("teacher_in").post(
        reverse("attendance:lesson_open"), {"entry": reg.math2.pk, "date": day}
    )
    assert response.status_code == 404
    assert not Lesson.objects.exists()


@pytest.mark.parametrize("key", ["mark-99999999999999999999", "mark-²", "mark-"])
def test_a_mark_of_no_possible_student_refuses_the_save(world, reg, key):
    lesson = open_lesson(world, reg.math2, reg.day)
    url = reverse("attendance:lesson", args=[lesson.pk])
    response = world.client("teacher_in").post(url, {"topic": "Ułamki", key: reg.kinds["nb"].pk})
    assert response.status_code == 400
    lesson.refresh_from_db()
    assert lesson.topic == "" and not AttendanceMark.objects.exists()


def test_a_topic_keeps_no_nul_or_control_characters(world, reg):
    lesson = save_lesson(world, reg, reg.math2, {}, topic="Ułamki\x00 zwykłe\r\ni dziesiętne")
    lesson.refresh_from_db()
    assert lesson.topic == "Ułamki zwykłe i dziesiętne"


def test_a_topic_longer_than_its_column_is_refused_on_the_form(world, reg):
    lesson = open_lesson(world, reg.math2, reg.day)
    url = reverse("attendance:lesson", args=[lesson.pk])
    response = world.client("teacher_in").post(url, {"topic": "x" * 501})
    assert response.status_code == 400
    lesson.refresh_from_db()
    assert lesson.topic == ""


def test_a_justification_keeps_no_control_characters(world, reg):
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    justification = services.justification_submit(
        actor=world.user("own_parent"),
        student=world.student,
        reason="Choroba\x00\x1b\r\nL4",
        date_from=reg.day,
        date_to=reg.day,
    )
    assert justification.reason == "Choroba\nL4"
    services.justification_decide(
        actor=world.user("class_teacher"),
        justification=justification,
        accept=True,
        comment="OK\x00",
    )
    justification.refresh_from_db()
    assert justification.decision_comment == "OK"


def test_a_justification_of_too_long_a_reason_or_period_is_refused(world, reg):
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    with pytest.raises(ValidationError):
        services.justification_submit(
            actor=world.user("own_parent"),
            student=world.student,
            reason="x" * 2001,
            date_from=reg.day,
            date_to=reg.day,
        )
    url = reverse("attendance:justification_new", args=[world.student.pk])
    data = {"reason": "Choroba", "date_from": "0001-01-01", "date_to": reg.day.isoformat()}
    response = world.client("own_parent").post(url, data)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Justification.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("date_from", "0001-01-01"), ("date_to", "9999-12-31")]
)
def test_an_exemption_out_of_range_is_refused_on_the_form(world, reg, field, value):
    today = timezone.localdate()
    data = {
        "student": world.student.pk,
        "subject": world.subject.pk,
        "date_from": today.isoformat(),
        "date_to": (today + datetime.timedelta(days=30)).isoformat(),
        field: value,
    }
    before = AuditEntry.objects.count()
    response = world.client("principal").post(reverse("attendance:exemption_new"), data)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not SubjectExemption.objects.exists()
    assert AuditEntry.objects.count() == before


def test_an_exemption_basis_keeps_no_control_characters(world, reg):
    today = timezone.localdate()
    exemption = settings_services.subject_exemption_create(
        actor=world.user("principal"),
        student=world.student,
        subject=world.subject,
        date_from=today,
        date_to=today + datetime.timedelta(days=30),
        basis="Opinia\x00 lekarska\r\n17/2026",
    )
    assert exemption.basis == "Opinia lekarska 17/2026"


def test_a_class_name_with_a_line_break_cannot_break_the_pdfs_header(world, reg):
    """A name from anywhere (the admin, an old import) is cleaned in the file name."""
    type(world.school_class).objects.filter(pk=world.school_class.pk).update(
        name="4a\r\nX-Injected: 1"
    )
    url = reverse("attendance:class_sheet", args=[world.school_class.pk])
    response = world.client("class_teacher").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('inline; filename="frekwencja-4a X-Injected')
    assert not response.has_header("X-Injected")
