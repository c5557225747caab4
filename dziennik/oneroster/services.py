"""Writes of OneRoster: the principal gives a platform a OneRoster client (its secret
shown once) and revokes it; the API notes its last call, the export its last download.
Each change of a client is in the history (never the secret)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, RefreshToken

from dziennik.core import audit
from dziennik.schools.viewer import get_viewer
from dziennik.sso import permissions as sso_permissions
from dziennik.sso.models import Platform

from .models import RosterClient, RosterSettings

# The last call is kept to the minute: the API does not write on every request.
CALL_RESOLUTION = datetime.timedelta(minutes=1)


def _state(client: RosterClient) -> dict:
    return {
        "platform": client.platform.name,
        "client_id": client.application.client_id,
        "gradebook": client.gradebook,
        "active": client.active,
    }


def _record(*, actor, client: RosterClient, action: str, before: dict | None, **extra) -> None:
    after = _state(client) | extra
    before = before or {}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    audit.record_many(
        [audit.build_entry(actor=actor, instance=client, action=action, changes=changes)]
    )


def _require_manager(actor, platform: Platform) -> None:
    viewer = get_viewer(actor)
    if not sso_permissions.platforms.check(viewer, "manage", platform):
        raise Http404


def roster_client_create(*, actor, platform: Platform, gradebook: bool) -> tuple[RosterClient, str]:
    """Give the platform a OneRoster client (client credentials, confidential): returns
    it and its secret, seen only now (stored hashed). A platform has at most one; a
    revoked one is replaced."""
    _require_manager(actor, platform)
    secret = generate_client_secret()
    with transaction.atomic():
        Platform.objects.select_for_update().get(pk=platform.pk)
        old = RosterClient.objects.filter(platform=platform).select_related("application").first()
        if old is not None and old.active:
            raise Http404  # the screen offers a new client only where none is active
        if old is not None:
            application = old.application
            old.delete()
            application.delete()
        application = Application(
            name=f"OneRoster: {platform.name}",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            redirect_uris="",
            client_secret=secret,
        )
        application.save()
        client = RosterClient.objects.create(
            school_id=platform.school_id,
            platform=platform,
            application=application,
            gradebook=gradebook,
        )
        _record(actor=actor, client=client, action="create", before=None)
    return client, secret


def roster_client_revoke(*, actor, client: RosterClient) -> int:
    """Switch the client off and delete its tokens (the API answers 401 at once).
    Returns how many tokens were revoked. Safe to repeat."""
    _require_manager(actor, client.platform)
    with transaction.atomic():
        client = (
            RosterClient.objects.select_for_update()
            .select_related("application", "platform")
            .get(pk=client.pk)
        )
        before = _state(client)
        tokens = AccessToken.objects.filter(application=client.application)
        revoked = tokens.count()
        RefreshToken.objects.filter(application=client.application).delete()
        tokens.delete()
        client.active = False
        client.save(update_fields=["active"])
        _record(actor=actor, client=client, action="update", before=before, tokens_revoked=revoked)
    return revoked


def client_call_noted(*, client_id: int) -> None:
    """Remember the client's last API call (to the minute; a timestamp, not history)."""
    now = timezone.now()
    RosterClient.objects.filter(
        Q(last_call_at__isnull=True) | Q(last_call_at__lt=now - CALL_RESOLUTION), pk=client_id
    ).update(last_call_at=now)


def csv_download_noted(*, actor, school_id: int, since: datetime.datetime | None) -> None:
    """A download of the school's OneRoster CSV: its time on the platforms screen and an
    entry in the history (the roster is personal data leaving the register)."""
    with transaction.atomic():
        settings, _ = RosterSettings.objects.get_or_create(school_id=school_id)
        settings.last_csv_at = timezone.now()
        settings.save(update_fields=["last_csv_at"])
        mode = "bulk" if since is None else f"delta since {since.isoformat()}"
        audit.record_many(
            [
                audit.build_entry(
                    actor=actor,
                    instance=settings,
                    action="update",
                    changes={"csv_download": [None, mode]},
                    school_id=school_id,
                )
            ]
        )
