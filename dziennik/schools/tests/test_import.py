"""The CSV import service: all or nothing, every bad row named, re-import changes nothing."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from dziennik.core.models import AuditEntry
from dziennik.schools import imports
from dziennik.schools.models import (
    Enrolment,
    Family,
    Guardian,
    Guardianship,
    SchoolClass,
    Student,
)

HEADER = (
    "klasa;poziom;nr_w_dzienniku;id_ucznia;imie;drugie_imie;nazwisko;data_urodzenia;"
    "miejsce_urodzenia;pesel;adres;opiekun1_imie;opiekun1_nazwisko;opiekun1_relacja;"
    "opiekun1_email;opiekun1_telefon;opiekun2_imie;opiekun2_nazwisko;opiekun2_relacja;"
    "opiekun2_email;opiekun2_telefon"
)
# Two siblings in different classes share their mother; a third child of another family.
ROWS = [
    "1c;1;1;S-1;Michał;;Żółkiewski;03.04.2019;Gdańsk;19240301233;ul. Długa 1, Gdańsk;"
    "Małgorzata;Żółkiewska;matka;m.zolkiewska@example.pl;501 100 200;"
    "Jerzy;Żółkiewski;ojciec;;502 100 200",
    "6c;6;3;S-2;Łucja;Ewa;Żółkiewska;2014-11-30;Gdańsk;;ul. Długa 1, Gdańsk;"
    "Małgorzata;Żółkiewska;Matka;M.Zolkiewska@example.pl;;;;;;",
    "1c;1;2;S-3;Bartosz;;Kowalczyk;12.12.2018;Sopot;;;Ewa;Kowalczyk;opiekun prawny;;;;;;;",
]


def csv_bytes(rows=ROWS, header=HEADER, *, sep=";", bom=False, newline="\r\n") -> bytes:
    """The rows (written with ``;``) re-written with ``sep``, quoted where needed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator=newline)
    for line in [header, *rows]:
        writer.writerow(next(csv.reader([line], delimiter=";")))
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (SchoolClass, Student, Enrolment, Guardian, Guardianship, Family, AuditEntry)
    }


def run(world, data, **kwargs):
    return imports.students_import(
        actor=world.user("secretary"), school=world.school, data=data, **kwargs
    )


def _valid_pesel(base: str) -> str:
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    control = (10 - sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 10) % 10
    return base + str(control)


def test_rows_use_valid_pesel():
    assert _valid_pesel("1924030123") == "19240301233"
    assert imports.pesel_birth_date("19240301233") == datetime.date(2019, 4, 3)


def test_good_file_imports_everything_with_history(world):
    before = counts()
    result = run(world, csv_bytes())
    assert result.ok, (result.file_errors, result.row_errors)
    after = counts()
    assert after["SchoolClass"] - before["SchoolClass"] == 2  # 1c, 6c (4a/4b exist)
    assert after["Student"] - before["Student"] == 3
    assert after["Enrolment"] - before["Enrolment"] == 3
    assert after["Guardian"] - before["Guardian"] == 3  # mother once, father, Ewa
    assert after["Guardianship"] - before["Guardianship"] == 4
    assert after["Family"] - before["Family"] == 2
    assert result.counts["students"].created == 3
    assert result.counts["guardians"].created == 3
    assert result.counts["guardianships"].created == 4

    michal = Student.objects.get(school=world.school, external_id="S-1")
    lucja = Student.objects.get(school=world.school, external_id="S-2")
    assert michal.first_name == "Michał" and michal.last_name == "Żółkiewski"
    assert michal.birth_date == datetime.date(2019, 4, 3)
    assert lucja.birth_date == datetime.date(2014, 11, 30)
    assert lucja.second_name == "Ewa"
    # Siblings in different classes: one family, one mother record shared.
    assert michal.family_id == lucja.family_id is not None
    mother = Guardian.objects.get(school=world.school, last_name="Żółkiewska")
    assert mother.email == "m.zolkiewska@example.pl"
    assert mother.phone == "501100200"
    assert mother.family_id == michal.family_id
    assert set(mother.students.all()) == {michal, lucja}
    assert Guardianship.objects.get(guardian=mother, student=lucja).relation == "mother"
    ewa = Guardian.objects.get(school=world.school, first_name="Ewa", last_name="Kowalczyk")
    assert Guardianship.objects.get(guardian=ewa).relation == "legal_guardian"
    enrolment = Enrolment.objects.get(student=lucja, end_date__isnull=True)
    assert (enrolment.school_class.name, enrolment.journal_number) == ("6c", 3)
    assert enrolment.school_class.school_year == world.year
    assert enrolment.school_class.level == 6

    entries = AuditEntry.objects.filter(school=world.school)
    assert entries.count() == after["AuditEntry"] - before["AuditEntry"]
    assert set(entries.values_list("actor", flat=True)) == {world.user("secretary").pk}
    created = entries.get(action="create", student=lucja, content_type__model="student")
    assert created.changes["first_name"] == [None, "Łucja"]
    assert created.school_class.name == "6c"


