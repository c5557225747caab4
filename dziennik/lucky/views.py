"""The lucky number's settings page (the number itself is on the home pages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dziennik.core.forms import add_service_errors

from . import permissions, services
from .forms import SettingsForm


@login_required
def settings_page(request):
    viewer = request.viewer
    if not permissions.manages_settings(viewer):
        raise Http404
    current = services.settings_of(viewer.school_id)
    form = SettingsForm(
        request.POST or None, initial={"enabled": current.enabled, "mode": current.mode}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lucky_settings_update(
                actor=request.user,
                enabled=form.cleaned_data["enabled"],
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("lucky:settings")
    return render(
        request, "lucky/settings.html", {"form": form}, status=400 if form.errors else 200
    )
