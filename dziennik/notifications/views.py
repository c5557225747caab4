"""The notification centre, its counter in the header, the person's settings and the
school office's dead-letter list: thin, the rules are in the selectors and services."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dziennik.core.forms import add_service_errors
from dziennik.core.params import parse_id

from . import events, push, selectors, services
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
    withheld = selectors.withheld_channels(request.viewer)
    form = PreferencesForm(request.POST or None, prefs=prefs, withheld=withheld)
    if request.method == "POST" and form.is_valid():
        for item in form.asked_withheld():
            messages.warning(
                request,
                _("%(label)s stays off, nothing changed: %(reason)s")
                % {"label": item.label, "reason": item.reason},
            )
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
            "sms_allowed": prefs.sms_allowed and events.SMS not in withheld,
            "withheld": list(withheld.values()),
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


@login_required
def sms(request):
    """The school office's SMS page: this month's messages and parts, how SMS are
    written (Polish letters or cheaper), and each class's parents with their SMS switch
    (one by one or all chosen at once)."""
    viewer = request.viewer
    classes = selectors.sms_classes(viewer)  # 404 for anyone but the school office
    chosen = parse_id(request.GET.get("klasa", ""))
    if request.method == "POST":
        return _sms_post(request, chosen)
    today = timezone.localdate()
    month_start = timezone.make_aware(
        timezone.datetime(today.year, today.month, 1), timezone.get_current_timezone()
    )
    sms_settings = services.sms_settings_of(viewer.school_id)
    parents = selectors.sms_parents(viewer, chosen) if chosen else None
    return render(
        request,
        "notifications/sms.html",
        {
            "month": selectors.sms_month(viewer, since=month_start),
            "sample": selectors.sms_sample(cheap=sms_settings.cheap),
            "sms_settings": sms_settings,
            "configured": events.SMS in selectors.configured_channels(),
            "classes": classes,
            "chosen": chosen,
            "parents": parents,
            "plans_shown": any(row.plan is not None for row in parents or ()),
        },
    )


def _sms_post(request, chosen):
    action = request.POST.get("action", "")
    back = reverse("notifications:sms") + (f"?klasa={chosen}" if chosen else "")
    if action == "settings":
        version = request.POST.get("version", "")
        try:
            if not (version.isascii() and version.isdecimal() and len(version) < 10):
                raise ValidationError(_("The form is out of date; here it is as saved now."))
            services.sms_settings_update(
                actor=request.user, cheap=request.POST.get("cheap") == "1", version=int(version)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The SMS settings are saved."))
        return redirect(back)
    if action not in ("on", "off"):
        messages.error(request, _("Choose what to do."))
        return redirect(back)
    ids = [pk for pk in map(parse_id, request.POST.getlist("user")) if pk is not None]
    if not ids:
        messages.error(request, _("Choose the parents first."))
        return redirect(back)
    done = services.sms_switch_many(actor=request.user, user_ids=ids, allowed=action == "on")
    messages.success(request, _("SMS switched for %(count)d accounts.") % {"count": done})
    return redirect(back)


# SMSAPI-style report statuses: 404 delivered; 402 expired, 405 undelivered, 406 failed,
# 407 rejected (the others, e.g. 403 sent or 409 queued, are not final)
CALLBACK_DELIVERED = {"404", "DELIVERED"}
CALLBACK_FAILED = {
    "402": "EXPIRED",
    "405": "UNDELIVERED",
    "406": "FAILED",
    "407": "REJECTED",
    "EXPIRED": "EXPIRED",
    "UNDELIVERED": "UNDELIVERED",
    "FAILED": "FAILED",
    "REJECTED": "REJECTED",
}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sms_callback(request, token: str):
    """The HTTP gateway's delivery reports: ``MsgId`` and ``status`` (comma-separated
    for several). The secret in the path (``SMS_CALLBACK_TOKEN``) is the authorization:
    a wrong one is a 404. Idempotent: a report repeated changes nothing. Answers "OK"
    (the gateway stops resending)."""
    expected = settings.SMS_CALLBACK_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    ids = [part.strip() for part in data.get("MsgId", "").split(",")]
    states = [part.strip().upper() for part in data.get("status", "").split(",")]
    if not ids or len(ids) != len(states) or not all(ids):
        return HttpResponse("ERROR: MsgId and status", status=400, content_type="text/plain")
    for receipt_id, state in zip(ids, states, strict=True):
        if state in CALLBACK_DELIVERED:
            services.delivery_receipt(receipt_id=receipt_id[:100], delivered=True)
        elif state in CALLBACK_FAILED:
            services.delivery_receipt(
                receipt_id=receipt_id[:100], delivered=False, error=CALLBACK_FAILED[state]
            )
    return HttpResponse("OK", content_type="text/plain")


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
