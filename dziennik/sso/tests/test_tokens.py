"""What single sign-on's tokens open, and how they end: the resource API answers only
about the owner's own students; tokens expire, are refreshed, revoked by the platform
or with the platform by the school, and then the API answers 401."""

import datetime
import hashlib

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from dziennik.core.models import AuditEntry
from dziennik.sso import claims, services
from dziennik.sso.models import Platform

from .factories import (
    REDIRECT_URI,
    api_get,
    authorize_query,
    register_platform,
    tokens_for,
)

SCOPES = ("openid", "register")


def _checksum(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _student_url(student) -> str:
    return reverse("api:student", args=[student.pk])


def test_a_parents_token_reads_their_child_and_not_another_family(world):
    platform, _ = register_platform(world, scopes=SCOPES)
    token = tokens_for(world, platform, "own_parent")["access_token"]

    own = api_get(_student_url(world.student), token)
    assert own.status_code == 200
    assert own.json() == {
        "id": world.student.pk,
        "first_name": "Zofia",
        "last_name": "Wiśniewska",
        "class": "4a",
    }
    other = api_get(_student_url(world.classmate), token)
    missing = api_get(reverse("api:student", args=[999_999]), token)
    assert (other.status_code, missing.status_code) == (404, 404)
    assert other.content == missing.content  # a stranger's child looks like no child
    assert "Kacper" not in other.content.decode()

    me = api_get(reverse("api:me"), token).json()
    assert me == {
        "sub": claims.subject(platform, world.user("own_parent").pk),
        "role": "parent",
        "school": {"id": str(world.school.pk), "name": world.school.name},
        "classes": [{"id": str(world.school_class.pk), "name": "4a"}],
        "students": [own.json()],
    }


def test_a_student_reads_themselves_and_a_teacher_no_pupil(world):
    platform, _ = register_platform(world, scopes=SCOPES)
    student_token = tokens_for(world, platform, "student")["access_token"]
    assert api_get(_student_url(world.student), student_token).status_code == 200
    assert api_get(_student_url(world.classmate), student_token).status_code == 404
    teacher_token = tokens_for(world, platform, "teacher_in")["access_token"]
    assert api_get(_student_url(world.student), teacher_token).status_code == 404
    assert api_get(reverse("api:me"), teacher_token).json()["students"] == []


def test_the_api_wants_a_token_with_its_scope(world):
    platform, _ = register_platform(world, scopes=SCOPES)
    login_only = tokens_for(world, platform, "own_parent", scope="openid")["access_token"]
    answer = api_get(_student_url(world.student), login_only)
    assert answer.status_code == 403
    assert 'error="insufficient_scope"' in answer["WWW-Authenticate"]
    # A session is not a token: the parent's own browser gets nothing from the API.
    assert world.client("own_parent").get(_student_url(world.student)).status_code == 401
    assert api_get(_student_url(world.student), "made-up").status_code == 401


def test_access_tokens_expire_after_the_configured_time_and_refresh(world):
    platform, _ = register_platform(world, scopes=SCOPES)
    tokens = tokens_for(world, platform, "own_parent")
    assert tokens["expires_in"] == 15 * 60  # SSO_ACCESS_TOKEN_SECONDS' default
    stored = AccessToken.objects.get(token_checksum=_checksum(tokens["access_token"]))
    assert stored.token == ""  # stored only as its hash (RFC 9700)
    assert stored.expires - timezone.now() <= datetime.timedelta(minutes=15)

    # The clock passes the expiry: the API refuses the token.
    AccessToken.objects.filter(pk=stored.pk).update(
        expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    answer = api_get(_student_url(world.student), tokens["access_token"])
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer["WWW-Authenticate"]

    refreshed = Client().post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": platform.application.client_id,
        },
    )
    assert refreshed.status_code == 200
    fresh = refreshed.json()
    assert fresh["refresh_token"] != tokens["refresh_token"]  # rotated
    assert api_get(_student_url(world.student), fresh["access_token"]).status_code == 200


