"""The board: who reads which announcement, the unread mark, the readers' count, the
display period, corrections in the history, safe text, and a fixed number of queries."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dziennik.core.models import AuditEntry
from dziennik.notices import selectors, services
from dziennik.notices.models import Announcement, AnnouncementRead
from dziennik.schools.models import SchoolClass
from dziennik.schools.viewer import get_viewer
from testsupport.policies import disagreements

from .factories import family_in, publish

BOARD = reverse("notices:board")
# session, user, viewer (roles, student, guardian, assignments, led classes), the board
# with its readers' counts, its classes
AUTHOR_QUERIES = 9


def _titles(world, role):
    return [a.title for a in selectors.board(get_viewer(world.user(role)))]


def test_an_announcement_to_4a_reaches_4a_only(world):
    publish(world.user("principal"), "Wycieczka 4a", classes=[world.school_class])
    parent_4b, _child = family_in(world, world.other_class, "rodzic-4b")
    for role in ("student", "own_parent", "other_parent", "teacher_in", "class_teacher"):
        assert _titles(world, role) == ["Wycieczka 4a"], role
    for role in ("teacher_out", "other_principal"):
        assert _titles(world, role) == [], role
    assert [a.title for a in selectors.board(get_viewer(parent_4b))] == []


@pytest.mark.parametrize(
    ("audience", "readers"),
    [
        ("parents", {"own_parent", "other_parent"}),
        ("students", {"student"}),
        ("staff", {"teacher_in", "teacher_out", "class_teacher"}),
        (
            "everyone",
            {"student", "own_parent", "other_parent", "teacher_in", "teacher_out", "class_teacher"},
        ),
    ],
)
def test_readers_by_audience(world, audience, readers):
    publish(world.user("principal"), "Dla wybranych", audience=audience)
    roles = ("student", "own_parent", "other_parent", "teacher_in", "teacher_out", "class_teacher")
    seen = {role for role in roles if _titles(world, role)}
    assert seen == readers
    # the school office sees everything of its school, whoever it is meant for
    assert _titles(world, "secretary") == ["Dla wybranych"]


def test_a_court_limited_parent_does_not_read_the_class_announcements(world):
    publish(world.user("principal"), "Tylko 4a", classes=[world.school_class])
    link = world.own_guardian.guardianships.get()
    link.access = "court_limited"
    link.court_order_reference = "III RC 12/26"
    link.save()
    assert _titles(world, "own_parent") == []


def test_display_period_and_withdrawal(world):
    today = timezone.localdate()
    principal = world.user("principal")
    later = publish(
        principal,
        "Za tydzień",
        shown_from=today + datetime.timedelta(days=7),
        shown_until=today + datetime.timedelta(days=9),
    )
    past = publish(
        principal,
        "Minione",
        shown_from=today - datetime.timedelta(days=9),
        shown_until=today - datetime.timedelta(days=1),
    )
    gone = publish(principal, "Wycofane")
    services.announcement_withdraw(actor=principal, announcement=gone)
    assert _titles(world, "own_parent") == []
    statuses = {a.pk: a.status for a in selectors.board(get_viewer(principal))}
    assert statuses == {later.pk: "scheduled", past.pk: "expired", gone.pk: "withdrawn"}


def test_unread_mark_then_read_and_the_authors_count(world):
    announcement = publish(world.user("principal"), "Zebranie", classes=[world.school_class])
    client = world.client("own_parent")
    first = client.get(BOARD).content.decode()
    assert 'class="badge warn unread-mark"' in first
    second = client.get(BOARD).content.decode()
    assert "unread-mark" not in second
    assert AnnouncementRead.objects.filter(announcement=announcement).count() == 1
    rows = selectors.board(get_viewer(world.user("principal")))
    assert (rows[0].reader_count, rows[0].may_change, rows[0].is_new) == (1, True, False)
    page = world.client("principal").get(BOARD).content.decode()
    assert "Przeczytała 1 osoba" in page
    # a reader does not see the count
    assert "Przeczytał" not in second


def test_family_home_shows_new_announcements_until_read(world):
    client = world.client("own_parent")
    client.get("/")  # the CSRF cookie: from now on the home page is cached
    assert "new-announcements" not in client.get("/").content.decode()
    publish(world.user("principal"), "Dzień sportu")
    home = client.get("/").content.decode()
    assert "new-announcements" in home and "Dzień sportu" in home
    client.get(BOARD)
    assert "new-announcements" not in client.get("/").content.decode()


def test_correction_keeps_the_old_values_in_the_history(world):
    principal = world.user("principal")
    announcement = publish(principal, "Stary tytuł")
    services.announcement_update(
        actor=world.user("secretary"),
        announcement=announcement,
        title="Nowy tytuł",
        body="Treść ogłoszenia.",
        audience="everyone",
        class_ids=[world.school_class.pk],
        shown_from=announcement.shown_from,
        shown_until=announcement.shown_until,
    )
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Announcement), action="update"
    ).get()
    assert entry.changes["title"] == ["Stary tytuł", "Nowy tytuł"]
    assert entry.changes["classes"] == [[], [world.school_class.pk]]
    assert entry.changes["for_whole_school"] == [True, False]
    assert entry.actor == world.user("secretary")


def test_bad_input_is_refused_with_every_reason(world):
    today = timezone.localdate()
    other_school_class = SchoolClass.objects.get(school=world.other_school)
    with pytest.raises(ValidationError) as caught:
        services.announcement_publish(
            actor=world.user("teacher_in"),
            title="  ",
            body="x",
            audience="wszyscy",
            class_ids=[other_school_class.pk],
            shown_from=today,
            shown_until=today - datetime.timedelta(days=1),
        )
    assert set(caught.value.error_dict) == {"title", "audience", "classes", "shown_until"}
    assert not Announcement.objects.exists()


def test_the_form_answers_400_and_keeps_what_was_typed(world):
    client = world.client("teacher_in")
    response = client.post(
        reverse("notices:new"),
        {
            "title": "Konkurs",
            "body": "Zapisy do piątku.",
            "audience": "everyone",
            "shown_from": "2026-05-10",
            "shown_until": "2026-05-01",
        },
    )
    assert response.status_code == 400
    assert "Zapisy do piątku." in response.content.decode()
    assert not Announcement.objects.exists()


def test_text_is_escaped_and_links_are_clickable(world):
    publish(
        world.user("principal"),
        "<b>Uwaga</b>",
        body='<script>alert("x")</script> Regulamin: https://szkola.example.pl/regulamin',
    )
    page = world.client("own_parent").get(BOARD).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;Uwaga&lt;/b&gt;" in page
    assert '<a href="https://szkola.example.pl/regulamin"' in page


@pytest.mark.parametrize("count", [2, 25])
def test_the_board_makes_a_fixed_number_of_queries(world, django_assert_num_queries, count):
    principal = world.user("principal")
    for i in range(count):
        publish(principal, f"Ogłoszenie {i}", classes=[world.school_class, world.other_class])
    client = world.client("own_parent")
    client.get(BOARD)  # the session, and every announcement read once
    # session, user, viewer (roles, student, guardian, children, the switcher's children),
    # the board and its classes; nothing new, nothing to mark
    with django_assert_num_queries(10):
        response = client.get(BOARD)
    assert response.content.decode().count('class="card announcement') == count
    # the author, with each announcement's count of readers: the same
    author = world.client("principal")
    author.get(BOARD)
    with django_assert_num_queries(AUTHOR_QUERIES):
        response = author.get(BOARD)
    assert response.content.decode().count('class="reader-count"') == count


def test_policies_agree_with_their_querysets_on_real_announcements(world):
    today = timezone.localdate()
    publish(world.user("principal"), "Do 4a", classes=[world.school_class])
    publish(world.user("teacher_out"), "Do 4b", classes=[world.other_class], audience="parents")
    publish(world.user("secretary"), "Dla pracowników", audience="staff")
    publish(
        world.user("teacher_in"),
        "Później",
        shown_from=today + datetime.timedelta(days=3),
        shown_until=today + datetime.timedelta(days=5),
    )
    gone = publish(world.user("class_teacher"), "Wycofane", audience="students")
    services.announcement_withdraw(actor=world.user("class_teacher"), announcement=gone)
    publish(world.user("other_principal"), "Inna szkoła")
    assert disagreements(world.users.values()) == []
