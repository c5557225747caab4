"""Who may do what with KeyStroke: each person their own profile only, the school office
its school's settings; no staff screen and no admin page shows anybody's profile."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from dziennik.keystroke import services
from dziennik.keystroke.models import KeystrokeProfile, KeystrokeSettings, UnusualLogin
from testsupport.url_matrix import POST_ONLY, SCHOOL_OFFICE_PAGE, expect

pytestmark = pytest.mark.django_db
OFFICE = ("principal", "other_principal", "secretary")


def _profiles():
    return sorted(KeystrokeProfile.objects.values_list("user__username", flat=True))


def test_own_settings_post_matrix(world, matrix):
    """Anyone logged in turns their own KeyStroke on and off; an anonymous visitor is sent
    to the login and nothing changes."""
    enable, disable = reverse("keystroke:enable"), reverse("keystroke:disable")
    seen = reverse("keystroke:unusual_seen")
    anonymous = {"anonymous": 302}
    for url in (enable, disable, seen):
        matrix.check(url, anonymous, method="post", data={"consent": "on"}, state=_profiles)
    assert _profiles() == []
    roles = [role for role in POST_ONLY if role != "anonymous"]
    for role in roles:
        client = world.client(role)
        # without the ticked box: refused, nothing stored
        assert client.post(enable, {}).status_code == 400
        assert client.post(enable, {"consent": "on"}).status_code == 302
    usernames = sorted(world.user(role).username for role in roles)
    assert _profiles() == usernames
    UnusualLogin.objects.create(user=world.user("own_parent"), outcome="second_step")
    assert world.client("principal").post(seen).status_code == 302
    assert UnusualLogin.objects.get().seen_at is None  # somebody else's: untouched
    assert world.client("own_parent").post(seen).status_code == 302
    assert UnusualLogin.objects.get().seen_at is not None
    for role in roles:
        assert world.client(role).post(disable).status_code == 302
        assert world.user(role).username not in _profiles()
    assert _profiles() == []


def test_school_settings_matrix(world, matrix):
    url = reverse("keystroke:school_settings")
    expected = dict(SCHOOL_OFFICE_PAGE, principal=302, other_principal=302, secretary=302)

    def state():
        return sorted(
            KeystrokeSettings.objects.values_list("school_id", "required_for_staff", "threshold")
        )

    data = {"required_for_staff": "on", "threshold": "2.00"}
    refused = [role for role in expected if role not in OFFICE]
    matrix.check(url, expected, method="post", data=data, state=state, roles=refused)
    assert state() == []
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    assert state() == [(world.school.pk, True, Decimal("2.00"))]
    response = world.client("secretary").post(url, {"threshold": "9"})
    assert response.status_code == 400  # out of range: said, nothing changed
    assert state() == [(world.school.pk, True, Decimal("2.00"))]


def test_nobody_reads_another_persons_profile(world, matrix):
    parent = world.user("own_parent")
    services.keystroke_enable(actor=parent, consent=True)
    services.login_check(parent, None, second_step_possible=False)
    UnusualLogin.objects.create(user=parent, outcome="let_through")
    own = world.client("own_parent").get(reverse("keystroke:settings")).content.decode()
    assert 'id="keystroke-on"' in own and 'id="unusual-logins"' in own
    assert "Nietypowe logowanie" in own
    # every other role sees its own, empty state: nothing of the parent's
    results = matrix.check(
        reverse("keystroke:settings"), expect(200), roles=[r for r in OFFICE] + ["teacher_in"]
    )
    for result in results.values():
        page = result.content.decode()
        assert 'id="keystroke-off"' in page and "Nietypowe logowanie" not in page
    # no admin page for the profile or the unusual logins
    assert KeystrokeProfile not in admin.site._registry
    assert UnusualLogin not in admin.site._registry


def test_the_account_page_links_to_keystroke(world):
    page = world.client("student").get(reverse("accounts:password_change")).content.decode()
    assert f'href="{reverse("keystroke:settings")}" id="keystroke-link"' in page


def test_staff_of_a_school_that_asks_see_it_until_they_turn_it_on(world):
    services.keystroke_settings_update(
        actor=world.user("principal"), required_for_staff=True, threshold=Decimal("1.50")
    )
    teacher = world.client("teacher_in")
    assert 'id="keystroke-required-panel"' in teacher.get("/").content.decode()
    parent_home = world.client("own_parent").get("/").content.decode()
    assert 'id="keystroke-required-panel"' not in parent_home  # families are never asked
    teacher.post(reverse("keystroke:enable"), {"consent": "on"})
    assert 'id="keystroke-required-panel"' not in teacher.get("/").content.decode()
    assert (
        'id="keystroke-required-panel"'
        not in world.client("other_principal").get("/").content.decode()
    )


def test_the_anonymous_visitor_is_sent_to_log_in():
    response = Client().get(reverse("keystroke:settings"))
    assert response.status_code == 302 and "/konto/logowanie/" in response["Location"]
