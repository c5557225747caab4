"""The hash chain over the history (``dziennik.core.audit_chain``): three columns the
database fills on insert, the triggers that fill them, and the existing entries chained
in the order they were written (by id), each school's own chain.

PostgreSQL: the trigger function holds a frozen copy of ``audit_chain.canonical_sql``
(the tests check that both agree). SQLite: the trigger calls the Python function
``audit_chain.entry_hash``, registered on every connection; adding the columns rebuilds
the table there, which drops its triggers, so this migration installs them again (and
its reversal the ones of 0002).

Everything runs as the owner of the history table (``AsHistoryOwner``).
"""

import importlib

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from dziennik.core.audit_chain import SQLITE_HASH_FUNCTION, entry_hash, sqlite_columns
from dziennik.core.audit_roles import AsHistoryOwner

GUARDS_0002 = importlib.import_module("dziennik.core.migrations.0002_audit_append_only_triggers")
GENESIS = "0" * 64
LOCK_CLASS = 0x41554454  # audit_chain.CHAIN_LOCK_CLASS


def canonical(row, seq, prev):
    """Frozen copy of ``audit_chain.canonical_sql`` (never change: it is in the data)."""
    return (
        f"jsonb_build_object('id', {row}.id, 'seq', {seq}, 'prev', {prev}, "
        f"'at', to_char({row}.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
        f"'school', {row}.school_id, 'actor', {row}.actor_id, 'action', {row}.action, "
        f"'content_type', {row}.content_type_id, 'object_id', {row}.object_id, "
        f"'object_repr', {row}.object_repr, 'changes', {row}.changes, "
        f"'student', {row}.student_id, 'school_class', {row}.school_class_id)::text"
    )


def sha256_hex(text):
    return f"encode(sha256(convert_to({text}, 'UTF8')), 'hex')"


POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION core_auditentry_chain() RETURNS trigger AS $$
DECLARE
    chain bigint := coalesce(NEW.school_id, 0);
    head record;
BEGIN
    IF NEW.chain_seq <> 0 OR NEW.prev_hash <> '' OR NEW.entry_hash <> '' THEN
        RAISE EXCEPTION 'core_auditentry: the chain values are set by the database';
    END IF;
    -- One append at a time per chain, until this transaction ends.
    PERFORM pg_advisory_xact_lock({LOCK_CLASS}, mod(chain, 2147483647)::int);
    SELECT e.chain_seq, e.entry_hash INTO head FROM core_auditentry e
     WHERE coalesce(e.school_id, 0) = chain ORDER BY e.chain_seq DESC LIMIT 1;
    NEW.chain_seq := coalesce(head.chain_seq, 0) + 1;
    NEW.prev_hash := coalesce(head.entry_hash, '{GENESIS}');
    NEW.entry_hash := {sha256_hex(canonical("NEW", "NEW.chain_seq", "NEW.prev_hash"))};
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""
# The session's temporary schema comes last, so no temporary table can stand in for the
# history while the trigger reads the chain's head.
POSTGRES_SEARCH_PATH = """
DO $$ BEGIN
    EXECUTE 'ALTER FUNCTION core_auditentry_chain() SET search_path = pg_catalog, '
            || quote_ident(current_schema()) || ', pg_temp';
END $$
"""
POSTGRES_CHAIN_EXISTING = f"""
DO $$
DECLARE
    r record;
    chain_now bigint;
    n bigint;
    prev text;
BEGIN
    FOR r IN SELECT id, coalesce(school_id, 0) AS chain FROM core_auditentry ORDER BY 2, 1 LOOP
        IF chain_now IS DISTINCT FROM r.chain THEN
            chain_now := r.chain;
            n := 0;
            prev := '{GENESIS}';
        END IF;
        n := n + 1;
        UPDATE core_auditentry e
           SET chain_seq = n, prev_hash = prev, entry_hash = {sha256_hex(canonical("e", "n", "prev"))}
         WHERE e.id = r.id
        RETURNING e.entry_hash INTO prev;
    END LOOP;
END $$
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER core_auditentry_chain BEFORE INSERT ON core_auditentry
FOR EACH ROW EXECUTE FUNCTION core_auditentry_chain()
"""

