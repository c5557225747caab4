"""The timetable import service: all or nothing, every problem named with its line,
collisions found, the plan replaced from a date with the past kept."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from dziennik.core import cache
from dziennik.core.models import AuditEntry
from dziennik.timetable import imports, services
from dziennik.timetable.models import Room, TimetableChange, TimetableEntry

from .helpers import (
    build,
    counts,
    csv_bytes,
    lesson_on,
    next_monday,
    plan_of,
    plan_rows,
)


@pytest.fixture
def reg(world):
    return build(world)


def run(world, data, *, role="principal", today=None, **kwargs):
    """The import as ``role``, messages in English (the msgids)."""
    with translation.override("en"):
        return services.timetable_import(
            actor=world.user(role),
            school=world.school,
            data=data,
            today=today or datetime.date(2000, 1, 1),
            **kwargs,
        )


def errors(result) -> dict[int, list[str]]:
    return {e.line: e.messages for e in result.row_errors}


def test_import_replaces_the_plan_of_the_classes_in_the_file_from_its_date(world, reg):
    start = next_monday(reg)
    lesson = lesson_on(reg.history1, reg.day)
    result = run(world, csv_bytes(plan_rows(start)))
    assert result.ok, (result.file_errors, result.row_errors)
    assert [
        (p.school_class.name, len(p.new), len(p.ending), len(p.removed)) for p in result.classes
    ] == [("4a", 5, 4, 0)]
    assert sorted(r.name for r in result.new_rooms) == ["13", "14"]
    # The old plan ends the day before and stays for the weeks before.
    old = TimetableEntry.objects.filter(pk__in=[reg.history1.pk, reg.math2.pk, reg.math3.pk])
    assert {e.valid_to for e in old} == {start - datetime.timedelta(days=1)}
    assert plan_of(world.school_class, reg.day) == [
        (1, 1, "Historia", "", "wych", "12"),
        (1, 2, "Matematyka", "", "n-in", "12"),
        (1, 3, "Matematyka", "", "n-in", "12"),
        (1, 4, "Historia", "", "wych", "12"),
    ]
    assert plan_of(world.school_class, start) == [
        (1, 1, "Historia", "", "wych", "12"),
        (1, 2, "Matematyka", "", "n-in", "12"),
        (2, 1, "Matematyka", "", "n-in", "12"),
        (2, 2, "Historia", "gr. 1", "wych", "13"),
        (2, 2, "Matematyka", "gr. 2", "n-in", "14"),
    ]
    # 4b is not in the file: its plan stays as it was.
    reg.other.refresh_from_db()
    assert reg.other.valid_to is None
    # A lesson already recorded keeps its entry.
    lesson.refresh_from_db()
    assert lesson.timetable_entry_id == reg.history1.pk
    # Every write is in the history, with the class, by the principal.
    history = AuditEntry.objects.filter(actor=world.user("principal"))
    assert history.filter(action="create", content_type__model="timetableentry").count() == 5
    assert history.filter(action="update", content_type__model="timetableentry").count() == 4
    assert history.filter(action="create", content_type__model="room").count() == 2
    assert set(
        history.filter(content_type__model="timetableentry").values_list(
            "school_class_id", flat=True
        )
    ) == {world.school_class.pk}
    ended = history.get(action="update", object_id=str(reg.math2.pk))
    assert ended.changes == {"valid_to": [None, (start - datetime.timedelta(days=1)).isoformat()]}


def test_the_bulk_import_moves_the_cached_configuration(world, reg):
    """Bulk writes send no signals; the service moves the school's configuration version
    itself (and no other school's)."""
    scopes = (cache.config_scope(world.school.pk), cache.config_scope(world.other_school.pk))
    before = cache.versions(*scopes)
    assert run(world, csv_bytes(plan_rows(next_monday(reg))), dry_run=True).ok
    assert cache.versions(*scopes) == before
    assert run(world, csv_bytes(plan_rows(next_monday(reg)))).ok
    after = cache.versions(*scopes)
    assert after[0] != before[0]
    assert after[1] == before[1]


def test_preview_writes_nothing_and_shows_what_would_happen(world, reg):
    before = counts()
    result = run(world, csv_bytes(plan_rows(next_monday(reg))), dry_run=True)
    assert result.ok and result.dry_run
    assert (result.created, result.total("ending")) == (5, 4)
    assert counts() == before


def test_bad_row_is_reported_with_its_line_and_nothing_is_imported(world, reg):
    rows = plan_rows(next_monday(reg))
    rows[2] = rows[2].replace("Lewandowski Tomasz", "Kowalski Jan")
    rows.append("4a;;sob;9;Fizyka;n-in;;31.02.2026")
    before = counts()
    result = run(world, csv_bytes(rows))
    assert not result.ok
    assert counts() == before
    assert sorted(errors(result)) == [7]  # the date is wrong: parsing stops before matching
    assert "31.02.2026" in errors(result)[7][0]
    rows.pop()
    result = run(world, csv_bytes(rows))
    assert list(errors(result)) == [4]
    assert "Kowalski Jan" in errors(result)[4][0]
    assert counts() == before


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("4c;;pon;5;Historia;wych;;", "no class 4c"),
        ("4a;gr. 3;pon;5;Historia;wych;;", "no group gr. 3 (its groups: gr. 1, gr. 2)"),
        ("4a;;pon;5;Fizyka;wych;;", "no subject Fizyka"),
        ("4a;;pon;5;Historia;uczen-test;;", "no teacher uczen-test"),
        ("4a;;pon;12;Historia;wych;;", "Lesson number 12 is not in the school's bell schedule"),
        ("4a;;sobota;16;Historia;wych;;", "Lesson number 16 is not a number from 0 to 15"),
        ("4a;;pn-pt;5;Historia;wych;;", "Weekday pn-pt is unknown"),
        ("4a;;pon;5;;wych;;", "Missing value in column przedmiot"),
    ],
)
def test_each_bad_value_is_named(world, reg, row, message):
    d = next_monday(reg).strftime("%d.%m.%Y")
    result = run(world, csv_bytes([f"{row}{d}"]))
    assert list(errors(result)) == [2]
    assert message in errors(result)[2][0]


