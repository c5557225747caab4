"""Reads of OneRoster: the roster of a school's year (for its administrator's export or a
platform's API client), the school's OneRoster clients for the platforms screen."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from dziennik.schools.models import School, SchoolYear
from dziennik.schools.selectors import current_school_year
from dziennik.schools.viewer import Viewer
from dziennik.sso import permissions as sso_permissions
from dziennik.sso.models import Platform

from .models import RosterClient, RosterSettings
from .roster import Roster, build_roster


def roster_year(school_id: int, day: datetime.date | None = None) -> SchoolYear | None:
    """The year a roster is of: the current school year, else the latest one begun."""
    day = day or timezone.localdate()
    return current_school_year(school_id, day) or (
        SchoolYear.objects.filter(school_id=school_id, start_date__lte=day)
        .order_by("-start_date")
        .first()
    )


def school_roster(
    *, school: School, platform: Platform | None = None, day: datetime.date | None = None
) -> Roster | None:
    """The roster of the school's year, for a platform or for the school itself; None
    when the school has no year yet."""
    year = roster_year(school.pk, day)
    if year is None:
        return None
    return build_roster(school=school, year=year, platform=platform, day=day)


def roster_clients(viewer: Viewer) -> dict[int, RosterClient]:
    """The OneRoster clients of the viewer's school by platform id (its principal only)."""
    if not sso_permissions.manages_platforms(viewer):
        return {}
    clients = RosterClient.objects.filter(school_id=viewer.school_id).select_related("application")
    return {client.platform_id: client for client in clients}


def roster_settings(viewer: Viewer) -> RosterSettings | None:
    if not sso_permissions.manages_platforms(viewer):
        return None
    return RosterSettings.objects.filter(school_id=viewer.school_id).first()


def client_of_application(application_id: int) -> QuerySet[RosterClient]:
    return RosterClient.objects.select_related("school", "platform").filter(
        application_id=application_id
    )


def viewer_school(viewer: Viewer) -> School:
    """The school whose roster the viewer (its principal) exports."""
    if not sso_permissions.manages_platforms(viewer):
        raise Http404
    return School.objects.get(pk=viewer.school_id)
