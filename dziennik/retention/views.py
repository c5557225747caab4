"""The principal's retention screen: what is due for destruction, and its confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import permissions, selectors, services
from .forms import DestroyForm
from .rules import year_label


def _page(request, *, error: str | None = None, status: int = 200):
    viewer = request.viewer
    kinds = selectors.due(viewer, timezone.localdate())
    context = {
        "kinds": kinds,
        "protocols": list(selectors.protocols(viewer)[:50]),
        "error": error,
        "form": DestroyForm(),
    }
    return render(request, "retention/index.html", context, status=status)


@login_required
def index(request):
    if not permissions.may_destroy(request.viewer):
        raise Http404
    return _page(request)


@login_required
@require_POST
def destroy(request):
    if not permissions.may_destroy(request.viewer):
        raise Http404
    form = DestroyForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _page(request, error=message, status=400)
    data = form.cleaned_data
    try:
        protocol = services.destruction_confirm(
            actor=request.user,
            kind_code=data["kind"],
            year=data["year"],
            expected_total=data["expected_total"],
        )
    except ValidationError as exc:
        return _page(request, error=" ".join(exc.messages), status=400)
    messages.success(
        request,
        _("Destroyed %(total)s records of %(kind)s, school year %(year)s; the protocol is kept.")
        % {
            "total": protocol.total,
            "kind": protocol.kind,
            "year": year_label(protocol.school_year),
        },
    )
    return redirect("retention:index")
