"""The services' refusals: the token endpoint's checks of a tool's client assertion
(signature, expiry, audience, replay), the bearer tokens (missing, expired, unscoped,
another tool's), and scores that are refused with nothing written. The tool here gives
the register its public key as PEM (the other way of registering a key)."""

import datetime
import json
import time
import uuid
from decimal import Decimal

import jwt
import pytest
from django.test import Client
from django.utils import timezone

from dziennik.core.models import AuditEntry
from dziennik.grades import services as grades_services
from dziennik.grades.models import Grade
from dziennik.lti import keys, messages, services
from dziennik.lti.models import PlatformKey, ServiceToken, UsedJwt

from .tool import new_key_pair

TOKEN_URL = "http://testserver/lti/token/"
ALL_SCOPES = " ".join(messages.SERVICE_SCOPES)


@pytest.fixture
def tool_keys():
    return new_key_pair()


def _tool(world, public_pem, *, principal="principal", name="Quizyn"):
    return services.tool_register(
        actor=world.user(principal),
        name=name,
        login_url="https://quizyn.example/login",
        launch_url="https://quizyn.example/launch",
        redirect_uris=[],
        deep_link_url="",
        jwks_url="",
        public_key=public_pem,
    )


@pytest.fixture
def setup(world, tool_keys):
    grades_services.grading_setup_defaults(school=world.school)
    tool = _tool(world, tool_keys[1])
    placement = services.placement_add(
        actor=world.user("teacher_in"),
        tool=tool,
        school_class=world.school_class,
        subject=world.subject,
        title="Quiz",
        column_maximum=Decimal(20),
    )
    return tool, placement, placement.line_items.get()


def _assertion(tool, private_pem, **override):
    now = int(time.time())
    claims = {
        "iss": tool.client_id,
        "sub": tool.client_id,
        "aud": TOKEN_URL,
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    } | override
    return jwt.encode(claims, private_pem, algorithm="RS256")


def _token_request(assertion, scope=ALL_SCOPES):
    return Client().post(
        "/lti/token/",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": scope,
        },
    )


def _token(tool, private_pem, scope=ALL_SCOPES) -> str:
    response = _token_request(_assertion(tool, private_pem), scope)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_a_signed_assertion_gets_a_short_lived_token_of_the_asked_scopes(setup, tool_keys):
    tool, _placement, _item = setup
    response = _token_request(_assertion(tool, tool_keys[0]), messages.SCOPE_NRPS + " other")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    assert body["scope"] == messages.SCOPE_NRPS
    stored = ServiceToken.objects.get()
    assert stored.token_hash != body["access_token"]  # only its hash is kept
    assert stored.expires_at <= timezone.now() + datetime.timedelta(seconds=600)


@pytest.mark.parametrize(
    "case",
    ["bad_signature", "expired", "wrong_audience", "other_subject", "replayed"],
)
def test_a_bad_assertion_is_refused_and_gets_no_token(setup, tool_keys, case):
    tool, _placement, _item = setup
    private = tool_keys[0]
    if case == "bad_signature":
        assertion = _assertion(tool, new_key_pair()[0])
    elif case == "expired":
        assertion = _assertion(tool, private, iat=int(time.time()) - 600, exp=int(time.time()) - 60)
    elif case == "wrong_audience":
        assertion = _assertion(tool, private, aud="http://testserver/o/token/")
    elif case == "other_subject":
        assertion = _assertion(tool, private, sub="someone-else")
    else:
        assertion = _assertion(tool, private)
        assert _token_request(assertion).status_code == 200
        ServiceToken.objects.all().delete()
    response = _token_request(assertion)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not ServiceToken.objects.exists()


def test_a_switched_off_tool_gets_no_token_and_its_tokens_stop(world, setup, tool_keys):
    tool, placement, _item = setup
    access = _token(tool, tool_keys[0])
    url = f"/lti/uslugi/{placement.pk}/czlonkowie/"
    assert _get(url, access).status_code == 200
    assert services.tool_revoke(actor=world.user("principal"), tool=tool) == 1
    assert _get(url, access).status_code == 401
    assert _token_request(_assertion(tool, tool_keys[0])).status_code == 401


def _get(url, access_token):
    return Client().get(url, headers={"Authorization": f"Bearer {access_token}"})


def _post_score(url, access_token, body):
    return Client().post(
        url,
        json.dumps(body),
        content_type="application/vnd.ims.lis.v1.score+json",
        headers={"Authorization": f"Bearer {access_token}"},
    )


def test_the_services_want_a_live_token_with_the_scope(setup, tool_keys):
    tool, placement, _item = setup
    url = f"/lti/uslugi/{placement.pk}/czlonkowie/"
    assert Client().get(url).status_code == 401
    assert _get(url, "made-up").status_code == 401
    score_only = _token(tool, tool_keys[0], scope=messages.SCOPE_SCORE)
    assert _get(url, score_only).status_code == 403
    access = _token(tool, tool_keys[0], scope=messages.SCOPE_NRPS)
    assert _get(url, access).status_code == 200
    ServiceToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert _get(url, access).status_code == 401


def test_another_schools_tool_reads_nothing_of_this_school(world, setup, tool_keys):
    _tool_here, placement, item = setup
    other_keys = new_key_pair()
    other = _tool(world, other_keys[1], principal="other_principal", name="Quizyn")
    assert other.school == world.other_school
    access = _token(other, other_keys[0])
    for url in (
        f"/lti/uslugi/{placement.pk}/czlonkowie/",
        f"/lti/uslugi/{placement.pk}/kolumny/",
        f"/lti/uslugi/kolumny/{item.pk}/",
        f"/lti/uslugi/kolumny/{item.pk}/results",
    ):
        response = _get(url, access)
        assert response.status_code == 404, url
        assert "Wiśniewska" not in response.content.decode()
    sub = messages.subject(other, world.user("student").pk)
    response = _post_score(
        f"/lti/uslugi/kolumny/{item.pk}/scores",
        access,
        {"userId": sub, "scoreGiven": 1, "scoreMaximum": 2},
    )
    assert response.status_code == 404
    assert not Grade.objects.exists()


