"""The pages of messages: thin, the rules are in the policy, ``recipients`` and the
services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.forms import add_service_errors
from dziennik.core.params import parse_int

from . import permissions, recipients, selectors, services
from .forms import ComposeForm, ReplyForm, SearchForm, SettingsForm
from .models import Delivery

MAX_PAGE = 10_000


def _member(viewer) -> None:
    if not permissions.may_write(viewer):
        raise Http404


def _search(request) -> tuple[SearchForm, selectors.Search]:
    form = SearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, selectors.Search(
            text=data["q"].strip(),
            person=data["person"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return form, selectors.Search()


@login_required
def folder(request, folder: str):
    """A folder of the mailbox (inbox, archive, trash, sent), searchable, 50 a page."""
    viewer = request.viewer
    _member(viewer)
    form, search = _search(request)
    page = parse_int(request.GET.get("page"), min_value=1, max_value=MAX_PAGE) or 1
    if folder == "sent":
        rows = selectors.sent(viewer, search, page)
    else:
        rows = selectors.received(viewer, folder, search, page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "messaging/folder.html",
        {
            "folder": folder,
            "rows": rows,
            "form": form,
            "query": query.urlencode(),
            "searching": search != selectors.Search(),
            "may_manage": permissions.manages_settings(viewer),
        },
        status=400 if form.errors else 200,
    )


def _compose_choices(viewer):
    people = [
        (p.pk, f"{p.last_name} {p.first_name}".strip() or p.username)
        for p in recipients.people(viewer)
    ]
    groups = [(g.key, g.label) for g in recipients.groups(viewer)]
    return people, groups


def _rate_limited(request, exc: services.RateLimited):
    return render(request, "messaging/rate_limited.html", {"limit": exc.limit}, status=429)


@login_required
def compose(request):
    """A new message, or a forward (``?forward=<message id>``)."""
    viewer = request.viewer
    _member(viewer)
    people, groups = _compose_choices(viewer)
    forward_id = parse_int(
        request.POST.get("forward") or request.GET.get("forward"), min_value=1, max_value=2**31
    )
    forwarded = selectors.get_message_for(viewer, forward_id) if forward_id else None
    initial = {}
    if forwarded is not None:
        initial = {
            "subject": _("Fwd: %s") % forwarded.thread.subject,
            "body": "\n\n"
            + _("--- Forwarded message from %(sender)s, %(date)s ---")
            % {
                "sender": forwarded.sender.get_full_name(),
                "date": forwarded.sent_at.strftime("%d.%m.%Y %H:%M"),
            }
            + "\n"
            + forwarded.body,
            "forward": forwarded.pk,
        }
    form = ComposeForm(
        request.POST or None, request.FILES or None, people=people, groups=groups, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = services.message_send(
                actor=request.user,
                subject=data["subject"],
                body=data["body"],
                recipient_ids=data["recipients"],
                group_keys=data["groups"],
                files=data["attachments"],
                forwarded=forwarded,
            )
        except services.RateLimited as exc:
            return _rate_limited(request, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if message.groups:
                messages.success(
                    request, _("The message has been sent; the groups get it in a moment.")
                )
            else:
                messages.success(request, _("The message has been sent."))
            return redirect("messaging:thread", thread_id=message.thread_id)
    return render(
        request,
        "messaging/compose.html",
        {"form": form, "forwarded": forwarded},
        status=400 if form.errors else 200,
    )


@login_required
def thread(request, thread_id: int):
    """A conversation: the viewer's messages in it, read receipts on their own, and the
    answer form. Opening it marks the messages to the viewer read."""
    viewer = request.viewer
    found = selectors.get_thread_for(viewer, thread_id)
    rows = selectors.thread_messages(viewer, found)
    last_received = next((m for m in reversed(rows) if not m.is_mine), None)
    answer_to = last_received or (rows[-1] if rows else None)
    response = render(
        request,
        "messaging/thread.html",
        {
            "thread": found,
            "rows": rows,
            "answer_to": answer_to,
            "form": ReplyForm(),
            "folders": Delivery.Folder.choices,
        },
    )
    services.thread_mark_read(actor=request.user, thread=found)
    return response


@login_required
@require_POST
def reply(request, message_id: int):
    viewer = request.viewer
    message = selectors.get_message_for(viewer, message_id)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_reply(
                actor=request.user,
                message=message,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except services.RateLimited as exc:
            return _rate_limited(request, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your answer has been sent."))
            return redirect("messaging:thread", thread_id=message.thread_id)
    rows = selectors.thread_messages(viewer, message.thread)
    return render(
        request,
        "messaging/thread.html",
        {
            "thread": message.thread,
            "rows": rows,
            "answer_to": message,
            "form": form,
            "folders": Delivery.Folder.choices,
        },
        status=400,
    )


@login_required
@require_POST
def move(request, message_id: int):
    message = selectors.get_message_for(request.viewer, message_id)
    try:
        services.delivery_move(
            actor=request.user, message=message, folder=request.POST.get("folder", "")
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    messages.success(request, _("The message has been moved."))
    return redirect("messaging:inbox")


@login_required
@require_POST
def delete(request, message_id: int):
    message = selectors.get_message_for(request.viewer, message_id)
    try:
        services.delivery_delete(actor=request.user, message=message)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    messages.success(request, _("The message has been deleted."))
    return redirect("messaging:trash")


@login_required
@require_POST
def withdraw(request, message_id: int):
    message = selectors.get_message_for(request.viewer, message_id, "withdraw")
    try:
        services.message_withdraw(actor=request.user, message=message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The message has been withdrawn."))
    return redirect("messaging:thread", thread_id=message.thread_id)


@login_required
def attachment(request, attachment_id: int):
    """An attachment, to the participants of its message only (also with DEBUG on:
    no media URL serves these files)."""
    found = selectors.get_attachment_for(request.viewer, attachment_id)
    try:
        handle = found.file.open("rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=found.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def unread(request):
    """The header's unread counter (loaded by htmx, so cached pages stay right)."""
    count = selectors.unread_count(request.viewer)
    return render(request, "messaging/_unread.html", {"count": count})


@login_required
def settings_page(request):
    viewer = request.viewer
    if not permissions.manages_settings(viewer):
        raise Http404
    current = recipients.settings_of(viewer.school_id)
    initial = {
        "parents_write_to_parents": current.parents_write_to_parents,
        "students_write_to_students": current.students_write_to_students,
        "attachment_max_mb": current.attachment_max_mb,
        "attachment_kinds": current.allowed_kinds,
        "sends_per_hour": current.sends_per_hour,
        "retention_years": current.retention_years,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.messaging_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect(reverse("messaging:settings"))
    return render(
        request, "messaging/settings.html", {"form": form}, status=400 if form.errors else 200
    )
