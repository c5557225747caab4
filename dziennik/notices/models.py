"""The announcement board (*Ogłoszenia*): what the school tells its families and staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School, SchoolClass


class Announcement(models.Model):
    """An announcement (*ogłoszenie*) on the school's board.

    It goes to the whole school or to chosen classes (``classes``, with
    ``for_whole_school`` off), and to everyone or to one kind of reader (parents only,
    students only, staff only). Readers see it from ``shown_from`` to ``shown_until``;
    its author and the school office see it always. Plain text: the page escapes it and
    turns addresses into links (``notices.text``)."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("everyone")
        PARENTS = "parents", _("parents only")
        STUDENTS = "students", _("students only")
        STAFF = "staff", _("staff only")

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="announcements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    audience = models.CharField(
        _("readers"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    for_whole_school = models.BooleanField(_("the whole school"), default=True)
    classes = models.ManyToManyField(
        SchoolClass, verbose_name=_("classes"), blank=True, related_name="announcements"
    )
    shown_from = models.DateField(_("shown from"))
    shown_until = models.DateField(_("shown until"))
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # When its readers were notified: at publication when it is shown from that day on,
    # else by the task ``notices_shown_today`` on its first day (``services``).
    notified_at = models.DateTimeField(_("readers notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-shown_from", "-pk"]
        indexes = [
            models.Index(fields=["school", "shown_until"]),
            models.Index(
                fields=["shown_from"],
                condition=Q(notified_at__isnull=True),
                name="announcement_to_notify",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(shown_from__lte=models.F("shown_until")),
                name="announcement_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    """That a reader has seen an announcement (the board's unread mark and the author's
    count of readers). Written when the reader's board shows it."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="announcement_reads"
    )
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.announcement_id}"
