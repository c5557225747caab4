"""The register's rules inside django-oauth-toolkit's OAuth 2 / OpenID Connect server.

A platform that the school switched off is no client at all; PKCE is required of public
clients; a token has at most the scopes the school allowed the platform; a refresh or an
API call of a person who may no longer log in through it fails; the claims are the
register's own (``claims.py``), never the account's number.
"""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator

from dziennik.schools.viewer import get_viewer

from . import claims, permissions, services
from .models import Platform


def _platform(application) -> Platform | None:
    if application is None:
        return None
    try:
        return application.platform
    except Platform.DoesNotExist:
        return None


def _active(application) -> bool:
    platform = _platform(application)
    return platform is not None and platform.active


class RegisterValidator(OAuth2Validator):
    oidc_claim_scope = claims.CLAIM_SCOPES

    def client_active(self, application) -> bool:
        """Whether the client may be served at all (an app above may know other kinds
        of client: OneRoster's, of the client-credentials grant)."""
        return _active(application)

    def client_acts_alone(self, request) -> bool:
        """Whether a token without a person (client credentials) may be used: never for
        single sign-on's own clients."""
        return False

    # --- clients ------------------------------------------------------------------
    def _load_application(self, client_id, request):
        application = super()._load_application(client_id, request)
        if application is not None and not self.client_active(application):
            request.client = None
            return None
        return application

    def authenticate_client(self, request, *args, **kwargs):
        return super().authenticate_client(request, *args, **kwargs) and self.client_active(
            request.client
        )

    def is_pkce_required(self, client_id, request):
        application = self._load_application(client_id, request)
        # An unknown client fails elsewhere; require PKCE of it too.
        return application is None or application.client_type == application.CLIENT_PUBLIC

    # --- scopes -------------------------------------------------------------------
    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        platform = _platform(client)
        if platform is None or not set(scopes) <= set(platform.scope_list):
            return False
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return ["openid"]

    # --- people -------------------------------------------------------------------
    def _may_still_log_in(self, request) -> bool:
        platform = _platform(request.client)
        user = getattr(request, "user", None)
        if user is None:
            return self.client_acts_alone(request)
        if platform is None or user is None or not user.is_active:
            return False
        return permissions.login_refusal(platform, get_viewer(user)) is None

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        services.platform_login_noted(platform_id=request.client.platform.pk)

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        return super().validate_code(
            client_id, code, client, request, *args, **kwargs
        ) and self._may_still_log_in(request)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        return super().validate_refresh_token(
            refresh_token, client, request, *args, **kwargs
        ) and self._may_still_log_in(request)

    def validate_bearer_token(self, token, scopes, request):
        return super().validate_bearer_token(token, scopes, request) and self._may_still_log_in(
            request
        )

    # --- claims -------------------------------------------------------------------
    def get_claim_dict(self, request):
        platform = _platform(request.client)
        return claims.claims_for(platform, request.user, get_viewer(request.user))

    def get_discovery_claims(self, request):
        return list(claims.CLAIM_SCOPES)
