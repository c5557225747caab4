"""Sessions stay alive while used, without a database write on every request."""

import time

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dziennik.core.middleware import REFRESHED_KEY


def _session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_requests_within_the_interval_do_not_write_the_session(world, client):
    client.force_login(world.user("own_parent"))
    url = reverse("portal:healthz")
    assert len(_session_writes(client, url)) == 1  # the first one stamps the session
    assert _session_writes(client, url) == []
    assert _session_writes(client, reverse("portal:home")) == []


def test_after_the_interval_a_request_extends_the_expiry(world, client, settings):
    client.force_login(world.user("own_parent"))
    url = reverse("portal:healthz")
    client.get(url)
    key = client.session.session_key
    session = client.session
    session[REFRESHED_KEY] = int(time.time()) - settings.SESSION_REFRESH_INTERVAL - 1
    session.save()
    Session.objects.filter(session_key=key).update(
        expire_date=Session.objects.get(session_key=key).expire_date.replace(year=2000)
    )
    # The session looks expired in the database now, so it is a new anonymous request...
    assert client.get(reverse("portal:home")).status_code == 302
    # ...while a session that is still valid gets its expiry pushed forward.
    client.force_login(world.user("own_parent"))
    client.get(url)
    session = client.session
    session[REFRESHED_KEY] = int(time.time()) - settings.SESSION_REFRESH_INTERVAL - 1
    session.save()
    before = Session.objects.get(session_key=client.session.session_key).expire_date
    time.sleep(1.1)
    assert len(_session_writes(client, url)) == 1
    after = Session.objects.get(session_key=client.session.session_key).expire_date
    assert after > before


def test_anonymous_requests_create_no_session(db, client):
    client.get(reverse("portal:healthz"))
    assert Session.objects.count() == 0
