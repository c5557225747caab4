"""The hash chain over the history: appended by the database, verified by a command,
and every kind of tampering found afterwards (altered, removed, moved entries; a chain
rewritten with fresh hashes, found through an anchor)."""

import importlib
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from dziennik.core import audit, audit_chain
from dziennik.core.audit_chain import GENESIS, Anchor
from dziennik.core.audit_roles import AsHistoryOwner
from dziennik.core.models import AuditEntry

CHAIN_MIGRATION = importlib.import_module("dziennik.core.migrations.0003_auditentry_hash_chain")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (runs in the PostgreSQL pass of .ci/run)",
)


def _record(world, count, school=True):
    """``count`` history entries of the world's school (or of no school), one by one."""
    entries = []
    for _ in range(count):
        entry = audit.build_entry(
            actor=world.user("principal"), instance=world.subject, action="create", changes={}
        )
        if not school:
            entry.school_id = None
        entry.save()
        entries.append(entry)
    return entries


def _chain(school_id):
    return list(
        AuditEntry.objects.filter(school_id=school_id)
        .order_by("chain_seq")
        .values_list("id", "chain_seq", "prev_hash", "entry_hash")
    )


class _Editor:
    def __init__(self, conn):
        self.connection = conn


def _raw(sql, params=(), *more):
    """Change the history below the application, as someone who may switch the
    triggers off (a superuser); the test's transaction rolls it back. ``more``: further
    (sql, params) pairs."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the new rows' deferred foreign-key checks first: ALTER TABLE waits for none
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
        for statement, values in [(sql, params), *more]:
            cursor.execute(statement, values)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
        else:
            cursor.execute(CHAIN_MIGRATION.SQLITE_GUARDS[1])


def _rechain():
    """A superuser's rewrite that also recomputes every hash after the change."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            cursor.execute(CHAIN_MIGRATION.POSTGRES_CHAIN_EXISTING)
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            CHAIN_MIGRATION._sqlite_chain_existing(_Editor(connection))
            cursor.execute(CHAIN_MIGRATION.SQLITE_GUARDS[1])


