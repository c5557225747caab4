"""Platforms for the tests, and a relying party that logs in through the real pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.test import Client

from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.sso import services

REDIRECT_URI = "http://127.0.0.1:9/callback"  # never contacted: the test reads the code
ALL_ROLES = ["student", "parent", "teacher", "principal", "secretary"]


def register_platform(world, *, name="Moodle", public=True, scopes=("openid",), roles=None):
    """A platform of the world's school, registered by its principal: (platform, secret)."""
    return services.platform_register(
        actor=world.user("principal"),
        name=name,
        redirect_uris=[REDIRECT_URI],
        public=public,
        scopes=list(scopes),
        roles=list(roles or ALL_ROLES),
    )


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """A person's browser on the live server (a requests session that follows the
    register's redirects, never the platform's)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def open(self, url: str) -> requests.Response:
        """GET ``url`` and follow redirects while they stay on the register."""
        response = self.session.get(url, allow_redirects=False, timeout=30)
        while response.status_code == 302:
            location = response.headers["Location"]
            if location.startswith("/"):
                location = self.base_url + location
            if not location.startswith(self.base_url):
                return response
            response = self.session.get(location, allow_redirects=False, timeout=30)
        return response

    def log_in(self, username: str, next_url: str) -> requests.Response:
        """The register's own login page, as a person fills it in; then where it leads
        (while on the register)."""
        login = self.base_url + "/konto/logowanie/"
        page = self.session.get(login, params={"next": next_url}, timeout=30)
        token = _CSRF.search(page.text).group(1)
        response = self.session.post(
            login,
            data={
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": TEST_PASSWORD,
                "next": next_url,
            },
            headers={"Referer": login},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, "the login did not succeed"
        return self.open(self.base_url + response.headers["Location"])


class RelyingParty:
    """The platform's side: authlib's OAuth 2 / OpenID Connect client with PKCE."""

    def __init__(self, base_url: str, platform, secret: str = "", scope: str = "openid"):
        self.base_url = base_url
        self.discovery = requests.get(
            base_url + "/o/.well-known/openid-configuration", timeout=30
        ).json()
        self.client = OAuth2Session(
            client_id=platform.application.client_id,
            client_secret=secret or None,
            token_endpoint_auth_method="client_secret_basic" if secret else "none",
            scope=scope,
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
        )
        self.verifier = generate_token(48)
        self.nonce = generate_token(20)

    def authorization_url(self, pkce: bool = True) -> str:
        extra = {"code_verifier": self.verifier} if pkce else {}
        url, self.state = self.client.create_authorization_url(
            self.discovery["authorization_endpoint"], nonce=self.nonce, **extra
        )
        return url

    def fetch_token(self, response: requests.Response) -> dict:
        location = response.headers["Location"]
        assert location.startswith(REDIRECT_URI), location
        return self.client.fetch_token(
            self.discovery["token_endpoint"],
            authorization_response=location,
            code_verifier=self.verifier,
        )

    def jwks(self) -> dict:
        return requests.get(self.discovery["jwks_uri"], timeout=30).json()


def error_of(response: requests.Response) -> str | None:
    """The OAuth error a redirect to the platform carries, if any."""
    query = parse_qs(urlsplit(response.headers.get("Location", "")).query)
    return query.get("error", [None])[0]


def authorize_query(platform, scope: str, challenge: str) -> dict:
    return {
        "client_id": platform.application.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "state-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def tokens_for(world, platform, role: str, *, scope="openid register", secret="") -> dict:
    """The code flow with PKCE through Django's test client, for tests of what tokens
    open (the login page itself is driven in test_oidc_flow.py): the person's session
    asks for a code, the platform swaps it for tokens."""
    verifier = generate_token(48)
    answer = world.client(role).get(
        "/o/authorize/", authorize_query(platform, scope, create_s256_code_challenge(verifier))
    )
    assert answer.status_code == 302, answer.status_code
    code = parse_qs(urlsplit(answer["Location"]).query)["code"][0]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": platform.application.client_id,
        "code_verifier": verifier,
    }
    if secret:
        data["client_secret"] = secret
    response = Client().post("/o/token/", data)
    assert response.status_code == 200, response.content
    return response.json()


def api_get(path: str, access_token: str):
    return Client().get(path, headers={"Authorization": f"Bearer {access_token}"})
