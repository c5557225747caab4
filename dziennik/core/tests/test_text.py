"""Typed text as the register keeps it (``core/text.py``): no control characters, no text
longer than its column, only the choices a field has."""

import pytest
from django.core.exceptions import ValidationError

from dziennik.core.text import clean_text, control_characters, field_choice, field_text
from dziennik.grades.models import Assessment


def test_nul_and_control_characters_are_dropped():
    assert clean_text("Ułam\x00ki\x1b[31m\x07") == "Ułamki[31m"
    assert clean_text("  Sprawdzian\x7f  ") == "Sprawdzian"


def test_one_line_text_has_no_line_breaks():
    assert clean_text("Klasa\r\n4a\tgr.\u20281") == "Klasa 4a gr. 1"


def test_multiline_text_keeps_its_lines_as_newlines():
    text = "Zofia czyta płynnie.\r\nLiczy do 100.\rPisze\u2028starannie.\x00"
    assert clean_text(text, multiline=True) == (
        "Zofia czyta płynnie.\nLiczy do 100.\nPisze\nstarannie."
    )


def test_letters_and_spaces_of_any_script_stay():
    text = "Żółć\u00a0gęślą – ½ ² ١٢ 😀"
    assert clean_text(text) == text


def test_control_characters_are_found():
    assert control_characters("4a\r\n")
    assert control_characters("a\x00")
    assert control_characters("a\u2028b")
    assert not control_characters("Wiśniewska-Nowak")


def test_text_longer_than_its_column_is_refused_under_the_field_name():
    assert field_text(Assessment, "name", " Sprawdzian\x00 ") == "Sprawdzian"
    assert field_text(Assessment, "name", "x" * 120) == "x" * 120
    with pytest.raises(ValidationError) as caught:
        field_text(Assessment, "name", "x" * 121)
    assert list(caught.value.message_dict) == ["name"]
    assert "120" in caught.value.message_dict["name"][0]


def test_only_the_fields_choices_are_accepted():
    assert field_choice(Assessment, "kind", "points") == "points"
    for bad in ("abc", "x" * 13, "", None, ["points"]):
        with pytest.raises(ValidationError) as caught:
            field_choice(Assessment, "kind", bad)
        assert list(caught.value.message_dict) == ["kind"]
