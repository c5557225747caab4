"""Who may change the history table on PostgreSQL: a role of its own owns it.

Triggers refuse UPDATE, DELETE and TRUNCATE of history entries (migration 0002), but the
owner of a table may switch its triggers off, drop them or drop the table, and so may
whoever owns the trigger functions (by replacing them), the schema or the database (by
dropping them with everything inside). So in production the history table, its trigger
functions, the database and its schema belong to a role of their own,
``AUDIT_OWNER_ROLE`` (``dziennik_audit_owner``, NOLOGIN), which the application's role
may not become; the application's role may only read history entries and add new ones,
and keeps owning every other table (its migrations keep running as before).

``manage.py audit_protect`` sets this up (``protection_plan``); the deployment check and
the production startup refuse to run while the connected role could rewrite the history
(``role_findings``); ``AsHistoryOwner`` runs a later migration of the history table as its
owner. See docs/production.md, section 2a.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection as default_connection
from django.db.migrations.operations.base import Operation

TABLE = "core_auditentry"
# The triggers that guard the table: name -> the events they must cover (pg_trigger.tgtype
# bits: 8 DELETE, 16 UPDATE, 32 TRUNCATE; the chain trigger: 4 INSERT).
GUARD_TRIGGERS = {
    "core_auditentry_no_change": 8 | 16,
    "core_auditentry_no_truncate": 32,
    "core_auditentry_chain": 4,
}
GUARD_FUNCTION = "core_auditentry_append_only"
# Statements that (re)install the append-only guards as migration 0002 does in production.
GUARD_STATEMENTS = [
    """CREATE OR REPLACE FUNCTION {schema}.core_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'core_auditentry is append-only';
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER core_auditentry_no_change
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {schema}.core_auditentry_append_only()""",
    """CREATE OR REPLACE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.core_auditentry_append_only()""",
    "ALTER TABLE {table} ENABLE TRIGGER core_auditentry_no_change",
    "ALTER TABLE {table} ENABLE TRIGGER core_auditentry_no_truncate",
    "ALTER TABLE {table} ENABLE TRIGGER core_auditentry_chain",
]


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Finding:
    """A way the connected role could rewrite the history."""

    code: str
    message: str


_INSPECT = """
SELECT r.rolsuper OR r.rolcreaterole, r.rolsuper,
       pg_get_userbyid(c.relowner),
       pg_has_role(current_user, c.relowner, 'MEMBER'),
       pg_has_role(current_user, d.datdba, 'MEMBER')
           OR pg_has_role(current_user, n.nspowner, 'MEMBER'),
       ARRAY(SELECT p FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER',
                                        'REFERENCES']) AS p
             WHERE has_table_privilege(c.oid, p)),
       has_any_column_privilege(c.oid, 'UPDATE'),
       ARRAY(SELECT p.proname::text FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid
             WHERE g.tgrelid = c.oid AND NOT g.tgisinternal
               AND pg_has_role(current_user, p.proowner, 'MEMBER')),
       ARRAY(SELECT g.tgname || ':' || g.tgtype FROM pg_trigger g
             WHERE g.tgrelid = c.oid AND NOT g.tgisinternal AND g.tgenabled <> 'D')
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_roles r ON r.rolname = current_user
  JOIN pg_database d ON d.datname = current_database()
 WHERE c.oid = to_regclass(%s)
