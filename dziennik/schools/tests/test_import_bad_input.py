"""Bad cells in a student import: each named with its line, nothing stored, never a
server error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dziennik.schools.models import Student

from .test_import import HEADER, counts, run

ROW = "4a;4;7;;Zofia;;Nowak;17.05.2016;Kraków;;;;;;;;;;;;"


def with_cell(position: int, value: str) -> str:
    cells = ROW.split(";")
    cells[position] = '"' + value.replace('"', '""') + '"'
    return ";".join(cells)


def upload(*rows: str) -> bytes:
    return "\r\n".join([HEADER, *rows]).encode()


@pytest.mark.parametrize(
    ("position", "value", "message"),
    [
        (2, "²", "Numer w dzienniku ²"),
        (2, "١", "Numer w dzienniku ١"),
        (2, "99999999999999999999", "Numer w dzienniku 99999999999999999999"),
        (1, "²", "Poziom ²"),
        (1, "٣", "Poziom ٣"),
        (0, "4\r\na", "Kolumna klasa zawiera znaki sterujące"),
        (6, "Nowak\x07", "Kolumna nazwisko zawiera znaki sterujące"),
        (4, "Zofia\tMaria", "Kolumna imie zawiera znaki sterujące"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_is_stored(world, position, value, message):
    before = counts()
    result = run(world, upload(with_cell(position, value)))
    assert not result.ok
    messages = [m for error in result.row_errors for m in error.messages]
    assert any(message in m for m in messages), messages
    assert counts() == before


def test_a_level_read_from_a_class_name_is_within_the_scale(world):
    before = counts()
    row = "9999999999999999999a;;1;;Zofia;;Nowak;17.05.2016;Kraków;;;;;;;;;;;;"
    result = run(world, upload(row))
    messages = [m for error in result.row_errors for m in error.messages]
    assert any("nie można jej odczytać z nazwy klasy" in m for m in messages), messages
    assert counts() == before


def test_the_import_page_shows_the_error_of_a_class_name_with_a_line_break(world):
    before = counts()
    data = upload(with_cell(0, "4\r\na"))
    response = world.client("secretary").post(
        reverse("schools:import"),
        {"file": SimpleUploadedFile("uczniowie.csv", data, "text/csv"), "action": "import"},
    )
    assert response.status_code == 400
    assert "zawiera znaki sterujące" in response.content.decode()
    assert counts() == before


def test_a_formula_in_a_name_is_kept_as_typed_and_exports_neutralise_it(world):
    """The import keeps what the school typed; every CSV export writes it as text
    (``core/csvexport.py``, ``portal/tests/test_csv_exports.py``)."""
    formula = '=HYPERLINK("http://example.com","x")'
    result = run(world, upload(with_cell(6, formula)))
    assert result.ok
    assert Student.objects.filter(last_name=formula).count() == 1
