"""The confirm-then-delete page that school settings share (a grade category, a special
mark, an attendance kind, a room): GET asks, POST deletes through the app's service."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def confirm_then_delete(
    request: HttpRequest,
    *,
    delete: Callable[[], object],
    deleted: str,
    done: str,
    template: str,
    context: dict,
) -> HttpResponse:
    """GET: ``template`` asks to confirm. POST: ``delete()`` (the app's service, given
    the actor): refused by the policy it answers 404 like a missing row; a
    ``ValidationError`` (the row is still in use) shows the page again with its reasons
    (400, in ``errors``); done, ``deleted`` is shown on ``done`` (a URL name or path)."""
    errors: list[str] = []
    if request.method == "POST":
        try:
            delete()
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, deleted)
            return redirect(done)
    return render(request, template, {**context, "errors": errors}, status=400 if errors else 200)