"""


def _unguarded(triggers: list[str]) -> list[str]:
    """The guard triggers missing, disabled or not covering their events."""
    events = {}
    for trigger in triggers:
        name, _, tgtype = trigger.rpartition(":")
        events[name] = int(tgtype)
    return [
        name for name, needed in GUARD_TRIGGERS.items() if events.get(name, 0) & needed != needed
    ]


def role_findings(cursor) -> list[Finding]:
    """What the connected role (``current_user``) could do to the history table that
    would let it rewrite the history. Empty when the table does not exist yet."""
    cursor.execute(_INSPECT, [TABLE])
    row = cursor.fetchone()
    if row is None:
        return []
    powerful, superuser, owner, owns, owns_container, extra, column_update, functions, triggers = (
        row
    )
    findings = [
        Finding(
            "trigger",
            f"The trigger {name} of {TABLE} is missing, disabled or does not cover its "
            "events: the history is not guarded.",
        )
        for name in _unguarded(triggers)
    ]
    if superuser:
        findings.append(
            Finding(
                "owner",
                "The database role is a superuser: it can switch the triggers of "
                f"{TABLE} off and rewrite the history.",
            )
        )
        return findings
    if owns or powerful:
        findings.append(
            Finding(
                "owner",
                f"The database role owns {TABLE} or may become its owner ({owner}): it can "
                "switch the table's triggers off or drop them and rewrite the history.",
            )
        )
    if functions:
        findings.append(
            Finding(
                "functions",
                "The database role owns the trigger functions of the history "
                f"({', '.join(sorted(set(functions)))}): it can replace them with ones that "
                "let any change through.",
            )
        )
    if owns_container:
        findings.append(
            Finding(
                "database",
                "The database role owns the database or the schema of the history: it "
                "can drop them with the history inside and create a rewritten one.",
            )
        )
    if extra or column_update:
        granted = sorted(set(extra) | ({"UPDATE"} if column_update else set()))
        findings.append(
            Finding(
                "privileges",
                f"The database role has privileges on {TABLE} beyond SELECT and INSERT: "
                f"{', '.join(granted)}.",
            )
        )
    return findings


class ProtectionRefused(Exception):
    """The setup cannot be made safe by the command alone; the message says why."""


_ROLES = """
SELECT rolname, rolsuper, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = ANY(%s)
"""
_TABLE = """
SELECT n.nspname, pg_get_userbyid(n.nspowner), pg_get_userbyid(d.datdba), current_database(),
       pg_get_serial_sequence(%s, 'id'),
       ARRAY(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attacl IS NOT NULL AND NOT a.attisdropped),
       ARRAY(SELECT ARRAY[fn.nspname::text, p.proname::text,
                          pg_get_function_identity_arguments(p.oid)]
             FROM pg_proc p JOIN pg_namespace fn ON fn.oid = p.pronamespace
             WHERE p.pronamespace = c.relnamespace
               AND (p.proname LIKE 'core\\_auditentry\\_%%'
                    OR p.oid IN (SELECT g.tgfoid FROM pg_trigger g
                                 WHERE g.tgrelid = c.oid AND NOT g.tgisinternal)))
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_database d ON d.datname = current_database()
 WHERE c.oid = to_regclass(%s)
"""
_MEMBERSHIP = """
SELECT pg_has_role(%s, %s, 'MEMBER'),
       EXISTS (SELECT FROM pg_auth_members m
               WHERE m.member = to_regrole(%s) AND m.roleid = to_regrole(%s))