def _score(tool, world, given, maximum):
    return {
        "userId": messages.subject(tool, world.user("student").pk),
        "scoreGiven": given,
        "scoreMaximum": maximum,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": timezone.now().isoformat(),
    }


@pytest.mark.parametrize(
    ("given", "maximum"), [(21, 20), (-1, 20), (5, 0), ("dużo", 20), (None, 20)]
)
def test_a_score_out_of_range_is_refused_and_nothing_is_written(
    world, setup, tool_keys, given, maximum
):
    tool, _placement, item = setup
    access = _token(tool, tool_keys[0], scope=messages.SCOPE_SCORE)
    history = AuditEntry.objects.count()
    response = _post_score(
        f"/lti/uslugi/kolumny/{item.pk}/scores", access, _score(tool, world, given, maximum)
    )
    assert response.status_code == 400
    assert not Grade.objects.exists()
    assert AuditEntry.objects.count() == history


def test_a_locked_column_refuses_scores_until_the_teacher_reopens_it(world, setup, tool_keys):
    tool, _placement, item = setup
    access = _token(tool, tool_keys[0], scope=messages.SCOPE_SCORE)
    url = f"/lti/uslugi/kolumny/{item.pk}/scores"
    teacher = world.client("teacher_in")
    assert teacher.post(f"/lti/kolumna/{item.pk}/blokada/", {"locked": "1"}).status_code == 302
    response = _post_score(url, access, _score(tool, world, 10, 20))
    assert response.status_code == 400
    assert response.json()["error_description"] == (
        "Nauczyciel zamknął tę kolumnę dla wyników z narzędzia."
    )
    assert not Grade.objects.exists()
    assert teacher.post(f"/lti/kolumna/{item.pk}/blokada/", {"locked": "0"}).status_code == 302
    assert _post_score(url, access, _score(tool, world, 10, 20)).status_code == 200
    assert Grade.objects.get().points == Decimal("10.00")


def test_a_score_for_someone_outside_the_class_is_refused(world, setup, tool_keys):
    tool, _placement, item = setup
    access = _token(tool, tool_keys[0], scope=messages.SCOPE_SCORE)
    body = _score(tool, world, 10, 20) | {
        "userId": messages.subject(tool, world.user("teacher_in").pk)
    }
    assert _post_score(f"/lti/uslugi/kolumny/{item.pk}/scores", access, body).status_code == 400
    assert not Grade.objects.exists()


def test_the_tool_adds_a_line_item_in_the_name_of_the_teacher(world, setup, tool_keys):
    tool, placement, _item = setup
    access = _token(tool, tool_keys[0], scope=messages.SCOPE_LINEITEM)
    response = Client().post(
        f"/lti/uslugi/{placement.pk}/kolumny/",
        json.dumps({"label": "Kartkówka online", "scoreMaximum": 10, "tag": "k1"}),
        content_type="application/vnd.ims.lis.v2.lineitem+json",
        headers={"Authorization": f"Bearer {access}"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["label"] == "Kartkówka online"
    listed = _get(f"/lti/uslugi/{placement.pk}/kolumny/", access).json()
    assert [(i["label"], i["scoreMaximum"]) for i in listed] == [
        ("Quiz", 20.0),
        ("Kartkówka online", 10.0),
    ]
    bad = Client().post(
        f"/lti/uslugi/{placement.pk}/kolumny/",
        json.dumps({"label": "Zła", "scoreMaximum": -3}),
        content_type="application/vnd.ims.lis.v2.lineitem+json",
        headers={"Authorization": f"Bearer {access}"},
    )
    assert bad.status_code == 400
    assert placement.line_items.count() == 2


def test_key_rotation_keeps_the_old_key_published_for_the_grace_period(db, settings):
    first = keys.signing_key()
    token = keys.sign({"x": 1})
    assert jwt.get_unverified_header(token)["kid"] == first.kid
    second = keys.rotate()
    published = Client().get("/lti/jwks/").json()["keys"]
    assert sorted(k["kid"] for k in published) == sorted([first.kid, second.kid])
    assert jwt.get_unverified_header(keys.sign({"x": 2}))["kid"] == second.kid
    # The old key still verifies what it signed, through the published set.
    old = jwt.PyJWK(next(k for k in published if k["kid"] == first.kid))
    assert jwt.decode(token, old.key, algorithms=["RS256"]) == {"x": 1}
    PlatformKey.objects.filter(pk=first.pk).update(
        retired_at=timezone.now() - datetime.timedelta(seconds=settings.LTI_KEY_GRACE_SECONDS + 1)
    )
    assert [k["kid"] for k in Client().get("/lti/jwks/").json()["keys"]] == [second.kid]


def test_used_jtis_are_forgotten_once_expired(setup, tool_keys):
    tool, _placement, _item = setup
    _token(tool, tool_keys[0])
    UsedJwt.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _token(tool, tool_keys[0])
    assert UsedJwt.objects.count() == 1


def test_the_rotation_command_makes_a_new_signing_key(db):
    from io import StringIO

    from django.core.management import call_command

    first = keys.signing_key()
    out = StringIO()
    call_command("lti_rotate_key", stdout=out)
    second = keys.signing_key()
    assert second.kid != first.kid
    assert second.kid in out.getvalue()
    first.refresh_from_db()
    assert first.retired_at is not None
