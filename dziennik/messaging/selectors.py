"""Reads of messages, through the viewer (``permissions.messages``, ``threads``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from dziennik.core import cache
from dziennik.schools.viewer import Viewer

from . import permissions
from .models import Attachment, Delivery, Message, Thread
from .scopes import mailbox_scope

PAGE_SIZE = 50
FOLDERS = ("inbox", "archive", "trash", "sent")


@dataclass(frozen=True)
class Search:
    """What the folder's search asks for: words of the subject or text, a person (the
    sender, or in "sent" the recipients), and a period of sending."""

    text: str = ""
    person: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _searched(queryset: QuerySet, search: Search, *, prefix: str, sent: bool) -> QuerySet:
    p = prefix
    if search.text:
        queryset = queryset.filter(
            Q(**{f"{p}thread__subject__icontains": search.text})
            | Q(**{f"{p}body__icontains": search.text})
        )
    if search.person:
        if sent:
            queryset = queryset.filter(**{f"{p}audience__icontains": search.person})
        else:
            for word in search.person.split()[:3]:
                queryset = queryset.filter(
                    Q(**{f"{p}sender__first_name__icontains": word})
                    | Q(**{f"{p}sender__last_name__icontains": word})
                )
    if search.date_from:
        queryset = queryset.filter(**{f"{p}sent_at__gte": _day_start(search.date_from)})
    if search.date_to:
        end = _day_start(search.date_to + datetime.timedelta(days=1))
        queryset = queryset.filter(**{f"{p}sent_at__lt": end})
    return queryset


def _has_files(prefix: str = ""):
    return Exists(Attachment.objects.filter(message_id=OuterRef(f"{prefix}pk")))


def received(viewer: Viewer, folder: str, search: Search, page: int = 1):
    """One page of the viewer's messages in ``folder`` (inbox, archive, trash), newest
    first: each a ``Delivery`` with its message, thread and sender, and ``has_files``.
    Two queries (the rows and their count), however many messages."""
    queryset = (
        Delivery.objects.filter(
            recipient_id=viewer.user_id,
            folder=folder,
            message__withdrawn_at__isnull=True,
            message__school_id=viewer.school_id,
        )
        .select_related("message", "message__thread", "message__sender")
        .only(
            "pk",
            "folder",
            "read_at",
            "message__id",
            "message__sent_at",
            "message__thread_id",
            "message__thread__subject",
            "message__sender__first_name",
            "message__sender__last_name",
            "message__sender__username",
        )
        .annotate(has_files=_has_files("message__"))
        .order_by("-message__sent_at", "-pk")
    )
    queryset = _searched(queryset, search, prefix="message__", sent=False)
    return Paginator(queryset, PAGE_SIZE).get_page(page)


def sent(viewer: Viewer, search: Search, page: int = 1):
    """One page of the messages the viewer sent, newest first, each with how many got
    it (``recipient_count``) and how many read it (``reader_count``). Two queries."""
    deliveries = Delivery.objects.filter(message_id=OuterRef("pk")).order_by().values("message_id")
    queryset = (
        Message.objects.filter(sender_id=viewer.user_id, school_id=viewer.school_id)
        .select_related("thread")
        .only("pk", "sent_at", "audience", "withdrawn_at", "fanned_out_at", "thread__subject")
        .annotate(
            recipient_count=Subquery(
                deliveries.annotate(n=Count("pk")).values("n"), output_field=IntegerField()
            ),
            reader_count=Subquery(
                deliveries.filter(read_at__isnull=False).annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            has_files=_has_files(),
        )
        .order_by("-sent_at", "-pk")
    )
    queryset = _searched(queryset, search, prefix="", sent=True)
    return Paginator(queryset, PAGE_SIZE).get_page(page)


def get_thread_for(viewer: Viewer, thread_id: int) -> Thread:
    """A thread the viewer takes part in, or ``Http404`` (missing and forbidden alike)."""
    return permissions.threads.get(viewer, thread_id)


def thread_messages(viewer: Viewer, thread: Thread) -> list[Message]:
    """The thread's messages the viewer may see, oldest first, with their sender,
    attachments, ``my_folder`` (the viewer's copy's folder, None for their own) and –
    on the viewer's own messages – ``receipts``: every recipient with when they read
    it. Three queries, however many messages and recipients."""
    mine = Delivery.objects.filter(message_id=OuterRef("pk"), recipient_id=viewer.user_id)
    receipts = (
        Delivery.objects.filter(message__sender_id=viewer.user_id)
        .select_related("recipient")
        .only(
            "pk",
            "message_id",
            "read_at",
            "recipient__first_name",
            "recipient__last_name",
            "recipient__username",
        )
        .order_by("recipient__last_name", "recipient__first_name", "pk")
    )
    rows = list(
        permissions.messages.queryset(viewer)
        .filter(thread_id=thread.pk)
        .select_related("sender")
        .annotate(my_folder=Subquery(mine.values("folder")[:1]))
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
            Prefetch("deliveries", queryset=receipts, to_attr="receipts"),
        )
        .order_by("sent_at", "pk")
    )
    for m in rows:
        m.is_mine = m.sender_id == viewer.user_id
        m.read_count = sum(1 for d in m.receipts if d.read_at is not None)
        m.may_withdraw = m.is_mine and m.withdrawn_at is None and m.read_count == 0
    return rows


def get_message_for(viewer: Viewer, message_id: int, action: str = "view") -> Message:
    return permissions.messages.get(
        viewer, message_id, action, queryset=Message.objects.select_related("thread")
    )


def get_attachment_for(viewer: Viewer, attachment_id: int) -> Attachment:
    """An attachment of a message the viewer may see, or ``Http404``."""
    visible = permissions.messages.queryset(viewer).values("pk")
    found = Attachment.objects.filter(pk=attachment_id, message_id__in=visible).first()
    if found is None:
        raise Http404
    return found


def _unread(viewer: Viewer) -> QuerySet:
    return Delivery.objects.filter(
        recipient_id=viewer.user_id,
        folder=Delivery.Folder.INBOX,
        read_at__isnull=True,
        message__withdrawn_at__isnull=True,
        message__school_id=viewer.school_id,
    )


def unread_count(viewer: Viewer) -> int:
    """How many messages in the viewer's inbox they have not read: one query, none
    while their mailbox has not changed (cached under ``mailbox_scope``)."""
    if viewer.user_id is None or viewer.school_id is None:
        return 0
    return cache.cached(
        f"messaging-unread:{viewer.user_id}",
        [mailbox_scope(viewer.user_id)],
        lambda: _unread(viewer).count(),
    )


def unread_newest(viewer: Viewer, *, limit: int = 5) -> tuple[list[Delivery], int]:
    """The newest ``limit`` unread messages of the inbox and how many there are (the
    home page's "What's new"). Two queries at most."""
    newest = list(
        _unread(viewer)
        .select_related("message__thread", "message__sender")
        .only(
            "pk",
            "message__sent_at",
            "message__thread_id",
            "message__thread__subject",
            "message__sender__first_name",
            "message__sender__last_name",
            "message__sender__username",
        )
        .order_by("-message__sent_at", "-pk")[:limit]
    )
    total = len(newest) if len(newest) < limit else unread_count(viewer)
    return newest, total
