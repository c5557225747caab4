"""The gate other apps' family screens call (grades, attendance, ...): the page they
would show, or the plans app's explanation of why not and how to get it.

A screen calls ``refusal(request, student_id, code)`` before it serves anything (also
before its page cache): gating by the client's address and the time is decided on every
request and its answer is never cached; the refusal page shows nothing of the gated
data (nothing is shown partly).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dziennik.core.client_address import client_address

from . import selectors


def refusal(request: HttpRequest, student_id: int, code: str) -> HttpResponse | None:
    refused = selectors.require(
        request.viewer,
        student_id,
        code,
        address=client_address(request),
        moment=timezone.now(),
    )
    if refused is None:
        return None
    return render(request, "plans/gated.html", {"refusal": refused}, status=403)
