"""What a tool proves and holds: its signed JWTs (the client assertion of the token
request, the deep linking response), checked against its registered key, and the
short-lived, scoped access tokens of the services.

Refused, with nothing written: a bad signature, an expired JWT, the wrong audience or
issuer, a ``jti`` (or ``nonce``) seen before, an inactive tool, a missing or expired or
unscoped token."""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone

from . import selectors
from .models import ServiceToken, Tool, UsedJwt

JWKS_TIMEOUT_SECONDS = 5
LEEWAY_SECONDS = 10


class InvalidToolJwt(Exception):
    """A JWT of a tool that the register refuses."""


def _tool_key(tool: Tool, token: str):
    if tool.public_key.strip():
        return tool.public_key
    if not tool.jwks_url:
        raise InvalidToolJwt("the tool has no key")
    try:
        client = jwt.PyJWKClient(tool.jwks_url, cache_keys=False, timeout=JWKS_TIMEOUT_SECONDS)
        return client.get_signing_key_from_jwt(token).key
    except jwt.PyJWTError as exc:
        raise InvalidToolJwt(f"the tool's key: {exc}") from exc


def verify_tool_jwt(tool: Tool, token: str, *, audience: str, issuer: str) -> dict:
    """The claims of a JWT the tool signed (RS256) for ``audience``, or ``InvalidToolJwt``."""
    if not tool.active:
        raise InvalidToolJwt("the tool is switched off")
    try:
        return jwt.decode(
            token,
            _tool_key(tool, token),
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToolJwt(str(exc)) from exc


def unverified_issuer(token: str) -> str:
    try:
        return str(jwt.decode(token, options={"verify_signature": False}).get("iss", ""))
    except jwt.PyJWTError:
        return ""


def use_once(tool: Tool, jti: str, expires: int) -> None:
    """Remember a JWT's ``jti`` (or ``nonce``) until it expires; a second use is refused."""
    if not jti:
        raise InvalidToolJwt("no jti")
    UsedJwt.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedJwt.objects.create(
                tool=tool,
                jti=jti[:255],
                expires_at=datetime.datetime.fromtimestamp(expires, tz=datetime.UTC),
            )
    except IntegrityError as exc:
        raise InvalidToolJwt("replayed") from exc


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(tool: Tool, scopes: list[str]) -> tuple[str, int]:
    """A new access token of the tool for ``scopes``; returns it and its lifetime."""
    token = secrets.token_urlsafe(32)
    lifetime = settings.LTI_ACCESS_TOKEN_SECONDS
    ServiceToken.objects.filter(expires_at__lt=timezone.now()).delete()
    ServiceToken.objects.create(
        tool=tool,
        token_hash=_hash(token),
        scopes=" ".join(scopes),
        expires_at=timezone.now() + datetime.timedelta(seconds=lifetime),
    )
    return token, lifetime


def _refusal(status: int, error: str) -> JsonResponse:
    response = JsonResponse({"error": error}, status=status)
    response["WWW-Authenticate"] = f'Bearer error="{error}"'
    return response


def service_token_required(*scopes: str):
    """A service view for a bearer token of an active tool with one of ``scopes``: 401
    without a live token, 403 without the scope. Sets ``request.lti_tool``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return _refusal(401, "invalid_token")
            found = selectors.tool_of_token(_hash(header.removeprefix("Bearer ").strip()))
            if found is None:
                return _refusal(401, "invalid_token")
            tool, granted = found
            if not granted & set(scopes):
                return _refusal(403, "insufficient_scope")
            request.lti_tool = tool
            request.lti_scopes = granted
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
