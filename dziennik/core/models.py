"""Register core: the append-only history of changes (Polish law, RDPN § 21 ust. 3 pkt 4)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a history entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The history of changes is append-only.")

    def delete(self):
        raise AppendOnlyError("The history of changes is append-only.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("The history of changes is append-only.")


class AuditEntry(models.Model):
    """One change to register data: who, when, which record, old and new values.

    *Historia zmian.* Entries are only ever inserted. The model refuses updates and
    deletes, and a database trigger (see migration 0002) refuses them below the ORM too.

    Entries form a hash chain per school (one more chain for entries without a school):
    the database numbers each new entry (``chain_seq``) and stores the SHA-256 of its
    content together with the previous entry's hash (migration 0003,
    ``dziennik.core.audit_chain``), so a change made afterwards even by someone who can
    switch the triggers off is found by ``manage.py audit_verify``. The application never
    sets these three fields: on PostgreSQL a trigger computes them before the row is
    written (and the insert returns them), on SQLite a trigger fills them just after.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text=_("Empty for changes made by the system itself (imports run by a command)."),
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, help_text=_("{field: [old, new]}"))
    # Denormalised links so the principal can browse the history per student and class.
    student = models.ForeignKey(
        "schools.Student", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Filled by the database (see the docstring); the defaults are placeholders only.
    chain_seq = models.BigIntegerField(db_default=0, editable=False)
    prev_hash = models.CharField(max_length=64, db_default="", editable=False)
    entry_hash = models.CharField(max_length=64, db_default="", editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history of changes")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["school", "-at"]),
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["student", "-at"]),
            models.Index(fields=["school_class", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]
        constraints = [
            # One chain per school (0: no school); two entries never share a place in it.
            # The index also finds a chain's head for the trigger and the verification.
            models.UniqueConstraint(
                Coalesce("school", models.Value(0)), "chain_seq", name="core_auditentry_chain_seq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("The history of changes is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The history of changes is append-only.")
