"""Notifications (*powiadomienia*): the transactional outbox and each person's choices.

A producing service (a new grade, an absence, an announcement…) calls
``notifications.services.notify`` inside its own transaction: a ``Notification`` per
recipient and a ``Delivery`` per channel are written with the change, or not at all.
Workers deliver what is due (``outbox.deliver_due``); the in-app centre reads the
notifications themselves.

No row here points at a student or a class: a notification is addressed to a person
(``User``) and carries the few words it shows (``params``), so it is no register data
of the page cache (``core.cache_guard``) and outlives nothing it should not.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dziennik.schools.models import School

DEFAULT_QUIET_FROM = datetime.time(21, 0)
DEFAULT_QUIET_UNTIL = datetime.time(7, 0)
DEFAULT_DIGEST_AT = datetime.time(18, 0)


class Preferences(models.Model):
    """One person's choices: which events on which channels, quiet hours, the digest.

    ``channels`` maps an event code to the channels chosen for it; an event missing
    there uses its default (``events.EVENTS``). ``sms_allowed`` is the school's switch
    (the plan of the account includes *SMS info*), not the person's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    channels = models.JSONField(_("channels per event"), default=dict, blank=True)
    quiet_from = models.TimeField(_("quiet hours from"), default=DEFAULT_QUIET_FROM)
    quiet_until = models.TimeField(_("quiet hours until"), default=DEFAULT_QUIET_UNTIL)
    quiet_email = models.BooleanField(_("hold e-mail during quiet hours too"), default=False)
    digest = models.BooleanField(_("one e-mail a day instead of single messages"), default=False)
    digest_at = models.TimeField(_("time of the daily e-mail"), default=DEFAULT_DIGEST_AT)
    details = models.BooleanField(
        _("include details (e.g. the grade itself) in e-mail, SMS and push"), default=False
    )
    sms_allowed = models.BooleanField(_("SMS allowed by the school"), default=False)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """One event for one person (the outbox row). ``key`` is the idempotency key: the
    same event notified twice to the same person is stored once."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("event"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("address"), max_length=300, blank=True)
    key = models.CharField(_("idempotency key"), max_length=200)
    # the student the notification is about (None: no child, e.g. a message), asked of
    # the channel gates again when an SMS or push falls due (``outbox``); an id, not a
    # foreign key: a notification is no register data (see the module)
    about = models.PositiveBigIntegerField(_("about the student"), null=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")
        ]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}"


class Delivery(models.Model):
    """A notification on one channel: its status and its attempts. Unique per
    (notification, channel): each notification goes at most once per channel."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")
        # a channel gate (the family's access plan) no longer allowed it when it fell
        # due: not sent, the reason in ``last_error``
        WITHHELD = "withheld", _("not sent: no longer allowed")

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("in the register")
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")
        PUSH = "push", _("push notification")

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # copies of the notification's, so the worker and the dead-letter list need no join
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # when the next attempt may be made: now, the end of quiet hours, the digest's time,
    # or the next retry after a failure
    due_at = models.DateTimeField(_("due at"))
    held = models.CharField(_("held for"), max_length=10, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    receipt_id = models.CharField(_("receipt id"), max_length=100, blank=True)
    # the messages the gateway counted for the message this delivery went in (a long SMS
    # is several concatenated parts); on the first delivery of the message only, so a
    # sum over deliveries is the sum over messages
    parts = models.PositiveSmallIntegerField(_("parts"), default=0)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once")
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="queued"), name="delivery_due"),
            models.Index(
                fields=["school", "-due_at"], condition=Q(status="failed"), name="delivery_dead"
            ),
            models.Index(
                fields=["receipt_id"], condition=~Q(receipt_id=""), name="delivery_receipt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.notification_id} {self.status}"


class SmsSettings(models.Model):
    """How a school's SMS are written: with Polish letters (UCS-2: 70 characters a
    message, 67 a part) or cheaper, transliterated to GSM-7 (160, 153 a part)."""

    school = models.OneToOneField(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    cheap = models.BooleanField(
        _("cheaper SMS without Polish letters (ą → a, ł → l…)"), default=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("SMS settings")
        verbose_name_plural = _("SMS settings")

    def __str__(self) -> str:
        return str(self.school)


class PushSubscription(models.Model):
    """One browser or phone that receives Web Push for a person (*powiadomienia na tym
    urządzeniu*): the push service's address and the keys the payload is encrypted to.

    The ``endpoint`` is unique: a browser that a second person subscribes from belongs to
    that person from then on. The outbox forgets a subscription the push service answers
    "gone" (404/410) and notes its ``last_success_at``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    endpoint = models.CharField(_("push service address"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key of the device"), max_length=100)
    auth = models.CharField(_("authentication secret"), max_length=50)
    label = models.CharField(_("device"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))
    last_success_at = models.DateTimeField(_("last delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.label or self.endpoint[:40]}"
