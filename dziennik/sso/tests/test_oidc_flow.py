"""The register as an OpenID Connect provider, end to end: authlib (a standard client
library) on the platform's side, the live server on ours, the person logging in through
the register's real login page."""

import requests
from authlib.jose import JsonWebKey, jwt
from oauth2_provider.models import Grant

from dziennik.sso import claims
from dziennik.sso.models import Platform

from .factories import Browser, RelyingParty, error_of, register_platform


def _log_in(live_server, party: RelyingParty, username: str) -> requests.Response:
    browser = Browser(live_server.url)
    first = browser.open(party.authorization_url())
    assert "/konto/logowanie/" in first.url  # the register's own login page
    return browser.log_in(username, _next_of(first))


def _next_of(response: requests.Response) -> str:
    return requests.utils.unquote(response.url.split("next=", 1)[1])


def _verified(party: RelyingParty, id_token: str, platform: Platform) -> dict:
    keys = JsonWebKey.import_key_set(party.jwks())
    decoded = jwt.decode(
        id_token,
        keys,
        claims_options={
            "iss": {"essential": True, "value": party.discovery["issuer"]},
            "aud": {"essential": True, "value": platform.application.client_id},
            "nonce": {"essential": True, "value": party.nonce},
        },
    )
    decoded.validate()
    return dict(decoded)


def test_authlib_logs_a_parent_in_with_pkce_and_verifies_the_id_token(world, live_server):
    platform, _ = register_platform(world, public=True)
    party = RelyingParty(live_server.url, platform)
    assert party.discovery["issuer"] == live_server.url + "/o"
    assert party.discovery["code_challenge_methods_supported"] == ["S256"]

    token = party.fetch_token(_log_in(live_server, party, "rodzic-test"))

    assert token["token_type"] == "Bearer"
    assert token["refresh_token"]
    id_claims = _verified(party, token["id_token"], platform)
    parent = world.user("own_parent")
    assert id_claims["sub"] == claims.subject(platform, parent.pk)
    assert id_claims["sub"] != str(parent.pk)
    assert id_claims["role"] == "parent"
    assert id_claims["school"] == {"id": str(world.school.pk), "name": world.school.name}
    assert id_claims["classes"] == [{"id": str(world.school_class.pk), "name": "4a"}]
    # Data minimisation: nothing of the person beyond the register's claims.
    for absent in ("name", "given_name", "family_name", "email"):
        assert absent not in id_claims
    assert "Anna" not in str(id_claims)

    userinfo = party.client.get(party.discovery["userinfo_endpoint"]).json()
    assert userinfo == {
        "sub": id_claims["sub"],
        "role": "parent",
        "school": id_claims["school"],
        "classes": id_claims["classes"],
    }
    platform.refresh_from_db()
    assert platform.last_login_at is not None


def test_a_tampered_id_token_fails_the_signature_check(world, live_server):
    platform, _ = register_platform(world)
    party = RelyingParty(live_server.url, platform)
    token = party.fetch_token(_log_in(live_server, party, "n-in"))
    header, payload, signature = token["id_token"].split(".")
    forged = ".".join([header, payload, signature[::-1]])
    keys = JsonWebKey.import_key_set(party.jwks())
    try:
        jwt.decode(forged, keys)
    except Exception as error:  # authlib's BadSignatureError
        assert "signature" in str(error).lower()
    else:
        raise AssertionError("a forged signature was accepted")


def test_a_teacher_gets_the_classes_taught_and_the_name_only_with_profile(world, live_server):
    platform, secret = register_platform(world, public=False, scopes=("openid", "profile", "email"))
    party = RelyingParty(live_server.url, platform, secret=secret, scope="openid profile")
    token = party.fetch_token(_log_in(live_server, party, "wych"))
    id_claims = _verified(party, token["id_token"], platform)
    assert id_claims["role"] == "teacher"
    assert id_claims["classes"] == [{"id": str(world.school_class.pk), "name": "4a"}]
    assert (id_claims["name"], id_claims["given_name"]) == ("Grażyna Wójcik", "Grażyna")
    assert "email" not in id_claims  # allowed for the platform, not asked for


def test_a_scope_the_school_did_not_allow_is_refused(world, live_server):
    platform, _ = register_platform(world, scopes=("openid",))
    party = RelyingParty(live_server.url, platform, scope="openid profile")
    answer = _log_in(live_server, party, "rodzic-test")
    assert answer.status_code == 302
    assert error_of(answer) == "invalid_scope"
    assert not Grant.objects.exists()


def test_a_public_client_must_use_pkce(world, live_server):
    platform, _ = register_platform(world, public=True)
    party = RelyingParty(live_server.url, platform)
    browser = Browser(live_server.url)
    browser.log_in("rodzic-test", "/")
    answer = browser.open(party.authorization_url(pkce=False))
    assert answer.status_code == 302
    assert error_of(answer) == "invalid_request"
    assert not Grant.objects.exists()


def test_a_person_of_another_school_is_refused_with_a_page(world, live_server):
    platform, _ = register_platform(world)
    party = RelyingParty(live_server.url, platform)
    answer = _log_in(live_server, party, "dyrektor-inny")
    assert answer.status_code == 403
    assert "Moodle" in answer.text
    assert "Ta platforma należy do innej szkoły" in answer.text
    assert not Grant.objects.exists()


def test_a_role_the_school_did_not_allow_is_refused(world, live_server):
    platform, _ = register_platform(world, roles=["teacher"])
    party = RelyingParty(live_server.url, platform)
    answer = _log_in(live_server, party, "rodzic-test")
    assert answer.status_code == 403
    assert not Grant.objects.exists()
