"""Every printout, the iCalendar feed and every e-mail speak the reader's language.

The check renders each of them in Polish and looks in the text for the English source
strings of the project: every string marked for translation in the code and the
templates (read from the sources, so a string missing from the catalogue counts too).
A source string found in the Polish output is English left in it, unless its Polish
translation is the same text (a name, a symbol). PDFs are read with pypdf.

E-mail templates are the templates whose path says ``email`` or ``mail`` (``*_email.txt``,
``*_subject.txt``, ``email/…``): each is rendered in Polish as well.
"""

from __future__ import annotations

import ast
import datetime
import io
import re
from functools import cache
from pathlib import Path

import icalendar
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from dziennik.accounts import letter_jobs
from dziennik.accounts.tasks import letters_prepare
from dziennik.attendance.tests.factories import build_register, save_lesson
from dziennik.grades import services as grades
from dziennik.grades.models import Assessment, GradeCategory
from dziennik.promotion import services as promotion
from dziennik.timetable import services as timetable

pytestmark = pytest.mark.django_db

PACKAGE = Path(settings.BASE_DIR) / "dziennik"
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
PGETTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""", re.DOTALL)
BLOCK_TAG = re.compile(
    r"{%\s*blocktrans(?:late)?\b[^%]*%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.DOTALL
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|{{.*?}}|{%.*?%}|{\w*}")
# A fragment this short, or without a word of 3 letters, proves nothing ("No.", "–").
WORD = re.compile(r"[A-Za-z]{3,}")


def _python_strings(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        skip = 1 if name in PGETTEXT else 0 if name in GETTEXT else None
        if skip is None:
            continue
        for argument in node.args[skip : skip + 2]:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
    return found


def _template_strings(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found = {match[1] for match in TRANSLATE_TAG.findall(text)}
    for block in BLOCK_TAG.findall(text):
        found.update(re.split(r"{%\s*plural\s*%}", block))
    return found


@cache
def source_strings() -> frozenset[str]:
    """Every string of the project marked for translation (tests and migrations aside)."""
    strings: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            strings |= _python_strings(path)
    for path in PACKAGE.rglob("templates/**/*"):
        if path.suffix in {".html", ".txt"} and "tests" not in path.parts:
            strings |= _template_strings(path)
    return frozenset(strings)


@cache
def english_fragments() -> frozenset[str]:
    """The literal parts of the source strings whose Polish differs from the English."""
    fragments = set()
    with translation.override("pl"):
        for source in source_strings():
            if translation.gettext(source) == source and source in _catalogue():
                continue  # translated as itself on purpose
            for part in PLACEHOLDER.split(source):
                part = " ".join(part.split()).strip(" .,:;–-()")
                if len(part) >= 4 and WORD.search(part):
                    fragments.add(part)
    return frozenset(fragments)


@cache
def _catalogue() -> frozenset[str]:
    po = PACKAGE / "locale" / "pl" / "LC_MESSAGES" / "django.po"
    ids = re.findall(r'^msgid "(.*)"$', po.read_text(encoding="utf-8"), re.MULTILINE)
    return frozenset(ids)


def english_in(text: str) -> list[str]:
    """The English source fragments found, as whole words, in ``text``."""
    text = " ".join(text.replace("\u2010 ", "").replace("-\n", "").split())
    return sorted(
        fragment
        for fragment in english_fragments()
        if re.search(rf"(?<![\w]){re.escape(fragment)}(?![\w])", text)
    )


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_check_finds_english_left_in_polish_output():
    assert "Printed" in english_in("Wydrukowano … Printed: 6.12.2026")
    found = english_in("Monthly attendance sheet – class 4a – grudzień 2026")
    assert "Monthly attendance sheet – class" in found
    assert english_in("Arkusz ocen · Zofia Wiśniewska · klasa 4a · Średnia: 4,50") == []


@pytest.fixture
def register_data(world):
    """4a's lessons of a day with Zofia absent and late, her grades (a descriptive one
    among them), a proposed and a term grade, a behaviour grade, a cancelled lesson."""
    reg = build_register(world)
    save_lesson(world, reg, reg.history1, {world.student: "nb"}, topic="Mieszko I")
    save_lesson(world, reg, reg.math2, {world.student: "sp"}, topic="Ułamki zwykłe")
    grades.grading_setup_defaults(school=world.school)
    teacher = world.user("teacher_in")
    category = GradeCategory.objects.get(school=world.school, name="Sprawdzian")
    day = world.term1.start_date + datetime.timedelta(days=10)
    test, described = (
        grades.assessment_create(
            actor=teacher,
            school_class=world.school_class,
            subject=world.subject,
            term=world.term1,
            name=name,
            date=day,
            category=category,
            kind=kind,
        )
        for name, kind in (
            ("Sprawdzian – ułamki", Assessment.Kind.STANDARD),
            ("Odpowiedź ustna", Assessment.Kind.DESCRIPTIVE),
        )
    )
    grades.grade_set(actor=teacher, assessment=test, student=world.student, raw="4+")
    grades.grade_set(
        actor=teacher,
        assessment=described,
        student=world.student,
        raw="Bardzo ładnie rozwiązuje zadania tekstowe z ułamkami.",
    )
    for is_proposal in (True, False):
        grades.classification_grade_set(
            actor=teacher,
            student=world.student,
            school_class=world.school_class,
            subject=world.subject,
            term=world.term1,
            kind="term",
            is_proposal=is_proposal,
            grade=4,
        )
    grades.behaviour_grade_set(
        actor=world.user("class_teacher"),
        student=world.student,
        school_class=world.school_class,
        term=world.term1,
        kind="term",
        value="bdb",
    )
    timetable.timetable_change_create(
        actor=world.user("principal"), entry=reg.math2, date=reg.day, kind="cancellation"
    )
    return reg


def _promotion_list_pdf(world, teacher):
    """4a's promotion list, prepared by the principal, as its class teacher prints it."""
    promotion.promotion_list_prepare(actor=world.user("principal"), school_class=world.school_class)
    return teacher.get(reverse("promotion:pdf", args=[world.school_class.pk]))