def test_the_platform_revokes_a_token(world):
    platform, _ = register_platform(world, scopes=SCOPES)
    tokens = tokens_for(world, platform, "own_parent")
    client_id = platform.application.client_id
    assert api_get(_student_url(world.student), tokens["access_token"]).status_code == 200

    revoked = Client().post(
        "/o/revoke_token/", {"token": tokens["access_token"], "client_id": client_id}
    )
    assert revoked.status_code == 200
    assert api_get(_student_url(world.student), tokens["access_token"]).status_code == 401


def test_introspection_tells_a_confidential_platform_whether_a_token_lives(world):
    platform, secret = register_platform(world, public=False, scopes=SCOPES)
    tokens = tokens_for(world, platform, "own_parent", secret=secret)
    client_id = platform.application.client_id

    def introspect():
        return (
            Client()
            .post(
                "/o/introspect/",
                {"token": tokens["access_token"], "client_id": client_id, "client_secret": secret},
            )
            .json()
        )

    alive = introspect()
    assert alive["active"] is True
    assert alive["scope"] == "openid register"
    AccessToken.objects.filter(token_checksum=_checksum(tokens["access_token"])).update(
        expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert introspect() == {"active": False}


def test_the_school_revokes_a_platform_and_every_token_ends(world):
    platform, _ = register_platform(world, scopes=SCOPES)
    tokens = tokens_for(world, platform, "own_parent")
    other = tokens_for(world, platform, "student")

    revoked = services.platform_revoke(actor=world.user("principal"), platform=platform)

    assert revoked == 2
    for token in (tokens, other):
        assert api_get(_student_url(world.student), token["access_token"]).status_code == 401
    refresh = Client().post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": platform.application.client_id,
        },
    )
    assert refresh.status_code in (400, 401)
    assert refresh.json()["error"] in ("invalid_client", "invalid_grant")
    assert not AccessToken.objects.exists() and not RefreshToken.objects.exists()
    # Nobody logs in through it any more.
    answer = world.client("own_parent").get(
        "/o/authorize/", authorize_query(platform, "openid", "x" * 43)
    )
    assert answer.status_code == 403
    assert not Grant.objects.exists()
    entry = AuditEntry.objects.filter(object_id=str(platform.pk), action="update").get()
    assert entry.changes["active"] == [True, False]
    assert entry.changes["tokens_revoked"] == [None, 2]
    assert entry.actor == world.user("principal")


def test_a_person_of_another_school_gets_no_code(world):
    platform, _ = register_platform(world, scopes=SCOPES)
    answer = world.client("other_principal").get(
        "/o/authorize/", authorize_query(platform, "openid", "x" * 43)
    )
    assert answer.status_code == 403
    assert REDIRECT_URI not in answer.content.decode()
    assert not Grant.objects.exists()


def test_a_person_moved_to_another_school_cannot_refresh(world):
    platform, _ = register_platform(world, scopes=SCOPES)
    tokens = tokens_for(world, platform, "teacher_out")
    teacher = world.user("teacher_out")
    teacher.school = world.other_school
    teacher.save()
    assert api_get(reverse("api:me"), tokens["access_token"]).status_code == 401


def test_subjects_are_pairwise_and_stable(world):
    moodle, _ = register_platform(world, name="Moodle")
    teams, _ = register_platform(world, name="Teams")
    user_id = world.user("own_parent").pk
    assert claims.subject(moodle, user_id) == claims.subject(
        Platform.objects.get(pk=moodle.pk), user_id
    )
    assert claims.subject(moodle, user_id) != claims.subject(teams, user_id)
    assert len(claims.subject(moodle, user_id)) == 64  # a hash, not the account's number
    assert claims.subject(moodle, user_id) != claims.subject(moodle, user_id + 1)


def test_a_replayed_refresh_token_ends_the_whole_family(world):
    """A refresh token used twice (stolen and used by someone else, RFC 9700 4.14.2):
    the second use fails and the tokens the first one gave die with it."""
    platform, _ = register_platform(world, scopes=SCOPES)
    tokens = tokens_for(world, platform, "own_parent")
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": platform.application.client_id,
    }
    first = Client().post("/o/token/", refresh)
    assert first.status_code == 200
    fresh = first.json()["access_token"]
    assert api_get(_student_url(world.student), fresh).status_code == 200

    replay = Client().post("/o/token/", refresh)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert api_get(_student_url(world.student), fresh).status_code == 401
