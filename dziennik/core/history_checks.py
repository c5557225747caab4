"""The deployment check of the history's protection, and the production start's refusal.

PostgreSQL only: whether the role of ``DATABASE_URL`` could rewrite the history of
changes (``dziennik.core.audit_roles``; docs/production.md, section 2a).
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection

from . import audit_roles

# One id per way the connected role could rewrite the history (audit_roles.role_findings).
HISTORY_CHECK_IDS = {
    "owner": "dziennik.E101",
    "functions": "dziennik.E102",
    "database": "dziennik.E103",
    "privileges": "dziennik.E104",
    "trigger": "dziennik.E105",
}
HISTORY_HINT = (
    "Give the history to a role of its own: manage.py audit_protect --print-sql | "
    "sudo -u postgres psql -v ON_ERROR_STOP=1 <database> (docs/production.md, section 2a)."
)


@register(Tags.security, deploy=True)
def history_protected(app_configs, **kwargs):
    """PostgreSQL: the connected role must not be able to rewrite the history of changes
    (own its table, triggers, schema or database; be a superuser; hold more than SELECT
    and INSERT on it). Nothing to say on SQLite, before the first migration, or when the
    database cannot be reached (the other checks and the first request will say so)."""
    try:
        findings = audit_roles.connected_findings()
    except OperationalError:
        return []
    return [
        Error(finding.message, hint=HISTORY_HINT, id=HISTORY_CHECK_IDS[finding.code])
        for finding in findings
    ]


def refuse_unprotected_history() -> None:
    """At the start of the WSGI/ASGI application in production
    (``HISTORY_PROTECTION_REQUIRED``): refuse to serve while ``history_protected`` finds
    an error not silenced in ``SILENCED_SYSTEM_CHECKS``."""
    if not settings.HISTORY_PROTECTION_REQUIRED:
        return
    try:
        errors = [
            error
            for error in history_protected(None)
            if error.id not in settings.SILENCED_SYSTEM_CHECKS
        ]
    finally:
        connection.close()  # opened before the server forks or serves: not to be shared
    if errors:
        raise ImproperlyConfigured(
            "The database role could rewrite the history of changes:\n"
            + "\n".join(f"{error.id} {error.msg}" for error in errors)
            + f"\n{HISTORY_HINT}"
        )