"""


def _roles(cursor, app_role: str, owner_role: str) -> dict[str, tuple]:
    cursor.execute(_ROLES, [[app_role, owner_role]])
    roles = {row[0]: row[1:] for row in cursor.fetchall()}
    if app_role == owner_role:
        raise ProtectionRefused("The application's role and the owner role must differ.")
    if app_role not in roles:
        raise ProtectionRefused(f"The application's role {app_role} does not exist.")
    superuser, createrole, _ = roles[app_role]
    if superuser or createrole:
        raise ProtectionRefused(
            f"The application's role {app_role} is a superuser or may create roles, so no "
            f"table is safe from it. Give it a plain role first: ALTER ROLE {ident(app_role)} "
            "NOSUPERUSER NOCREATEROLE;"
        )
    if owner_role in roles and (roles[owner_role][0] or roles[owner_role][2]):
        raise ProtectionRefused(
            f"The owner role {owner_role} exists and is a superuser or may log in; choose "
            "another name (--owner-role) or make it NOLOGIN NOSUPERUSER."
        )
    return roles


def protection_plan(cursor, *, app_role: str, owner_role: str) -> list[str]:
    """The statements that give the history to ``owner_role`` and leave ``app_role``
    reading and appending only. Read from the catalogue through ``cursor`` (any role may
    read it); idempotent: run again after a migration, a restore or a role change."""
    roles = _roles(cursor, app_role, owner_role)
    cursor.execute(_TABLE, [TABLE, TABLE])
    row = cursor.fetchone()
    if row is None:
        raise ProtectionRefused(f"There is no table {TABLE}: run `manage.py migrate` first.")
    schema, schema_owner, database_owner, database, sequence, acl_columns, functions = row
    app, owner, table = ident(app_role), ident(owner_role), f"{ident(schema)}.{ident(TABLE)}"
    statements = []
    if owner_role not in roles:
        statements.append(f"CREATE ROLE {owner}")
    # Nobody logs in as the owner; it has no power beyond owning what it owns.
    statements.append(
        f"ALTER ROLE {owner} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
        "NOBYPASSRLS NOINHERIT"
    )
    member = direct = False
    if owner_role in roles:
        cursor.execute(_MEMBERSHIP, [app_role, owner_role, app_role, owner_role])
        member, direct = cursor.fetchone()
    if member and not direct:
        raise ProtectionRefused(
            f"The application's role {app_role} is a member of {owner_role} through another "
            "role; revoke that membership first (\\du in psql shows it)."
        )
    if direct:
        statements.append(f"REVOKE {owner} FROM {app}")
    # The owner of the database (PostgreSQL 15+: also of its public schema) or the schema
    # could drop them with the history inside: they go to the owner role; the application
    # keeps connecting and creating its own tables there.
    if database_owner == app_role:
        statements.append(f"ALTER DATABASE {ident(database)} OWNER TO {owner}")
    if schema_owner == app_role:
        statements.append(f"ALTER SCHEMA {ident(schema)} OWNER TO {owner}")
    statements += [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {ident(database)} TO {app}",
        f"GRANT USAGE, CREATE ON SCHEMA {ident(schema)} TO {app}, {owner}",
        # The table with its indexes and its identity sequence, then its trigger functions.
        f"ALTER TABLE {table} OWNER TO {owner}",
        *(statement.format(schema=ident(schema), table=table) for statement in GUARD_STATEMENTS),
        *(
            f"ALTER FUNCTION {function} OWNER TO {owner}"
            for function in sorted(
                {f"{ident(nsp)}.{ident(name)}({args})" for nsp, name, args in functions}
                | {f"{ident(schema)}.{ident(GUARD_FUNCTION)}()"}
            )
        ),
        f"REVOKE ALL ON TABLE {table} FROM PUBLIC, {app}",
        *(
            f"REVOKE ALL ({ident(column)}) ON TABLE {table} FROM PUBLIC, {app}"
            for column in acl_columns
        ),
        f"GRANT SELECT, INSERT ON TABLE {table} TO {app}",
    ]
    if sequence:
        statements += [
            f"REVOKE ALL ON SEQUENCE {sequence} FROM PUBLIC, {app}",
            f"GRANT USAGE ON SEQUENCE {sequence} TO {app}",
        ]
    return statements


def _owner_switch(cursor) -> tuple[str, str] | None:
    """(owner, current role) when the connection must become the table's owner to change
    it, and may (its session role is a superuser or a member); None when it already acts
    as the owner; refuses when it may not."""
    cursor.execute(
        "SELECT pg_get_userbyid(c.relowner), current_user, "
        "pg_has_role(current_user, c.relowner, 'USAGE'), "
        "pg_has_role(session_user, c.relowner, 'MEMBER') "
        "FROM pg_class c WHERE c.oid = to_regclass(%s)",
        [TABLE],
    )
    row = cursor.fetchone()
    if row is None or row[2]:
        return None
    owner, current, _, may = row
    if not may:
        raise ProtectionRefused(
            f"This migration changes the history table, which belongs to {owner}; the "
            f"role {current} may not change it. Run `manage.py migrate` once with a "
            "superuser connection that acts as the application's role: "
            f"DATABASE_URL='postgres:///<database>?assume_role={current}' as the postgres "
            "system user (docs/production.md, section 2a)."
        )
    return owner, current


class AsHistoryOwner(Operation):
    """Run the wrapped migration operations as the owner of the history table.

    Every migration that changes ``core_auditentry`` after ``audit_protect`` has given it
    to its owner role wraps its operations in this (a test checks it). On SQLite, or when
    the connection already acts as the owner (before ``audit_protect``), it only runs
    them. Otherwise it switches the role (``SET LOCAL ROLE``) for them and back, which
    only a session started by a superuser (or a member of the owner role) may do; the
    application's own role gets a clear refusal (``_owner_switch``)."""

    reduces_to_sql = False

    def __init__(self, *operations):
        self.operations = operations

    @property
    def reversible(self):
        return all(operation.reversible for operation in self.operations)

    def describe(self):
        return "As the history's owner: " + "; ".join(op.describe() for op in self.operations)

    def state_forwards(self, app_label, state):
        for operation in self.operations:
            operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, from_state, backwards=False)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, to_state, backwards=True)

    def _run(self, app_label, schema_editor, state, *, backwards: bool):
        """The wrapped operations with the states around each, as ``Migration.apply``
        and ``unapply`` step through them, as the table's owner."""
        state = state.clone()
        steps = []
        for operation in self.operations:
            before = state.clone()
            operation.state_forwards(app_label, state)
            steps.append((operation, before, state.clone()))
        switch = None
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                switch = _owner_switch(cursor)
        if switch:
            schema_editor.execute(f"SET LOCAL ROLE {ident(switch[0])}")
        deferred = len(schema_editor.deferred_sql)
        for operation, before, after in reversed(steps) if backwards else steps:
            if backwards:
                operation.database_backwards(app_label, schema_editor, after, before)
            else:
                operation.database_forwards(app_label, schema_editor, before, after)
        if switch:
            # Constraints and indexes Django defers to the end of the migration are of
            # this table too: they must be made while still its owner.
            for sql in schema_editor.deferred_sql[deferred:]:
                schema_editor.execute(sql)
            del schema_editor.deferred_sql[deferred:]
            schema_editor.execute(f"SET LOCAL ROLE {ident(switch[1])}")


def connected_findings() -> list[Finding]:
    """``role_findings`` through the application's own connection (PostgreSQL only)."""
    if default_connection.vendor != "postgresql":
        return []
    with default_connection.cursor() as cursor:
        return role_findings(cursor)
