"""PostgreSQL: the history belongs to a role the application cannot become.

A throw-away application role (LOGIN, no superuser) owns a throw-away database holding
the migrated schema, as `createdb --owner` and `migrate` leave it (docs/production.md).
Before ``audit_protect`` that role can rewrite the history and the deployment check and
the production startup say so; afterwards every way of rewriting it fails for that role,
while the application still reads and appends through the ORM; a later migration of the
history table runs through the owner connection."""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dziennik.core.audit_roles import role_findings

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (runs in the PostgreSQL pass of .ci/run)",
)
ROOT = Path(settings.BASE_DIR)
PASSWORD = secrets.token_urlsafe(16)


def _url(database: str, user: str | None = None, password: str | None = None) -> str:
    config = connection.settings_dict
    user = user or config["USER"]
    password = password if user != config["USER"] else config["PASSWORD"]
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgresql://{auth}{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{database}"


class Setup:
    def __init__(self, suffix: str):
        self.app = f"dz_app_{suffix}"
        self.owner = f"dz_history_owner_{suffix}"
        self.database = f"dz_history_{suffix}"

    @property
    def admin_url(self) -> str:
        return _url(self.database)

    @property
    def app_url(self) -> str:
        return _url(self.database, self.app, PASSWORD)

    def protect(self, **extra) -> str:
        out = io.StringIO()
        call_command(
            "audit_protect",
            owner_url=self.admin_url,
            app_role=self.app,
            owner_role=self.owner,
            stdout=out,
            **extra,
        )
        return out.getvalue()

    def manage(self, *args: str, url: str | None = None, production: bool = False):
        env = dict(
            os.environ,
            DATABASE_URL=url or self.app_url,
            DJANGO_SETTINGS_MODULE="config.settings.test",
        )
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' fixture
        if production:
            env.update(
                DJANGO_SETTINGS_MODULE="config.settings.production",
                SECRET_KEY=secrets.token_urlsafe(40),
                ALLOWED_HOSTS="dziennik.example.pl",
                EMAIL_URL="smtp+tls://dziennik@localhost:587",
                CACHE_URL="redis://127.0.0.1:6379/1",
            )
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
        )


@pytest.fixture(scope="module")
def setup(django_db_setup, django_db_blocker):
    """The throw-away role and database; dropped afterwards."""
    it = Setup(secrets.token_hex(4))
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE \"{it.app}\" LOGIN PASSWORD '{PASSWORD}'")
        admin.execute(f'CREATE DATABASE "{it.database}" OWNER "{it.app}"')
    try:
        # the migrated schema of the test database, restored by the application's role:
        # everything owned by it, as `migrate` run as that role leaves it
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", _url(connection.settings_dict["NAME"])],
            capture_output=True,
            check=True,
        )
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", it.app_url],
            input=dump.stdout,
            capture_output=True,
            check=True,
        )
        yield it
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{it.database}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{it.app}"')
            admin.execute(f'DROP ROLE IF EXISTS "{it.owner}"')


def _as_app(setup, sql: str, database: str | None = None):
    """Run ``sql`` as the application's role; the error it raised, if any."""
    url = _url(database, setup.app, PASSWORD) if database else setup.app_url
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute(sql)
        except psycopg.Error as exc:
            return exc
    return None


def _findings(setup, role: str) -> set[str]:
    with psycopg.connect(setup.admin_url) as admin, admin.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        return {finding.code for finding in role_findings(cursor)}


ATTACKS = [
    "UPDATE core_auditentry SET object_repr = 'forged'",
    "DELETE FROM core_auditentry",
    "TRUNCATE core_auditentry",
    "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change",
    "ALTER TABLE core_auditentry DISABLE TRIGGER USER",
    "DROP TRIGGER core_auditentry_no_change ON core_auditentry",
    "DROP TRIGGER core_auditentry_chain ON core_auditentry",
    "DROP TABLE core_auditentry",
    "ALTER TABLE core_auditentry RENAME TO core_auditentry_old",
    "ALTER TABLE core_auditentry OWNER TO CURRENT_USER",
    "CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS "
    "$$ BEGIN RETURN OLD; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER forge BEFORE INSERT ON core_auditentry FOR EACH ROW "
    "EXECUTE FUNCTION core_auditentry_chain()",
    "SELECT setval(pg_get_serial_sequence('core_auditentry', 'id'), 1)",
    "DROP SCHEMA public CASCADE",
]


