"""Each request's reads of its session and its user, prepared (``accounts.sessions``,
``accounts.backends``): the same session and the same user as Django's own store and
backend give, whatever the key, the expiry, the id or the account's state."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import backends as django_backends
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dziennik.accounts import backends, sessions
from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.accounts.views_passkeys import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def _session(key: str, expires_in: datetime.timedelta, data: dict) -> None:
    store = django_db.SessionStore()
    Session.objects.create(
        session_key=key,
        session_data=store.encode(data),
        expire_date=timezone.now() + expires_in,
    )


def test_the_session_store_reads_what_djangos_reads():
    _session("a" * 32, datetime.timedelta(minutes=5), {"who": "valid"})
    _session("b" * 32, -datetime.timedelta(seconds=1), {"who": "expired"})
    _session("c" * 32, datetime.timedelta(microseconds=-1), {"who": "just expired"})
    _session("d" * 32, datetime.timedelta(days=3), {"who": "long"})
    assert settings.SESSION_ENGINE == "dziennik.accounts.sessions"
    for key in ("a" * 32, "b" * 32, "c" * 32, "d" * 32, "e" * 32, "short", "", None):
        ours, djangos = sessions.SessionStore(key), django_db.SessionStore(key)
        assert ours.load() == djangos.load(), key
        assert ours.session_key == djangos.session_key, key
    assert sessions.SessionStore("a" * 32).load() == {"who": "valid"}
    expired = sessions.SessionStore("b" * 32)
    assert expired.load() == {}
    assert expired.session_key is None  # forgotten: the next one saved gets a new key


def test_an_expired_session_logs_out_and_a_live_one_does_not(world):
    client = world.client("own_parent")
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _fields(user: User) -> dict:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_the_user_is_the_one_djangos_backend_reads(world):
    ours, djangos = backends.ModelBackend(), django_backends.ModelBackend()
    for role in ("own_parent", "teacher_in", "class_teacher"):
        user = world.user(role)
        mine, theirs = ours.get_user(user.pk), djangos.get_user(user.pk)
        assert type(mine) is type(theirs) is User
        assert _fields(mine) == _fields(theirs)
        assert mine._state.db == theirs._state.db
        assert mine._state.adding is theirs._state.adding is False
        assert mine.get_session_auth_hash() == theirs.get_session_auth_hash()
        assert ours.get_user(str(user.pk)).pk == user.pk
    missing = User.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    for user_id in (missing, "not a number", None):
        assert ours.get_user(user_id) is None, user_id
    parent = world.user("own_parent")
    User.objects.filter(pk=parent.pk).update(is_active=False)
    assert ours.get_user(parent.pk) is None
    assert djangos.get_user(parent.pk) is None


def test_a_passkey_login_names_a_backend_the_settings_know():
    # a session remembers its backend's path; one the settings do not list is nobody
    assert MODEL_BACKEND == backends.PATH
    assert MODEL_BACKEND in settings.AUTHENTICATION_BACKENDS


def test_a_user_logged_in_through_the_backend_is_logged_out_by_a_new_password(world):
    parent = world.user("own_parent")
    client = Client()
    client.force_login(parent, backend=backends.PATH)
    assert client.get("/").status_code == 200
    parent.set_password(TEST_PASSWORD + "-new")
    parent.save(update_fields=["password"])
    response = client.get("/")  # the session's hash no longer matches the user's
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    User.objects.filter(pk=parent.pk).update(is_active=False)
    client.force_login(parent, backend=backends.PATH)
    assert client.get("/").status_code == 302  # an inactive user is nobody
