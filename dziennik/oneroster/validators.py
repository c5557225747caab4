"""The OAuth 2 server's rules for OneRoster clients, on top of single sign-on's: a
platform's OneRoster client uses the client-credentials grant (no person), may ask only
for the OneRoster scopes the school gave it, and is served only while active."""

from __future__ import annotations

from django.conf import settings

from dziennik.sso.validators import RegisterValidator

from .models import RosterClient


def roster_client(application) -> RosterClient | None:
    if application is None:
        return None
    try:
        return application.roster_client
    except RosterClient.DoesNotExist:
        return None


def allowed_scopes(client: RosterClient) -> list[str]:
    scopes = [settings.ONEROSTER_ROSTER_SCOPE]
    if client.gradebook:
        scopes.append(settings.ONEROSTER_GRADEBOOK_SCOPE)
    return scopes


class RosterValidator(RegisterValidator):
    def client_active(self, application) -> bool:
        client = roster_client(application)
        if client is None:
            return super().client_active(application)
        return client.active and client.platform.active

    def client_acts_alone(self, request) -> bool:
        client = roster_client(request.client)
        return client is not None and client.active and client.platform.active

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        roster = roster_client(client)
        if roster is None:
            return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)
        return set(scopes) <= set(allowed_scopes(roster))

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        roster = roster_client(self._load_application(client_id, request))
        if roster is None:
            return super().get_default_scopes(client_id, request, *args, **kwargs)
        return allowed_scopes(roster)
