import pytest
from django.db import DatabaseError, connection, transaction

from dziennik.core import audit
from dziennik.core.models import AppendOnlyError, AuditEntry


def _entry(world):
    return audit.record_create(actor=world.user("principal"), instance=world.subject)


def test_record_update_stores_old_and_new(world):
    before = audit.snapshot(world.subject)
    world.subject.name = "Matematyka rozszerzona"
    world.subject.save()
    entry = audit.record_update(
        actor=world.user("principal"), instance=world.subject, before=before
    )
    assert entry.changes == {"name": ["Matematyka", "Matematyka rozszerzona"]}
    assert entry.actor == world.user("principal")
    assert entry.school_id == world.school.pk
    assert entry.object_id == str(world.subject.pk)


def test_update_without_change_records_nothing(world):
    before = audit.snapshot(world.subject)
    assert audit.record_update(actor=None, instance=world.subject, before=before) is None


def test_orm_refuses_update_and_delete(world):
    entry = _entry(world)
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_database_refuses_raw_update(world):
    entry = _entry(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET object_repr = 'forged' WHERE id = %s", [entry.pk]
        )
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "forged"


def test_database_delete_guard_of_the_migration(world):
    """The DELETE guard that production installs (tests run without it; see settings)."""
    import importlib

    migration = importlib.import_module("dziennik.core.migrations.0002_audit_append_only_triggers")
    entry = _entry(world)
    vendor = connection.vendor
    statements = migration.guard_statements(vendor, delete_guard=True)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute(
                    "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry"
                )
            else:
                cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
            for sql in statements:
                cursor.execute(sql)
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
        transaction.set_rollback(True)
