"""CSV files the register hands out never carry a live formula (``core/csvexport.py``)."""

import csv
import io

import pytest

from dziennik.core import csvimport
from dziennik.core.csvexport import csv_response, safe_cell, write_csv


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://example.com","x")', '\'=HYPERLINK("http://example.com","x")'),
        ("+48 600 100 200", "'+48 600 100 200"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Wiśniewska", "Wiśniewska"),
        ("4a", "4a"),
        ("", ""),
        (None, ""),
        (7, "7"),
    ],
)
def test_a_formula_start_is_written_as_text(value, written):
    assert safe_cell(value) == written


def test_every_cell_and_the_header_are_protected():
    text = write_csv(["imie", "=x"], [{"imie": "=1+1"}, {"imie": "Zofia", "=x": "@a"}])
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [["imie", "'=x"], ["'=1+1", ""], ["Zofia", "'@a"]]


def test_a_protected_cell_is_imported_as_what_it_protects():
    """An exported file imported again gives the same values (the apostrophe is the
    export's, not the person's)."""
    text = write_csv(["imie", "telefon"], [{"imie": "'zwykły", "telefon": "+48 600 100 200"}])
    result = csvimport.CheckedFile()
    rows = csvimport.read_rows(
        text.encode(), columns={"imie": True, "telefon": False}, normalize=str, result=result
    )
    assert result.ok
    assert rows == [(2, {"imie": "'zwykły", "telefon": "+48 600 100 200"})]


def test_a_csv_download():
    response = csv_response(write_csv(["a"], [{"a": "ą"}]), "plik.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="plik.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
