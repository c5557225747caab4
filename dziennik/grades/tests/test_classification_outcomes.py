"""The scale's names (G-01), the modifiers ++ -- = (G-03) and the outcomes other than a
grade (G-11): not classified, exempt – in the parser, the sheet, the averages, the
student's page and the PDF."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from dziennik.core.models import AuditEntry
from dziennik.grades import services
from dziennik.grades.models import ClassificationGrade, ScaleGradeName
from dziennik.grades.outcomes import is_female
from dziennik.grades.rules import InvalidGrade, Rules
from dziennik.grades.selectors import load_rules, student_report
from dziennik.grades.sheets import CLASSIFICATION_COLUMNS, CellInput
from dziennik.schools import models as sm
from dziennik.schools.viewer import get_viewer

FINAL = next(c for c in CLASSIFICATION_COLUMNS if c.key == "final")


# --- modifiers (G-03) -------------------------------------------------------------------------
def test_double_modifiers_are_refused_where_the_school_does_not_use_them():
    rules = Rules()
    for raw in ("4++", "4--", "4="):
        with pytest.raises(InvalidGrade):
            rules.parse(raw)
    assert rules.parse("4+")[1] == Decimal("4.5")


def test_double_modifiers_take_the_schools_values():
    rules = Rules(
        plus=Decimal("0.33"),
        minus=Decimal("0.33"),
        double_plus=Decimal("0.5"),
        double_minus=Decimal("0.5"),
        equals=Decimal("0.75"),
    )
    assert rules.parse("4++")[1] == Decimal("4.5")
    assert rules.parse("4--")[1] == Decimal("3.5")
    assert rules.parse("4=")[1] == Decimal("3.25")
    assert rules.parse("3+")[1] == Decimal("3.33")
    for raw in ("6++", "6+", "1--", "1=", "1-", "4+++"):
        with pytest.raises(InvalidGrade):
            rules.parse(raw)
    scale = dict(rules.scale())
    assert scale["5++"] == Decimal("5.5") and scale["2="] == Decimal("1.25")
    assert "6++" not in scale and "1--" not in scale


def test_school_settings_turn_the_modifiers_on_and_averages_use_them(world, grading, column):
    services.grading_settings_update(
        actor=world.user("principal"),
        school_id=world.school.pk,
        double_plus_value=Decimal("0.75"),
    )
    rules = load_rules(world.school.pk)
    assert rules.parse("3++")[1] == Decimal("3.75")
    teacher = world.user("teacher_in")
    services.grade_set(actor=teacher, assessment=column, student=world.student, raw="5++")
    report = student_report(_viewer(world), world.student.pk, term_id=world.term1.pk)
    maths = next(s for s in report.subjects if s.subject.pk == world.subject.pk)
    assert maths.average == Decimal("5.75")


def _viewer(world, role="own_parent"):
    return get_viewer(world.user(role))


# --- the scale's names (G-01) -----------------------------------------------------------------
def test_the_scale_has_its_legal_names_by_default_and_the_schools_own(world, grading):
    rules = load_rules(world.school.pk)
    assert [rules.grade_name(g) for g in range(6, 0, -1)] == [
        "celujący",
        "bardzo dobry",
        "dobry",
        "dostateczny",
        "dopuszczający",
        "niedostateczny",
    ]
    assert rules.grade_abbreviation(2) == "dop"
    ScaleGradeName.objects.filter(school=world.school, grade=2).update(abbreviation="dps")
    assert load_rules(world.school.pk).grade_abbreviation(2) == "dps"


def _final(world, student, value, *, subject=None, actor="teacher_in"):
    subject = subject or world.subject
    column = FINAL
    cells = [CellInput(student, column, value)]
    services.classification_sheet_save(
        actor=world.user(actor),
        school_class=world.school_class,
        subject=subject,
        term=world.term2,
        cells=cells,
    )
    return ClassificationGrade.objects.filter(
        student=student, subject=subject, kind="final", is_proposal=False
    ).first()


def test_students_page_shows_the_grades_name_in_polish(world, grading):
    _final(world, world.student, "5")
    html = world.client("own_parent").get(
        reverse("grades:student", args=[world.student.pk]) + f"?okres={world.term2.pk}"
    )
    assert html.status_code == 200
    assert "5 (bardzo dobry)</strong>" in html.content.decode()
    overview = world.client("own_parent").get(
        reverse("grades:student_overview", args=[world.student.pk]) + f"?okres={world.term2.pk}"
    )
    text = overview.content.decode()
    assert (
        '<span aria-hidden="true">bdb</span> <span class="visually-hidden">bardzo dobry</span>'
        in text
    )


# --- outcomes (G-11) --------------------------------------------------------------------------
def test_the_sheet_takes_nkl_and_zw_instead_of_a_grade(world, grading):
    cg = _final(world, world.student, "zw")
    assert (cg.outcome, cg.grade, cg.text) == ("zw", None, "")
    cg = _final(world, world.classmate, "NKL")
    assert cg.outcome == "nkl"
    history = AuditEntry.objects.filter(object_id=str(cg.pk), action="create").get()
    assert history.changes["outcome"] == [None, "nkl"]
    # a grade replaces it again, and the history says so
    cg = _final(world, world.classmate, "3")
    assert (cg.outcome, cg.grade) == ("", 3)
    update = AuditEntry.objects.filter(object_id=str(cg.pk), action="update").get()
    assert update.changes["outcome"] == ["nkl", ""]


def test_gender_correct_forms_on_the_page_and_the_pdf(world, grading):
    _final(world, world.student, "zw")  # Zofia
    _final(world, world.classmate, "nkl")  # Kacper
    html = world.client("own_parent").get(
        reverse("grades:student", args=[world.student.pk]) + f"?okres={world.term2.pk}"
    )
    assert ">zwolniona</strong>" in html.content.decode()
    html = world.client("other_parent").get(
        reverse("grades:student", args=[world.classmate.pk]) + f"?okres={world.term2.pk}"
    )
    assert ">nieklasyfikowany</strong>" in html.content.decode()
    response = world.client("own_parent").get(
        reverse("grades:student_pdf", args=[world.student.pk]) + f"?okres={world.term2.pk}"
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "zwolniona" in text


def test_pdf_writes_the_grade_in_full(world, grading):
    _final(world, world.student, "6")
    response = world.client("own_parent").get(
        reverse("grades:student_pdf", args=[world.student.pk]) + f"?okres={world.term2.pk}"
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "6 (celujący)" in text


def test_gender_from_pesel_then_the_first_name():
    assert is_female(sm.Student(first_name="Jan", pesel="02270803628"))  # 9th index even
    assert not is_female(sm.Student(first_name="Anna", pesel="02270803618"))
    assert is_female(sm.Student(first_name="Zofia"))
    assert not is_female(sm.Student(first_name="Kuba"))
    assert not is_female(sm.Student(first_name="Kacper"))


def test_an_exempt_subject_leaves_the_overall_average(world, grading, column):
    # Zofia: Matematyka 4.5 (the column's 4+); Historia 2 from a column of its own
    history = services.assessment_create(
        actor=world.user("class_teacher"),
        school_class=world.school_class,
        subject=world.other_subject,
        term=world.term1,
        name="Kartkówka",
        date=column.date,
        category=column.category,
    )
    services.grade_set(
        actor=world.user("class_teacher"), assessment=history, student=world.student, raw="2"
    )
    html = (
        world.client("own_parent")
        .get(reverse("grades:student", args=[world.student.pk]) + f"?okres={world.term1.pk}")
        .content.decode()
    )
    assert 'id="overall-average" data-value="3.25"' in html
    services.classification_grade_set(
        actor=world.user("class_teacher"),
        student=world.student,
        school_class=world.school_class,
        subject=world.other_subject,
        term=world.term1,
        kind="term",
        is_proposal=False,
        outcome="zw",
    )
    html = (
        world.client("own_parent")
        .get(reverse("grades:student", args=[world.student.pk]) + f"?okres={world.term1.pk}")
        .content.decode()
    )
    assert 'id="overall-average" data-value="4.50"' in html


def test_reason_by_the_teacher_exam_by_the_principal(world, grading):
    cg = _final(world, world.student, "nkl")
    services.unclassified_details_set(
        actor=world.user("teacher_in"), classification_grade=cg, reason="absence"
    )
    cg.refresh_from_db()
    assert cg.reason == "absence"
    with pytest.raises(ValidationError) as refused:
        services.unclassified_details_set(
            actor=world.user("teacher_in"),
            classification_grade=cg,
            reason="absence",
            exam_allowed_on=world.term2.end_date,
        )
    assert "tylko dyrektor" in " ".join(refused.value.messages)
    with pytest.raises(PermissionDenied):
        services.unclassified_details_set(
            actor=world.user("teacher_out"), classification_grade=cg, reason="absence"
        )
    with pytest.raises(ValidationError):  # other needs words
        services.unclassified_details_set(
            actor=world.user("principal"), classification_grade=cg, reason="other"
        )
    with pytest.raises(ValidationError):  # a result needs the permission
        services.unclassified_details_set(
            actor=world.user("principal"), classification_grade=cg, reason="absence", exam_grade=4
        )
    services.unclassified_details_set(
        actor=world.user("principal"),
        classification_grade=cg,
        reason="absence",
        exam_allowed_on=world.term2.end_date,
        exam_grade=4,
    )
    cg.refresh_from_db()
    assert (cg.effective_grade, cg.counts_in_average) == (4, True)
    entry = AuditEntry.objects.filter(object_id=str(cg.pk), action="update").order_by("pk").last()
    assert entry.changes["exam_grade"] == [None, 4]


def test_in_the_last_class_the_final_grade_is_the_end_of_school_one(world, grading):
    """Class 8 of a primary school: its annual grades are the final ones (G-02)."""
    _final(world, world.student, "4")
    url = reverse("grades:student", args=[world.student.pk]) + f"?okres={world.term2.pk}"
    assert "ocena końcowa" not in world.client("own_parent").get(url).content.decode()
    world.school_class.level = 8
    world.school_class.save()
    html = world.client("own_parent").get(url).content.decode()
    assert "Ocena roczna – ocena końcowa: <strong" in html
