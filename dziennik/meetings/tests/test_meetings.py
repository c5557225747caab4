"""Consultation hours and class meetings: publishing, booking rules (one booking a slot,
one slot a parent and session, only teachers of one's children), the cancellation
deadline, a teacher's cancellation told to the family, the history, what each role sees,
the calendars and the home panel."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dziennik.core.models import AuditEntry
from dziennik.meetings import selectors, services, ui
from dziennik.meetings.models import Booking, ClassMeeting, ConsultationSession
from dziennik.schools.models import ClassGroup, Guardianship
from dziennik.schools.tests import factories as sf
from dziennik.schools.viewer import get_viewer
from dziennik.timetable import services as timetable_services
from testsupport.policies import disagreements

from .factories import a_day, book, call_meeting, publish

pytestmark = pytest.mark.django_db


def _slots(session):
    return list(session.slots.order_by("starts"))


def test_consultation_hours_are_split_into_slots(world):
    session = publish(world.user("teacher_in"), start=(16, 0), end=(17, 5), minutes=15)
    starts = [timezone.localtime(s.starts).strftime("%H:%M") for s in _slots(session)]
    assert starts == ["16:00", "16:15", "16:30", "16:45"]  # 17:00–17:15 does not fit
    entry = AuditEntry.objects.get(object_id=str(session.pk), action="create")
    assert entry.actor == world.user("teacher_in")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"date": a_day(-1)}, "date"),
        ({"ends_at": datetime.time(15, 0)}, "ends_at"),
        ({"slot_minutes": 7}, "slot_minutes"),
        ({"ends_at": datetime.time(16, 5)}, "slot_minutes"),
        ({"room": "  "}, "room"),
    ],
)
def test_bad_consultation_hours_are_refused_and_nothing_is_stored(world, values, field):
    data = {
        "date": a_day(3),
        "starts_at": datetime.time(16, 0),
        "ends_at": datetime.time(17, 0),
        "slot_minutes": 10,
        "room": "12",
        **values,
    }
    with pytest.raises(ValidationError) as caught:
        services.consultation_publish(actor=world.user("teacher_in"), **data)
    assert field in caught.value.error_dict
    assert not ConsultationSession.objects.exists()


def test_overlapping_consultation_hours_of_one_teacher_are_refused(world):
    publish(world.user("teacher_in"))
    with pytest.raises(ValidationError):
        publish(world.user("teacher_in"), start=(16, 30), end=(17, 30))
    publish(world.user("teacher_in"), start=(17, 0), end=(17, 30))
    assert ConsultationSession.objects.count() == 2


def test_only_teachers_publish_consultation_hours(world):
    for role in ("own_parent", "student", "secretary", "principal"):
        with pytest.raises(Http404):
            publish(world.user(role))
    assert not ConsultationSession.objects.exists()


def test_a_parent_books_a_teacher_of_their_child_and_the_history_records_it(world):
    slot = _slots(publish(world.user("teacher_in")))[0]
    booking = book(world.user("own_parent"), slot, world.student)
    assert (booking.guardian, booking.student) == (world.own_guardian, world.student)
    entry = AuditEntry.objects.get(object_id=str(booking.pk), content_type__model="booking")
    assert (entry.actor, entry.student_id) == (world.user("own_parent"), world.student.pk)


def test_a_slot_holds_one_booking(world):
    slot = _slots(publish(world.user("teacher_in")))[0]
    book(world.user("own_parent"), slot, world.student)
    with pytest.raises(ValidationError) as caught:
        book(world.user("other_parent"), slot, world.classmate)
    assert caught.value.code == "taken"
    assert Booking.objects.count() == 1


def test_a_parent_holds_one_slot_of_one_session(world):
    first, second = _slots(publish(world.user("teacher_in")))[:2]
    book(world.user("own_parent"), first, world.student)
    with pytest.raises(ValidationError) as caught:
        book(world.user("own_parent"), second, world.student)
    assert caught.value.code == "twice"
    # another teacher's hours are another matter
    other = _slots(publish(world.user("class_teacher")))[0]
    book(world.user("own_parent"), other, world.student)
    assert Booking.objects.filter(guardian=world.own_guardian).count() == 2


def test_a_parent_books_only_teachers_of_their_own_children(world):
    outsider = _slots(publish(world.user("teacher_out")))[0]  # teaches 4b only
    with pytest.raises(Http404):
        book(world.user("own_parent"), outsider, world.student)
    slot = _slots(publish(world.user("teacher_in")))[0]
    with pytest.raises(Http404):  # not their child
        book(world.user("own_parent"), slot, world.classmate)
    with pytest.raises(Http404):  # a teacher is no parent
        book(world.user("class_teacher"), slot, world.student)
    assert not Booking.objects.exists()


def test_a_group_teacher_is_bookable_for_the_group_only(world):
    group = ClassGroup.objects.create(school_class=world.school_class, name="ang. gr. 1")
    group.students.add(world.student)
    sf.TeachingAssignmentFactory(
        school_class=world.school_class,
        group=group,
        teacher=world.user("teacher_out"),
        subject=world.other_subject,
    )
    slot = _slots(publish(world.user("teacher_out")))[0]
    with pytest.raises(Http404):
        book(world.user("other_parent"), slot, world.classmate)
    book(world.user("own_parent"), slot, world.student)
    mapping = selectors.children_by_teacher(get_viewer(world.user("own_parent")))
    assert [c.pk for c in mapping[world.user("teacher_out").pk]] == [world.student.pk]
    assert world.user("teacher_out").pk not in selectors.children_by_teacher(
        get_viewer(world.user("other_parent"))
    )


def test_a_court_limited_parent_cannot_book(world):
    slot = _slots(publish(world.user("teacher_in")))[0]
    Guardianship.objects.filter(guardian=world.own_guardian).update(
        access="court_limited", court_order_reference="III RC 12/26"
    )
    with pytest.raises(Http404):
        book(world.user("own_parent"), slot, world.student)


def test_a_past_or_cancelled_slot_cannot_be_booked(world):
    session = publish(world.user("teacher_in"))
    first, second = _slots(session)[:2]
    services.slot_cancel(actor=world.user("teacher_in"), slot=first)
    with pytest.raises(ValidationError):
        book(world.user("own_parent"), first, world.student)
    ConsultationSession.objects.filter(pk=session.pk).update(date=timezone.localdate())
    second.__class__.objects.filter(pk=second.pk).update(
        starts=timezone.now() - datetime.timedelta(minutes=5)
    )
    with pytest.raises(ValidationError):
        book(world.user("own_parent"), second, world.student)
    assert not Booking.objects.exists()


def _move_slot(slot, hours_ahead: float):
    start = timezone.now() + datetime.timedelta(hours=hours_ahead)
    type(slot).objects.filter(pk=slot.pk).update(
        starts=start, ends=start + datetime.timedelta(minutes=10)
    )


def test_a_parent_cancels_until_the_deadline(world):
    first = _slots(publish(world.user("teacher_in")))[0]
    booking = book(world.user("own_parent"), first, world.student)
    _move_slot(first, 23)  # less than the default 24 hours ahead
    booking.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.booking_cancel(actor=world.user("own_parent"), booking=booking)
    assert caught.value.code == "late"
    booking.refresh_from_db()
    assert booking.cancelled_at is None
    # the school allows cancelling until 12 hours before
    services.meeting_settings_save(actor=world.user("principal"), cancel_hours=12)
    services.booking_cancel(actor=world.user("own_parent"), booking=booking)
    booking.refresh_from_db()
    assert booking.cancelled_at is not None and not booking.cancelled_by_teacher
    # the slot is free again: another family books it
    book(world.user("other_parent"), first, world.classmate)


def test_only_the_parent_who_booked_cancels(world):
    booking = book(
        world.user("own_parent"), _slots(publish(world.user("teacher_in")))[0], world.student
    )
    for role in ("other_parent", "teacher_in", "principal"):
        with pytest.raises(Http404):
            services.booking_cancel(actor=world.user(role), booking=booking)


def test_the_teacher_cancels_a_slot_and_the_family_is_told(world, client):
    slot = _slots(publish(world.user("teacher_in")))[0]
    booking = book(world.user("own_parent"), slot, world.student)
    with pytest.raises(Http404):
        services.slot_cancel(actor=world.user("class_teacher"), slot=slot)
    services.slot_cancel(actor=world.user("teacher_in"), slot=slot)
    booking.refresh_from_db()
    assert booking.cancelled_at is not None and booking.cancelled_by_teacher
    assert AuditEntry.objects.filter(
        content_type__model="booking", action="update", student_id=world.student.pk
    ).exists()
    page = world.client("own_parent").get(reverse("meetings:index")).content.decode()
    assert f'id="booking-{booking.pk}"' in page and "teacher-cancelled" in page


def test_a_parent_sees_free_or_taken_never_another_familys_names(world):
    session = publish(world.user("teacher_in"))
    first, second = _slots(session)[:2]
    book(world.user("other_parent"), first, world.classmate)
    book(world.user("own_parent"), second, world.student)
    url = reverse("meetings:session", args=[session.pk])
    own = world.client("own_parent").get(url).content.decode()
    assert "Dąbrowski" not in own and "Kacper" not in own
    assert "Marek" not in own
    teacher = world.client("teacher_in").get(url).content.decode()
    assert "Marek Dąbrowski" in teacher and "Kacper Dąbrowski" in teacher
    assert "Anna Wiśniewska" in teacher
    # the principal sees the hours, not who booked them; another teacher not even that
    page = world.client("principal").get(url)
    assert page.status_code == 200 and "Marek" not in page.content.decode()
    assert world.client("class_teacher").get(url).status_code == 404


def test_class_meeting_by_the_class_teacher_reaches_the_class_families(world):
    with pytest.raises(Http404):
        call_meeting(world.user("teacher_in"), world.school_class)
    with pytest.raises(Http404):
        call_meeting(world.user("class_teacher"), world.other_class)
    meeting = call_meeting(world.user("class_teacher"), world.school_class)
    entry = AuditEntry.objects.get(content_type__model="classmeeting", object_id=str(meeting.pk))
    assert entry.school_class_id == world.school_class.pk

    def seen(role):
        return [m.pk for m in selectors.upcoming_class_meetings(get_viewer(world.user(role)))]

    for role in ("own_parent", "other_parent", "teacher_in", "class_teacher", "principal"):
        assert seen(role) == [meeting.pk], role
    for role in ("teacher_out", "other_principal", "student"):
        assert seen(role) == [], role
    services.class_meeting_cancel(actor=world.user("class_teacher"), meeting=meeting)
    assert ClassMeeting.objects.get().cancelled_at is not None


def test_calendar_entries_of_the_parent_and_the_teacher(world):
    session = publish(world.user("teacher_in"), days=3)
    slot = _slots(session)[1]
    booking = book(world.user("own_parent"), slot, world.student)
    meeting = call_meeting(world.user("class_teacher"), world.school_class, days=4)
    day_from, day_to = timezone.localdate(), a_day(10)
    parent = ui.calendar_entries(get_viewer(world.user("own_parent")), day_from, day_to)
    assert [e.uid for e in parent] == [
        f"meetings-booking-{booking.pk}",
        f"meetings-class-{meeting.pk}",
    ]
    assert parent[0].starts == slot.starts and parent[0].location == "12"
    assert parent[0].kind == "meeting"
    teacher = ui.calendar_entries(get_viewer(world.user("teacher_in")), day_from, day_to)
    assert [e.uid for e in teacher] == [f"meetings-session-{session.pk}"]
    class_teacher = ui.calendar_entries(get_viewer(world.user("class_teacher")), day_from, day_to)
    assert [e.uid for e in class_teacher] == [f"meetings-class-{meeting.pk}"]
    assert ui.calendar_entries(get_viewer(world.user("other_parent")), day_from, day_to) == [
        e
        for e in ui.calendar_entries(get_viewer(world.user("other_parent")), day_from, day_to)
        if e.uid == f"meetings-class-{meeting.pk}"
    ]
    # outside the range: nothing
    assert ui.calendar_entries(get_viewer(world.user("own_parent")), a_day(5), a_day(9)) == []


def test_the_meetings_are_in_the_icalendar_feed(world):
    book(
        world.user("own_parent"),
        _slots(publish(world.user("teacher_in"), days=2))[0],
        world.student,
    )
    feed = timetable_services.calendar_feed_create(actor=world.user("own_parent"))
    body = world.client("anonymous").get(reverse("timetable:feed", args=[feed.token])).content
    assert b"meetings-booking-" in body and b"LOCATION:12" in body


def test_the_home_panel_shows_the_next_meeting(world):
    book(
        world.user("own_parent"),
        _slots(publish(world.user("teacher_in"), days=2))[0],
        world.student,
    )
    home = world.client("own_parent").get("/").content.decode()
    assert 'id="upcoming-meetings"' in home and "Lewandowski" in home
    teacher_home = world.client("teacher_in").get("/").content.decode()
    assert 'id="upcoming-meetings"' in teacher_home
    other = world.client("other_parent").get("/").content.decode()
    assert 'id="upcoming-meetings"' not in other


def test_the_family_home_page_moves_on_when_a_booking_is_made(world):
    client = world.client("own_parent")
    assert 'id="upcoming-meetings"' not in client.get("/").content.decode()
    book(
        world.user("own_parent"),
        _slots(publish(world.user("teacher_in"), days=2))[0],
        world.student,
    )
    assert 'id="upcoming-meetings"' in client.get("/").content.decode()


def test_policies_agree_with_their_querysets(world):
    session = publish(world.user("teacher_in"))
    book(world.user("own_parent"), _slots(session)[0], world.student)
    call_meeting(world.user("class_teacher"), world.school_class)
    assert disagreements(world.users.values()) == []