def test_same_file_twice_changes_nothing(world):
    first = run(world, csv_bytes())
    assert first.ok and first.changes > 0
    before = counts()
    second = run(world, csv_bytes())
    assert second.ok
    assert second.changes == 0
    assert counts() == before
    assert second.counts["students"].unchanged == 3
    assert second.counts["enrolments"].unchanged == 3
    assert second.counts["guardians"].unchanged == 3
    assert second.counts["guardianships"].unchanged == 4
    assert second.counts["families"].unchanged == 2


def test_reimport_without_external_ids_matches_by_name_and_birth_date(world):
    rows = [r.replace(";S-1;", ";;").replace(";S-2;", ";;").replace(";S-3;", ";;") for r in ROWS]
    assert run(world, csv_bytes(rows)).ok
    before = counts()
    second = run(world, csv_bytes(rows))
    assert second.ok and second.changes == 0
    assert counts() == before


@pytest.mark.parametrize(
    ("broken", "fragment"),
    [
        ("1c;1;4;S-9;;;Nowak;01.01.2018;;;;;;;;;;;;;", "imie"),  # missing first name
        ("1c;1;4;S-9;Jan;;Nowak;31.02.2018;;;;;;;;;;;;;", "31.02.2018"),  # bad date
        ("1c;1;4;S-9;Jan;;Nowak;01.01.2018;;18210112345;;;;;;;;;;;", "18210112345"),  # PESEL
        ("1c;1;4;S-9;Jan;;Nowak;01.01.2018;;;;Ala;Nowak;ciocia;;;;;;;", "ciocia"),  # relation
        ("1c;1;2;S-9;Jan;;Nowak;01.01.2018;;;;;;;;;;;;;", "line 4"),  # journal number taken
        ("6c;6;9;;Łucja;;Żółkiewska;30.11.2014;;;;;;;;;;;;;", "line 3"),  # same student
        ("6c;6;9;S-1;Jan;;Nowak;01.01.2018;;;;;;;;;;;;;", "S-1"),  # same identifier
        ("1c;1;x;S-9;Jan;;Nowak;01.01.2018;;;;;;;;;;;;;", "x"),  # journal number
        ("1c;1;4;S-9;Jan;;Nowak;01.01.2018;;;;Ala;Nowak;matka;ala@;;;;;;", "ala@"),  # e-mail
        ("1c;2;4;S-9;Jan;;Nowak;01.01.2018;;;;;;;;;;;;;", "1c"),  # level differs in class
    ],
)
def test_one_bad_row_imports_nothing_and_names_the_row(world, broken, fragment):
    before = counts()
    with translation.override("en"):  # the fragments are from the English messages
        result = run(world, csv_bytes([*ROWS, broken]))
    assert not result.ok
    assert counts() == before
    assert [e.line for e in result.row_errors] == [5]
    assert any(fragment in message for message in result.row_errors[0].messages), result.row_errors


def test_every_bad_row_is_reported_with_its_line(world):
    rows = [
        ROWS[0],
        "1c;1;5;S-7;Jan;;Nowak;1.13.2018;;;;;;;;;;;;;",
        ROWS[1],
        ";1;6;S-8;Ola;;Nowak;01.01.2018;;12345678901;;;;;;;;;;;",
        ROWS[2],
    ]
    result = run(world, csv_bytes(rows))
    assert [e.line for e in result.row_errors] == [3, 5]
    assert len(result.row_errors[1].messages) == 2  # missing class and bad PESEL
    assert not Student.objects.filter(external_id__in=["S-1", "S-2", "S-3"]).exists()


def test_pesel_must_match_the_birth_date(world):
    row = ROWS[2].replace("Sopot;;", f"Sopot;{_valid_pesel('1832010123')};")
    result = run(world, csv_bytes([row]))
    assert [e.line for e in result.row_errors] == [2]
    assert Student.objects.filter(external_id="S-3").count() == 0


