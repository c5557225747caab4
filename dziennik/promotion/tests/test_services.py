"""The promotion list through its services and selectors: computed from the real
annual grades, decided, confirmed, frozen, corrected; every step in the history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dziennik.core.models import AuditEntry
from dziennik.grades import services as grades
from dziennik.promotion import selectors, services
from dziennik.promotion.models import PromotionEntry, PromotionList
from dziennik.schools.viewer import get_viewer

from .factories import annual, behaviour, classify_4a


def outcomes(school_class):
    return {
        e.student.first_name: (e.outcome, e.average)
        for e in PromotionEntry.objects.filter(school_class=school_class).select_related("student")
    }


def test_prepare_decide_confirm_with_the_history(world):
    classify_4a(world)
    principal = world.user("principal")
    plist = services.promotion_list_prepare(actor=principal, school_class=world.school_class)
    assert plist.status == PromotionList.Status.PREPARED
    assert outcomes(world.school_class) == {
        "Zofia": ("promoted_d", Decimal("5.00")),
        "Kacper": ("repeats", Decimal("2.50")),
    }
    kacper = PromotionEntry.objects.get(student=world.classmate)
    assert kacper.reasons == "Matematyka: niedostateczny"
    with pytest.raises(ValidationError):  # the council first
        services.promotion_list_confirm(actor=principal, school_class=world.school_class)
    with pytest.raises(ValidationError):
        services.promotion_decision_record(
            actor=principal,
            school_class=world.school_class,
            council_date=timezone.localdate() + datetime.timedelta(days=1),
            resolution_number="",
        )
    services.promotion_decision_record(
        actor=principal,
        school_class=world.school_class,
        council_date=timezone.localdate(),
        resolution_number="12/2026/2027",
    )
    plist = services.promotion_list_confirm(actor=principal, school_class=world.school_class)
    assert (plist.status, plist.confirmed_by) == (PromotionList.Status.CONFIRMED, principal)
    logged = AuditEntry.objects.filter(school_class_id=world.school_class.pk).order_by("pk")
    list_changes = [e.changes.get("status") for e in logged if e.object_id == str(plist.pk)]
    assert list_changes[-2:] == [["prepared", "decided"], ["decided", "confirmed"]]
    assert logged.filter(student_id=world.classmate.pk, changes__outcome=[None, "repeats"]).exists()


def test_a_confirmed_list_is_frozen_and_corrected_only_with_a_basis(world):
    classify_4a(world)
    principal = world.user("principal")
    services.promotion_list_prepare(actor=principal, school_class=world.school_class)
    services.promotion_decision_record(
        actor=principal,
        school_class=world.school_class,
        council_date=timezone.localdate(),
        resolution_number="12",
    )
    services.promotion_list_confirm(actor=principal, school_class=world.school_class)
    with pytest.raises(ValidationError):
        services.promotion_list_prepare(actor=principal, school_class=world.school_class)
    with pytest.raises(ValidationError):
        services.promotion_decision_record(
            actor=principal,
            school_class=world.school_class,
            council_date=timezone.localdate(),
            resolution_number="13",
        )
    entry = PromotionEntry.objects.get(student=world.classmate)
    with pytest.raises(ValidationError):
        services.promotion_entry_correct(actor=principal, entry=entry, outcome="promoted", basis="")
    services.promotion_entry_correct(
        actor=principal,
        entry=entry,
        outcome="promoted",
        basis="Egzamin poprawkowy z matematyki zdany 28.08",
    )
    entry.refresh_from_db()
    assert entry.outcome == "promoted"
    assert entry.correction.endswith("Egzamin poprawkowy z matematyki zdany 28.08")
    change = AuditEntry.objects.filter(object_id=str(entry.pk), action="update").get()
    assert change.changes["outcome"] == ["repeats", "promoted"]
    assert change.student_id == world.classmate.pk


def test_only_the_principal_prepares(world):
    classify_4a(world)
    for role in ("class_teacher", "teacher_in", "secretary", "other_principal"):
        user = world.user(role) if role != "secretary" else None
        if user is None:
            continue
        with pytest.raises(PermissionDenied):
            services.promotion_list_prepare(actor=user, school_class=world.school_class)
    assert not PromotionList.objects.exists()


def test_preparing_again_follows_the_grades_and_reopens_the_decision(world):
    classify_4a(world)
    principal = world.user("principal")
    services.promotion_list_prepare(actor=principal, school_class=world.school_class)
    services.promotion_decision_record(
        actor=principal,
        school_class=world.school_class,
        council_date=timezone.localdate(),
        resolution_number="12",
    )
    annual(world, world.classmate, world.subject, grade=2)
    plist = services.promotion_list_prepare(actor=principal, school_class=world.school_class)
    assert (plist.status, plist.resolution_number) == ("prepared", "")
    assert outcomes(world.school_class)["Kacper"] == ("promoted", Decimal("3.00"))


def test_exempt_and_not_classified_in_the_preview(world):
    grades.grading_setup_defaults(school=world.school)
    annual(world, world.student, world.subject, grade=5)
    annual(world, world.student, world.other_subject, outcome="zw")
    behaviour(world, world.student, "bdb")
    nkl = annual(world, world.classmate, world.subject, outcome="nkl")
    # Kacper has no annual grade in Historia at all
    rows = {r.student.first_name: r for r in selectors.promotion_preview(world.school_class)}
    assert (rows["Zofia"].outcome, rows["Zofia"].average) == ("promoted_d", Decimal("5.00"))
    assert rows["Kacper"].outcome == "repeats"
    assert rows["Kacper"].reasons == [
        "Historia: brak oceny rocznej",
        "Matematyka: nieklasyfikowanie",
    ]
    page = selectors.promotion_page(get_viewer(world.user("principal")), world.school_class.pk)
    assert [(u.student.first_name, u.absence_percent) for u in page.unclassified] == [
        ("Kacper", None)
    ]
    grades.unclassified_details_set(
        actor=world.user("principal"),
        classification_grade=nkl,
        reason="other",
        reason_text="Długotrwały pobyt za granicą",
        exam_allowed_on=timezone.localdate(),
        exam_grade=3,
    )
    annual(world, world.classmate, world.other_subject, grade=4)
    rows = {r.student.first_name: r for r in selectors.promotion_preview(world.school_class)}
    assert (rows["Kacper"].outcome, rows["Kacper"].average) == ("promoted", Decimal("3.50"))
