import time

from django.conf import settings

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
