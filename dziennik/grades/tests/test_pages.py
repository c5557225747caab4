"""What parents, students and teachers see on the grade pages."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from dziennik.grades import services
from dziennik.grades.models import (
    AverageThreshold,
    Grade,
    GradeVisit,
    PointScaleStep,
    SpecialMark,
)
from dziennik.schools import models as sm

from .conftest import add_column
from .helpers import data_values, fill_class, grade_all


def page(world, role="own_parent", student=None, **params):
    student = student or world.student
    response = world.client(role).get(reverse("grades:student", args=[student.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_parent_sees_grades_and_the_weighted_average(world, column):
    teacher = world.user("teacher_in")
    quiz = add_column(world, name="Kartkówka – ułamki", cat="Kartkówka")  # weight 2
    services.grade_set(
        actor=teacher, assessment=quiz, student=world.student, raw="3", comment="Popracuj"
    )
    html = page(world)
    # (4.5×3 + 3×2) / 5 = 3.9
    assert data_values(html, "subject-average") == ["", "3.90"]  # Historia (none), Matematyka
    assert 'id="overall-average" data-value="3.90"' in html
    assert "Popracuj" in html and "Tomasz Lewandowski" in html and "Kartkówka – ułamki" in html


def test_subject_outside_the_overall_average(world, column, grading):
    religion = sm.Subject.objects.create(
        school=world.school, name="Religia", counts_towards_average=False
    )
    sm.TeachingAssignment.objects.create(
        school=world.school,
        teacher=world.user("teacher_in"),
        subject=religion,
        school_class=world.school_class,
    )
    grade_all(world, [world.student], ["6"], subject=religion)
    html = page(world)
    assert 'id="overall-average" data-value="4.50"' in html  # religion's 6 left out


def test_new_since_last_visit(world, column):
    html = page(world)
    assert html.count('class="grade-row is-new"') == 1
    html = page(world)
    assert "is-new" not in html
    GradeVisit.objects.update(seen_at=GradeVisit.objects.get().seen_at.replace(year=2000))
    services.grade_set(
        actor=world.user("teacher_in"), assessment=column, student=world.student, raw="5"
    )
    html = page(world)
    assert html.count('class="grade-row is-new"') == 1
    # A teacher opening the page does not move the parent's mark.
    page(world, "teacher_in")
    assert GradeVisit.objects.filter(user=world.user("teacher_in")).count() == 0


def test_reloading_the_page_does_not_rewrite_the_last_visit(world, column):
    page(world)  # the first visit creates the mark
    first = GradeVisit.objects.get().seen_at
    html = page(world)  # nothing new and the mark is fresh: no write
    assert "is-new" not in html
    assert GradeVisit.objects.get().seen_at == first
    # A mark older than the refresh interval moves even with nothing new.
    old = first - services.VISIT_REFRESH - datetime.timedelta(seconds=1)
    GradeVisit.objects.update(seen_at=old)
    cache.clear()  # the update went behind the cached copy of the mark
    page(world)
    assert GradeVisit.objects.get().seen_at > first


def test_rules_come_from_the_school_rows(world, grading):
    from dziennik.grades.selectors import load_rules

    rules = load_rules(world.school.pk)
    assert rules.point_steps == tuple(
        sm_row
        for sm_row in PointScaleStep.objects.filter(school=world.school)
        .order_by("min_percent")
        .values_list("min_percent", "symbol")
    )
    assert rules.thresholds == tuple(
        AverageThreshold.objects.filter(school=world.school)
        .order_by("grade")
        .values_list("grade", "min_average")
    )
    assert set(rules.marks) == set(
        SpecialMark.objects.filter(school=world.school).values_list("symbol", flat=True)
    )
    for mark in SpecialMark.objects.filter(school=world.school):
        rule = rules.marks[mark.symbol]
        assert (rule.rule, rule.value, rule.convert_count, rule.converted_weight) == (
            mark.rule,
            mark.value,
            mark.convert_count,
            mark.converted_weight,
        )
        assert rule.is_homework is mark.is_homework


def test_progress_chart_has_a_table_alternative(world, column):
    add_column(world, name="K2", days=20)
    services.grade_set(
        actor=world.user("teacher_in"),
        assessment=add_column(world, name="K3", days=30),
        student=world.student,
        raw="2",
    )
    html = page(world)
    assert "<svg" in html and 'class="avg-chart' in html
    assert "<summary>" in html and "<td>4,50</td>" in html  # the table, Polish number format


def test_comparison_hidden_until_the_principal_switches_it_on(world, grading):
    students = fill_class(world, 5)
    grade_all(world, students, ["5", "4", "3", "2", "6"])
    assert "class-average" not in page(world)
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    html = page(world)
    # (5 + 4 + 3 + 2 + 6) / 5 = 4; the year (level 4) has the same five students
    assert data_values(html, "class-average")[-1] == "4.00"
    assert data_values(html, "level-average")[-1] == "4.00"
    assert data_values(html, "assessment-class-average") == ["4.00"]


def test_class_of_four_never_shows_an_average(world, grading):
    students = fill_class(world, 4)
    grade_all(world, students, ["5", "4", "3", "2"])
    services.comparisons_switch(
        actor=world.user("principal"), school_id=world.school.pk, enabled=True
    )
    html = page(world)
    assert set(data_values(html, "class-average")) == {""}
    assert set(data_values(html, "level-average")) == {""}
    assert data_values(html, "assessment-class-average") == [""]
    assert "3,50" not in html and "3.50" not in html  # the class mean (5+4+3+2)/4


def test_what_do_i_need(world, column):
    url = reverse("grades:student_need", args=[world.student.pk])
    client = world.client("own_parent")
    # now 4.5 (w3); (13.5 + 2v) / 5 ≥ 5 → v ≥ 5.75 → 6-
    response = client.get(url, {"subject": world.subject.pk, "weight": "2", "target": "5"})
    assert 'data-grade="6-"' in response.content.decode()
    response = client.get(url, {"subject": world.subject.pk, "weight": "1", "target": "6"})
    assert 'id="need-answer" data-grade=""' in response.content.decode()
    fragment = client.get(
        url, {"subject": world.subject.pk, "weight": "2", "target": "5"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-grade="6-"' in fragment and "<html" not in fragment
    response = client.get(url, {"subject": world.subject.pk, "weight": "x", "target": "5"})
    assert response.status_code == 400
    assert 'id="need-error"' in response.content.decode()


def test_pdf_has_polish_characters(world, column):
    response = world.client("own_parent").get(
        reverse("grades:student_pdf", args=[world.student.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Zofia Wiśniewska" in text
    assert "Matematyka" in text and "4+" in text and "4,50" in text  # a Polish decimal comma


def test_pdf_shows_descriptive_grades_whole(world, grading):
    """Classes 1–3: the descriptive grade is the assessment; it was cut at 40 characters."""
    text = (
        "Czyta płynnie i ze zrozumieniem, chętnie opowiada o przeczytanych książkach; "
        "powinna ćwiczyć staranne pisanie liter w liniaturze."
    )
    reading = add_column(world, name="Czytanie", cat="Odpowiedź ustna", kind="descriptive")
    services.grade_set(
        actor=world.user("teacher_in"), assessment=reading, student=world.student, raw=text
    )
    response = world.client("own_parent").get(
        reverse("grades:student_pdf", args=[world.student.pk]) + f"?okres={world.term1.pk}"
    )
    printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    # A block of its own under the assessment's name (a line broken by hyphenation, "‐",
    # joins again).
    whole = " ".join(printed.replace("\u2010\n", "").split())
    assert " ".join(text.split()) in whole
    assert "[1] Matematyka · Czytanie" in whole


def test_published_proposal_is_shown_to_parents(world, column, today):
    today(world.term1.start_date + datetime.timedelta(days=30))  # long before the deadline
    teacher = world.user("teacher_in")
    services.classification_grade_set(
        actor=teacher,
        student=world.student,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term1,
        kind="term",
        is_proposal=True,
        grade=5,
    )
    assert "classification" not in page(world)
    services.proposals_publish(
        actor=teacher, school_class=world.school_class, subject=world.subject, term=world.term1
    )
    assert '<ul class="classification">' in page(world)


def test_grid_cell_marks_invalid_input(world, column):
    client = world.client("teacher_in")
    url = reverse("grades:grade_cell", args=[column.pk])
    response = client.post(url, {"student": world.student.pk, "value": "7"})
    assert response.status_code == 400
    assert json.loads(response.content)["ok"] is False
    assert Grade.objects.get(assessment=column, student=world.student).symbol == "4+"
    response = client.post(url, {"student": world.student.pk, "value": "5-"})
    data = json.loads(response.content)
    assert (data["display"], data["average_value"], data["proposed"]) == ("5-", "4.75", 5)
    response = client.post(
        url, {"student": world.student.pk, "field": "comment", "comment": "Dobrze"}
    )
    assert json.loads(response.content)["comment"] == "Dobrze"
    response = client.post(url, {"student": world.student.pk, "field": "correction", "value": "6"})
    assert json.loads(response.content)["correction"] == "6"


def test_new_column_form_shows_errors_and_keeps_input(world, grading):
    from .conftest import category

    client = world.client("teacher_in")
    url = reverse("grades:assessment_new", args=[world.school_class.pk, world.subject.pk])
    response = client.post(
        url,
        {
            "name": "Zadanie – wypracowanie",
            "date": world.term1.start_date.isoformat(),
            "category": category(world.school, "Praca domowa").pk,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="column-errors"' in html and 'value="Zadanie – wypracowanie"' in html


def test_analytics_distribution_and_students_at_risk(world, grading):
    students = fill_class(world, 5)
    grade_all(world, students, ["1", "1+", "4", "5", "5"])
    response = world.client("teacher_in").get(
        reverse("grades:analytics", args=[world.school_class.pk, world.subject.pk])
    )
    html = response.content.decode()
    assert (
        'data-grade="1">2<' in html and 'data-grade="5">2<' in html and 'data-grade="4">1<' in html
    )
    # 1 and 1+ (1.5) are below the pass threshold 1.75
    assert html.count('<tr><th scope="row">') >= 2
    assert world.student.full_name in html.split('id="at-risk"')[1].split("</table>")[0]
    assert Decimal("1.75") == grading.pass_threshold


def test_home_panel_shows_recent_grades(world, column):
    html = world.client("own_parent").get(reverse("portal:home")).content.decode()
    assert 'id="recent-grades"' in html and "Sprawdzian – ułamki" in html
    assert "<strong>4+</strong>" in html
    html = world.client("other_parent").get(reverse("portal:home")).content.decode()
    assert "<strong>2</strong>" in html  # the other child's own grade in the same test
    assert "<strong>4+</strong>" not in html


def test_settings_bad_input_is_refused_and_kept(world, grading):
    response = world.client("principal").post(
        reverse("grades:settings"),
        {
            "plus_value": "abc",
            "minus_value": "0.25",
            "pass_threshold": "1.75",
            "proposal_notice_days": "dużo",
            "correction_policy": "better",
            "comparisons_enabled": "on",
        },
    )
    assert response.status_code == 400
    assert 'id="settings-errors"' in response.content.decode()
    grading.refresh_from_db()
    assert (grading.correction_policy, grading.comparisons_enabled) == ("both", False)


def test_group_gradebook_lists_only_the_group(world, grading):
    group = sm.ClassGroup.objects.create(school_class=world.school_class, name="ang. 1")
    group.students.add(world.student)
    english = sm.Subject.objects.create(school=world.school, name="Język angielski")
    sm.TeachingAssignment.objects.create(
        school=world.school,
        teacher=world.user("teacher_out"),
        subject=english,
        school_class=world.school_class,
        group=group,
    )
    client = world.client("teacher_out")
    url = reverse("grades:gradebook", args=[world.school_class.pk, english.pk])
    assert client.get(url).status_code == 404  # the whole class is not theirs
    html = client.get(url, {"grupa": group.pk}).content.decode()
    assert "Wiśniewska" in html and "Dąbrowski" not in html
    assert 'class="grade-input"' not in html  # no columns yet
    listing = client.get(reverse("grades:gradebook_list")).content.decode()
    assert f"?grupa={group.pk}" in listing


def test_final_grade_suggestion_uses_the_whole_year(world, grading):
    import datetime

    from .conftest import category

    teacher = world.user("teacher_in")
    grade_all(world, [world.student], ["4"])  # term 1, Kartkówka weight 2
    spring = services.assessment_create(
        actor=teacher,
        school_class=world.school_class,
        subject=world.subject,
        term=world.term2,
        name="Sprawdzian – geometria",
        date=world.term2.start_date + datetime.timedelta(days=5),
        category=category(world.school, "Sprawdzian"),
    )
    services.grade_set(actor=teacher, assessment=spring, student=world.student, raw="2")
    response = world.client("teacher_in").get(
        reverse("grades:classification", args=[world.school_class.pk, world.subject.pk]),
        {"okres": world.term2.pk},
    )
    html = response.content.decode()
    # (4×2 + 2×3) / 5 = 2.8 over the year; the term alone would be 2.0
    assert '<td class="year-average">2,80</td><td>3</td>' in html


def test_no_home_panel_without_grades(world, grading):
    html = world.client("own_parent").get(reverse("portal:home")).content.decode()
    assert 'id="recent-grades"' not in html


def test_grades_in_a_subject_nobody_teaches_the_class_any_more(world, grading):
    """A subject with grades but no teaching assignment still gets its section."""
    art = sm.Subject.objects.create(school=world.school, name="Plastyka")
    assignment = sm.TeachingAssignment.objects.create(
        school=world.school,
        teacher=world.user("teacher_in"),
        subject=art,
        school_class=world.school_class,
    )
    grade_all(world, [world.student], ["5"], subject=art)
    grade_all(world, [world.student], ["3"], subject=art)
    assignment.delete()
    html = page(world)
    assert f'id="subject-{art.pk}"' in html
    assert f'class="subject-average" data-subject="{art.pk}" data-value="4.00"' in html


# --- editing and deleting a column --------------------------------------------------------
def test_grid_links_each_column_to_its_edit_page_for_who_grades(world, column):
    edit_url = reverse("grades:assessment_edit", args=[column.pk])
    grid = reverse("grades:gradebook", args=[world.school_class.pk, world.subject.pk])
    assert f'href="{edit_url}"' in world.client("teacher_in").get(grid).content.decode()
    assert edit_url not in world.client("class_teacher").get(grid).content.decode()


def test_edit_column_page_changes_the_column(world, column):
    from .conftest import category

    client = world.client("teacher_in")
    url = reverse("grades:assessment_edit", args=[column.pk])
    html = client.get(url).content.decode()
    assert 'value="Sprawdzian – ułamki"' in html
    assert f'value="{column.date.isoformat()}"' in html
    assert 'id="col-weight" name="weight" type="text" inputmode="decimal" value=""' in html
    quiz = category(world.school, "Kartkówka")
    new_date = column.date + datetime.timedelta(days=3)
    response = client.post(
        url,
        {"name": "Kartkówka – ułamki", "date": new_date.isoformat(), "category": quiz.pk},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?okres={world.term1.pk}#col-{column.pk}")
    column.refresh_from_db()
    assert (column.name, column.date, column.category_id, column.weight) == (
        "Kartkówka – ułamki",
        new_date,
        quiz.pk,
        Decimal(2),  # an empty weight is the category's
    )
    # A weight of its own is shown (and kept) on the form.
    client.post(
        url,
        {"name": column.name, "date": new_date.isoformat(), "category": quiz.pk, "weight": "2,5"},
    )
    column.refresh_from_db()
    assert column.weight == Decimal("2.5")
    assert 'value="2.5"' in client.get(url).content.decode()


def test_edit_column_errors_keep_the_input_and_change_nothing(world, column):
    from .conftest import category

    client = world.client("teacher_in")
    response = client.post(
        reverse("grades:assessment_edit", args=[column.pk]),
        {
            "name": "Zadanie domowe",
            "date": column.date.isoformat(),
            "category": category(world.school, "Praca domowa").pk,
            "weight": "x",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="column-errors"' in html and 'value="Zadanie domowe"' in html
    column.refresh_from_db()
    assert column.name == "Sprawdzian – ułamki"


def test_edit_point_column_maximum(world, grading):
    column = add_column(world, kind="points", max_points=Decimal(20))
    client = world.client("teacher_in")
    url = reverse("grades:assessment_edit", args=[column.pk])
    assert 'name="max_points"' in client.get(url).content.decode()
    data = {"name": column.name, "date": column.date.isoformat(), "category": column.category_id}
    assert client.post(url, data).status_code == 400  # the maximum is required
    assert client.post(url, {**data, "max_points": "25"}).status_code == 302
    column.refresh_from_db()
    assert column.max_points == Decimal(25)


def test_delete_column_asks_first_with_the_number_of_grades(world, column):
    client = world.client("teacher_in")
    url = reverse("grades:assessment_delete", args=[column.pk])
    html = client.get(url).content.decode()
    assert 'id="delete-grade-count" data-count="2"' in html
    assert 'name="grades" value="2"' in html
    assert Grade.objects.filter(assessment=column).count() == 2  # GET deletes nothing
    # Without the confirmation (or with a stale one) nothing goes.
    for data in ({}, {"grades": "1"}, {"grades": "dwa"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert 'id="delete-errors"' in response.content.decode()
    assert Grade.objects.filter(assessment=column).count() == 2
    response = client.post(url, {"grades": "2"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?okres={world.term1.pk}")
    assert not Grade.objects.filter(student__in=[world.student, world.classmate]).exists()
    assert client.get(url).status_code == 404


def test_empty_column_is_deleted_without_grades_to_confirm(world, grading):
    column = add_column(world)
    client = world.client("teacher_in")
    url = reverse("grades:assessment_delete", args=[column.pk])
    assert 'data-count="0"' in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert client.get(reverse("grades:assessment_edit", args=[column.pk])).status_code == 404


# --- the proposals' deadline --------------------------------------------------------------
def propose(world, student, grade, *, term=None, kind="term"):
    return services.classification_grade_set(
        actor=world.user("teacher_in"),
        student=student,
        school_class=world.school_class,
        subject=world.subject,
        term=term or world.term1,
        kind=kind,
        is_proposal=True,
        grade=grade,
    )


def classification_list(html: str) -> str:
    return (
        html.split('<ul class="classification">')[1].split("</ul>")[0]
        if ('<ul class="classification">' in html)
        else ""
    )


def test_proposals_count_as_published_from_the_deadline(world, column, today):
    proposal = propose(world, world.student, 5)
    deadline = world.term1.end_date - datetime.timedelta(days=14)  # the default notice
    today(deadline - datetime.timedelta(days=1))
    for role in ("own_parent", "student"):
        assert classification_list(page(world, role)) == ""
    assert ">5 (bardzo dobry)</strong>" in classification_list(page(world, "teacher_in"))
    today(deadline)
    for role in ("own_parent", "student"):
        assert ">5 (bardzo dobry)</strong>" in classification_list(page(world, role))
    proposal.refresh_from_db()
    assert proposal.published_at is None  # nothing was written: the date decides


def make_parent(world, role: str, child) -> None:
    """Make the world's ``role`` (a teacher) also a guardian of ``child`` with access."""
    user = world.user(role)
    guardian = sm.Guardian.objects.create(
        school=world.school, first_name=user.first_name, last_name=user.last_name, user=user
    )
    sm.Guardianship.objects.create(guardian=guardian, student=child, relation="father")


