"""The announcement board's pages: thin, the rules are in the policy and the services."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.forms import add_service_errors

from . import permissions, selectors, services
from .forms import AnnouncementForm

DEFAULT_PERIOD = datetime.timedelta(days=14)


@login_required
def board(request):
    """The board: new announcements are marked, then remembered as read."""
    viewer = request.viewer
    if viewer.school_id is None:
        raise Http404
    rows = selectors.board(viewer)
    response = render(
        request,
        "notices/board.html",
        {"rows": rows, "may_publish": permissions.may_publish(viewer)},
    )
    services.announcements_mark_read(
        actor=request.user, announcement_ids=[a.pk for a in rows if a.is_new]
    )
    return response


def _form_page(request, form, announcement=None):
    return render(
        request,
        "notices/form.html",
        {"form": form, "announcement": announcement},
        status=400 if form.errors else 200,
    )


def _values(form) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "body": data["body"],
        "audience": data["audience"],
        "class_ids": data["classes"],
        "shown_from": data["shown_from"],
        "shown_until": data["shown_until"],
    }


def _class_choices(viewer):
    return [(c.pk, c.name) for c in selectors.publishable_classes(viewer)]


@login_required
def announcement_new(request):
    viewer = request.viewer
    if not permissions.may_publish(viewer):
        raise Http404
    today = timezone.localdate()
    form = AnnouncementForm(
        request.POST or None,
        class_choices=_class_choices(viewer),
        initial={"shown_from": today, "shown_until": today + DEFAULT_PERIOD},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_publish(actor=request.user, **_values(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The announcement has been published."))
            return redirect("notices:board")
    return _form_page(request, form)


@login_required
def announcement_edit(request, announcement_id: int):
    viewer = request.viewer
    announcement = selectors.get_announcement_for(viewer, announcement_id, "change")
    initial = {
        "title": announcement.title,
        "body": announcement.body,
        "audience": announcement.audience,
        "classes": [c.pk for c in announcement.classes.all()],
        "shown_from": announcement.shown_from,
        "shown_until": announcement.shown_until,
    }
    form = AnnouncementForm(
        request.POST or None, class_choices=_class_choices(viewer), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_update(
                actor=request.user, announcement=announcement, **_values(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The announcement has been corrected."))
            return redirect("notices:board")
    return _form_page(request, form, announcement)


@login_required
@require_POST
def announcement_withdraw(request, announcement_id: int):
    announcement = selectors.get_announcement_for(request.viewer, announcement_id, "change")
    services.announcement_withdraw(actor=request.user, announcement=announcement)
    messages.success(request, _("The announcement has been withdrawn."))
    return redirect("notices:board")