def printouts(world, reg) -> dict:
    """Every PDF of the register, as its readers get it, in Polish."""
    day = reg.day.isoformat()
    parent, teacher = world.client("own_parent"), world.client("class_teacher")
    responses = {
        "grade sheet": parent.get(
            reverse("grades:student_pdf", args=[world.student.pk]), {"okres": world.term1.pk}
        ),
        "student attendance": parent.get(
            reverse("attendance:student_pdf", args=[world.student.pk]), {"od": day, "do": day}
        ),
        "class month": teacher.get(
            reverse("attendance:class_sheet", args=[world.school_class.pk]),
            {"miesiac": reg.day.strftime("%Y-%m")},
        ),
        "promotion list": _promotion_list_pdf(world, teacher),
    }
    # Last: new one-time passwords end the family's sessions.
    job = letter_jobs.letter_job_start(
        actor=world.user("class_teacher"),
        school_class=world.school_class,
        regenerate=True,
        login_url="http://testserver/konto/logowanie/",
    )[0]
    letters_prepare.call(job.pk)
    responses["credential letters"] = teacher.post(
        reverse("accounts:letters_download", args=[job.pk])
    )
    responses["password reset letter"] = teacher.post(
        reverse("accounts:password_reset", args=[world.user("student").pk])
    )
    return responses


def test_every_printout_is_polish(world, register_data):
    responses = printouts(world, register_data)
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    outputs = {name: pdf_text(r.content) for name, r in responses.items()}
    # The printouts show what they should (the check reads real text, not an empty page).
    assert (
        "Wiśniewska" in outputs["grade sheet"] and "Ułamki zwykłe" in outputs["student attendance"]
    )
    assert "Bardzo ładnie rozwiązuje zadania tekstowe z ułamkami." in outputs["grade sheet"]
    assert "Wydrukowano" in outputs["grade sheet"]
    assert {name: english_in(text) for name, text in outputs.items()} == {
        name: [] for name in outputs
    }


def test_the_calendar_feed_is_polish(world, register_data):
    feed = timetable.calendar_feed_create(actor=world.user("own_parent"), language="pl")
    # A calendar application asking for English still gets the owner's language.
    response = Client(headers={"accept-language": "en"}).get(
        reverse("timetable:feed", args=[feed.token])
    )
    text = response.content.decode()
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert "Odwołana: Matematyka – 4a" in summaries
    assert english_in(text.replace("\r\n ", "")) == []


def test_the_calendar_feed_follows_its_owners_language(world, register_data):
    parent = world.client("own_parent")
    parent.post(reverse("set_language"), {"language": "en"})
    parent.post(reverse("timetable:feed_settings"), {"action": "create"})
    feed = world.user("own_parent").calendar_feed
    assert feed.language == "en"
    calendar = icalendar.Calendar.from_ical(
        Client().get(reverse("timetable:feed", args=[feed.token])).content
    )
    assert "Cancelled: Matematyka – 4a" in [str(e["summary"]) for e in calendar.walk("VEVENT")]


# What the e-mails are rendered with (Django's password reset context, the school).
EMAIL_CONTEXT = {
    "uid": "MQ",
    "token": "abc-123",
    "protocol": "https",
    "domain": "dziennik.pl",
    "code": "123456",
    "minutes": 10,
}


def email_templates() -> list[str]:
    names = []
    for path in PACKAGE.rglob("templates/**/*"):
        relative = path.relative_to(
            path.parents[len(path.parts) - path.parts.index("templates") - 2]
        )
        # The mails' own templates (an ``email`` or ``mail`` folder, or a name ending so),
        # not the pages about e-mail (the login's code step).
        if (
            path.is_file()
            and "tests" not in path.parts
            and re.search(r"(^|/)e?mails?/|e?mail\.(txt|html)$", str(relative))
        ):
            names.append(str(relative))
    return sorted(names)


def test_every_email_template_is_polish(world):
    assert "accounts/email/forgot_password.txt" in email_templates()
    for name in email_templates():
        with translation.override("pl"):
            text = render_to_string(name, EMAIL_CONTEXT | {"user": world.user("own_parent")})
        assert english_in(text) == [], name
