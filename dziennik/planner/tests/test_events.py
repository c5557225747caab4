"""Planning and reading the calendar: who plans what, who sees which event (a group's
only its members' families), the gradebook column from a planned test, homework and its
attachment, the homework rule (G-07), the iCalendar feed, the home panel, and safe
text."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.grades import services as grades_services
from dziennik.grades.models import Assessment
from dziennik.planner import selectors, services
from dziennik.planner.models import Event
from dziennik.planner.ui import calendar_entries
from dziennik.schools.models import ClassGroup, DayOff
from dziennik.schools.viewer import get_viewer
from dziennik.timetable import services as timetable_services
from testsupport.office import DOCX, RENAMED_ZIP
from testsupport.policies import disagreements

from .factories import maths_test, next_monday, plan

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FAMILY = ("student", "own_parent", "other_parent")


def _seen(world, role, monday):
    viewer = get_viewer(world.user(role))
    return [
        e.title
        for e in selectors.events_between(viewer, monday, monday + datetime.timedelta(days=6))
    ]


def test_who_plans_what(world):
    monday = next_monday()
    teacher = world.user("teacher_in")
    # a teacher: tests and homework of what they teach, not another subject or class
    assert plan(teacher, world.school_class, subject=world.subject, date=monday).pk
    for school_class, subject in (
        (world.school_class, world.other_subject),
        (world.other_class, world.subject),
    ):
        with pytest.raises(Http404):
            plan(
                teacher,
                school_class,
                subject=subject,
                kind="homework",
                title="Zadanie",
                date=monday,
            )
    # trips and meetings: the class teacher of the class
    with pytest.raises(Http404):
        plan(teacher, world.school_class, kind="trip", title="Teatr", date=monday)
    trip = plan(
        world.user("class_teacher"), world.school_class, kind="trip", title="Teatr", date=monday
    )
    assert trip.subject is None
    # a school event: the principal only
    with pytest.raises(Http404):
        plan(world.user("class_teacher"), None, kind="school_event", title="Apel", date=monday)
    assert plan(world.user("principal"), None, kind="school_event", title="Apel", date=monday).pk
    for role in ("secretary", "own_parent", "student", "other_principal"):
        with pytest.raises(Http404):
            plan(world.user(role), world.school_class, subject=world.subject, date=monday)


def test_who_sees_which_event(world):
    monday = next_monday()
    maths_test(world, monday, title="Test 4a")
    plan(world.user("principal"), world.other_class, kind="trip", title="Wycieczka 4b", date=monday)
    plan(world.user("principal"), None, kind="school_event", title="Apel", date=monday)
    group = ClassGroup.objects.create(school_class=world.school_class, name="angielski 1")
    group.students.add(world.student)
    plan(
        world.user("principal"),
        world.school_class,
        group=group,
        kind="homework",
        subject=world.subject,
        title="Zadanie grupy",
        date=monday,
    )
    assert _seen(world, "student", monday) == ["Test 4a", "Apel", "Zadanie grupy"]
    assert _seen(world, "own_parent", monday) == ["Test 4a", "Apel", "Zadanie grupy"]
    # Kacper is not in the group: his father does not see the group's homework
    assert _seen(world, "other_parent", monday) == ["Test 4a", "Apel"]
    assert _seen(world, "teacher_out", monday) == ["Wycieczka 4b", "Apel"]
    assert _seen(world, "teacher_in", monday) == ["Test 4a", "Apel", "Zadanie grupy"]
    assert len(_seen(world, "secretary", monday)) == 4
    assert _seen(world, "other_principal", monday) == []


def test_the_policy_agrees_with_itself(world):
    monday = next_monday()
    maths_test(world, monday)
    plan(world.user("principal"), None, kind="school_event", title="Apel", date=monday)
    assert disagreements(world.users.values()) == []


def test_a_gradebook_column_from_a_planned_test(world):
    grades_services.grading_setup_defaults(school=world.school)
    monday = next_monday()
    event = maths_test(world, monday, title="Sprawdzian – ułamki")
    teacher = world.user("teacher_in")
    assert selectors.may_make_column(get_viewer(teacher), event)
    response = world.client("teacher_in").post(reverse("planner:make_column", args=[event.pk]))
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.name, assessment.date, assessment.category.name) == (
        "Sprawdzian – ułamki",
        monday,
        "Sprawdzian",
    )
    assert (assessment.school_class, assessment.subject, assessment.term) == (
        world.school_class,
        world.subject,
        world.term1,
    )
    assert response["Location"] == reverse(
        "grades:gradebook", args=[world.school_class.pk, world.subject.pk]
    )
    event.refresh_from_db()
    assert event.assessment == assessment
    # a second click makes no second column
    assert services.event_make_column(actor=teacher, event=event) == assessment
    assert Assessment.objects.count() == 1
    assert not selectors.may_make_column(get_viewer(teacher), event)
    quiz = plan(
        teacher,
        world.school_class,
        kind="quiz",
        subject=world.subject,
        title="Kartkówka",
        date=monday + datetime.timedelta(days=1),
    )
    assert services.event_make_column(actor=teacher, event=quiz).category.name == "Kartkówka"


def test_homework_never_becomes_a_column_and_says_it_is_not_graded(world):
    grades_services.grading_setup_defaults(school=world.school)
    event = plan(
        world.user("teacher_in"),
        world.school_class,
        kind="homework",
        subject=world.subject,
        title="Zadania 1–5 str. 40",
        date=next_monday(),
    )
    assert not selectors.may_make_column(get_viewer(world.user("teacher_in")), event)
    with pytest.raises(ValidationError):
        services.event_make_column(actor=world.user("teacher_in"), event=event)
    assert not Assessment.objects.exists()
    page = (
        world.client("own_parent").get(reverse("planner:event", args=[event.pk])).content.decode()
    )
    assert 'id="homework-not-graded"' in page
    assert 'id="make-column"' not in page
    # a secondary school grades homework: no notice there
    world.school.school_type = "lyceum"
    world.school.save()
    page = (
        world.client("own_parent").get(reverse("planner:event", args=[event.pk])).content.decode()
    )
    assert 'id="homework-not-graded"' not in page


def test_homework_with_an_attachment_served_only_to_who_sees_it(world):
    event = plan(
        world.user("teacher_in"),
        world.school_class,
        kind="homework",
        subject=world.subject,
        title="Karta pracy",
        date=next_monday(),
        attachment=SimpleUploadedFile("../../karta pracy.pdf", PDF),
    )
    assert event.attachment.name.endswith("/karta_pracy.pdf")
    assert ".." not in event.attachment.name
    url = reverse("planner:attachment", args=[event.pk])
    for role in (
        "student",
        "own_parent",
        "other_parent",
        "teacher_in",
        "class_teacher",
        "principal",
    ):
        response = world.client(role).get(url)
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content) == PDF
    for role in ("teacher_out", "other_principal"):
        assert world.client(role).get(url).status_code == 404, role
    assert world.client("anonymous").get(url).status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("zadanie.exe", b"MZ\x90\x00", "musi być plikiem PDF"),
        ("zadanie.pdf", b"<html><script>", "nie odpowiada jego typowi"),
        ("zadanie.docx", RENAMED_ZIP, "nie odpowiada jego typowi"),
        ("zadanie.odt", DOCX, "nie odpowiada jego typowi"),
        ("../../passwd", PDF, "musi być plikiem PDF"),
        ("duze.pdf", PDF + b"0" * (5 * 1024 * 1024), "większy niż 5 MB"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(world, name, content, message):
    response = world.client("teacher_in").post(
        reverse("planner:new"),
        {
            "kind": "homework",
            "school_class": world.school_class.pk,
            "subject": world.subject.pk,
            "title": "Zadanie",
            "date": next_monday().isoformat(),
            "attachment": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_changes_and_deletion_are_in_the_history(world):
    event = maths_test(world, next_monday(), title="Pierwotny")
    services.event_update(
        actor=world.user("teacher_in"),
        event=event,
        title="Poprawiony",
        date=event.date,
        location="sala 12",
    )
    entry = AuditEntry.objects.filter(object_id=str(event.pk), action="update").get()
    assert entry.changes["title"] == ["Pierwotny", "Poprawiony"]
    assert entry.school_class_id == world.school_class.pk
    with pytest.raises(Http404):
        services.event_delete(actor=world.user("class_teacher"), event=event)
    pk = event.pk
    services.event_delete(actor=world.user("principal"), event=event)
    assert not Event.objects.exists()
    assert AuditEntry.objects.filter(object_id=str(pk), action="delete").count() == 1


def test_bad_input_names_every_field_and_stores_nothing(world):
    with pytest.raises(ValidationError) as caught:
        services.event_plan(
            actor=world.user("teacher_in"),
            kind="test",
            school_class=world.school_class,
            subject=world.subject,
            title="  ",
            date=next_monday(),
            starts_at=datetime.time(10),
            ends_at=datetime.time(9),
        )
    assert set(caught.value.error_dict) == {"title", "ends_at"}
    with pytest.raises(ValidationError):
        services.event_plan(
            actor=world.user("teacher_in"),
            kind="exam",
            school_class=world.school_class,
            subject=world.subject,
            title="X",
            date=next_monday(),
        )
    assert not Event.objects.exists()


def test_calendar_entries_for_the_feed_and_screens(world):
    monday = next_monday()
    maths_test(
        world, monday, title="Ułamki", starts_at=datetime.time(8), ends_at=datetime.time(8, 45)
    )
    plan(world.user("principal"), world.other_class, kind="trip", title="Wycieczka 4b", date=monday)
    DayOff.objects.create(
        school=world.school,
        school_year=world.year,
        kind="school_free_day",
        name="Dzień dyrektorski",
        date_from=monday + datetime.timedelta(days=1),
        date_to=monday + datetime.timedelta(days=2),
    )
    entries = calendar_entries(
        get_viewer(world.user("own_parent")), monday, monday + datetime.timedelta(days=6)
    )
    assert [(e.kind, e.title, e.date) for e in entries] == [
        ("test", "Matematyka: Ułamki", monday),
        ("day_off", "Dzień dyrektorski", monday + datetime.timedelta(days=1)),
        ("day_off", "Dzień dyrektorski", monday + datetime.timedelta(days=2)),
    ]
    assert entries[0].starts.hour == 8 and entries[0].ends.minute == 45
    # staff see the class in the title
    staff = calendar_entries(get_viewer(world.user("teacher_out")), monday, monday)
    assert [e.title for e in staff] == ["Wycieczka 4b (4b)"]


def test_the_ical_feed_holds_the_persons_events_and_not_other_classes(world):
    today = datetime.date.today()
    day = today + datetime.timedelta(days=10)
    maths_test(world, day, title="Sprawdzian 4a")
    plan(world.user("principal"), world.other_class, kind="trip", title="Wycieczka 4b", date=day)
    for role, present, absent in (
        ("own_parent", "Sprawdzian 4a", "Wycieczka 4b"),
        ("teacher_out", "Wycieczka 4b", "Sprawdzian 4a"),
    ):
        token = timetable_services.calendar_feed_create(actor=world.user(role)).token
        body = (
            world.client("anonymous").get(reverse("timetable:feed", args=[token])).content.decode()
        )
        assert present in body.replace("\r\n ", ""), role
        assert absent not in body.replace("\r\n ", ""), role
        assert "UID:planner-" in body


def test_the_home_panel_shows_the_chosen_childs_tests_and_homework(world):
    day = datetime.date.today() + datetime.timedelta(days=8)
    maths_test(world, day, title="Sprawdzian z ułamków")
    plan(world.user("class_teacher"), world.school_class, kind="trip", title="Teatr", date=day)
    page = world.client("own_parent").get("/").content.decode()
    assert 'id="upcoming-events"' in page
    assert "Sprawdzian z ułamków" in page
    assert "Teatr" not in page.split('id="upcoming-events"')[1].split("</section>")[0]
    page = world.client("teacher_out").get("/").content.decode()
    assert 'id="upcoming-events"' not in page


def test_a_parent_of_two_sees_the_chosen_childs_calendar(world):
    from dziennik.schools.tests import factories as sf

    monday = next_monday()
    sibling = sf.StudentFactory(
        school=world.school, first_name="Jan", last_name="Wiśniewski", family=world.student.family
    )
    sf.EnrolmentFactory(student=sibling, school_class=world.other_class, journal_number=3)
    sf.GuardianshipFactory(guardian=world.own_guardian, student=sibling)
    maths_test(world, monday, title="Test Zofii")
    plan(
        world.user("principal"), world.other_class, kind="trip", title="Wycieczka Jana", date=monday
    )
    client = world.client("own_parent")
    url = reverse("planner:week") + f"?od={monday:%Y-%m-%d}"
    session = client.session
    session["active_child_id"] = world.student.pk
    session.save()
    page = client.get(url).content.decode()
    assert "Test Zofii" in page and "Wycieczka Jana" not in page
    session = client.session
    session["active_child_id"] = sibling.pk
    session.save()
    page = client.get(url).content.decode()
    assert "Wycieczka Jana" in page and "Test Zofii" not in page


def test_text_is_escaped(world):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    event = maths_test(world, next_monday(), title=payload, description=payload)
    page = (
        world.client("own_parent").get(reverse("planner:event", args=[event.pk])).content.decode()
    )
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_a_refused_test_leaves_no_stored_attachment(world):
    monday = next_monday()
    maths_test(world, monday, title="Pierwszy")
    storage = Event._meta.get_field("attachment").storage
    name = f"homework/{world.school.pk}/{world.school_class.pk}/arkusz.pdf"
    with pytest.raises(services.OverLimits):
        maths_test(world, monday, title="Drugi", attachment=SimpleUploadedFile("arkusz.pdf", PDF))
    assert not storage.exists(name)
    event = maths_test(
        world, monday, title="Drugi", attachment=SimpleUploadedFile("arkusz.pdf", PDF), confirm=True
    )
    assert event.attachment.name == name
    assert storage.exists(name)
