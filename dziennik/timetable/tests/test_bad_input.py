"""Bad input on the timetable's screens and import: a clear 400 or 404, never a server
error, and nothing stored."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.timetable import services
from dziennik.timetable import settings_services as room_services
from dziennik.timetable.models import TimetableChange, TimetableEntry

from .helpers import HEADER, build, counts, next_monday

EXTREMES = ["9999-12-31", "0001-01-01"]
REFUSED = "Wybierz datę z przedziału"


@pytest.fixture
def reg(world):
    return build(world)


def week_urls(world, reg):
    return [
        reverse("timetable:student", args=[world.student.pk]),
        reverse("timetable:class", args=[world.school_class.pk]),
        reverse("timetable:teacher"),
        reverse("timetable:room", args=[reg.room.pk]),
        reverse("timetable:editor", args=[world.school_class.pk]),
        reverse("timetable:entry_add", args=[world.school_class.pk]),
        reverse("timetable:entry_change", args=[reg.math2.pk]),
        reverse("timetable:entry_end", args=[reg.math2.pk]),
    ]


@pytest.mark.parametrize("week", EXTREMES)
def test_a_week_out_of_range_is_a_clear_400(world, reg, week):
    client = world.client("principal")
    for url in week_urls(world, reg):
        response = client.get(url, {"tydzien": week})
        assert response.status_code == 400, url
        assert REFUSED in response.content.decode(), url


def test_a_malformed_week_still_shows_this_week(world, reg):
    client = world.client("principal")
    for url in week_urls(world, reg):
        assert client.get(url, {"tydzien": "2026-13-45"}).status_code == 200, url


@pytest.mark.parametrize("day", EXTREMES)
def test_the_changes_of_a_day_out_of_range_are_a_clear_400(world, reg, day):
    response = world.client("principal").get(reverse("timetable:changes"), {"dzien": day})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


@pytest.mark.parametrize("value", ["²", "١٢", "99999999999999999999"])
def test_a_weekday_or_lesson_that_is_no_number_is_ignored(world, reg, value):
    url = reverse("timetable:entry_add", args=[world.school_class.pk])
    client = world.client("principal")
    assert client.get(url, {"dzien": value, "lekcja": "1"}).status_code == 200
    assert client.get(url, {"dzien": "1", "lekcja": value}).status_code == 200


@pytest.mark.parametrize("last_day", EXTREMES)
def test_ending_a_lesson_on_a_day_out_of_range_is_refused(world, reg, last_day):
    before = counts()
    url = reverse("timetable:entry_end", args=[reg.math2.pk])
    response = world.client("principal").post(url, {"last_day": last_day})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("field", ["date", "valid_to"])
def test_adding_a_lesson_with_a_date_out_of_range_is_refused(world, reg, field):
    before = counts()
    data = {
        "weekday": "2",
        "slot": reg.slots[1].pk,
        "subject": world.subject.pk,
        "teacher": world.user("teacher_in").pk,
        "date": next_monday(reg).isoformat(),
        field: "9999-12-31",
    }
    url = reverse("timetable:entry_add", args=[world.school_class.pk])
    response = world.client("principal").post(url, data)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("date", "9999-12-31"), ("new_date", "0001-01-01"), ("note", "x" * 201)],
)
def test_a_change_with_bad_input_is_refused(world, reg, field, value):
    data = {
        "entry": reg.math2.pk,
        "date": reg.day.isoformat(),
        "kind": "cancellation",
        field: value,
    }
    response = world.client("principal").post(reverse("timetable:changes"), data)
    assert response.status_code == 400
    assert TimetableChange.objects.count() == 0


def test_a_change_note_keeps_no_control_characters(world, reg):
    change = services.timetable_change_create(
        actor=world.user("principal"),
        entry=reg.math2,
        date=reg.day,
        kind="cancellation",
        note="Wycieczka\x00 klasy\r\n4a",
    )
    assert change.note == "Wycieczka klasy 4a"


def test_a_change_of_an_unknown_kind_is_refused(world, reg):
    with pytest.raises(ValidationError):
        services.timetable_change_create(
            actor=world.user("principal"), entry=reg.math2, date=reg.day, kind="x" * 30
        )
    assert TimetableChange.objects.count() == 0


def test_a_room_name_keeps_no_control_characters(world, reg):
    room = room_services.room_create(
        actor=world.user("principal"), name="Sala\x00 gim\x1bnastyczna"
    )
    assert room.name == "Sala gimnastyczna"


@pytest.mark.parametrize("token", ["abc\x00def", "x" * 500, "..%2F..%2Fetc%2Fpasswd", "ąę\r\n"])
def test_a_calendar_address_that_cannot_be_a_token_is_missing(client, token):
    assert client.get(reverse("timetable:feed", args=[token])).status_code == 404


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("4a;;pon;²;Historia;wych;12;{d}", "Numer lekcji ²"),
        ("4a;;pon;١;Historia;wych;12;{d}", "Numer lekcji ١"),
        ("4a;;pon;1;Historia;wych;12;31.12.9999", "Wybierz datę z przedziału"),
        ('4a;;pon;1;Historia;wych;"Sala\r\n12";{d}', "znaki sterujące"),
    ],
)
def test_the_import_names_a_bad_cell_instead_of_failing(world, reg, row, message):
    day = next_monday(reg).strftime("%d.%m.%Y")
    before = TimetableEntry.objects.count(), AuditEntry.objects.count()
    url = reverse("timetable:import")
    upload = f"{HEADER}\r\n{row.format(d=day)}\r\n".encode()
    response = world.client("principal").post(url, {"file": _file(upload), "action": "import"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (TimetableEntry.objects.count(), AuditEntry.objects.count()) == before


def _file(content: bytes):
    return SimpleUploadedFile("plan.csv", content, "text/csv")
