import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils.functional import SimpleLazyObject

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


def test_a_change_of_request_user_is_recorded_through_its_lazy_wrapper(world):
    """Views pass ``request.user`` – a ``SimpleLazyObject`` – as the changed row (logout
    everywhere, a password change): recording it must see through the wrapper."""
    user = world.user("own_parent")
    lazy = SimpleLazyObject(lambda: user)
    before = {"session_generation": user.session_generation}
    user.session_generation += 1
    user.save(update_fields=["session_generation"])
    entry = audit.record_update(actor=lazy, instance=lazy, before=before)
    assert entry.changes == {
        "session_generation": [before["session_generation"], user.session_generation]
    }
    assert entry.object_id == str(user.pk)


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


def test_build_updates_reads_each_old_value_and_skips_the_unchanged(world):
    new_end = datetime.date(2027, 6, 30)
    world.term2.end_date = new_end  # already holds the new value: no entry
    terms = [world.term1, world.term2]
    old_end = world.term1.end_date
    entries = audit.build_updates(
        actor=world.user("principal"),
        instances=terms,
        field="end_date",
        new=new_end,
        school_id=world.school.pk,
        links=lambda term: {"object_repr": f"term {term.pk}", "school_class_id": None},
    )
    assert [(e.object_id, e.changes, e.object_repr, e.action) for e in entries] == [
        (
            str(world.term1.pk),
            {"end_date": [old_end.isoformat(), "2027-06-30"]},
            f"term {world.term1.pk}",
            "update",
        )
    ]
    assert entries[0].school_id == world.school.pk
    assert entries[0].actor == world.user("principal")
    assert entries[0].pk is None  # built, not saved: the caller records them
    audit.record_many(entries)
    assert AuditEntry.objects.filter(object_id=str(world.term1.pk), action="update").count() == 1


def test_build_updates_takes_a_foreign_key_by_its_name_and_stores_ids(world):
    student = world.student
    old_family = student.family_id
    [entry] = audit.build_updates(
        actor=None, instances=[student], field="family", new=None, student_id=student.pk
    )
    assert entry.changes == {"family": [old_family, None]}
    assert entry.student_id == student.pk and entry.actor is None
