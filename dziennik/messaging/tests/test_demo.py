"""The demo school has realistic messages a new user sees at once: the parent's unread
counter and home panel, threads with their child's teachers; it can still be reset."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dziennik.accounts.models import User
from dziennik.messaging.models import Delivery, Message, Thread

pytestmark = pytest.mark.django_db


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_demo_school_has_conversations_between_parents_and_teachers():
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    parent = User.objects.get(username="rodzic")
    assert Thread.objects.count() > 10
    group_letters = [m for m in Message.objects.all() if m.groups]
    assert group_letters and all(m.deliveries.count() >= 1 for m in group_letters)
    unread = Delivery.objects.filter(recipient=parent, read_at__isnull=True).count()
    assert unread >= 1
    client = _client("rodzic")
    home = client.get("/").content.decode()
    assert 'id="new-messages"' in home and "Zebranie z rodzicami" in home
    counter = client.get(reverse("messaging:unread")).content.decode()
    assert f">{unread}<" in counter
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert (
        "unread-mark" in inbox
        and "Zaświadczenie o uczęszczaniu do szkoły"
        in client.get(reverse("messaging:sent")).content.decode()
    )
    teacher = _client("wychowawca")
    assert "Zebranie z rodzicami" in teacher.get(reverse("messaging:sent")).content.decode()
    call_command("demo", "--students-per-class", "4", "--reset", stdout=io.StringIO())
    assert Thread.objects.count() > 10