def test_the_history_is_protected_from_the_application_role(setup):
    """In order: before, the role can rewrite everything and production refuses to
    start; ``audit_protect``; after, every attack fails, the role still reads and appends
    through the ORM, the check is clean and production starts."""
    # before: the role that owns everything
    assert _findings(setup, setup.app) == {
        "owner",
        "functions",
        "database",
        "privileges",
        "trigger",
    }
    assert _as_app(setup, "ALTER TABLE core_auditentry DISABLE TRIGGER USER") is None
    _as_app(setup, "ALTER TABLE core_auditentry ENABLE TRIGGER USER")
    started = setup.manage("-c", "import config.wsgi", production=True)
    assert started.returncode != 0
    assert "could rewrite the history of changes" in started.stderr
    assert "dziennik.E101" in started.stderr

    output = setup.protect()
    assert f"The history belongs to {setup.owner}" in output

    for sql in ATTACKS:
        error = _as_app(setup, sql)
        assert isinstance(error, psycopg.errors.InsufficientPrivilege), (sql, error)
    for sql in (f'SET ROLE "{setup.owner}"', f'GRANT "{setup.owner}" TO CURRENT_USER'):
        assert isinstance(_as_app(setup, sql), psycopg.Error), sql
    error = _as_app(setup, f'DROP DATABASE "{setup.database}"', database="postgres")
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
    assert _findings(setup, setup.app) == set()

    # the application works as before: reads and appends through the ORM, chained
    result = setup.manage(
        "manage.py",
        "shell",
        "-v0",
        "-c",
        "from dziennik.core import audit, audit_chain; "
        "from dziennik.core.models import AuditEntry; "
        "from django.contrib.contenttypes.models import ContentType; "
        "before = AuditEntry.objects.count(); "
        "ct = ContentType.objects.get_for_model(AuditEntry); "
        "entry = audit.record_create(actor=None, instance=ct); "
        "audit.record_many([audit.build_entry(actor=None, instance=ct, action='update', "
        "changes={'name': ['a', 'b']}) for _ in range(3)]); "
        "last = AuditEntry.objects.order_by('chain_seq').last(); "
        "print(AuditEntry.objects.count() - before, last.chain_seq - entry.chain_seq, "
        "audit_chain.verify().ok)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["4", "3", "True"]
    checked = setup.manage("manage.py", "check", "--deploy", production=True)
    assert checked.returncode == 0, checked.stderr
    assert "dziennik.E10" not in checked.stdout + checked.stderr
    started = setup.manage("-c", "import config.wsgi", production=True)
    assert started.returncode == 0, started.stderr


def test_audit_protect_repairs_what_changed_since_and_refuses_a_powerful_role(setup):
    setup.protect()
    with psycopg.connect(setup.admin_url, autocommit=True) as admin:
        admin.execute(f'GRANT "{setup.owner}" TO "{setup.app}"')
        admin.execute(f'GRANT UPDATE ON core_auditentry TO "{setup.app}"')
        admin.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change")
    # a member of the owner role may do what the owner may: everything again
    assert _findings(setup, setup.app) == {
        "owner",
        "functions",
        "database",
        "privileges",
        "trigger",
    }
    setup.protect()  # run again: idempotent, and it puts everything back
    assert _findings(setup, setup.app) == set()
    assert isinstance(_as_app(setup, f'SET ROLE "{setup.owner}"'), psycopg.Error)

    with psycopg.connect(setup.admin_url, autocommit=True) as admin:
        admin.execute(f'ALTER ROLE "{setup.app}" CREATEROLE')
        try:
            with pytest.raises(CommandError, match="NOCREATEROLE"):
                setup.protect()
        finally:
            admin.execute(f'ALTER ROLE "{setup.app}" NOCREATEROLE')
    with pytest.raises(CommandError, match="must differ"):
        call_command(
            "audit_protect", owner_url=setup.admin_url, app_role=setup.app, owner_role=setup.app
        )


def test_print_sql_as_the_application_piped_into_psql_as_a_superuser(setup):
    """The way docs/production.md shows: the application's role reads the catalogue and
    prints the script, a superuser's psql runs it."""
    with psycopg.connect(setup.admin_url, autocommit=True) as admin:  # as after a restore
        admin.execute(f'ALTER TABLE core_auditentry OWNER TO "{setup.app}"')
        admin.execute(f'ALTER DATABASE "{setup.database}" OWNER TO "{setup.app}"')
    assert "owner" in _findings(setup, setup.app)
    printed = setup.manage(
        "manage.py", "audit_protect", "--print-sql", f"--owner-role={setup.owner}"
    )
    assert printed.returncode == 0, printed.stderr
    script = printed.stdout
    assert script.startswith("BEGIN;\n") and script.rstrip().endswith("COMMIT;")
    assert f'GRANT SELECT, INSERT ON TABLE "public"."core_auditentry" TO "{setup.app}";' in script
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", setup.admin_url],
        input=script,
        text=True,
        capture_output=True,
        check=True,
    )
    assert _findings(setup, setup.app) == set()


def test_a_later_migration_of_the_history_runs_through_the_owner_connection(setup):
    """As the application's role it is refused with the way to do it; through a
    superuser session acting as that role (``assume_role``) it runs, as the history's
    owner for the history and as the application for the rest; nothing is weakened."""
    setup.protect()
    refused = setup.manage("manage.py", "migrate", "core", "0002", "-v0")
    assert refused.returncode != 0
    assert f"which belongs to {setup.owner}" in refused.stderr
    assert "assume_role" in refused.stderr
    owner_session = f"{setup.admin_url}?assume_role={setup.app}"
    for target in ("0002", "0003"):  # the chain's migration, back and forth
        done = setup.manage("manage.py", "migrate", "core", target, "-v0", url=owner_session)
        assert done.returncode == 0, done.stderr
    assert _findings(setup, setup.app) == set()
    with psycopg.connect(setup.admin_url) as admin:
        owners = dict(
            admin.execute(
                "SELECT tablename, tableowner FROM pg_tables "
                "WHERE tablename IN ('core_auditentry', 'django_migrations')"
            ).fetchall()
        )
    assert owners == {"core_auditentry": setup.owner, "django_migrations": setup.app}
    verified = setup.manage("manage.py", "audit_verify")
    assert verified.returncode == 0, verified.stderr