@pytest.mark.parametrize("role", ["teacher_out", "teacher_in"])
def test_a_teacher_who_is_a_parent_sees_their_childs_proposals_as_a_parent(
    world, column, today, role
):
    """On their child's grade page (and its print) a teacher is a parent: an unpublished
    proposal stays hidden until the deadline, as from any parent, also when they teach
    the child the subject (``teacher_in``); the gradebook's classification sheet shows it
    to them as to the child's teacher."""
    propose(world, world.student, 5)
    today(world.term1.end_date - datetime.timedelta(days=20))
    make_parent(world, role, world.student)
    assert classification_list(page(world, role)) == ""
    pdf = world.client(role).get(reverse("grades:student_pdf", args=[world.student.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert pdf.status_code == 200 and "Matematyka" in text
    assert text == "".join(
        p.extract_text()
        for p in PdfReader(
            io.BytesIO(
                world.client("own_parent")
                .get(reverse("grades:student_pdf", args=[world.student.pk]))
                .content
            )
        ).pages
    )
    # The same teacher sees a proposal of a student of theirs who is not their child.
    propose(world, world.classmate, 4)
    if role == "teacher_in":
        assert ">4 (dobry)</strong>" in classification_list(
            page(world, role, student=world.classmate)
        )
        html = classification_page(world, role=role)
        assert 'id="no-missing-proposals"' in html  # both proposals, their child's included


def test_proposal_notice_days_move_the_deadline(world, column, grading, today):
    propose(world, world.student, 4)
    today(world.term1.end_date - datetime.timedelta(days=20))
    assert classification_list(page(world)) == ""
    grading.proposal_notice_days = 21
    grading.save()
    assert ">4 (dobry)</strong>" in classification_list(page(world))


def classification_page(world, term=None, role="teacher_in") -> str:
    url = reverse("grades:classification", args=[world.school_class.pk, world.subject.pk])
    response = world.client(role).get(url, {"okres": (term or world.term1).pk})
    assert response.status_code == 200
    return response.content.decode()


def missing_names(html: str) -> str:
    if 'id="missing-proposals"' not in html:
        return ""
    return html.split('id="missing-proposals"')[1].split("</ul>")[0]


def test_classification_page_shows_the_deadline_and_who_lacks_a_proposal(world, column, today):
    deadline = world.term1.end_date - datetime.timedelta(days=14)
    today(deadline - datetime.timedelta(days=3))
    html = classification_page(world)
    assert f'data-deadline="{deadline.isoformat()}" data-passed="false"' in html
    assert 'id="missing-count">2<' in html
    missing = missing_names(html)
    assert world.student.full_name in missing and world.classmate.full_name in missing
    propose(world, world.student, 5)
    propose(world, world.student, 5, kind="final")  # not the one this term needs
    html = classification_page(world)
    assert 'id="missing-count">1<' in html
    assert world.student.full_name not in missing_names(html)
    assert world.classmate.full_name in missing_names(html)
    # The class teacher reads the same.
    assert world.classmate.full_name in missing_names(
        classification_page(world, role="class_teacher")
    )
    propose(world, world.classmate, 2)
    html = classification_page(world)
    assert 'id="no-missing-proposals"' in html and 'id="missing-proposals"' not in html
    today(deadline)
    html = classification_page(world)
    assert f'data-deadline="{deadline.isoformat()}" data-passed="true"' in html


def test_last_term_needs_proposed_final_grades(world, grading, today):
    today(world.term2.start_date + datetime.timedelta(days=10))
    propose(world, world.student, 4, term=world.term2)  # a term proposal: not enough
    html = classification_page(world, world.term2)
    deadline = world.term2.end_date - datetime.timedelta(days=14)
    assert f'data-deadline="{deadline.isoformat()}"' in html
    assert 'id="missing-count">2<' in html
    propose(world, world.student, 4, term=world.term2, kind="final")
    html = classification_page(world, world.term2)
    assert 'id="missing-count">1<' in html
    assert world.student.full_name not in missing_names(html)


def test_proposed_final_grade_waits_for_the_years_deadline(world, column, today):
    propose(world, world.student, 3, kind="final")  # entered during the first term
    term_deadline = world.term1.end_date - datetime.timedelta(days=14)
    year_deadline = world.term2.end_date - datetime.timedelta(days=14)
    today(term_deadline)
    assert classification_list(page(world)) == ""
    html = classification_page(world)
    assert html.count('class="badge ok"') == 0  # neither published nor shown anyway
    today(year_deadline)
    assert ">3 (dostateczny)</strong>" in classification_list(page(world))
    assert classification_page(world).count('class="badge ok"') == 1


def test_overview_of_a_class_1_to_3_shows_no_empty_averages(world, grading):
    """Classes 1–3 get descriptive grades: no "average: –" rows, the texts whole."""
    world.school_class.level = 2
    world.school_class.save()
    reading = add_column(world, name="Czytanie", cat="Odpowiedź ustna", kind="descriptive")
    text = "Czyta płynnie i ze zrozumieniem, chętnie opowiada o przeczytanych książkach."
    services.grade_set(
        actor=world.user("teacher_in"), assessment=reading, student=world.student, raw=text
    )
    html = (
        world.client("own_parent")
        .get(
            reverse("grades:student_overview", args=[world.student.pk]) + f"?okres={world.term1.pk}"
        )
        .content.decode()
    )
    assert text in html
    assert 'class="ov-average"' not in html and 'id="overall-average"' not in html
