"""The demo school's Moodle reads its rosters through OneRoster: a client of the
client-credentials grant (its secret thrown away), last called this morning, and a CSV
downloaded once, so the principal's OneRoster screen has something to show."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from dziennik.sso.models import Platform

from .models import RosterClient, RosterSettings

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext


def populate(ctx: DemoContext) -> None:
    ctx.progress("oneroster: the Moodle's OneRoster client")
    platform = Platform.objects.filter(school=ctx.school).order_by("pk").first()
    if platform is None:
        return
    application = Application.objects.create(
        name=f"OneRoster: {platform.name}",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        redirect_uris="",
        client_secret=generate_client_secret(),
    )
    morning = timezone.make_aware(datetime.datetime.combine(ctx.today, datetime.time(6, 15)))
    RosterClient.objects.create(
        school=ctx.school,
        platform=platform,
        application=application,
        gradebook=False,
        last_call_at=morning,
    )
    RosterSettings.objects.get_or_create(
        school=ctx.school, defaults={"last_csv_at": morning - datetime.timedelta(days=7)}
    )


def reset(school_ids: list[int]) -> None:
    clients = RosterClient.objects.filter(school_id__in=school_ids)
    application_ids = list(clients.values_list("application_id", flat=True))
    clients.delete()
    Application.objects.filter(pk__in=application_ids).delete()
    RosterSettings.objects.filter(school_id__in=school_ids).delete()
