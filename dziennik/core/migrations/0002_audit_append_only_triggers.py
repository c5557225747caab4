"""Refuse UPDATE and DELETE of history entries in the database itself (L-04).

The UPDATE guard is always installed. The DELETE/TRUNCATE guard is installed unless
``AUDIT_DB_DELETE_GUARD`` is off: only the test settings turn it off, because the test
runner empties tables between browser tests; its own test installs it and checks it.
"""

from django.conf import settings
from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;
    """,
    """
    CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
]
POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'core_auditentry is append-only';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER core_auditentry_no_change BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
    """,
    """
    CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only();",
]


def guard_statements(vendor: str, *, delete_guard: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_FORWARD if delete_guard else SQLITE_FORWARD[:1]
    if vendor == "postgresql":
        if delete_guard:
            return POSTGRES_FORWARD
        return [
            POSTGRES_FORWARD[0],
            """
            CREATE TRIGGER core_auditentry_no_change BEFORE UPDATE ON core_auditentry
            FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
            """,
        ]
    return []


def forward(apps, schema_editor):
    delete_guard = getattr(settings, "AUDIT_DB_DELETE_GUARD", True)
    for sql in guard_statements(schema_editor.connection.vendor, delete_guard=delete_guard):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