def test_file_level_problems(world, reg):
    assert run(world, b"").file_errors == ["The file is empty."]
    assert run(world, csv_bytes([])).file_errors == ["The file has a header but no lessons."]
    result = run(world, csv_bytes(["4a;pon;1"], header="klasa;dzien;lekcja"))
    assert result.file_errors == ["Required columns are missing: przedmiot, nauczyciel."]
    assert (
        run(world, "klasa;dzień\n4a;pon\n".encode("cp1250"))
        .file_errors[0]
        .startswith("The file is not in UTF-8")
    )


def test_date_from_the_page_and_one_date_per_class(world, reg):
    start = next_monday(reg)
    rows = [r.rsplit(";", 1)[0] + ";" for r in plan_rows(start)]
    missing = run(world, csv_bytes(rows))
    assert sorted(errors(missing)) == [2, 3, 4, 5, 6]
    assert "obowiazuje_od" in errors(missing)[2][0]
    result = run(world, csv_bytes(rows), default_valid_from=start)
    assert result.ok and result.classes[0].valid_from == start
    rows[1] = rows[1] + (start + datetime.timedelta(days=7)).isoformat()
    mixed = run(world, csv_bytes(rows), default_valid_from=start)
    assert list(errors(mixed)) == [3]
    assert "all lessons of one class must have the same date" in errors(mixed)[3][0]


def test_comma_separated_with_bom_english_columns_and_short_subject_names(world, reg):
    world.subject.short_name = "MAT"
    world.subject.save()
    start = next_monday(reg).isoformat()
    data = csv_bytes(
        [f"4a;;Monday;1;mat;n-in;;{start}", f"4a;;śr.;1;historia;wych;;{start}"],
        header="Class;Group;Day;Lesson;Subject;Teacher;Room;Valid from",
        sep=",",
        bom=True,
    )
    result = run(world, data)
    assert result.ok, result.row_errors
    assert sorted((e.weekday, e.subject.name) for e in result.classes[0].new) == [
        (1, "Matematyka"),
        (3, "Historia"),
    ]


