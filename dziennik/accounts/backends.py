"""Django's model backend, each request's read of its user prepared.

Every page a logged-in user opens reads the user (``django.contrib.auth.get_user``,
through the backend that logged them in). ``ModelBackend`` is Django's, with that read
run as a ``core.prepared.Prepared`` read: every column of the user, its SQL built once
per process (planned once per connection on PostgreSQL), the row made a ``User`` as the
ORM makes it (``Model.from_db``). Logging in, permissions and the session's hash check
(``get_user`` compares it with the user's password) are Django's, unchanged.

Named in ``AUTHENTICATION_BACKENDS`` as ``PATH``; a session remembers the path of the
backend that logged it in, so a login that names its backend (a passkey's) names this.
"""

from __future__ import annotations

import functools

from django.contrib.auth import backends, get_user_model
from django.db import router

from dziennik.core.prepared import Prepared

PATH = "dziennik.accounts.backends.ModelBackend"


@functools.cache
def _user_read() -> tuple[Prepared, list[str]]:
    """The user's read (built once: the user model is known only once the apps are) and
    the columns it reads, every concrete one."""
    model = get_user_model()
    columns = [f.attname for f in model._meta.concrete_fields]
    read = Prepared(lambda user_id: model._default_manager.filter(pk=user_id).values_list(*columns))
    return read, columns


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        """As Django's: the active user of that id, or None."""
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):  # not an id of ours: no user, as the ORM's lookup
            return None
        read, columns = _user_read()
        rows = read(user_id)
        if not rows:
            return None
        # read where ``Prepared`` read it (the router's choice, as the ORM's ``get``)
        user = read.model.from_db(router.db_for_read(read.model), columns, rows[0])
        return user if self.user_can_authenticate(user) else None
