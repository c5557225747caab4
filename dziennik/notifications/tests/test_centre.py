"""The notification centre: the header's counter, the list, reading."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from dziennik.notifications import events, services
from dziennik.notifications.models import Notification

from .helpers import column, grade


def _messages(world, count, role="own_parent"):
    with transaction.atomic():
        for i in range(count):
            services.notify(
                event=events.MESSAGE,
                school_id=world.school.pk,
                recipient_ids=[world.user(role).pk],
                key=f"m:{i}",
                params={"sender": f"Nauczyciel {i}"},
                url="/oceny/",
            )


def test_every_page_links_the_centre_and_loads_the_count(world):
    html = world.client("own_parent").get(reverse("portal:home")).content.decode()
    assert 'id="notifications-link"' in html
    assert f'hx-get="{reverse("notifications:count")}"' in html


def test_the_count_is_the_persons_unread(world):
    _messages(world, 3)
    _messages(world, 2, role="other_parent")
    client = world.client("own_parent")
    html = client.get(reverse("notifications:count")).content.decode()
    assert '<span class="badge warn" id="unread-count">3</span>' in html
    client.post(reverse("notifications:mark_all_read"))
    html = client.get(reverse("notifications:count")).content.decode()
    assert "unread-count" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_the_count_costs_one_query_beyond_the_login(world, count, assert_warm_queries):
    _messages(world, count)
    client = world.client("own_parent")
    client.get(reverse("notifications:count"))  # the viewer is cached, as on any page
    # session, user, the count
    with assert_warm_queries(3):
        client.get(reverse("notifications:count"))


@pytest.mark.parametrize("count", [1, 30])
def test_the_centre_costs_the_same_whatever_the_number(world, count, django_assert_num_queries):
    _messages(world, count)
    client = world.client("own_parent")
    # the layout's (session, user, the viewer and the child switcher, the navigation)
    # and one of the notifications, cold
    with django_assert_num_queries(CENTRE_QUERIES):
        html = client.get(reverse("notifications:centre")).content.decode()
    assert html.count('class="card notification') == count


CENTRE_QUERIES = 12


def test_the_centre_shows_details_in_the_register(world):
    grade(world, column(world), "5")
    html = world.client("own_parent").get(reverse("notifications:centre")).content.decode()
    assert "Nowa ocena z przedmiotu Matematyka – Zofia" in html
    assert "Ocena: 5" in html  # behind the login, the person's own: details shown


def test_opening_a_notification_marks_it_read_and_follows_it(world):
    _messages(world, 1)
    notification = Notification.objects.get()
    client = world.client("own_parent")
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert (response.status_code, response["Location"]) == (302, "/oceny/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_persons_notification_is_not_found(world):
    _messages(world, 1)
    notification = Notification.objects.get()
    response = world.client("other_parent").get(
        reverse("notifications:open", args=[notification.pk])
    )
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_offsite_address_is_not_followed(world):
    with transaction.atomic():
        services.notify(
            event=events.MESSAGE,
            school_id=world.school.pk,
            recipient_ids=[world.user("own_parent").pk],
            key="evil",
            params={"sender": "x"},
            url="https://evil.example/",
        )
    notification = Notification.objects.get()
    response = world.client("own_parent").get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:centre")