# --- collisions -------------------------------------------------------------------


def rows_at(start, *rows):
    d = start.strftime("%d.%m.%Y")
    return csv_bytes([f"{row};{d}" for row in rows])


def test_teacher_twice_at_the_same_time_in_the_file(world, reg):
    start = next_monday(reg)
    result = run(world, rows_at(start, "4a;;wt;1;Historia;wych;12", "4b;;wt;1;Historia;wych;7"))
    assert list(errors(result)) == [3]
    assert errors(result)[3] == [
        "Tuesday, lesson 1: teacher Grażyna Wójcik already teaches Historia – 4a (line 2)."
    ]
    assert counts()["TimetableEntry"] == 5


def test_teacher_collides_with_a_lesson_that_stays(world, reg):
    # 4b keeps its plan: teacher_out teaches there on Mondays at lesson 2.
    result = run(world, rows_at(next_monday(reg), "4a;;pon;2;Historia;n-out;12"))
    assert errors(result) == {
        2: [
            "Monday, lesson 2: teacher Ewa Kamińska already teaches Historia – 4b "
            f"(in the plan from {reg.other.valid_from:%d.%m.%Y})."
        ]
    }


def test_room_twice_in_the_file_and_taken_by_a_lesson_that_stays(world, reg):
    reg.other.room = Room.objects.create(school=world.school, name="7")
    reg.other.save()
    start = next_monday(reg)
    result = run(
        world,
        rows_at(
            start,
            "4a;gr. 1;wt;1;Historia;wych;12",
            "4a;gr. 2;wt;1;Matematyka;n-in;12",
            "4a;;pon;2;Matematyka;n-in;7",
        ),
    )
    assert errors(result) == {
        3: ["Tuesday, lesson 1: room 12 is already taken by Historia – 4a (gr. 1) (line 2)."],
        4: [
            "Monday, lesson 2: room 7 is already taken by Historia – 4b "
            f"(in the plan from {reg.other.valid_from:%d.%m.%Y})."
        ],
    }


def test_a_new_room_named_twice_is_one_room(world, reg):
    result = run(
        world,
        rows_at(next_monday(reg), "4a;;wt;1;Historia;wych;Aula", "4b;;wt;1;Historia;n-out;aula"),
    )
    assert errors(result) == {
        3: ["Tuesday, lesson 1: room Aula is already taken by Historia – 4a (line 2)."]
    }


def test_whole_class_and_its_group_at_the_same_time(world, reg):
    result = run(
        world,
        rows_at(next_monday(reg), "4a;;wt;3;Historia;wych;", "4a;gr. 1;wt;3;Matematyka;n-in;"),
    )
    assert errors(result) == {
        3: ["Tuesday, lesson 3: class 4a already has Historia – 4a (line 2)."]
    }


def test_the_same_group_twice_but_two_groups_side_by_side_are_fine(world, reg):
    result = run(
        world,
        rows_at(
            next_monday(reg),
            "4a;gr. 1;wt;3;Historia;wych;",
            "4a;gr. 2;wt;3;Matematyka;n-in;",
            "4a;gr. 1;wt;3;Historia;n-out;",
        ),
    )
    assert errors(result) == {
        4: ["Tuesday, lesson 3: class 4a already has Historia – 4a (gr. 1) (line 2)."]
    }


def test_an_ending_lesson_does_not_collide_after_its_last_day(world, reg):
    """4b's plan changes from the same date: its teacher is free in 4a's new plan."""
    start = next_monday(reg)
    # Without 4b in the file its lesson 2 (teacher_out) stays: a collision.
    alone = run(world, rows_at(start, "4a;;pon;2;Historia;n-out;12"), dry_run=True)
    assert list(errors(alone)) == [2]
    result = run(world, rows_at(start, "4a;;pon;2;Historia;n-out;12", "4b;;pon;3;Historia;n-out;"))
    assert result.ok, result.row_errors


# --- replacing a plan again -------------------------------------------------------


