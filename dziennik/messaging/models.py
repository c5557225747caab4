"""Messages (*Wiadomości*): what the people of a school write to each other.

A ``Thread`` holds a conversation; each ``Message`` in it has one sender and reaches its
recipients through one ``Delivery`` row each (the recipient's folder and when they read
it). A message to a group (all parents of a class, all staff…) records the groups it was
addressed to (``Message.groups``) and gets its deliveries in the background
(``tasks.message_fan_out``). Attachments are files in the private storage, served only
to the thread's participants (``views.attachment``). Messages are no register records:
only their withdrawal and deletion go into the history (M-01, docs/rules.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School

# The kinds of attachment a school may allow, each with its file-name extensions and the
# first bytes its content starts with (checked by content, not by name).
ATTACHMENT_KINDS: dict[str, tuple[tuple[str, ...], tuple[bytes, ...]]] = {
    "pdf": ((".pdf",), (b"%PDF-",)),
    "png": ((".png",), (b"\x89PNG\r\n\x1a\n",)),
    "jpeg": ((".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    "gif": ((".gif",), (b"GIF87a", b"GIF89a")),
    # Office documents (Word, Excel, OpenDocument) are ZIP containers.
    "office": ((".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"), (b"PK\x03\x04",)),
}
ATTACHMENT_KIND_CHOICES = [
    ("pdf", "PDF"),
    ("png", "PNG"),
    ("jpeg", "JPEG"),
    ("gif", "GIF"),
    ("office", _("office documents (DOCX, XLSX, ODT…)")),
]
DEFAULT_ATTACHMENT_KINDS = "pdf,png,jpeg,office"


class MessagingSettings(models.Model):
    """A school's rules for messages, set by its principal. One row per school; none:
    the defaults (M-02)."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="messaging_settings"
    )
    parents_write_to_parents = models.BooleanField(
        _("parents may write to other parents"),
        default=False,
        help_text=_("To the parents of their children's classmates."),
    )
    students_write_to_students = models.BooleanField(
        _("students may write to their classmates"), default=False
    )
    attachment_max_mb = models.PositiveSmallIntegerField(
        _("largest attachment (MB)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    attachment_kinds = models.CharField(
        _("allowed attachment types"), max_length=100, default=DEFAULT_ATTACHMENT_KINDS
    )
    sends_per_hour = models.PositiveSmallIntegerField(
        _("messages a person may send in an hour"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    retention_years = models.PositiveSmallIntegerField(
        _("school years messages are kept after the year they were sent in"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )

    class Meta:
        verbose_name = _("message settings")
        verbose_name_plural = _("message settings")

    def __str__(self) -> str:
        return str(_("message settings"))

    @property
    def allowed_kinds(self) -> list[str]:
        return [k for k in self.attachment_kinds.split(",") if k in ATTACHMENT_KINDS]


class Thread(models.Model):
    """A conversation (*wątek*): a first message and the replies to it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="message_threads")
    subject = models.CharField(_("subject"), max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    """One message (*wiadomość*) of a thread: plain text, rendered escaped with its web
    addresses made links."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="messages")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        on_delete=models.PROTECT,
        related_name="sent_messages",
    )
    body = models.TextField(_("text"), max_length=10000)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    # The groups it was addressed to, as keys (``recipients.Group``), and how they were
    # named when it was sent (a class may be renamed or gone by the time one reads it).
    groups = models.JSONField(default=list, blank=True)
    audience = models.CharField(_("to"), max_length=500, blank=True)
    forwarded_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["sender", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.thread_id}/{self.pk}"


class Delivery(models.Model):
    """A message in one recipient's mailbox: its folder and when they read it."""

    class Folder(models.TextChoices):
        INBOX = "inbox", _("inbox")
        ARCHIVE = "archive", _("archive")
        TRASH = "trash", _("trash")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="message_deliveries",
    )
    folder = models.CharField(
        _("folder"), max_length=10, choices=Folder.choices, default=Folder.INBOX
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient"], name="message_delivery_once")
        ]
        indexes = [models.Index(fields=["recipient", "folder", "-message"])]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.recipient_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """Where the file goes: a name we make, never the sender's (``filename`` unused)."""
    return f"messages/{instance.school_id}/{instance.token}"


class Attachment(models.Model):
    """A file sent with a message. Stored in the private storage under a random name;
    ``name`` is the sender's file name, checked to hold no path."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, related_name="attachments"
    )
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=150)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
