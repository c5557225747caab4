"""Writes of messages: send (new, reply, forward), fan out to groups, read, file into
folders, delete, withdraw; and the school's message settings.

``message_send`` (and ``message_reply``) is the one place a message comes into being, and
``fanout.delivered`` the one place its recipients are known to have got it (directly, or
after the background fan-out to a group): what tells people of a new message (e-mail,
push) hooks in there.
"""

from __future__ import annotations

import contextlib
import datetime
import secrets
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.accounts.models import User
from dziennik.core import audit, concurrency, uploads
from dziennik.core.text import field_text
from dziennik.schools.viewer import get_viewer

from . import attachments as attachment_checks
from . import permissions, recipients, tasks
from .fanout import delivered as _delivered
from .fanout import moved as _moved
from .models import ATTACHMENT_KINDS, Attachment, Delivery, Message, MessagingSettings, Thread

RATE_WINDOW = datetime.timedelta(hours=1)


class RateLimited(Exception):
    """The sender has sent the school's hourly number of messages already."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


def _text(subject: str, body: str) -> dict:
    errors: dict[str, list] = {}
    values: dict[str, str] = {}
    for model, name, value, multiline in (
        (Thread, "subject", subject, False),
        (Message, "body", body, True),
    ):
        try:
            values[name] = field_text(model, name, value, multiline=multiline)
        except ValidationError as exc:
            errors.update(exc.error_dict)
        else:
            if not values[name]:
                errors[name] = [ValidationError(_("This field is required."))]
    if errors:
        raise ValidationError(errors)
    return values


def _checked_recipients(viewer, recipient_ids, group_keys) -> tuple[list[int], list]:
    ids = sorted({int(pk) for pk in recipient_ids})
    keys = sorted(set(group_keys))
    allowed_groups = {g.key: g for g in recipients.groups(viewer)}
    errors = []
    if ids:
        found = set(
            User.objects.filter(recipients.people_filter(viewer), pk__in=ids).values_list(
                "pk", flat=True
            )
        )
        if found != set(ids):
            errors.append(_("You may not write to some of the chosen people."))
    if any(k not in allowed_groups for k in keys):
        errors.append(_("You may not write to some of the chosen groups."))
    if not ids and not keys:
        errors.append(_("Choose at least one recipient."))
    if errors:
        raise ValidationError({"recipients": errors})
    return ids, [allowed_groups[k] for k in keys]


def _rate_checked(actor: User, rules: MessagingSettings) -> None:
    """Refuse a send past the school's hourly limit. The sender's row is locked, so two
    sends at once are counted one after the other."""
    concurrency.locked(User.objects.filter(pk=actor.pk).only("pk"))
    since = timezone.now() - RATE_WINDOW
    sent = Message.objects.filter(sender_id=actor.pk, sent_at__gte=since).count()
    if sent >= rules.sends_per_hour:
        raise RateLimited(rules.sends_per_hour)


def _audience(people: Sequence[User], groups) -> str:
    names = [g.label for g in groups] + [p.get_full_name() or p.username for p in people]
    text = ", ".join(names)
    return text if len(text) <= 500 else text[:497] + "…"


def _stored(stack: contextlib.ExitStack, uploads_ok, school_id: int) -> list[tuple]:
    """Store each checked upload under a random name (``core.uploads``: removed again
    when the message is not written); (token, stored name, file name, kind, size)."""
    field = Attachment._meta.get_field("file")
    stored = []
    for upload, kind in uploads_ok:
        token = secrets.token_hex(16)
        name = field.generate_filename(Attachment(school_id=school_id, token=token), upload.name)
        path = stack.enter_context(
            uploads.stored_file(upload, name, field="attachments", storage=field.storage)
        )
        stored.append((token, path, upload.name, kind, upload.size))
    return stored


def message_send(
    *,
    actor: User,
    subject: str,
    body: str,
    recipient_ids: Iterable[int] = (),
    group_keys: Iterable[str] = (),
    files: Iterable = (),
    forwarded: Message | None = None,
) -> Message:
    """Send a new message (a new thread) to people and groups the actor may write to
    (``recipients``), with attachments the school allows; a forward carries the original
    message's attachments along. Checked whole before anything is written: a refused
    recipient, text or file stores nothing. Past the hourly limit: ``RateLimited``."""
    viewer = get_viewer(actor)
    if not permissions.may_write(viewer):
        raise Http404
    if forwarded is not None:
        permissions.messages.require(viewer, "view", forwarded)
    values = _text(subject, body)
    ids, groups = _checked_recipients(viewer, recipient_ids, group_keys)
    rules = recipients.settings_of(viewer.school_id)
    uploads_ok = attachment_checks.checked(list(files), rules)
    with contextlib.ExitStack() as stack:
        stored = _stored(stack, uploads_ok, viewer.school_id)
        return _message_write(
            actor=actor,
            school_id=viewer.school_id,
            thread=None,
            subject=values["subject"],
            body=values["body"],
            recipient_ids=ids,
            groups=groups,
            stored=stored,
            forwarded=forwarded,
            rules=rules,
        )


@transaction.atomic
def _message_write(
    *,
    actor: User,
    school_id: int,
    thread: Thread | None,
    subject: str,
    body: str,
    recipient_ids: list[int],
    groups,
    stored,
    forwarded: Message | None,
    rules: MessagingSettings,
) -> Message:
    _rate_checked(actor, rules)
    if thread is None:
        thread = Thread.objects.create(school_id=school_id, subject=subject, started_by=actor)
    people = list(User.objects.filter(pk__in=recipient_ids).only("first_name", "last_name"))
    message = Message.objects.create(
        school_id=school_id,
        thread=thread,
        sender=actor,
        body=body,
        groups=[g.key for g in groups],
        audience=_audience(people, groups),
        forwarded_from=forwarded,
        fanned_out_at=None if groups else timezone.now(),
    )
    files = [
        Attachment(
            school_id=school_id,
            message=message,
            token=token,
            file=path,
            name=name,
            kind=kind,
            size=size,
        )
        for token, path, name, kind, size in stored
    ]
    if forwarded is not None:
        files += [
            Attachment(
                school_id=school_id,
                message=message,
                token=secrets.token_hex(16),
                file=a.file.name,
                name=a.name,
                kind=a.kind,
                size=a.size,
            )
            for a in forwarded.attachments.all()
        ]
    Attachment.objects.bulk_create(files)
    ids = [pk for pk in recipient_ids if pk != actor.pk]
    Delivery.objects.bulk_create([Delivery(message=message, recipient_id=pk) for pk in ids])
    _moved([actor.pk])
    _delivered(message, ids)
    if groups:
        transaction.on_commit(lambda: _fan_out_later(message.pk))
    return message


def _fan_out_later(message_id: int) -> None:
    tasks.message_fan_out.enqueue(message_id)


def message_reply(*, actor: User, message: Message, body: str, files: Iterable = ()) -> Message:
    """Answer a message in its thread: to its sender; the sender answering their own
    message writes to its recipients (and groups) again. Answering is never refused by
    the rules of who may write to whom, only by the rate limit."""
    viewer = get_viewer(actor)
    permissions.messages.require(viewer, "view", message)
    values = _text(message.thread.subject, body)
    rules = recipients.settings_of(message.school_id)
    if message.sender_id != actor.pk:
        ids, groups = [message.sender_id], []
    else:
        ids = list(message.deliveries.values_list("recipient_id", flat=True))
        if message.groups:
            # The groups' members got their copies as deliveries; write to the groups again.
            ids = []
        names = {g.key: g for g in recipients.groups(viewer)}
        groups = [names.get(k) or recipients.Group(k, message.audience) for k in message.groups]
        if not ids and not groups:
            raise ValidationError({"body": _("This message has nobody to answer to.")})
    uploads_ok = attachment_checks.checked(list(files), rules)
    with contextlib.ExitStack() as stack:
        stored = _stored(stack, uploads_ok, message.school_id)
        return _message_write(
            actor=actor,
            school_id=message.school_id,
            thread=message.thread,
            subject=values["subject"],
            body=values["body"],
            recipient_ids=ids,
            groups=groups,
            stored=stored,
            forwarded=None,
            rules=rules,
        )


def thread_mark_read(*, actor: User, thread: Thread) -> int:
    """The actor has read the thread's messages to them (the sender's read receipts).
    Not history: reading changes no record."""
    with transaction.atomic():
        count = Delivery.objects.filter(
            recipient_id=actor.pk, message__thread_id=thread.pk, read_at__isnull=True
        ).update(read_at=timezone.now())
        if count:
            _moved([actor.pk])
    return count


def _own_delivery(actor: User, message: Message) -> Delivery:
    delivery = (
        Delivery.objects.filter(
            message_id=message.pk, recipient_id=actor.pk, message__withdrawn_at__isnull=True
        )
        .select_related("message")
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery


def delivery_move(*, actor: User, message: Message, folder: str) -> Delivery:
    """File a received message into the inbox, the archive or the trash."""
    if folder not in Delivery.Folder.values:
        raise ValidationError({"folder": _("Choose a folder.")})
    with transaction.atomic():
        delivery = _own_delivery(actor, message)
        if delivery.folder != folder:
            delivery.folder = folder
            delivery.save(update_fields=["folder"])
            _moved([actor.pk])
    return delivery


@transaction.atomic
def delivery_delete(*, actor: User, message: Message) -> None:
    """Remove a received message from the trash for good (the history keeps that it
    was; the sender's copy and the other recipients' stay)."""
    delivery = _own_delivery(actor, message)
    if delivery.folder != Delivery.Folder.TRASH:
        raise ValidationError({"folder": _("Only a message in the trash can be deleted.")})
    audit.record_delete(actor=actor, instance=delivery, school_id=message.school_id)
    delivery.delete()
    _moved([actor.pk])


@transaction.atomic
def message_withdraw(*, actor: User, message: Message) -> Message:
    """Withdraw a message nobody has read yet (its sender only); its recipients no
    longer see it, the history records the withdrawal."""
    permissions.messages.require(get_viewer(actor), "withdraw", message)
    message = concurrency.locked(Message.objects.filter(pk=message.pk))[0]
    if message.withdrawn_at is not None:
        return message
    deliveries = concurrency.locked(Delivery.objects.filter(message_id=message.pk))
    if any(d.read_at is not None for d in deliveries):
        raise ValidationError(_("The message has been read already and cannot be withdrawn."))
    before = audit.snapshot(message, fields=["withdrawn_at"])
    message.withdrawn_at = timezone.now()
    message.save(update_fields=["withdrawn_at"])
    audit.record_update(actor=actor, instance=message, before=before)
    _moved([actor.pk, *(d.recipient_id for d in deliveries)])
    return message


@transaction.atomic
def messaging_settings_update(
    *,
    actor: User,
    parents_write_to_parents: bool,
    students_write_to_students: bool,
    attachment_max_mb: int,
    attachment_kinds: Iterable[str],
    sends_per_hour: int,
    retention_years: int,
) -> MessagingSettings:
    """The principal sets the school's rules for messages; the history keeps the old."""
    viewer = get_viewer(actor)
    if not permissions.manages_settings(viewer):
        raise Http404
    kinds = [k for k in ATTACHMENT_KINDS if k in set(attachment_kinds)]
    values = {
        "parents_write_to_parents": bool(parents_write_to_parents),
        "students_write_to_students": bool(students_write_to_students),
        "attachment_max_mb": int(attachment_max_mb),
        "attachment_kinds": ",".join(kinds),
        "sends_per_hour": int(sends_per_hour),
        "retention_years": int(retention_years),
    }
    current = recipients.settings_of(viewer.school_id)
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean(exclude=["school"])
    if current.pk is None:
        current.save()
        audit.record_create(actor=actor, instance=current)
        return current
    before = audit.snapshot(MessagingSettings.objects.get(pk=current.pk), fields=list(values))
    current.save()
    audit.record_update(actor=actor, instance=current, before=before)
    return current
