"""A platform's OneRoster client for the tests, and its calls through the real token
endpoint (client credentials) and API."""

from __future__ import annotations

import base64

from django.conf import settings
from django.test import Client

from dziennik.oneroster import services
from dziennik.sso import services as sso_services
from dziennik.sso.tests.factories import ALL_ROLES, REDIRECT_URI

ROSTERING = "/ims/oneroster/rostering/v1p2/"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2/"


def roster_client(world, *, gradebook=True, role="principal", name="Moodle", needs_elearning=False):
    """A platform of the school of ``role`` (its principal) with a OneRoster client:
    (client, secret)."""
    actor = world.user(role)
    platform, _ = sso_services.platform_register(
        actor=actor,
        name=name,
        redirect_uris=[REDIRECT_URI],
        public=False,
        scopes=["openid"],
        roles=ALL_ROLES,
        needs_elearning=needs_elearning,
    )
    return services.roster_client_create(actor=actor, platform=platform, gradebook=gradebook)


def token_for(client, secret: str, scope: str | None = None) -> dict:
    """The token endpoint's answer to the client's credentials (HTTP Basic)."""
    basic = base64.b64encode(f"{client.application.client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    answer = Client().post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")
    return answer.json() | {"status": answer.status_code}


def access_token(client, secret: str) -> str:
    scope = settings.ONEROSTER_ROSTER_SCOPE
    if client.gradebook:
        scope += " " + settings.ONEROSTER_GRADEBOOK_SCOPE
    return token_for(client, secret, scope)["access_token"]


def api_get(path: str, token: str, **params):
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")
