"""The bar: every model that holds a person's data is in the export or excluded with a
reason. Discovered here independently of the collector, from every installed model's
fields, so a new model with a foreign key to a person cannot be forgotten."""

from django.apps import apps
from django.conf import settings

from dziennik.core.extensions import collect_personal_data_models
from dziennik.privacy import collector

PERSON_LABELS = {settings.AUTH_USER_MODEL, "schools.Student", "schools.Guardian"}


def _person_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if f.is_relation
        and getattr(f, "concrete", False)
        and (f.many_to_one or f.one_to_one or f.many_to_many)
        and f.related_model._meta.label in PERSON_LABELS
    ]


def _discovered() -> dict[str, list[str]]:
    found = {}
    for model in apps.get_models():
        fields = _person_fields(model)
        if fields or model._meta.label in PERSON_LABELS:
            found[model._meta.label] = fields
    return found


def test_every_model_with_a_person_foreign_key_is_exported_or_excluded_with_a_reason():
    exported = {pm.label: {link.field for link in pm.links} for pm in collector.person_models()}
    excluded = {**collector.EXCLUDED_MODELS, **collect_personal_data_models()}
    forgotten = []
    for label, fields in _discovered().items():
        if label in excluded:
            assert str(excluded[label]).strip(), f"{label} is excluded without a reason"
            continue
        if label not in exported:
            forgotten.append(label)
            continue
        for name in fields:
            if name in exported[label]:
                continue
            reason = collector.EXCLUDED_RELATIONS.get((label, name))
            if not reason or not str(reason).strip():
                forgotten.append(f"{label}.{name}")
    assert forgotten == [], (
        "Models or links holding a person's data that the export neither shows nor "
        "excludes with a reason (dziennik/privacy/collector.py): " + ", ".join(forgotten)
    )


def test_the_discovery_finds_the_register_s_person_data():
    """The discovery is not vacuous: it sees the models known to hold people's data."""
    found = _discovered()
    for label, field in (
        ("grades.Grade", "student"),
        ("attendance.AttendanceMark", "student"),
        ("behaviour.BehaviourNote", "author"),
        ("messaging.Message", "sender"),
        ("schools.Guardianship", "guardian"),
        ("keystroke.KeystrokeProfile", "user"),
        ("privacy.StudentRead", "reader"),
    ):
        assert field in found[label], label
    assert len(found) >= 40


def test_every_exclusion_names_a_model_and_field_that_exist_and_says_why():
    for row in collector.exclusions():
        model = apps.get_model(row["model"])
        if row["field"]:
            model._meta.get_field(row["field"])
        assert len(row["reason"]) > 20, row