def test_journal_number_of_a_student_not_in_the_file_is_taken(world):
    # Zofia (world.student) holds number 1 in 4a and is not in the file.
    row = "4a;4;1;S-9;Jan;;Nowak;01.01.2016;;;;;;;;;;;;;"
    result = run(world, csv_bytes([row]))
    assert [e.line for e in result.row_errors] == [2]
    assert "Wiśniewska" in result.row_errors[0].messages[0]


def test_bom_and_semicolons(world):
    result = run(world, csv_bytes(bom=True, sep=";"))
    assert result.ok, (result.file_errors, result.row_errors)
    assert result.counts["students"].created == 3
    assert Student.objects.filter(school=world.school, first_name="Michał").exists()


def test_commas_without_bom_and_lf_line_ends(world):
    result = run(world, csv_bytes(sep=",", newline="\n"))
    assert result.ok, (result.file_errors, result.row_errors)
    assert result.counts["students"].created == 3


def test_header_names_with_spaces_and_polish_letters(world):
    header = HEADER.replace("imie;drugie_imie", "Imię;Drugie imię").replace(
        "opiekun1_imie", "Opiekun 1 imię"
    )
    result = run(world, csv_bytes(header=header))
    assert result.ok, result.file_errors


def test_empty_trailing_columns_of_a_spreadsheet_are_ignored(world):
    rows = [row + ";;" for row in ROWS]
    result = run(world, csv_bytes(rows, header=HEADER + ";;"))
    assert result.ok, (result.file_errors, result.row_errors)
    assert result.counts["students"].created == 3


def test_value_outside_the_named_columns_is_a_row_error(world):
    rows = [ROWS[0] + ";;", ROWS[1] + ";zagubione;", ROWS[2]]
    result = run(world, csv_bytes(rows, header=HEADER + ";;"))
    assert [e.line for e in result.row_errors] == [3]
    assert "zagubione" in result.row_errors[0].messages[0]
    assert not Student.objects.filter(external_id="S-1").exists()


def test_quoted_field_with_separator(world):
    row = ROWS[2].replace("Sopot;;;", 'Sopot;;"ul. Morska 3; m. 4";')
    result = run(world, csv_bytes([row]))
    assert result.ok, result.row_errors
    assert Student.objects.get(external_id="S-3").address == "ul. Morska 3; m. 4"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # .xlsx is a zip
        "klasa;imie;nazwisko\n4a;Michał;Żółkiewski\n".encode("cp1250"),
        b"",
    ],
)
def test_binary_or_non_utf8_file_gives_a_clear_error(world, data):
    before = counts()
    result = run(world, data)
    assert not result.ok
    assert len(result.file_errors) == 1
    assert result.row_errors == []
    assert counts() == before


def test_unknown_and_missing_columns(world):
    header = HEADER.replace("nazwisko;data_urodzenia", "nazwiskoo;data_urodzenia")
    result = run(world, csv_bytes(header=header))
    assert any("nazwiskoo" in e for e in result.file_errors)
    assert any("nazwisko" in e and "nazwiskoo" not in e for e in result.file_errors)


def test_student_in_another_class_gets_a_new_enrolment(world):
    assert run(world, csv_bytes()).ok
    moved = [ROWS[0].replace("1c;1;1;", "2a;2;1;"), *ROWS[1:]]
    later = min(timezone.localdate() + datetime.timedelta(days=1), world.year.end_date)
    result = run(world, csv_bytes(moved), today=later)
    assert result.ok
    assert result.counts["enrolments"].created == 1
    assert result.counts["enrolments"].updated == 1
    michal = Student.objects.get(external_id="S-1")
    history = list(Enrolment.objects.filter(student=michal).order_by("pk"))
    assert [(e.school_class.name, e.end_date is None) for e in history] == [
        ("1c", False),
        ("2a", True),
    ]
    assert history[0].end_date == later
    assert history[1].start_date == later
    assert result.counts["students"].unchanged == 3


def test_swapped_journal_numbers(world):
    assert run(world, csv_bytes()).ok
    swapped = [
        ROWS[0].replace("1c;1;1;", "1c;1;2;"),
        ROWS[1],
        ROWS[2].replace("1c;1;2;", "1c;1;1;"),
    ]
    result = run(world, csv_bytes(swapped))
    assert result.ok, result.row_errors
    assert result.counts["enrolments"].updated == 2
    numbers = dict(
        Enrolment.objects.filter(school_class__name="1c", end_date__isnull=True).values_list(
            "student__external_id", "journal_number"
        )
    )
    assert numbers == {"S-1": 2, "S-3": 1}


