"""Services of the grading rule tables: validation, history with old and new values, the
stored averages that follow a change, stale saves, and who may make them."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from dziennik.core.models import AuditEntry
from dziennik.grades import selectors, services, settings_selectors, tasks
from dziennik.grades import settings_services as rules
from dziennik.grades.models import (
    Assessment,
    AverageThreshold,
    Grade,
    GradeCategory,
    PointScaleStep,
    SpecialMark,
    StudentAverage,
)
from dziennik.schools.viewer import get_viewer

from .conftest import add_column, category

D = Decimal


def average_of(world, student=None) -> Decimal | None:
    row = StudentAverage.objects.filter(
        student=student or world.student, subject=world.subject, term=world.term1
    ).first()
    return row.average if row else None


def history(model, pk=None, action=None):
    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
    if pk is not None:
        entries = entries.filter(object_id=str(pk))
    if action is not None:
        entries = entries.filter(action=action)
    return list(entries.order_by("pk"))


@pytest.fixture
def principal(world):
    return world.user("principal")


@pytest.fixture
def queue(monkeypatch):
    """The recomputes queued (the schools' ids), instead of running them."""
    queued = []

    class Queue:
        def enqueue(self, school_id):
            queued.append(school_id)

    monkeypatch.setattr(tasks, "grades_recompute_school", Queue())
    return queued


@pytest.fixture
def two_columns(world, column):
    """Zofia: 4+ in a test (weight 3) and 2 in a quiz (weight 2): (13.5 + 4) / 5 = 3.50."""
    quiz = add_column(world)
    services.grade_set(
        actor=world.user("teacher_in"), assessment=quiz, student=world.student, raw="2"
    )
    assert average_of(world) == D("3.50")
    return column, quiz


# --- grade categories ---------------------------------------------------------------
def test_a_new_category_is_recorded_with_its_values(world, grading, principal):
    made = rules.grade_category_create(
        actor=principal, name="  Praca   klasowa ", weight=D("4"), colour="#5B2A86"
    )
    assert (made.name, made.weight, made.colour, made.is_active) == (
        "Praca klasowa",
        D("4.00"),
        "#5b2a86",
        True,
    )
    [entry] = history(GradeCategory, made.pk)
    assert entry.action == "create"
    assert entry.changes["weight"] == [None, "4.00"]
    assert entry.actor == principal
    assert entry.school_id == world.school.pk


def test_category_input_is_checked_field_by_field(world, grading, principal):
    with pytest.raises(ValidationError) as exc:
        rules.grade_category_create(
            actor=principal, name="sprawdzian", weight=D("101"), colour="#ffcc00"
        )
    errors = exc.value.message_dict
    assert errors["name"] == ["Szkoła ma już kategorię o nazwie „sprawdzian”."]
    assert errors["weight"] == ["Waga musi mieścić się w przedziale od 0 do 100."]
    assert "4,5:1" in errors["colour"][0]
    assert "1,5" in errors["colour"][0]  # #ffcc00 on white: 1.53:1, shown rounded down
    with pytest.raises(ValidationError) as exc:
        rules.grade_category_create(actor=principal, name="", weight=D("1"), colour="zielony")
    assert set(exc.value.message_dict) == {"name", "colour"}
    assert GradeCategory.objects.filter(school=world.school).count() == 7
    assert history(GradeCategory) == []


def test_a_new_weight_moves_the_columns_that_follow_it_and_the_stored_average(
    world, principal, two_columns, django_capture_on_commit_callbacks
):
    test, _quiz = two_columns
    own = add_column(world, name="Sprawdzian z wagą 5", cat="Sprawdzian", weight="5")
    sprawdzian = category(world.school)
    version = settings_selectors.category_version(sprawdzian)

    with django_capture_on_commit_callbacks(execute=True):
        rules.grade_category_update(
            actor=principal, category=sprawdzian, version=version, weight=D("1")
        )

    test.refresh_from_db()
    own.refresh_from_db()
    assert test.weight == D("1.00")  # followed the category
    assert own.weight == D("5.00")  # the teacher's own weight stays
    # (4.5 × 1 + 2 × 2) / 3 = 2.83, stored for the class statistics
    assert average_of(world) == D("2.83")
    [category_entry] = history(GradeCategory, sprawdzian.pk, "update")
    assert category_entry.changes == {"weight": ["3.00", "1.00"]}
    [column_entry] = history(Assessment, test.pk, "update")
    assert column_entry.changes == {"weight": ["3.00", "1.00"]}
    assert column_entry.school_class_id == world.school_class.pk
    assert column_entry.actor == principal
    assert history(Assessment, own.pk, "update") == []


def test_a_new_weight_for_future_columns_only(
    world, principal, two_columns, django_capture_on_commit_callbacks, queue
):
    test, _quiz = two_columns
    with django_capture_on_commit_callbacks(execute=True):
        rules.grade_category_update(
            actor=principal, category=category(world.school), weight=D("1"), weight_to_columns=False
        )
    assert queue == []  # nothing that counts changed: no recompute
    test.refresh_from_db()
    assert test.weight == D("3.00")
    assert average_of(world) == D("3.50")
    assert history(Assessment, action="update") == []
    assert add_column(world, name="Nowy", cat="Sprawdzian").weight == D("1.00")


def test_the_recompute_waits_for_the_commit_and_is_queued_once(
    world, principal, two_columns, django_capture_on_commit_callbacks, monkeypatch, queue
):
    with django_capture_on_commit_callbacks() as on_commit:
        rules.grade_category_update(actor=principal, category=category(world.school), weight=1)
        rules.grade_category_update(
            actor=principal,
            category=category(world.school, "Kartkówka"),
            counts_towards_average=False,
        )
    assert average_of(world) == D("3.50")  # not before the commit
    for callback in on_commit:
        callback()
    assert queue == [world.school.pk]  # one recompute waits for both changes
    monkeypatch.undo()
    tasks.grades_recompute_school.call(world.school.pk)  # the worker runs it
    assert average_of(world) == D("4.50")  # the test alone, weight 1
    # the task deleted its key: the next change queues the next recompute
    with django_capture_on_commit_callbacks(execute=True):
        rules.grade_category_update(
            actor=principal,
            category=category(world.school, "Kartkówka"),
            counts_towards_average=True,
        )
    assert average_of(world) == D("2.83")


def test_a_category_that_stops_counting_leaves_the_stored_average(
    world, principal, two_columns, django_capture_on_commit_callbacks
):
    quiz_category = category(world.school, "Kartkówka")
    with django_capture_on_commit_callbacks(execute=True):
        rules.grade_category_update(
            actor=principal, category=quiz_category, counts_towards_average=False
        )
    assert average_of(world) == D("4.50")  # only the test counts now
    [entry] = history(GradeCategory, quiz_category.pk, "update")
    assert entry.changes == {"counts_towards_average": [True, False]}


def test_a_renamed_category_keeps_the_averages_and_records_only_the_name(
    world, principal, two_columns, django_capture_on_commit_callbacks, queue
):
    sprawdzian = category(world.school)
    with django_capture_on_commit_callbacks(execute=True):
        rules.grade_category_update(
            actor=principal,
            category=sprawdzian,
            name="Praca klasowa",
            weight=D("3"),
            colour="#b00020",
        )
    assert queue == []
    [entry] = history(GradeCategory, sprawdzian.pk, "update")
    assert entry.changes == {"name": ["Sprawdzian", "Praca klasowa"]}
    assert average_of(world) == D("3.50")


def test_a_stale_form_does_not_overwrite_a_newer_change(world, principal, two_columns):
    sprawdzian = category(world.school)
    seen = settings_selectors.category_version(sprawdzian)
    rules.grade_category_update(actor=principal, category=sprawdzian, weight=D("4"))
    with pytest.raises(rules.StaleRules):
        rules.grade_category_update(
            actor=principal, category=sprawdzian, version=seen, weight=D("1")
        )
    assert category(world.school).weight == D("4.00")
    assert len(history(GradeCategory, sprawdzian.pk, "update")) == 1


def test_an_inactive_category_is_not_offered_for_new_columns(world, principal, column):
    sprawdzian = category(world.school)
    rules.grade_category_update(actor=principal, category=sprawdzian, is_active=False)
    offered = {c.name for c in selectors.categories(world.school.pk)}
    assert "Sprawdzian" not in offered
    assert "Sprawdzian" in {
        c.name for c in selectors.categories(world.school.pk, keep_id=sprawdzian.pk)
    }
    with pytest.raises(ValidationError) as exc:
        add_column(world, name="Nowy sprawdzian", cat="Sprawdzian")
    assert exc.value.message_dict["category"] == [
        "Ta kategoria nie jest już używana: wybierz inną."
    ]
    # the column that has it keeps it when edited
    services.assessment_update(
        actor=world.user("teacher_in"), assessment=column, name="Sprawdzian – ułamki (1)"
    )
    column.refresh_from_db()
    assert (column.name, column.category_id) == ("Sprawdzian – ułamki (1)", sprawdzian.pk)
    # and its grades still count
    assert average_of(world) == D("4.50")


def test_the_last_active_category_stays_active(world, principal):
    only = rules.grade_category_create(actor=principal, name="Ocena", weight=1, colour="#1b1f24")
    with pytest.raises(ValidationError) as exc:
        rules.grade_category_update(actor=principal, category=only, is_active=False)
    assert "co najmniej jedną aktywną kategorię" in exc.value.message_dict["is_active"][0]
    with pytest.raises(ValidationError):
        rules.grade_category_delete(actor=principal, category=only)
    assert GradeCategory.objects.get(pk=only.pk).is_active


def test_only_an_unused_category_can_be_deleted(world, principal, column):
    used = category(world.school)
    with pytest.raises(ValidationError) as exc:
        rules.grade_category_delete(actor=principal, category=used)
    assert "ma kolumny w dzienniku" in exc.value.messages[0]
    unused = category(world.school, "Projekt")
    rules.grade_category_delete(actor=principal, category=unused)
    assert not GradeCategory.objects.filter(pk=unused.pk).exists()
    [entry] = history(GradeCategory, unused.pk)
    assert entry.action == "delete"
    assert entry.changes["name"] == ["Projekt", None]
    assert GradeCategory.objects.filter(pk=used.pk).exists()


@pytest.mark.parametrize("role", ["teacher_in", "class_teacher", "secretary", "own_parent"])
def test_only_the_principal_changes_categories(world, grading, role):
    sprawdzian = category(world.school)
    with pytest.raises(PermissionDenied):
        rules.grade_category_update(actor=world.user(role), category=sprawdzian, weight=D(1))
    with pytest.raises(PermissionDenied):
        rules.grade_category_create(actor=world.user(role), name="X", weight=1, colour="#000000")
    with pytest.raises(PermissionDenied):
        rules.grade_category_delete(
            actor=world.user(role), category=category(world.school, "Projekt")
        )
    assert category(world.school).weight == D("3.00")
    assert history(GradeCategory) == []


def test_another_schools_principal_cannot_touch_this_schools_rows(world, grading):
    stranger = world.user("other_principal")
    with pytest.raises(PermissionDenied):
        rules.grade_category_update(actor=stranger, category=category(world.school), weight=1)
    with pytest.raises(PermissionDenied):
        rules.special_mark_delete(
            actor=stranger, mark=SpecialMark.objects.get(school=world.school, symbol="np")
        )
    # what they create belongs to their own school
    made = rules.grade_category_create(actor=stranger, name="Sprawdzian", weight=3, colour="#000")
    assert made.school_id == world.other_school.pk
    assert category(world.school).weight == D("3.00")


# --- special marks ------------------------------------------------------------------
def test_special_mark_rules(world, grading, principal):
    with pytest.raises(ValidationError) as exc:
        rules.special_mark_create(actor=principal, symbol="4+", name="cztery plus")
    assert "jest oceną" in exc.value.message_dict["symbol"][0]
    with pytest.raises(ValidationError) as exc:
        rules.special_mark_create(actor=principal, symbol="NP", name="nieprzygotowany")
    assert exc.value.message_dict["symbol"] == ["Szkoła ma już ocenę specjalną „np”."]
    with pytest.raises(ValidationError) as exc:
        rules.special_mark_create(actor=principal, symbol="zw", name="zwolniony", rule="value")
    assert set(exc.value.message_dict) == {"value"}
    with pytest.raises(ValidationError) as exc:
        rules.special_mark_create(
            actor=principal, symbol="*", name="gwiazdka", rule="converted", value=D(6)
        )
    assert set(exc.value.message_dict) == {"convert_count"}
    made = rules.special_mark_create(
        actor=principal, symbol=" NK ", name="nieklasyfikowany", value=D(2), convert_count=3
    )
    # not counted: a value or count given with it is not kept
    assert (made.symbol, made.rule, made.value, made.convert_count) == ("nk", "ignored", None, None)
    [entry] = history(SpecialMark, made.pk)
    assert entry.changes["symbol"] == [None, "nk"]


def test_a_used_marks_new_value_revalues_its_grades_and_the_average(
    world, principal, column, django_capture_on_commit_callbacks
):
    teacher = world.user("teacher_in")
    quiz = add_column(world)
    grade = services.grade_set(actor=teacher, assessment=quiz, student=world.student, raw="np")
    assert grade.value is None
    assert average_of(world) == D("4.50")
    np = SpecialMark.objects.get(school=world.school, symbol="np")

    with django_capture_on_commit_callbacks(execute=True):
        rules.special_mark_update(
            actor=principal,
            mark=np,
            version=settings_selectors.mark_version(np),
            rule="value",
            value=D("1"),
        )

    grade.refresh_from_db()
    assert grade.value == D("1.00")
    assert average_of(world) == D("3.10")  # (4.5 × 3 + 1 × 2) / 5
    [entry] = history(SpecialMark, np.pk, "update")
    assert entry.changes == {"rule": ["ignored", "value"], "value": [None, "1.00"]}


def test_a_used_marks_symbol_is_fixed_and_it_cannot_be_deleted(world, principal, column):
    services.grade_set(
        actor=world.user("teacher_in"),
        assessment=add_column(world),
        student=world.student,
        raw="nb",
    )
    nb = SpecialMark.objects.get(school=world.school, symbol="nb")
    with pytest.raises(ValidationError) as exc:
        rules.special_mark_update(actor=principal, mark=nb, symbol="nbo")
    assert "nie może się zmienić" in exc.value.message_dict["symbol"][0]
    with pytest.raises(ValidationError):
        rules.special_mark_delete(actor=principal, mark=nb)
    assert SpecialMark.objects.get(pk=nb.pk).symbol == "nb"
    # the meaning may change
    rules.special_mark_update(actor=principal, mark=nb, name="nieobecny na sprawdzianie")
    assert SpecialMark.objects.get(pk=nb.pk).name == "nieobecny na sprawdzianie"
    unused = SpecialMark.objects.get(school=world.school, symbol="0")
    rules.special_mark_update(actor=principal, mark=unused, symbol="00")
    rules.special_mark_delete(actor=principal, mark=SpecialMark.objects.get(pk=unused.pk))
    assert [e.action for e in history(SpecialMark, unused.pk)] == ["update", "delete"]
    assert history(SpecialMark, unused.pk)[0].changes == {"symbol": ["0", "00"]}


# --- the point scale ----------------------------------------------------------------
def test_point_scale_is_checked_as_a_whole(world, grading, principal):
    with pytest.raises(ValidationError) as exc:
        rules.point_scale_set(actor=principal, steps=[(D(10), "1"), (D(50), "3")])
    assert exc.value.messages == ["Skala musi zaczynać się od 0%: każdy wynik potrzebuje oceny."]
    with pytest.raises(ValidationError) as exc:
        rules.point_scale_set(
            actor=principal, steps=[(D(0), "1"), (D(50), "4"), (D(80), "3"), (D(90), "np")]
        )
    assert exc.value.messages == ["„np” (od 90%) nie jest oceną: użyj 1–6 z + lub -."]
    with pytest.raises(ValidationError) as exc:
        rules.point_scale_set(actor=principal, steps=[(D(0), "1"), (D(50), "4"), (D(80), "3")])
    assert exc.value.messages == [
        "Wyższy procent nie może dawać niższej oceny: od 50% jest 4, a od 80% tylko 3."
    ]
    assert PointScaleStep.objects.filter(school=world.school).count() == 6
    assert history(PointScaleStep) == []


def test_a_new_point_scale_revalues_points_grades_with_history(
    world, grading, principal, django_capture_on_commit_callbacks
):
    quiz = add_column(world, kind=Assessment.Kind.POINTS, max_points=D(20))
    grade = services.grade_set(
        actor=world.user("teacher_in"), assessment=quiz, student=world.student, raw="17"
    )
    assert grade.value == D(4)  # 85%: from 75% a 4
    table = settings_selectors.point_scale(get_viewer(world.user("principal")))
    steps = [(D(0), "1"), (D(40), "2"), (D(55), "3"), (D(70), "4"), (D("85"), "5"), (D(98), "6")]

    with django_capture_on_commit_callbacks(execute=True):
        rules.point_scale_set(actor=principal, steps=steps, version=table.version)

    grade.refresh_from_db()
    assert grade.value == D(5)
    assert average_of(world) == D("5.00")
    rows = PointScaleStep.objects.filter(school=world.school).order_by("min_percent")
    assert [(r.min_percent, r.symbol) for r in rows] == [
        (p.quantize(D("0.01")), s) for p, s in steps
    ]
    actions = sorted((e.action, e.object_repr) for e in history(PointScaleStep))
    assert actions == [
        ("create", "40.00% → 2"),
        ("create", "55.00% → 3"),
        ("create", "70.00% → 4"),
        ("create", "85.00% → 5"),
        ("create", "98.00% → 6"),
        ("delete", "100.00% → 6"),
        ("delete", "30.00% → 2"),
        ("delete", "50.00% → 3"),
        ("delete", "75.00% → 4"),
        ("delete", "90.00% → 5"),
    ]
    with pytest.raises(rules.StaleRules):
        rules.point_scale_set(actor=principal, steps=[(D(0), "2")], version=table.version)


# --- the thresholds -----------------------------------------------------------------
def test_thresholds_rise_with_the_grade_and_are_recorded(world, grading, principal):
    table = settings_selectors.average_thresholds(get_viewer(world.user("principal")))
    wanted = {2: D("1.75"), 3: D("2.65"), 4: D("3.65"), 5: D("4.50"), 6: D("5.30")}
    with pytest.raises(ValidationError) as exc:
        rules.average_thresholds_set(
            actor=principal, thresholds={**wanted, 4: D("2.50"), 6: D("7")}, version=table.version
        )
    assert exc.value.message_dict == {
        "grade_4": ["Próg dla 4 musi być wyższy niż próg dla 3 (2,65)."],
        "grade_6": ["Wpisz średnią od 1 do 6, np. 2,75."],
    }
    rules.average_thresholds_set(actor=principal, thresholds=wanted, version=table.version)
    stored = dict(
        AverageThreshold.objects.filter(school=world.school).values_list("grade", "min_average")
    )
    assert stored == {1: D("0.00"), **wanted}
    assert selectors.load_rules(world.school.pk).proposed_grade(D("4.55")) == 5
    changes = {e.object_repr: e.changes for e in history(AverageThreshold)}
    assert changes == {
        "2.65 → 3": {"min_average": ["2.75", "2.65"]},
        "3.65 → 4": {"min_average": ["3.75", "3.65"]},
        "4.50 → 5": {"min_average": ["4.75", "4.50"]},
        "5.30 → 6": {"min_average": ["5.75", "5.30"]},
    }


# --- the usual rules ----------------------------------------------------------------
def test_setting_up_the_usual_rules_records_every_row(world):
    made = rules.grading_rules_setup(actor=world.user("other_principal"))
    school = world.other_school
    rows = (
        GradeCategory.objects.filter(school=school).count()
        + SpecialMark.objects.filter(school=school).count()
        + PointScaleStep.objects.filter(school=school).count()
        + AverageThreshold.objects.filter(school=school).count()
    )
    assert made == rows == 7 + 6 + 6 + 6
    created = AuditEntry.objects.filter(school=school, action="create")
    assert created.count() == rows + 1  # and the grading settings row
    assert rules.grading_rules_setup(actor=world.user("other_principal")) == 0
    assert Grade.objects.count() == 0
