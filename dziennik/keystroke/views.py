"""KeyStroke on screen: the person's own settings (consent, switching off, unusual
logins) and the school's settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.forms import add_service_errors

from . import permissions, selectors, services
from .forms import ConsentForm, SchoolSettingsForm


def _own_page(request, *, consent_form=None, status=200):
    viewer = request.viewer
    profile = selectors.own_profile(viewer)
    context = {
        "profile": profile,
        "learning_samples": services.LEARNING_SAMPLES,
        "window": services.WINDOW,
        "consent_form": consent_form or ConsentForm(),
        "unusual_logins": selectors.own_unusual_logins(viewer),
        "required": selectors.required_but_off(viewer),
        "manages_settings": permissions.manages_settings(viewer),
    }
    return render(request, "keystroke/settings.html", context, status=status)


@login_required
def own_settings(request):
    """The viewer's own KeyStroke: off (the consent to turn it on) or on (its summary)."""
    return _own_page(request)


@login_required
@require_POST
def enable(request):
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.keystroke_enable(actor=request.user, consent=form.cleaned_data["consent"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("KeyStroke is on. It learns your rhythm from your next logins.")
            )
            return redirect("keystroke:settings")
    return _own_page(request, consent_form=form, status=400)


@login_required
@require_POST
def disable(request):
    try:
        services.keystroke_disable(actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("KeyStroke is off and your typing profile has been deleted."))
    return redirect("keystroke:settings")


@login_required
@require_POST
def unusual_seen(request):
    services.unusual_logins_seen(actor=request.user)
    return redirect("keystroke:settings")


@login_required
def school_settings(request):
    viewer = request.viewer
    if not permissions.manages_settings(viewer):
        raise Http404
    current = selectors.school_settings(viewer)
    form = SchoolSettingsForm(
        request.POST or None,
        initial={"required_for_staff": current.required_for_staff, "threshold": current.threshold},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.keystroke_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("keystroke:school_settings")
    status = 400 if form.errors else 200
    return render(request, "keystroke/school_settings.html", {"form": form}, status=status)
