from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .children import active_child_id, set_active_child


def _held_back(request, to: str):
    """Where a person who must first do something else is sent. A page's own fragment
    (an htmx request: the top bar's counters) gets an empty answer, which htmx leaves
    alone: redirected, it would load the whole page into the fragment, again and again."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=204)
    return redirect(to)


class ForcePasswordChangeMiddleware:
    """Send a user whose password is a first or reset one to the password change."""

    allowed_names = (
        "accounts:password_change",
        "accounts:logout",
        "set_language",
        "core:csp_report",
        # the installable app's files: public, the same for everyone
        "portal:manifest",
        "portal:service_worker",
        "portal:offline",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in self.allowed_names}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return _held_back(request, "accounts:password_change")
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """Send staff whose school requires a second factor, and who have none, to set up an
    authenticator app or a passkey. The login decides it (``views_second_factor.finish_login``) and
    leaves a flag in the session, so other requests cost no query."""

    allowed_names = (
        "accounts:second_factor",
        "accounts:second_factor_enrol",
        "accounts:second_factor_confirm",
        "accounts:passkeys",
        "accounts:passkey_register_options",
        "accounts:passkey_register",
        "accounts:password_change",
        "accounts:logout",
        "set_language",
        "core:csp_report",
        # the installable app's files: public, the same for everyone
        "portal:manifest",
        "portal:service_worker",
        "portal:offline",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get("second_factor_required"):
            user = getattr(request, "user", None)
            allowed = {reverse(name) for name in self.allowed_names}
            if (
                user is not None
                and user.is_authenticated
                and request.path not in allowed
                and not request.path.startswith("/static/")
            ):
                return _held_back(request, "accounts:second_factor")
        return self.get_response(request)


class ChildFromUrlMiddleware:
    """A parent who opens a page about one of their children (a URL with ``student_id``)
    makes that child the current one, so the switcher in the header names the child the
    page is about, and the next page without a student id shows the same child."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        student_id = view_kwargs.get("student_id")
        user = getattr(request, "user", None)
        if student_id is None or user is None or not user.is_authenticated:
            return None
        viewer = getattr(request, "viewer", None)
        # Written only when the page's child is not the one shown already (the session is
        # not saved on every page); set_active_child refuses a child not the viewer's.
        if viewer is not None and viewer.child_ids and active_child_id(request) != student_id:
            set_active_child(request, student_id)
        return None
