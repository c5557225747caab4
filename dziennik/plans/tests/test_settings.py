"""L-05: a public school cannot limit the basic account to its network; a non-public one
can, with its networks and hours; every change is in the history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from dziennik.core.models import AuditEntry
from dziennik.plans import entitlements, services
from dziennik.plans.models import Plan, PlanSettings

HOURS = [{"weekday": 2, "start": "15:00", "end": "17:00"}]


def test_a_public_school_is_refused_the_at_school_model_with_the_reason(world):
    assert world.school.is_public
    with pytest.raises(ValidationError) as refused:
        services.plan_settings_update(
            actor=world.user("principal"),
            mode=PlanSettings.Mode.AT_SCHOOL,
            networks="192.0.2.0/24",
            consultation_hours=HOURS,
        )
    assert "bezpłatny wgląd" in str(refused.value.message_dict["mode"])
    assert not PlanSettings.objects.filter(school=world.school).exists()


def test_a_non_public_school_may_choose_it_and_it_is_recorded(world):
    world.school.is_public = False
    world.school.save()
    settings = services.plan_settings_update(
        actor=world.user("principal"),
        mode=PlanSettings.Mode.AT_SCHOOL,
        networks="192.0.2.7/24\n\n2001:db8::/32",
        consultation_hours=HOURS,
    )
    assert settings.networks == "192.0.2.0/24\n2001:db8::/32"
    entry = AuditEntry.objects.get(object_id=str(settings.pk), action="create")
    assert entry.changes["mode"] == [None, "at_school"]


@pytest.mark.parametrize(
    ("networks", "hours", "field"),
    [
        ("192.0.2.0/24\nszkoła", HOURS, "networks"),
        ("", HOURS, "mode"),
        ("192.0.2.0/24", [], "mode"),
        ("192.0.2.0/24", [{"weekday": 9, "start": "15:00", "end": "17:00"}], "consultation_hours"),
        ("192.0.2.0/24", [{"weekday": 1, "start": "17:00", "end": "15:00"}], "consultation_hours"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(world, networks, hours, field):
    world.school.is_public = False
    world.school.save()
    with pytest.raises(ValidationError) as refused:
        services.plan_settings_update(
            actor=world.user("principal"),
            mode=PlanSettings.Mode.AT_SCHOOL,
            networks=networks,
            consultation_hours=hours,
        )
    assert field in refused.value.message_dict
    assert not PlanSettings.objects.exists()


@pytest.mark.parametrize("role", ["teacher_in", "class_teacher", "own_parent", "student"])
def test_only_the_schools_principal_sets_it(world, role):
    with pytest.raises(Http404):
        services.plan_settings_update(actor=world.user(role), mode=PlanSettings.Mode.STATUTORY)
    assert not PlanSettings.objects.filter(school=world.school).exists()


def test_the_free_plan_must_hold_what_the_law_keeps_free(world):
    plan = Plan(school=world.school, name="Podstawowe", is_free=True, entitlements=["sms"])
    with pytest.raises(ValidationError, match="Oceny z domu"):
        services.check_free_plan(plan, None)
    plan.entitlements = sorted(entitlements.FREE_BY_LAW)
    services.check_free_plan(plan, None)


def test_the_leaflet_sells_only_extras_in_the_extended_plan(world):
    made = services.leaflet_configuration(school=world.school, year_start=2026)
    assert set(made["basic"].entitlements) == entitlements.FREE_BY_LAW
    assert set(made["extended"].entitlements) - set(made["basic"].entitlements) == {
        entitlements.SMS,
        entitlements.PUSH,
    }
