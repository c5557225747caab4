"""The seam of the resource API: a bearer token instead of a session.

``token_required(scope)`` answers 401 (``WWW-Authenticate: Bearer``) for a missing,
expired or revoked token, or one of a platform switched off; 403 for a token without the
scope. Otherwise the request carries the token's owner as ``request.viewer`` – the same
viewer a page of theirs would have – and views pass it on as any view does.
"""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.oauth2_backends import get_oauthlib_core

from dziennik.schools.viewer import get_viewer

REALM = "dziennik"


def _refused(status: int, error: str) -> JsonResponse:
    response = JsonResponse({"error": error}, status=status)
    response["WWW-Authenticate"] = f'Bearer realm="{REALM}", error="{error}"'
    return response


def token_required(scope: str):
    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
            if not valid:
                return _refused(401, "invalid_token")
            if scope not in oauth_request.scopes:
                return _refused(403, "insufficient_scope")
            request.viewer = get_viewer(oauth_request.user)
            request.user_of_token = oauth_request.user
            request.platform = oauth_request.client.platform
            request.token_scopes = frozenset(oauth_request.scopes)
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            return response

        return wrapped

    return decorator