SQLITE_GUARDS = [
    """
    CREATE TRIGGER core_auditentry_chain_values BEFORE INSERT ON core_auditentry
    WHEN NEW.chain_seq <> 0 OR NEW.prev_hash <> '' OR NEW.entry_hash <> ''
    BEGIN SELECT RAISE(ABORT, 'core_auditentry: the chain values are set by the database'); END;
    """,
    # Only the chain trigger below may fill in a new row's three columns, once. (A new
    # row waits with chain_seq 0 for an instant, so the head is the highest number.)
    """
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    WHEN OLD.entry_hash <> ''
    BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;
    """,
    f"""
    CREATE TRIGGER core_auditentry_chain AFTER INSERT ON core_auditentry
    BEGIN
        UPDATE core_auditentry SET
            chain_seq = coalesce((
                SELECT e.chain_seq FROM core_auditentry e
                 WHERE coalesce(e.school_id, 0) = coalesce(NEW.school_id, 0)
                   AND e.chain_seq > 0
                 ORDER BY e.chain_seq DESC LIMIT 1), 0) + 1,
            prev_hash = coalesce((
                SELECT e.entry_hash FROM core_auditentry e
                 WHERE coalesce(e.school_id, 0) = coalesce(NEW.school_id, 0)
                   AND e.chain_seq > 0
                 ORDER BY e.chain_seq DESC LIMIT 1), '{GENESIS}')
         WHERE id = NEW.id;
        UPDATE core_auditentry SET
            entry_hash = {SQLITE_HASH_FUNCTION}({sqlite_columns("core_auditentry")})
         WHERE id = NEW.id;
    END;
    """,
]
SQLITE_DELETE_GUARD = """
CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;
"""
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_chain_values",
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
    "DROP TRIGGER IF EXISTS core_auditentry_chain",
]


def _sqlite_chain_existing(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(school_id, 0), id FROM core_auditentry ORDER BY 1, 2"
        )
        order = cursor.fetchall()
        current, seq, prev = None, 0, GENESIS
        for chain, entry_id in order:
            if chain != current:
                current, seq, prev = chain, 0, GENESIS
            seq += 1
            cursor.execute(
                "UPDATE core_auditentry SET chain_seq = %s, prev_hash = %s WHERE id = %s",
                [seq, prev, entry_id],
            )
            cursor.execute(
                f"SELECT {sqlite_columns('e')} FROM core_auditentry e WHERE e.id = %s",
                [entry_id],
            )
            prev = entry_hash(*cursor.fetchone())
            cursor.execute(
                "UPDATE core_auditentry SET entry_hash = %s WHERE id = %s", [prev, entry_id]
            )


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        schema_editor.execute(POSTGRES_SEARCH_PATH)
        # The UPDATE guard of 0002 is switched off for this one transaction.
        schema_editor.execute(
            "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change"
        )
        schema_editor.execute(POSTGRES_CHAIN_EXISTING)
        schema_editor.execute(
            "ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_no_change"
        )
        schema_editor.execute(POSTGRES_TRIGGER)
    elif vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)
        _sqlite_chain_existing(schema_editor)
        for sql in SQLITE_GUARDS:
            schema_editor.execute(sql)
        if getattr(settings, "AUDIT_DB_DELETE_GUARD", True):
            schema_editor.execute(SQLITE_DELETE_GUARD)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_chain ON core_auditentry")
        schema_editor.execute("DROP FUNCTION IF EXISTS core_auditentry_chain()")
    elif vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


def reinstall_0002_guards(apps, schema_editor):
    """Reversal on SQLite: removing the columns rebuilt the table without triggers."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in SQLITE_DROP:
        schema_editor.execute(sql)
    GUARDS_0002.forward(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0002_audit_append_only_triggers'),
        ('schools', '0003_constraint_messages'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AsHistoryOwner(
            migrations.RunPython(migrations.RunPython.noop, reinstall_0002_guards),
            migrations.AddField(
                model_name='auditentry',
                name='chain_seq',
                field=models.BigIntegerField(db_default=0, editable=False),
            ),
            migrations.AddField(
                model_name='auditentry',
                name='entry_hash',
                field=models.CharField(db_default='', editable=False, max_length=64),
            ),
            migrations.AddField(
                model_name='auditentry',
                name='prev_hash',
                field=models.CharField(db_default='', editable=False, max_length=64),
            ),
            migrations.RunPython(install, uninstall),
            migrations.AddConstraint(
                model_name='auditentry',
                constraint=models.UniqueConstraint(
                    django.db.models.functions.comparison.Coalesce('school', models.Value(0)),
                    models.F('chain_seq'),
                    name='core_auditentry_chain_seq',
                ),
            ),
        ),
    ]
