"""Django's database sessions, each request's read of its session prepared.

Every page a logged-in user opens reads its session; building that query with the ORM
costs more CPU than PostgreSQL spends answering it. ``SessionStore`` is Django's
database store (``django.contrib.sessions.backends.db``: the same table, rows, expiry
and writes) whose read runs a ``core.prepared.Prepared`` read: its SQL built once per
process, planned once per connection on PostgreSQL. Sessions stay out of the cache on
purpose (docs/production.md, "When the cache fails"): logging in and staying logged in
work during a cache outage.

``SESSION_ENGINE = "dziennik.accounts.sessions"``.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from dziennik.core.prepared import Prepared

_SESSION = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now).values_list(
        "session_data", "expire_date"
    )
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """As Django's: the session under this key that has not expired, or none (and
        the key forgotten, so that a new session gets a new key)."""
        key = self.session_key  # None for a key of no valid form (its setter's check)
        rows = _SESSION(key, timezone.now()) if key else []
        if not rows:
            self._session_key = None
            return None
        data, expire_date = rows[0]
        return Session(session_key=key, session_data=data, expire_date=expire_date)
