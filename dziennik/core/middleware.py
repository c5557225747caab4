import time

from django.conf import settings
from django.utils.cache import patch_cache_control

REFRESHED_KEY = "_refreshed_at"


class SessionRefreshMiddleware:
    """Keep a logged-in session alive without writing it on every request.

    Sessions expire after ``SESSION_COOKIE_AGE`` seconds of inactivity. Instead of saving
    the session on each request (``SESSION_SAVE_EVERY_REQUEST``), which turns every page
    view into a database write, the session is marked modified – and so saved with a new
    expiry – at most once per ``SESSION_REFRESH_INTERVAL`` seconds. Inactivity is still
    measured to within that interval.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.interval = getattr(settings, "SESSION_REFRESH_INTERVAL", 60)

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        if session.is_empty():
            return response
        now = int(time.time())
        if now - session.get(REFRESHED_KEY, 0) >= self.interval:
            session[REFRESHED_KEY] = now
        return response


class SecurityHeadersMiddleware:
    """Headers every response carries besides the Content-Security-Policy.

    - ``Permissions-Policy``: the browser features in ``PERMISSIONS_POLICY_OFF`` (camera,
      microphone, geolocation, payment, …) are off for every page and what it embeds.
    - ``Reporting-Endpoints``: where the policy's ``report-to`` sends violation reports.
    - ``Cache-Control: no-store, private`` on every response to a logged-in user: pages,
      PDFs, attachments and CSV files show a child's data, which must not stay in a
      shared computer's cache or a proxy's. Responses to anonymous visitors (the login
      page, static files) keep what their views say.

    It sits just below ``SecurityMiddleware``, so static files and error pages pass through
    it too. ``request.user`` is already resolved by then (``SessionRefreshMiddleware``
    asks it on every request), so this costs no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_OFF
        )
        report_url = getattr(settings, "CSP_REPORT_URL", "")
        self.reporting_endpoints = f'csp-endpoint="{report_url}"' if report_url else ""

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if self.reporting_endpoints:
            response.headers.setdefault("Reporting-Endpoints", self.reporting_endpoints)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