def _verify(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except CommandError:
        return False, out.getvalue(), err.getvalue()
    return True, out.getvalue(), err.getvalue()


def test_each_school_has_its_own_chain_numbered_and_linked_by_the_database(world):
    _record(world, 3)
    other = audit.record_create(
        actor=world.user("other_principal"),
        instance=world.other_school,
        school_id=world.other_school.pk,
    )
    audit.record_many(
        [
            audit.build_entry(actor=None, instance=world.subject, action="update", changes={})
            for _ in range(2)
        ]
    )
    chain = _chain(world.school.pk)
    assert [seq for _, seq, _, _ in chain] == [1, 2, 3, 4, 5]
    assert chain[0][2] == GENESIS
    assert [prev for _, _, prev, _ in chain[1:]] == [h for _, _, _, h in chain[:-1]]
    assert all(len(h) == 64 and h != GENESIS for _, _, _, h in chain)
    assert _chain(world.other_school.pk) == [
        (other.pk, 1, GENESIS, AuditEntry.objects.get(pk=other.pk).entry_hash)
    ]


@pytest.mark.parametrize(
    "values", [{"chain_seq": 99}, {"prev_hash": "f" * 64}, {"entry_hash": "e" * 64}]
)
def test_an_insert_that_brings_its_own_chain_values_is_refused(world, values):
    entry = audit.build_entry(actor=None, instance=world.subject, action="create", changes={})
    for name, value in values.items():
        setattr(entry, name, value)
    with pytest.raises(DatabaseError, match="set by the database"), transaction.atomic():
        audit.record_many([entry])
    assert not AuditEntry.objects.exists()


def test_the_verifier_computes_what_the_trigger_stored_on_both_backends():
    # the migration froze its own copy of the canonical text; both must stay the same
    assert audit_chain.canonical_sql("NEW") == CHAIN_MIGRATION.canonical(
        "NEW", "NEW.chain_seq", "NEW.prev_hash"
    )


def test_an_untouched_history_verifies_and_prints_each_head(world):
    _record(world, 3)
    _record(world, 2, school=False)
    ok, out, err = _verify()
    assert ok, err
    head = AuditEntry.objects.filter(school=world.school).order_by("-chain_seq").first()
    assert f"{world.school.name}: 3 entries, head {world.school.pk}:3:{head.entry_hash}" in out
    assert "no school (system changes): 2 entries, head 0:2:" in out
    assert "intact: 5 entries in 2 chain(s)" in out
    assert _verify("--anchor", f"{world.school.pk}:3:{head.entry_hash}")[0]


def test_an_altered_entry_is_found(world):
    entries = _record(world, 4)
    _raw("UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["forged", entries[1].pk])
    result = audit_chain.verify()
    assert [(b.chain, b.seq, b.entry_id) for b in result.breaks] == [
        (world.school.pk, 2, entries[1].pk)
    ]
    assert "changed" in result.breaks[0].problem
    ok, out, err = _verify()
    assert not ok
    assert f"BROKEN: {world.school.name}, entry number 2 (id {entries[1].pk})" in err
    assert f"intact up to {world.school.pk}:1:" in out


def test_a_changed_value_of_the_changes_is_found(world):
    entries = _record(world, 2)
    _raw(
        "UPDATE core_auditentry SET changes = %s WHERE id = %s",
        ['{"name": [null, "Fizyka"]}', entries[0].pk],
    )
    assert [b.seq for b in audit_chain.verify().breaks] == [1]


def test_a_removed_entry_is_found(world):
    entries = _record(world, 4)
    _raw("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    (problem,) = audit_chain.verify().breaks
    assert (problem.seq, problem.entry_id) == (3, entries[2].pk)
    assert problem.problem == "entries number 2 are missing"


def test_reordered_entries_are_found(world):
    entries = _record(world, 4)
    second, third = entries[1].pk, entries[2].pk
    move = "UPDATE core_auditentry SET chain_seq = %s WHERE id = %s"
    _raw(move, [-1, second], (move, [2, third]), (move, [3, second]))
    (problem,) = audit_chain.verify().breaks
    assert (problem.seq, problem.entry_id) == (2, third)
    assert "does not link to the previous entry" in problem.problem


def test_an_entry_slipped_in_unchained_is_found(world):
    _record(world, 2)
    entry = _record(world, 1)[0]
    _raw("UPDATE core_auditentry SET chain_seq = 0 WHERE id = %s", [entry.pk])
    (problem,) = audit_chain.verify().breaks
    assert problem.seq == 0
    assert "not in the chain" in problem.problem


def test_a_rewrite_with_recomputed_hashes_is_found_through_the_anchor(world):
    """What a chain alone cannot show (a superuser rewrote an entry and every hash after
    it), the head written down earlier does."""
    entries = _record(world, 3)
    anchor = _chain(world.school.pk)[-1]
    written_down = f"{world.school.pk}:3:{anchor[3]}"
    _raw("UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["forged", entries[0].pk])
    _rechain()
    assert audit_chain.verify().ok  # self-consistent again
    ok, _, err = _verify("--anchor", written_down)
    assert not ok
    assert "entry number 3" in err and "not the entry written down in the anchor" in err


def test_a_removed_head_is_found_through_the_anchor(world):
    entries = _record(world, 3)
    head = _chain(world.school.pk)[-1]
    _raw("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])
    assert audit_chain.verify().ok  # a shorter chain is still a chain
    result = audit_chain.verify(anchors=[Anchor.parse(f"{world.school.pk}:3:{head[3]}")])
    assert [(b.seq, b.problem) for b in result.breaks] == [(3, "the anchored entry is gone")]


def test_verify_one_school_and_bad_anchors(world):
    _record(world, 2)
    audit.record_create(actor=None, instance=world.other_school, school_id=world.other_school.pk)
    ok, out, _ = _verify("--school", str(world.other_school.pk))
    assert ok
    assert world.school.name not in out
    assert f"{world.other_school.name}: 1 entries" in out
    with pytest.raises(CommandError, match="school:number:hash"):
        call_command("audit_verify", "--anchor", "1:2:xyz", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_existing_entries_are_chained_by_the_migration(world):
    """Entries written before the chain existed get it, per school, in the order they
    were written; new entries continue it."""
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0002_audit_append_only_triggers")])
    try:
        with connection.cursor() as cursor:
            for school_id in (world.school.pk, None, world.school.pk):
                cursor.execute(
                    "INSERT INTO core_auditentry (at, action, object_id, object_repr, changes, "
                    "content_type_id, school_id) SELECT %s, 'create', '1', 'x', %s, id, %s "
                    "FROM django_content_type ORDER BY id LIMIT 1",
                    ["2026-09-01 08:00:00+00:00", '{"a": [null, 1]}', school_id],
                )
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert [seq for _, seq, _, _ in _chain(world.school.pk)] == [1, 2]
    audit.record_create(actor=None, instance=world.subject)
    assert [seq for _, seq, _, _ in _chain(world.school.pk)] == [1, 2, 3]
    assert audit_chain.verify().ok


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_chain_wait_for_each_other(world):
    """Two connections: the second append waits for the first transaction's end and
    links to its entry (without the lock it would fail on the unique number)."""
    inserted, release = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                audit.record_create(actor=None, instance=world.subject)
                inserted.set()
                release.wait(5)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            inserted.set()
            connections.close_all()

    def second():
        try:
            inserted.wait(5)
            with transaction.atomic():
                audit.record_create(actor=None, instance=world.subject)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inserted.wait(5)
    waited = False
    with connection.cursor() as cursor:  # the second append is waiting for the lock
        for _ in range(100):
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            waited = cursor.fetchone()[0] == 1
            if waited:
                break
            threading.Event().wait(0.05)
    release.set()
    for thread in threads:
        thread.join(10)
    assert errors == []
    chain = _chain(world.school.pk)
    assert [seq for _, seq, _, _ in chain] == [1, 2]
    assert chain[1][2] == chain[0][3]
    assert waited
    assert audit_chain.verify().ok


def test_every_migration_of_the_history_since_the_chain_runs_as_its_owner():
    """After ``audit_protect`` only the history's owner may change its table: each core
    migration from the chain on must wrap its operations in ``AsHistoryOwner`` (so a
    superuser session acting as the application runs them; docs/production.md 2a)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unwrapped = [
        f"{name}: {type(operation).__name__}"
        for (app, name), migration in loader.disk_migrations.items()
        if app == "core" and name >= "0003"
        for operation in migration.operations
        if not isinstance(operation, AsHistoryOwner)
    ]
    assert unwrapped == []
    assert loader.disk_migrations["core", "0003_auditentry_hash_chain"].operations
