import io

import pytest
from pypdf import PdfReader

from .factories import build_register, save_lesson

# Polish month names, as the monthly sheet's title writes them.
MONTHS = dict(
    enumerate(
        [
            "styczeń",
            "luty",
            "marzec",
            "kwiecień",
            "maj",
            "czerwiec",
            "lipiec",
            "sierpień",
            "wrzesień",
            "październik",
            "listopad",
            "grudzień",
        ],
        start=1,
    )
)


@pytest.fixture
def reg(world):
    r = build_register(world)
    save_lesson(world, r, r.history1, {world.student: "nb"}, topic="Mieszko I i chrzest Polski")
    save_lesson(world, r, r.math2, {world.student: "sp"}, topic="Ułamki zwykłe")
    return r


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_parent_prints_the_childs_attendance_for_a_period(world, reg):
    day = reg.day.isoformat()
    response = world.client("own_parent").get(
        f"/frekwencja/uczen/{world.student.pk}/wydruk.pdf", {"od": day, "do": day}
    )
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "Zofia Wiśniewska" in text
    assert "Mieszko I i chrzest Polski" in text and "Ułamki zwykłe" in text
    assert "nieobecność nieusprawiedliwiona" in text and "spóźnienie" in text
    assert reg.day.strftime("%d.%m.%Y") in text
    assert "50,0%" in text  # one present (late), one absent; a Polish decimal comma
    assert "Kacper" not in text


def test_class_teacher_prints_the_monthly_sheet(world, reg):
    month = reg.day.strftime("%Y-%m")
    response = world.client("class_teacher").get(
        f"/frekwencja/klasa/{world.school_class.pk}/arkusz.pdf", {"miesiac": month}
    )
    text = text_of(response.content)
    assert "Wiśniewska Zofia" in text and "Dąbrowski Kacper" in text
    assert "nb sp" in text  # the student's marks that day, in lesson order
    assert "100,0%" in text and "50,0%" in text
    assert f"{MONTHS[reg.day.month]} {reg.day.year}" in text