def test_the_same_file_again_changes_nothing(world, reg):
    data = csv_bytes(plan_rows(next_monday(reg)))
    run(world, data)
    before = counts()
    again = run(world, data)
    assert again.ok
    assert [(len(p.new), len(p.unchanged), len(p.removed)) for p in again.classes] == [(0, 5, 0)]
    assert again.changes == 0
    assert counts() == before


def test_a_corrected_file_from_the_same_date_replaces_lessons_that_never_started(world, reg):
    start = next_monday(reg)
    run(world, csv_bytes(plan_rows(start)))
    rows = plan_rows(start)
    rows[0] = rows[0].replace("Historia;wych", "Matematyka;n-in").replace(";1;", ";3;")
    result = run(world, csv_bytes(rows))
    assert result.ok, result.row_errors
    plan = result.classes[0]
    assert (len(plan.new), len(plan.unchanged), len(plan.removed), len(plan.ending)) == (1, 4, 1, 0)
    assert not TimetableEntry.objects.filter(pk=plan.removed[0].pk).exists()
    assert AuditEntry.objects.filter(
        action="delete", object_id=str(plan.removed[0].pk), content_type__model="timetableentry"
    ).exists()
    assert (1, 3, "Matematyka", "", "n-in", "12") in plan_of(world.school_class, start)


def test_lessons_recorded_under_an_entry_that_would_go_stop_the_import(world, reg):
    start = next_monday(reg)
    run(world, csv_bytes(plan_rows(start)))
    entry = TimetableEntry.objects.get(
        school_class=world.school_class, valid_from=start, slot=reg.slots[1], weekday=1
    )
    lesson_on(entry, start)
    rows = plan_rows(start)
    rows[0] = rows[0].replace(";1;", ";5;")
    before = counts()
    result = run(world, csv_bytes(rows))
    assert not result.ok
    assert "Choose a later date" in result.file_errors[0]
    assert counts() == before


def test_substitutions_of_replaced_lessons_are_removed_the_earlier_ones_stay(world, reg):
    start = next_monday(reg)
    kept = TimetableChange.objects.create(
        school=world.school, entry=reg.math3, date=reg.day, kind="cancellation"
    )
    gone = TimetableChange.objects.create(
        school=world.school,
        entry=reg.math3,
        date=start + datetime.timedelta(days=7),
        kind="cancellation",
    )
    result = run(world, csv_bytes(plan_rows(start)))
    assert [c.pk for c in result.classes[0].changes_removed] == [gone.pk]
    assert list(TimetableChange.objects.values_list("pk", flat=True)) == [kept.pk]
    assert AuditEntry.objects.filter(
        action="delete", content_type__model="timetablechange", object_id=str(gone.pk)
    ).exists()


def test_warnings_do_not_stop_the_import(world, reg):
    start = next_monday(reg)
    result = run(
        world, rows_at(start, "4a;;wt;5;Historia;n-in;"), today=start + datetime.timedelta(days=1)
    )
    assert result.ok
    assert result.warnings == [
        f"Class 4a: the new plan applies from {start:%d.%m.%Y}, in the past. The weeks since "
        "then will show the new plan; lessons already recorded stay as they were.",
        "Line 2: Tomasz Lewandowski has no teaching assignment for Historia in 4a. Add it in "
        "the administration, or the teacher will not see the class's students.",
    ]


# --- who may import ----------------------------------------------------------------


def test_only_the_schools_principal_deputy_or_secretary_may_import(world, reg):
    data = csv_bytes(plan_rows(next_monday(reg)))
    for role in ("teacher_in", "class_teacher", "own_parent", "student", "other_principal"):
        with pytest.raises(PermissionDenied):
            run(world, data, role=role)
    assert run(world, data, role="secretary").ok


def test_template_is_a_valid_file_for_its_own_columns():
    text = imports.template_csv()
    assert (
        text.splitlines()[0] == "klasa;grupa;dzien;lekcja;przedmiot;nauczyciel;sala;obowiazuje_od"
    )
    result = imports.TimetableImportResult()
    rows = imports.parse(text.encode(), result, default_valid_from=None)
    assert result.ok and len(rows) == 4
