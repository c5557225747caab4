"""Who may write to whom, group messages, replies, read receipts, withdrawal, folders,
search and the rate limit, through the services and the pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dziennik.core.models import AuditEntry
from dziennik.messaging import recipients, selectors, services
from dziennik.messaging.fanout import message_fan_out
from dziennik.messaging.models import Delivery, Message, MessagingSettings, Thread
from dziennik.schools import models as sm
from dziennik.schools.viewer import get_viewer

from .factories import council_member, family_in, pdf, send


def _people(world, role):
    return {u.username for u in recipients.people(get_viewer(world.user(role)))}


def _usernames(*users):
    return {u.username for u in users}


def test_a_parent_writes_to_the_childs_teachers_and_the_school_office_not_to_parents(world):
    # M-02: Zofia's teachers (Matematyka, the class teacher), the principal, the secretary.
    assert _people(world, "own_parent") == {"n-in", "wych", "dyrektor-test", "sekr"}


def test_the_parents_council_is_among_a_parents_recipients(world):
    council_member(world, world.user("other_parent"))
    assert "rodzic-inny" in _people(world, "own_parent")
    assert "council" in {g.key for g in recipients.groups(get_viewer(world.user("own_parent")))}


def test_a_school_that_allows_it_lets_parents_write_to_their_childrens_classmates_parents(world):
    family_in(world, world.other_class, "rodzic-4b")
    MessagingSettings.objects.create(school=world.school, parents_write_to_parents=True)
    # Kacper's father (4a), not the parent of a 4b child.
    assert _people(world, "own_parent") == {"n-in", "wych", "dyrektor-test", "sekr", "rodzic-inny"}


def test_a_parent_of_two_children_picks_across_both_childrens_teachers(world):
    second = sm.Student.objects.create(school=world.school, first_name="Jan", last_name="W")
    sm.Enrolment.objects.create(
        student=second,
        school_class=world.other_class,
        journal_number=5,
        start_date=world.year.start_date,
    )
    sm.Guardianship.objects.create(guardian=world.own_guardian, student=second, relation="mother")
    assert "n-out" in _people(world, "own_parent")


def test_a_student_writes_to_their_teachers_and_class_teacher(world):
    assert _people(world, "student") == {"n-in", "wych"}


def test_a_teacher_writes_to_staff_and_the_families_of_their_classes(world):
    people = _people(world, "teacher_out")  # teaches 4b only, where no child of the world is
    assert people == {"dyrektor-test", "n-in", "wych", "sekr"}
    assert {"rodzic-test", "rodzic-inny", "uczen-test"} <= _people(world, "teacher_in")


def test_nobody_writes_to_another_school(world):
    assert _people(world, "other_principal") == set()
    assert "dyrektor-inny" not in _people(world, "principal")


def test_a_parent_of_4a_cannot_write_to_another_parent(world):
    with pytest.raises(ValidationError) as refused:
        send(world.user("own_parent"), [world.user("other_parent")])
    assert "recipients" in refused.value.error_dict
    assert not Message.objects.exists() and not Thread.objects.exists()


def test_a_parent_may_not_choose_a_group_of_staff(world):
    with pytest.raises(ValidationError):
        send(world.user("own_parent"), groups=[f"class_parents:{world.school_class.pk}"])
    assert not Message.objects.exists()


def test_a_message_to_all_parents_of_4a_reaches_every_parent_of_4a_and_nobody_else(world):
    family_in(world, world.school_class, "rodzic-4a")
    other, _ = family_in(world, world.other_class, "rodzic-4b", journal_number=1)
    limited, _ = family_in(
        world,
        world.school_class,
        "rodzic-ograniczony",
        journal_number=4,
        access="court_limited",
        court_order_reference="III RC 1/26",
    )
    message = send(
        world.user("principal"),
        groups=[f"class_parents:{world.school_class.pk}"],
        subject="Zebranie 4a",
    )
    got = set(message.deliveries.values_list("recipient__username", flat=True))
    assert got == {"rodzic-test", "rodzic-inny", "rodzic-4a"}
    assert message.audience == "wszyscy rodzice klasy 4a"
    message.refresh_from_db()
    assert message.fanned_out_at is not None
    # Safe to run twice: nothing more.
    assert message_fan_out(message_id=message.pk) == 0
    assert message.deliveries.count() == 3
    assert not Delivery.objects.filter(recipient__in=[other, limited]).exists()


def test_a_group_and_a_person_in_it_get_one_copy(world):
    message = send(
        world.user("principal"),
        [world.user("own_parent")],
        groups=[f"class_parents:{world.school_class.pk}"],
    )
    assert message.deliveries.filter(recipient=world.user("own_parent")).count() == 1
    assert message.deliveries.count() == 2


def test_all_staff_and_the_administration(world):
    staff = send(world.user("own_parent"), groups=["administration"])
    assert set(staff.deliveries.values_list("recipient__username", flat=True)) == {"sekr"}
    everyone = send(world.user("principal"), groups=["staff"])
    assert set(everyone.deliveries.values_list("recipient__username", flat=True)) == {
        "n-in",
        "n-out",
        "wych",
        "sekr",
    }


def test_the_fan_out_runs_after_the_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.message_send(
            actor=world.user("principal"),
            subject="Dzień otwarty",
            body="Zapraszamy.",
            group_keys=["staff"],
        )
    assert not message.deliveries.exists()  # the request only queued it
    for callback in callbacks:
        callback()
    assert message.deliveries.count() == 4


def test_a_reply_goes_back_to_the_sender_in_the_same_thread(world):
    question = send(world.user("own_parent"), [world.user("class_teacher")], subject="WF")
    answer = services.message_reply(
        actor=world.user("class_teacher"), message=question, body="Zgoda."
    )
    assert answer.thread_id == question.thread_id
    assert list(answer.deliveries.values_list("recipient__username", flat=True)) == ["rodzic-test"]


def test_a_student_may_answer_the_principal_whom_they_could_not_write_to(world):
    note = send(world.user("principal"), [world.user("student")])
    answer = services.message_reply(actor=world.user("student"), message=note, body="Dziękuję")
    assert answer.deliveries.get().recipient == world.user("principal")


def test_read_receipts_show_the_sender_who_read_it_and_when(world):
    message = send(world.user("principal"), groups=[f"class_parents:{world.school_class.pk}"])
    client = world.client("own_parent")
    assert client.get(reverse("messaging:thread", args=[message.thread_id])).status_code == 200
    read = Delivery.objects.get(recipient=world.user("own_parent"))
    assert read.read_at is not None
    rows = selectors.thread_messages(get_viewer(world.user("principal")), message.thread)
    receipts = {d.recipient.username: d.read_at for d in rows[0].receipts}
    assert receipts == {"rodzic-test": read.read_at, "rodzic-inny": None}
    page = world.client("principal").get(reverse("messaging:thread", args=[message.thread_id]))
    text = page.content.decode()
    assert "Przeczytało 1 z 2" in text
    assert timezone.localtime(read.read_at).strftime("%d.%m.%Y %H:%M") in text


def test_a_message_nobody_read_can_be_withdrawn_and_the_history_says_so(world):
    message = send(world.user("own_parent"), [world.user("class_teacher")])
    services.message_withdraw(actor=world.user("own_parent"), message=message)
    entry = AuditEntry.objects.get(action="update")
    assert entry.actor == world.user("own_parent") and entry.changes["withdrawn_at"][0] is None
    inbox = world.client("class_teacher").get(reverse("messaging:inbox")).content.decode()
    assert "Pytanie" not in inbox
    thread = reverse("messaging:thread", args=[message.thread_id])
    assert world.client("class_teacher").get(thread).status_code == 404


def test_a_read_message_cannot_be_withdrawn(world):
    message = send(world.user("own_parent"), [world.user("class_teacher")])
    world.client("class_teacher").get(reverse("messaging:thread", args=[message.thread_id]))
    with pytest.raises(ValidationError):
        services.message_withdraw(actor=world.user("own_parent"), message=message)
    message.refresh_from_db()
    assert message.withdrawn_at is None


def test_folders_archive_and_trash(world):
    message = send(world.user("own_parent"), [world.user("class_teacher")], subject="Do archiwum")
    teacher = world.user("class_teacher")
    services.delivery_move(actor=teacher, message=message, folder="archive")
    client = world.client("class_teacher")
    assert "Do archiwum" not in client.get(reverse("messaging:inbox")).content.decode()
    assert "Do archiwum" in client.get(reverse("messaging:archive")).content.decode()
    with pytest.raises(ValidationError):
        services.delivery_delete(actor=teacher, message=message)  # not in the trash
    services.delivery_move(actor=teacher, message=message, folder="trash")
    assert "Do archiwum" in client.get(reverse("messaging:trash")).content.decode()


def _stamp(message, days_ago):
    Message.objects.filter(pk=message.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_search_by_text_person_and_date(world):
    teacher = world.user("class_teacher")
    a = send(world.user("own_parent"), [teacher], subject="Wycieczka", body="Do Torunia")
    b = send(world.user("other_parent"), [teacher], subject="Obiady", body="Płatność")
    _stamp(a, 10)
    client = world.client("class_teacher")

    def found(**query):
        page = client.get(reverse("messaging:inbox"), query).content.decode()
        return {s for s in ("Wycieczka", "Obiady") if s in page}

    assert found(q="torunia") == {"Wycieczka"}
    assert found(person="Dąbrowski") == {"Obiady"}
    assert found(person="anna wiśniewska") == {"Wycieczka"}
    since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    assert found(date_from=since) == {"Obiady"}
    assert found(date_to=since) == {"Wycieczka"}
    sent = world.client("own_parent").get(reverse("messaging:sent"), {"person": "Wójcik"})
    assert "Wycieczka" in sent.content.decode()
    assert b.deliveries.count() == 1


def test_the_hourly_limit_refuses_with_a_429_and_stores_nothing(world):
    MessagingSettings.objects.create(school=world.school, sends_per_hour=2)
    teacher = world.user("class_teacher")
    send(world.user("own_parent"), [teacher])
    send(world.user("own_parent"), [teacher])
    response = world.client("own_parent").post(
        reverse("messaging:compose"),
        {"recipients": [teacher.pk], "subject": "Trzecia", "body": "Treść"},
    )
    assert response.status_code == 429
    assert "W ciągu ostatniej godziny wysłano 2 wiadomości" in response.content.decode()
    assert Message.objects.count() == 2
    with pytest.raises(services.RateLimited):
        send(world.user("own_parent"), [teacher])


def test_xss_in_a_message_is_shown_as_text(world):
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)"> https://szkola.example.pl/x'
    message = send(
        world.user("own_parent"), [world.user("class_teacher")], subject=payload, body=payload
    )
    page = (
        world.client("class_teacher")
        .get(reverse("messaging:thread", args=[message.thread_id]))
        .content.decode()
    )
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="https://szkola.example.pl/x"' in page


def test_the_unread_counter(world):
    client = world.client("class_teacher")
    assert 'class="badge' not in client.get(reverse("messaging:unread")).content.decode()
    message = send(world.user("own_parent"), [world.user("class_teacher")])
    assert ">1<" in client.get(reverse("messaging:unread")).content.decode()
    client.get(reverse("messaging:thread", args=[message.thread_id]))
    assert 'class="badge' not in client.get(reverse("messaging:unread")).content.decode()


def test_the_home_page_shows_new_messages(world):
    message = send(world.user("class_teacher"), [world.user("own_parent")], subject="Wywiadówka")
    home = world.client("own_parent").get("/").content.decode()
    assert 'id="new-messages"' in home and "Wywiadówka" in home
    world.client("own_parent").get(reverse("messaging:thread", args=[message.thread_id]))
    assert 'id="new-messages"' not in world.client("own_parent").get("/").content.decode()


def test_forward_carries_the_text_and_attachments(world):
    original = send(
        world.user("own_parent"), [world.user("class_teacher")], files=[pdf("skan.pdf")]
    )
    client = world.client("class_teacher")
    form = client.get(reverse("messaging:compose"), {"forward": original.pk})
    assert "PD: Pytanie" in form.content.decode()
    response = client.post(
        reverse("messaging:compose"),
        {
            "recipients": [world.user("principal").pk],
            "subject": "PD: Pytanie",
            "body": "Do wiadomości.\n\nDzień dobry.",
            "forward": original.pk,
        },
    )
    assert response.status_code == 302
    forwarded = Message.objects.latest("pk")
    assert forwarded.forwarded_from == original
    assert list(forwarded.attachments.values_list("name", flat=True)) == ["skan.pdf"]
    download = world.client("principal").get(
        reverse("messaging:attachment", args=[forwarded.attachments.get().pk])
    )
    assert b"".join(download.streaming_content).startswith(b"%PDF")
