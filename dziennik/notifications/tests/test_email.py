"""E-mail as the local SMTP server receives it: Polish, a plain-text part, no more
personal data than the person chose; one message per person for what is due together."""

from __future__ import annotations

from dziennik.notifications import outbox
from dziennik.notifications.models import Preferences
from testsupport.smtp import SMTPServer

from .helpers import column, grade, with_addresses


def _received(settings):
    with SMTPServer() as server:
        settings.MAILERS = server.mailers()
        outbox.deliver_due()
    return {r.recipients[0]: r.message for r in server.received}


def test_a_grade_e_mail_says_the_subject_not_the_grade(world, settings):
    with_addresses(world)
    grade(world, column(world), "5")
    message = _received(settings)["anna.wisniewska@example.pl"]
    assert message["Subject"] == "Nowa ocena z przedmiotu Matematyka – Zofia"
    assert message["Content-Language"] == "pl"
    assert message["X-Dziennik-Key"].startswith("dz-")
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content()
    assert body.get_content_type() == "text/plain"
    assert "Nowa ocena z przedmiotu Matematyka – Zofia" in text
    assert "Dzień dobry, Anna Wiśniewska," in text
    assert "Ocena:" not in text
    assert f"/oceny/uczen/{world.student.pk}/szczegoly/" in text
    assert "Wiadomość wysłana automatycznie" in text


def test_a_person_who_chose_details_gets_the_grade(world, settings):
    with_addresses(world)
    Preferences.objects.create(user=world.user("own_parent"), details=True)
    grade(world, column(world), "5")
    received = _received(settings)
    assert "Ocena: 5" in received["anna.wisniewska@example.pl"].get_body().get_content()
    assert "Ocena:" not in received["zofia@example.pl"].get_body().get_content()


def test_what_is_due_together_goes_in_one_message_per_person(world, settings):
    with_addresses(world)
    assessment = column(world)
    grade(world, assessment, "5")
    grade(world, assessment, "3")  # corrected before the worker ran
    received = _received(settings)
    assert sorted(received) == ["anna.wisniewska@example.pl", "zofia@example.pl"]
    message = received["anna.wisniewska@example.pl"]
    assert message["Subject"] == "Dziennik: 2 nowe powiadomienia"
    text = message.get_body().get_content()
    assert "Nowa ocena z przedmiotu Matematyka – Zofia" in text
    assert "Zmieniona ocena z przedmiotu Matematyka – Zofia" in text
