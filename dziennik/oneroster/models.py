"""OneRoster 1.2 (1EdTech): the school's classes, people and enrolments given to its
e-learning platforms, as CSV files and through the REST rostering and gradebook API.

``RosterSettings`` keeps the school's secret namespace of ``sourcedId`` GUIDs (a UUID5 of
it and the object, so identifiers are stable, differ from school to school and do not
reveal the database's numbers) and when the administrator last downloaded the CSV.
``RosterClient`` is a platform's OAuth 2 client for the API (client credentials).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from dziennik.schools.models import School
from dziennik.sso.models import Platform


class RosterSettings(models.Model):
    """The school's OneRoster identity: the namespace of its ``sourcedId`` GUIDs (never
    shown, never changed: platforms match their rows by these) and the last CSV export."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="roster_settings", verbose_name=_("school")
    )
    namespace = models.UUIDField(default=uuid.uuid4, editable=False)
    last_csv_at = models.DateTimeField(_("last CSV download"), null=True, blank=True)

    class Meta:
        verbose_name = _("OneRoster settings")
        verbose_name_plural = _("OneRoster settings")

    def __str__(self) -> str:
        return str(self.school)


class RosterClient(models.Model):
    """A platform's client of the OneRoster API (*klient OneRoster*): an OAuth 2 client
    of the client-credentials grant whose tokens read the roster (and, where allowed,
    the gradebook) of the platform's school only. The secret is stored hashed, shown
    once."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="roster_clients", verbose_name=_("school")
    )
    platform = models.OneToOneField(
        Platform,
        on_delete=models.CASCADE,
        related_name="roster_client",
        verbose_name=_("e-learning platform"),
    )
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="roster_client",
        verbose_name=_("OAuth client"),
    )
    gradebook = models.BooleanField(_("may read the gradebook"), default=False)
    active = models.BooleanField(_("active"), default=True)
    last_call_at = models.DateTimeField(_("last API call"), null=True, blank=True)
    # Who created it is in the history.
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("OneRoster client")
        verbose_name_plural = _("OneRoster clients")
        ordering = ["platform__name", "pk"]

    def __str__(self) -> str:
        return self.platform.name