def test_changed_value_is_an_update_with_history(world):
    assert run(world, csv_bytes()).ok
    changed = [ROWS[0].replace("Gdańsk;19240301233", "Gdynia;19240301233"), *ROWS[1:]]
    before = AuditEntry.objects.count()
    result = run(world, changed and csv_bytes(changed))
    assert result.counts["students"].updated == 1
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry.changes == {"birth_place": ["Gdańsk", "Gdynia"]}
    assert entry.actor == world.user("secretary")


def test_existing_guardian_is_matched_into_the_family(world):
    """A guardian already in the register (Anna, with her e-mail) is reused, not copied."""
    world.own_guardian.email = "anna@example.pl"
    world.own_guardian.save()
    row = "4b;4;7;S-20;Tymon;;Wiśniewski;05.06.2016;;;;Anna;Wiśniewska;matka;anna@example.pl;;;;;;"
    result = run(world, csv_bytes([row]))
    assert result.ok
    assert result.counts["guardians"].unchanged == 1
    tymon = Student.objects.get(external_id="S-20")
    assert tymon.family_id == world.own_guardian.family_id
    assert set(world.own_guardian.students.all()) == {world.student, tymon}


def test_dry_run_writes_nothing_but_counts(world):
    before = counts()
    result = run(world, csv_bytes(), dry_run=True)
    assert result.ok and result.dry_run
    assert result.counts["students"].created == 3
    assert counts() == before


def test_no_current_school_year(world):
    result = run(world, csv_bytes(), today=world.year.end_date + datetime.timedelta(days=400))
    assert not result.ok and len(result.file_errors) == 1


def test_the_template_imports(world):
    data = imports.template_csv().encode("utf-8-sig")
    result = imports.students_import(
        actor=world.user("other_principal"), school=world.other_school, data=data
    )
    assert result.ok, (result.file_errors, result.row_errors)
    assert result.counts["students"].created == 2
    assert result.counts["guardians"].created == 2  # the mother is shared
    assert result.counts["families"].created == 1


def test_management_command(world, tmp_path):
    path = tmp_path / "uczniowie.csv"
    path.write_bytes(csv_bytes(bom=True))
    out = io.StringIO()
    call_command("import_students", str(path), school=world.school.pk, stdout=out)
    assert Student.objects.filter(school=world.school, external_id__startswith="S-").count() == 3
    assert (
        AuditEntry.objects.filter(
            content_type__model="student", action="create", actor=None
        ).count()
        == 3
    )
    call_command("import_students", str(path), school=world.school.pk, stdout=out)
    assert Student.objects.filter(school=world.school, external_id__startswith="S-").count() == 3


def test_management_command_reports_bad_rows(world, tmp_path):
    path = tmp_path / "zle.csv"
    path.write_bytes(csv_bytes([*ROWS, "1c;1;4;S-9;Jan;;Nowak;31.02.2018;;;;;;;;;;;;;"]))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_students", str(path), school=world.school.pk, stdout=io.StringIO())
    assert "5" in str(excinfo.value)
    assert not Student.objects.filter(external_id="S-1").exists()


def test_a_sibling_imported_between_two_visits_shows_on_the_parents_next_page(world):
    """The parent's viewer (their children) and the child switcher are cached per the
    school's configuration; enrolling a sibling through the import moves that version, so
    the parent's next page offers the new child at once, with no stale list in between."""
    world.own_guardian.email = "anna@example.pl"
    world.own_guardian.save()
    client = world.client("own_parent")
    first = client.get("/")
    assert first.status_code == 200
    assert "Tymon" not in first.text
    row = "4b;4;7;S-20;Tymon;;Wiśniewski;05.06.2016;;;;Anna;Wiśniewska;matka;anna@example.pl;;;;;;"
    assert run(world, csv_bytes([row])).ok
    tymon = Student.objects.get(external_id="S-20")
    second = client.get("/")
    assert second.status_code == 200
    assert "Tymon" in second.text
    # and the new child's own pages answer for this parent at once
    assert client.get(f"/oceny/uczen/{tymon.pk}/").status_code == 200
