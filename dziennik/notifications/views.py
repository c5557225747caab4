"""The notification centre, its counter in the header, the person's settings and the
school office's dead-letter list: thin, the rules are in the selectors and services."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dziennik.core.forms import add_service_errors
from dziennik.core.params import parse_id

from . import push, selectors, services
from .forms import PreferencesForm


@login_required
def centre(request):
    """The person's notifications, newest first; unread ones marked."""
    return render(request, "notifications/centre.html", {"rows": selectors.centre(request.viewer)})


@login_required
@require_GET
def count(request):
    """The header's counter (loaded by htmx after the page, so cached pages never show
    a stale number): one query."""
    return render(
        request,
        "notifications/_count.html",
        {"unread": selectors.unread_count(request.viewer)},
    )


@login_required
def open_notification(request, notification_id: int):
    """Follow a notification to its page, and remember it as read."""
    notification = selectors.own_notification(request.viewer, notification_id)
    services.notifications_mark_read(actor=request.user, notification_ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect("notifications:centre")
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request):
    services.notifications_mark_read(actor=request.user)
    return redirect("notifications:centre")


@login_required
def preferences(request):
    prefs = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, prefs=prefs)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(
                actor=request.user, values=form.values(), version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "sms_allowed": prefs.sms_allowed,
            "push_key": settings.VAPID_PUBLIC_KEY if push.configured() else "",
            "push_devices": selectors.push_devices(request.viewer) if push.configured() else [],
        },
        status=400 if form.errors else 200,
    )


@login_required
def dead_letters(request):
    """The school's deliveries that failed for good; the office may send them again."""
    rows = selectors.dead_letters(request.viewer)
    if request.method == "POST":
        ids = [pk for pk in map(parse_id, request.POST.getlist("delivery")) if pk is not None]
        if not ids:
            messages.error(request, _("Choose the notifications to send again."))
        else:
            done = services.delivery_retry(actor=request.user, delivery_ids=ids)
            messages.success(request, _("%(count)d notifications queued again.") % {"count": done})
        return redirect("notifications:dead_letters")
    return render(request, "notifications/dead_letters.html", {"rows": rows})


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


@login_required
@require_POST
def push_subscribe(request):
    """The page's script posts the browser's ``PushSubscription`` (JSON: endpoint, keys
    p256dh and auth, a label of the device); CSRF-protected like every POST."""
    data = _json_body(request)
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    values = [data.get("endpoint"), keys.get("p256dh"), keys.get("auth"), data.get("label", "")]
    if not all(isinstance(value, str) for value in values) or not all(values[:3]):
        return JsonResponse({"error": _("The browser sent no usable subscription.")}, status=400)
    endpoint, p256dh, auth, label = values
    try:
        services.push_subscribe(
            actor=request.user, endpoint=endpoint, p256dh=p256dh, auth=auth, label=label
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"ok": True}, status=201)


@login_required
@require_POST
def push_unsubscribe(request):
    """Forget one of the person's own devices: the script posts its endpoint (JSON), the
    list of devices a form with its id. Another person's is the same 404 as none."""
    if request.content_type == "application/json":
        endpoint = _json_body(request).get("endpoint")
        if not isinstance(endpoint, str) or not endpoint:
            raise Http404
        services.push_unsubscribe(actor=request.user, endpoint=endpoint)
        return HttpResponse(status=204)
    subscription_id = parse_id(request.POST.get("subscription"))
    if subscription_id is None:
        raise Http404
    services.push_unsubscribe(actor=request.user, subscription_id=subscription_id)
    messages.success(request, _("The device will not receive notifications any more."))
    return redirect("notifications:preferences")
