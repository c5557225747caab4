"""The principal's OneRoster screen: who may give a platform a client, revoke it and
download the CSV (the POST matrices), what the history keeps, bad input, and the
page's cost."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dziennik.core.models import AuditEntry
from dziennik.core.params import date_bounds
from dziennik.oneroster.models import RosterClient, RosterSettings
from testsupport.url_matrix import Scene, expect

from . import csv_rules
from .factories import roster_client


def _state():
    return (
        list(RosterClient.objects.order_by("pk").values_list("pk", "platform_id", "active")),
        list(RosterSettings.objects.values_list("school_id", "last_csv_at")),
        AuditEntry.objects.count(),
    )


def _split(expected, allowed):
    return [role for role in expected if role not in allowed], list(allowed)


def test_client_new_matrix(world, matrix):
    platform = Scene(world).platform
    url = reverse("oneroster:client_new", args=[platform.pk])
    expected = expect(404, principal=200)
    refused, allowed = _split(expected, ("principal",))
    matrix.check(
        url, expected, method="post", data={"gradebook": "on"}, state=_state, roles=refused
    )
    assert not RosterClient.objects.exists()
    results = matrix.check(url, expected, method="post", data={"gradebook": "on"}, roles=allowed)
    client = RosterClient.objects.get()
    assert (client.platform, client.school, client.gradebook) == (platform, world.school, True)
    page = results["principal"].text
    assert client.application.client_id in page and 'id="client-secret"' in page
    assert client.application.client_secret not in page  # the stored hash, never shown
    entry = AuditEntry.objects.get(
        content_type__model="rosterclient", object_id=str(client.pk), action="create"
    )
    assert entry.actor == world.user("principal")
    assert entry.changes["client_id"] == [None, client.application.client_id]
    assert "client_secret" not in entry.changes


def test_client_revoke_matrix(world, matrix):
    client, _secret = roster_client(world)
    url = reverse("oneroster:client_revoke", args=[client.platform_id])
    expected = expect(404, principal=302)
    refused, allowed = _split(expected, ("principal",))
    matrix.check(url, expected, method="post", state=_state, roles=refused)
    matrix.check(url, expected, method="post", roles=allowed)
    client.refresh_from_db()
    assert client.active is False
    entry = AuditEntry.objects.get(
        content_type__model="rosterclient", object_id=str(client.pk), action="update"
    )
    assert entry.changes["active"] == [True, False] and entry.changes["tokens_revoked"] == [None, 0]


def test_download_matrix(world, matrix):
    url = reverse("oneroster:download")
    expected = expect(404, principal=200, other_principal=200)
    refused, allowed = _split(expected, ("principal", "other_principal"))
    matrix.check(url, expected, method="post", data={}, state=_state, roles=refused)
    results = matrix.check(url, expected, method="post", data={}, roles=allowed)
    ours = csv_rules.tables(results["principal"].content)
    theirs = csv_rules.tables(results["other_principal"].content)
    assert csv_rules.problems(results["principal"].content) == []
    assert {u["givenName"] for u in ours["users"]} >= {"Zofia", "Kacper", "Halina"}
    assert {u["givenName"] for u in theirs["users"]} == {"Jan"}
    settings = RosterSettings.objects.get(school=world.school)
    assert settings.last_csv_at is not None
    entry = AuditEntry.objects.get(
        content_type__model="rostersettings", object_id=str(settings.pk), action="update"
    )
    assert entry.actor == world.user("principal")
    assert entry.changes == {"csv_download": [None, "bulk"]}


def test_a_delta_for_a_platform_and_bad_input(world):
    client, _secret = roster_client(world)
    browser = world.client("principal")
    url = reverse("oneroster:download")
    earliest = date_bounds()[0].isoformat()  # every change the register could hold
    answer = browser.post(url, {"platform": client.platform_id, "since": earliest})
    assert answer.status_code == 200
    tables = csv_rules.tables(answer.content)
    manifest = {r["propertyName"]: r["value"] for r in tables["manifest"]}
    assert manifest["file.users"] == "delta" and manifest["file.demographics"] == "absent"
    zofia = next(u for u in tables["users"] if u["givenName"] == "Zofia")
    assert zofia["status"] == "active" and zofia["userIds"].startswith("{sso:")
    before = _state()
    bad = browser.post(url, {"platform": "999999", "since": "yesterday"})
    assert bad.status_code == 400
    assert _state() == before  # nothing recorded for a refused export
    page = bad.content.decode()
    assert 'id="id_since"' in page and "errorlist" in page


def test_the_screen_lists_platforms_with_their_last_sync_at_a_fixed_cost(world):
    browser = world.client("principal")
    url = reverse("oneroster:index")

    def cost():
        with CaptureQueriesContext(connection) as queries:
            answer = browser.get(url)
        assert answer.status_code == 200
        return len(queries), answer.content.decode()

    roster_client(world, name="Moodle")
    cost()  # the first page of a session notes the session's own things
    first, page = cost()
    assert "Moodle" in page
    roster_client(world, name="Teams")
    roster_client(world, name="Classroom")
    second, page = cost()
    assert first == second
    assert page.count('id="roster-platform-') == 3
