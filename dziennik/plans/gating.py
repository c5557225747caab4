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
from dziennik.core.extensions import HomePanel

from . import entitlements, selectors


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


# --- the family's home page: its panels and its cache key ----------------------------------

HOME_CODES = (entitlements.GRADES, entitlements.ATTENDANCE)


def family_students(viewer) -> set[int]:
    found = set(viewer.child_ids)
    if viewer.student_id:
        found.add(viewer.student_id)
    return found


def home_refusals(request: HttpRequest) -> dict[tuple[int, str], selectors.Refusal]:
    """The family's (student, entitlement) pairs the home page may not show now: grades
    and attendance, in the 2012 model outside the school's networks or hours. Decided
    per request (the client's address and the time), like ``refusal``; kept on the
    request, so the cache key and the panels ask once."""
    found = getattr(request, "_plans_home_refusals", None)
    if found is None:
        found = selectors.refusals(
            request.viewer,
            family_students(request.viewer),
            HOME_CODES,
            address=client_address(request),
            moment=timezone.now(),
        )
        request._plans_home_refusals = found
    return found


def home_vary(request: HttpRequest) -> tuple[str, ...]:
    """The part of the family home page's cache key that the gate decides: which panels
    are refused now. A page rendered from the school in hours and one rendered from
    elsewhere are different entries, so neither is served for the other."""
    refused = sorted(f"{code}:{student_id}" for student_id, code in home_refusals(request))
    return ("gate=" + ",".join(refused),)


def home_panel(refused: list[selectors.Refusal]):
    """The panel shown instead of a gated one: why, and the plan page."""
    return HomePanel(
        template="plans/_gated_panel.html",
        context={"refusal": refused[0], "students": sorted({r.student_id for r in refused})},
        order=5,
    )
