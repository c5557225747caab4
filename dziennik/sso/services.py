"""Writes of single sign-on: the school's principal registers, edits and revokes
e-learning platforms. Each write is one transaction with its entry in the history (never
the client secret nor the pairwise key)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from dziennik.core import audit
from dziennik.schools.viewer import get_viewer

from . import permissions
from .models import Platform

MAX_REDIRECT_URIS = 10


def _audited_state(platform: Platform) -> dict:
    """What the history keeps of a platform: the register's decisions and the client's
    public settings; never its secret or pairwise key."""
    application = platform.application
    return {
        "name": platform.name,
        "client_id": application.client_id,
        "client_type": application.client_type,
        "redirect_uris": application.redirect_uris,
        "scopes": platform.scopes,
        "roles": sorted(platform.roles),
        "active": platform.active,
        "needs_elearning": platform.needs_elearning,
    }


def _record(*, actor, platform: Platform, action: str, before: dict | None, **extra) -> None:
    after = _audited_state(platform) | extra
    before = before or {}
    changes = {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }
    if changes:
        audit.record_many(
            [audit.build_entry(actor=actor, instance=platform, action=action, changes=changes)]
        )


def _clean(*, name: str, redirect_uris: list[str], scopes: list[str], roles: list[str]) -> dict:
    """The platform's settings, checked; every problem at once, by field."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors.setdefault("name", []).append(_("Give the platform a name."))
    uris = [uri.strip() for uri in redirect_uris if uri.strip()]
    allowed_schemes = settings.OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"]
    if not uris:
        errors.setdefault("redirect_uris", []).append(_("Give at least one redirect address."))
    if len(uris) > MAX_REDIRECT_URIS:
        errors.setdefault("redirect_uris", []).append(
            _("At most %(n)s redirect addresses.") % {"n": MAX_REDIRECT_URIS}
        )
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme not in allowed_schemes or not parts.netloc or parts.fragment:
            errors.setdefault("redirect_uris", []).append(
                _("%(uri)s is not an allowed address (%(schemes)s, no #fragment).")
                % {"uri": uri, "schemes": ", ".join(allowed_schemes)}
            )
    unknown = set(scopes) - set(settings.SSO_SCOPES)
    if unknown or "openid" not in scopes:
        errors.setdefault("scopes", []).append(_("Choose the scopes, openid among them."))
    if not roles or set(roles) - set(Platform.Role.values):
        errors.setdefault("roles", []).append(_("Choose who may log in."))
    if errors:
        raise ValidationError(errors)
    ordered_scopes = [scope for scope in settings.SSO_SCOPES if scope in scopes]
    ordered_roles = [role for role in Platform.Role.values if role in roles]
    return {
        "name": name,
        "redirect_uris": " ".join(dict.fromkeys(uris)),
        "scopes": " ".join(ordered_scopes),
        "roles": ordered_roles,
    }


def _require_manager(actor) -> int:
    viewer = get_viewer(actor)
    if not permissions.manages_platforms(viewer):
        raise Http404
    return viewer.school_id


def _name_taken(school_id: int, name: str, exclude: int | None = None) -> bool:
    return Platform.objects.filter(school_id=school_id, name=name).exclude(pk=exclude).exists()


def platform_register(
    *,
    actor,
    name: str,
    redirect_uris: list[str],
    public: bool,
    scopes: list[str],
    roles: list[str],
    needs_elearning: bool = False,
) -> tuple[Platform, str]:
    """Register a platform of the actor's school as an OAuth client (authorization code
    flow, id_tokens signed RS256). Returns it and its client secret – the only time the
    secret is seen (stored hashed); a public client gets none ("")."""
    school_id = _require_manager(actor)
    cleaned = _clean(name=name, redirect_uris=redirect_uris, scopes=scopes, roles=roles)
    if _name_taken(school_id, cleaned["name"]):
        raise ValidationError({"name": [_("The school has a platform of this name already.")]})
    secret = "" if public else generate_client_secret()
    with transaction.atomic():
        application = Application(
            name=cleaned["name"],
            client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=cleaned["redirect_uris"],
            algorithm=Application.RS256_ALGORITHM,
            client_secret=secret,
            # The school's registration is the consent: no approval screen.
            skip_authorization=True,
        )
        application.save()
        platform = Platform.objects.create(
            school_id=school_id,
            application=application,
            name=cleaned["name"],
            scopes=cleaned["scopes"],
            roles=cleaned["roles"],
            needs_elearning=needs_elearning,
        )
        _record(actor=actor, platform=platform, action="create", before=None)
    return platform, secret


def platform_update(
    *,
    actor,
    platform: Platform,
    name: str,
    redirect_uris: list[str],
    scopes: list[str],
    roles: list[str],
    needs_elearning: bool = False,
) -> Platform:
    """Change a platform's name, redirect addresses, scopes and who may log in. Tokens
    already given keep the scopes they were given until they expire."""
    permissions.platforms.require(get_viewer(actor), "manage", platform)
    cleaned = _clean(name=name, redirect_uris=redirect_uris, scopes=scopes, roles=roles)
    if _name_taken(platform.school_id, cleaned["name"], exclude=platform.pk):
        raise ValidationError({"name": [_("The school has a platform of this name already.")]})
    with transaction.atomic():
        platform = (
            Platform.objects.select_for_update().select_related("application").get(pk=platform.pk)
        )
        before = _audited_state(platform)
        application = platform.application
        application.name = cleaned["name"]
        application.redirect_uris = cleaned["redirect_uris"]
        application.save(update_fields=["name", "redirect_uris", "updated"])
        platform.name = cleaned["name"]
        platform.scopes = cleaned["scopes"]
        platform.roles = cleaned["roles"]
        platform.needs_elearning = needs_elearning
        platform.save(update_fields=["name", "scopes", "roles", "needs_elearning"])
        _record(actor=actor, platform=platform, action="update", before=before)
    return platform


def platform_revoke(*, actor, platform: Platform) -> int:
    """Switch a platform off and end every session given through it: its codes, access,
    refresh and id tokens are deleted (an API call with one answers 401 from now on).
    Returns how many tokens were revoked. Safe to repeat."""
    permissions.platforms.require(get_viewer(actor), "manage", platform)
    with transaction.atomic():
        platform = (
            Platform.objects.select_for_update().select_related("application").get(pk=platform.pk)
        )
        before = _audited_state(platform)
        application = platform.application
        revoked = AccessToken.objects.filter(application=application).count()
        RefreshToken.objects.filter(application=application).delete()
        AccessToken.objects.filter(application=application).delete()
        IDToken.objects.filter(application=application).delete()
        Grant.objects.filter(application=application).delete()
        platform.active = False
        platform.save(update_fields=["active"])
        _record(
            actor=actor, platform=platform, action="update", before=before, tokens_revoked=revoked
        )
    return revoked


def platform_login_noted(*, platform_id: int) -> None:
    """Remember when someone last logged in through the platform (the school's list
    shows it). A timestamp, like the account's last login: not in the history."""
    Platform.objects.filter(pk=platform_id).update(last_login_at=timezone.now())
