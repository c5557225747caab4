"""The principal's OneRoster screen (*Platformy → OneRoster*): each platform's OneRoster
client, its last call, the last CSV download and login; a new client, a revoked one, the
CSV export of the school's year (bulk or delta) as a zip."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.http import content_disposition
from dziennik.sso import permissions as sso_permissions
from dziennik.sso import selectors as sso_selectors

from . import csvfiles, selectors, services
from .forms import ClientForm, ExportForm


def _require(request) -> None:
    if not sso_permissions.manages_platforms(request.viewer):
        raise Http404


@login_required
def index(request):
    _require(request)
    viewer = request.viewer
    platforms = list(sso_selectors.platform_list(viewer))
    clients = selectors.roster_clients(viewer)
    rows = [(platform, clients.get(platform.pk)) for platform in platforms]
    return render(
        request,
        "oneroster/index.html",
        {
            "rows": rows,
            "settings": selectors.roster_settings(viewer),
            "export_form": ExportForm(platforms=platforms),
            "client_form": ClientForm(),
        },
    )


@login_required
@require_POST
def client_new(request, platform_id: int):
    platform = sso_selectors.get_platform_for(request.viewer, platform_id)
    form = ClientForm(request.POST)
    form.is_valid()
    client, secret = services.roster_client_create(
        actor=request.user, platform=platform, gradebook=form.cleaned_data.get("gradebook", False)
    )
    return render(
        request,
        "oneroster/client_created.html",
        {
            "client": client,
            "secret": secret,
            "token_url": request.build_absolute_uri("/o/token/"),
            "base_url": request.build_absolute_uri("/ims/oneroster/rostering/v1p2/"),
        },
    )


@login_required
@require_POST
def client_revoke(request, platform_id: int):
    platform = sso_selectors.get_platform_for(request.viewer, platform_id)
    client = selectors.roster_clients(request.viewer).get(platform.pk)
    if client is None:
        raise Http404
    revoked = services.roster_client_revoke(actor=request.user, client=client)
    messages.success(
        request,
        _("The OneRoster client of %(name)s is revoked; %(n)s tokens were revoked.")
        % {"name": platform.name, "n": revoked},
    )
    return redirect("oneroster:index")


@login_required
@require_POST
def download(request):
    _require(request)
    viewer = request.viewer
    platforms = list(sso_selectors.platform_list(viewer))
    form = ExportForm(request.POST, platforms=platforms)
    if not form.is_valid():
        return render(
            request,
            "oneroster/index.html",
            {"rows": [], "export_form": form, "client_form": ClientForm()},
            status=400,
        )
    platform = next((p for p in platforms if p.pk == form.cleaned_data["platform"]), None)
    since = form.cleaned_data["since"]
    moment = (
        datetime.datetime.combine(since, datetime.time(), tzinfo=timezone.get_current_timezone())
        if since
        else None
    )
    roster = selectors.school_roster(school=selectors.viewer_school(viewer), platform=platform)
    if roster is None:
        messages.error(request, _("The school has no school year to export yet."))
        return redirect("oneroster:index")
    services.csv_download_noted(actor=request.user, school_id=viewer.school_id, since=moment)
    response = HttpResponse(csvfiles.zipped(roster, since=moment), content_type="application/zip")
    name = f"oneroster-{timezone.localdate():%Y%m%d}{'-delta' if since else ''}.zip"
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "no-store"
    return response
