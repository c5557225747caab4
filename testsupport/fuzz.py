"""The bad-input walk: every URL of the project, as every role, with generated bad input.

``BadInputWalk`` goes over the test world (``testsupport.world``) and the objects
``testsupport.url_matrix.Scene`` makes, plus a few the register needs to show every
kind of input (a points and a descriptive column, a class 1–3 with descriptive grades):

1. **Discovery.** Every URL of ``URLS`` (its keywords and query from that table) is
   opened with a GET as every role that may open it. From each HTML page the walk reads
   the ``<form>`` inputs, selects, textareas and buttons (with a value the page offers)
   and the query strings of its links, and files them under the URL the form's
   ``action`` (or the link) points at. ``QUERY_NAMES`` and ``POST_FIELDS`` add, per URL
   name, what a view reads that no page names in a form (a few fields are posted by
   JavaScript, a few forms appear only after a choice).
2. **Each field, each kind of bad input.** For every URL, as the first role that may use
   it, every GET parameter and POST field in turn gets one value of each kind in
   ``EACH_KIND`` (the other fields keep the values the page offered).
3. **Generated input.** For every URL and every role, Hypothesis draws whole sets of
   GET parameters and POST fields (``bad_value``: huge, empty, NUL and control
   characters, non-ASCII digits, extreme dates, wrong types, repeated values, ids of
   other objects and other schools' objects; CSV files for the imports), and URL
   keywords are replaced by other objects' ids and by numbers no column can hold.

Every response with a status of 500 is a failure, kept with the role, the URL and the
input; the walk goes on and reports them all at the end with its figures. Each request
runs in a savepoint that is rolled back afterwards, so an accepted input changes nothing
the next request sees, and a database error aborts nothing else.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dziennik.grades import services as grades_services
from dziennik.grades.models import Assessment, GradeCategory
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf
from testsupport.url_matrix import MATRIX_ROLES, URLS, Case, Scene
from testsupport.world import World

# Query-string names a view reads that no form or link of its pages carries (or not on
# every page), per URL name. ``portal/tests/test_bad_input.py`` fails when a view reads
# a name that is neither here nor in a form the walk finds.
ONEROSTER_QUERY = ("limit", "offset", "filter", "sort", "orderBy", "fields")
QUERY_NAMES: dict[str, tuple[str, ...]] = {
    "oneroster_api:rostering_collection": ONEROSTER_QUERY,
    "oneroster_api:rostering_object": ("fields",),
    "oneroster_api:rostering_related": ONEROSTER_QUERY,
    "oneroster_api:gradebook_collection": ONEROSTER_QUERY,
    "oneroster_api:gradebook_object": ("fields",),
    "oneroster_api:gradebook_related": ONEROSTER_QUERY,
    "accounts:login": ("next",),
    "timetable:student": ("tydzien",),
    "timetable:class": ("tydzien",),
    "timetable:teacher": ("tydzien",),
    "timetable:room": ("tydzien",),
    "timetable:editor": ("tydzien",),
    "timetable:entry_add": ("tydzien", "dzien", "lekcja"),
    "timetable:entry_change": ("tydzien",),
    "timetable:entry_end": ("tydzien",),
    "timetable:changes": ("dzien", "wpis"),
    "attendance:today": ("dzien",),
    "attendance:missing": ("od", "do"),
    "attendance:student": ("od", "do"),
    "attendance:student_topics": ("od", "do"),
    "attendance:student_pdf": ("od", "do"),
    "attendance:class_summary": ("od", "do"),
    "attendance:class_sheet": ("miesiac",),
    "attendance:school": ("od", "do"),
    "attendance:justifications": ("status",),
    "attendance:exemptions": ("klasa", "zakonczone"),
    "attendance:exemption_new": ("klasa",),
    "grades:student": ("okres",),
    "grades:student_overview": ("okres",),
    "behaviour:class": ("okres",),
    "grades:student_need": ("okres", "subject", "weight", "target"),
    "grades:student_pdf": ("okres",),
    "grades:gradebook": ("okres", "grupa"),
    "grades:analytics": ("okres", "grupa"),
    "grades:classification": ("okres", "grupa"),
    "grades:assessment_new": ("okres", "grupa"),
    "grades:behaviour": ("okres",),
    "grades:class_summary": ("okres",),
    "portal:history": ("student", "school_class", "actor", "date_from", "date_to", "page"),
    "messaging:compose": ("forward",),
    "messaging:inbox": ("page",),
    "planner:calendar": ("miesiac", "klasa"),
    "planner:week": ("od", "klasa"),
    "planner:list": ("od", "klasa"),
    "records:index": ("year",),
    "printing:index": ("year",),
    "privacy:reads": ("odczyty", "zmiany"),
    "privacy:requests": ("status", "strona"),
    "oauth2_provider:authorize": ("client_id",),
    # The tool's authorization request (LTI 1.3 core, 5.1.1.2).
    "lti:auth": (
        "client_id",
        "redirect_uri",
        "scope",
        "response_type",
        "nonce",
        "state",
        "login_hint",
        "lti_message_hint",
    ),
}

# POST fields no page of the world shows in a form, per URL name ("@student" stands for
# the world's student's id, "@entry" for the timetable entry of today's lesson).
POST_FIELDS: dict[str, dict[str, str]] = {
    "grades:grade_cell": {"student": "@student", "value": "4", "comment": "", "field": "value"},
    "grades:assessment_edit": {"max_points": "20"},
    "accounts:switch_child": {"student": "@student", "next": "/"},
    "accounts:logout": {"next": "/"},
    "attendance:justification_new": {"marks": ""},
    "schools:import_confirm": {"token": ""},
    "timetable:import_confirm": {"token": ""},
    "timetable:changes": {
        "entry": "@entry",
        "date": "@today",
        "kind": "substitution",
        "substitute_teacher": "",
        "new_date": "",
        "new_slot": "",
        "note": "",
    },
    "set_language": {"language": "pl", "next": "/"},
}

# Django's own public URLs, outside the table: the walk opens them too. (The admin has
# its own forms and permission system; it is left to Django and its own tests.)
EXTRA_URLS = ("set_language", "javascript-catalog")

# Import forms take a CSV file: the walk sends files built on the template's header.
CSV_TEMPLATES = {
    "schools:import": "schools:import_template",
    "timetable:import": "timetable:import_template",
}

# How many sets of generated input each URL gets per role: more where the role may use
# the page (its input is read in full), fewer where it is refused (only what is read
# before the refusal). With ``EACH_KIND`` this keeps the walk within about two minutes.
EXAMPLES_ALLOWED = 3
EXAMPLES_REFUSED = 1
# Roles that also get every URL with its keywords replaced by other ids: one who sees
# much of this school, one of another school.
KEYWORD_ROLES = ("principal", "other_principal")
# The roles tried first when looking for one that may use a URL.
USERS_FIRST = ("principal", "teacher_in", "class_teacher", "own_parent", "student", "secretary")

NON_ASCII_DIGITS = ("²", "³", "¹", "١٢", "５", "߂", "໒", "𝟗", "Ⅻ", "½", "٣.٥", "۴")
EXTREME_DATES = (
    "9999-12-31",
    "0001-01-01",
    "0001-01-02",
    "9999-12",
    "0001-01",
    "10000-01-01",
    "2026-02-30",
    "0000-00-00",
    "9999-W52",
    "31.12.9999",
    "1900-01-01",
)
WRONG_TYPES = (
    "abc",
    "1.5",
    "1,5",
    "-1",
    "0",
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "-inf",
    "0x10",
    "1_000",
    " 7 ",
    "None",
    "[]",
    "true",
    "on",
    "999999999",
    "99999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "1" + "0" * 400,
    "0." + "0" * 300 + "1",
)
CONTROL = (
    "\x00",
    "a\x00b",
    "a\r\nb",
    "\r\n",
    "\t",
    "\x1b[31m",
    "\x7f",
    "\u202e",
    "\ufeff",
    "\u2028",
    '=HYPERLINK("http://example.com","x")',
    "+1",
    "@SUM(1)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "//evil.example.com",
    "https://evil.example.com/",
    "javascript:alert(1)",
)
HUGE = ("x" * 100_000, "ą" * 5_000, "9" * 5_000, "a\x00" * 1_000)
OMIT = object()  # the field is not sent at all

# One value of each kind of bad input, given to every field in turn (step 2).
EACH_KIND = (
    "",
    "9999-12-31",
    "0001-01-01",
    "9999-12",
    "²",
    "99999999999999999999",
    "1e999",
    "a\x00b",
    "a\r\nb",
    "x" * 5_000,  # longer than any text column, the descriptive grades' 4000 included
    ["1", "2"],
)


def bad_value(ids: Iterable[int]) -> st.SearchStrategy:
    """One bad value for any GET parameter or POST field."""
    fixed = (*NON_ASCII_DIGITS, *EXTREME_DATES, *WRONG_TYPES, *CONTROL, *HUGE, "")
    return st.one_of(
        st.sampled_from(fixed),
        st.sampled_from(sorted({str(i) for i in ids})),
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8", categories=["Nd", "No", "Cc", "Zs"]), max_size=8),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )


def field_value(valid: str | None, ids: Iterable[int]) -> st.SearchStrategy:
    """A field's value: the one the page offers, a bad one, several, or none at all."""
    bad = bad_value(ids)
    choices = [bad, st.lists(bad, min_size=2, max_size=3), st.just(OMIT)]
    if valid is not None:
        choices = [st.just(valid), *choices]
    return st.one_of(*choices)


@dataclass
class Target:
    """One URL the walk sends input to: its GET parameters and POST fields, each with a
    value a page offered (``None``: no page offered one), and its file fields."""

    name: str
    url: str
    case: Case | None
    query: dict[str, str | None] = field(default_factory=dict)
    post: dict[str, str | None] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)

    @property
    def post_only(self) -> bool:
        return self.case is not None and all(
            status == 405 for role, status in self.case.expected.items() if role != "anonymous"
        )

    def allows(self, role: str) -> bool:
        """May the role use the URL (as far as the table says)?"""
        if self.case is None:
            return True
        status = self.case.expected[role]
        return status == 200 or (status == 405 and role != "anonymous")


class _PageReader(HTMLParser):
    """The forms of a page (action, method, fields with a value offered) and the query
    strings of its links."""

    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[tuple[str, str, dict[str, str | None], set[str]]] = []
        self.links: list[str] = []
        self._form: tuple[str, str, dict[str, str | None], set[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urljoin(self.base, a.get("action") or self.base)
            self._form = (action, (a.get("method") or "get").lower(), {}, set())
            self.forms.append(self._form)
        elif tag == "a" and "?" in (a.get("href") or ""):
            self.links.append(urljoin(self.base, a["href"]))
        elif self._form is not None and tag in ("input", "textarea", "select", "button"):
            self._field(tag, a)
        elif (
            tag == "option"
            and self._form is not None
            and self._select
            and self._form[2].get(self._select) is None
            and a.get("value")
        ):
            self._form[2][self._select] = a["value"]

    def _field(self, tag: str, a: dict) -> None:
        name = a.get("name")
        if not name or name == "csrfmiddlewaretoken":
            return
        fields, files = self._form[2], self._form[3]
        if tag == "input" and a.get("type") == "file":
            files.add(name)
        elif tag == "button" and a.get("formaction"):
            action = urljoin(self.base, a["formaction"])
            self.forms.append((action, "post", {name: a.get("value")}, set()))
        elif tag == "select":
            self._select = name
            fields.setdefault(name, None)
        else:
            fields.setdefault(name, a.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class Failure:
    role: str
    method: str
    url: str
    data: object
    error: str

    def __str__(self) -> str:
        data = repr(self.data)
        if len(data) > 300:
            data = data[:300] + "…"
        return f"{self.role} {self.method} {self.url} {data}: {self.error}"


@dataclass
class Figures:
    """What the walk sent: requests and seconds per step, statuses."""

    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    steps: dict[str, list] = field(default_factory=dict)  # step -> [requests, seconds]
    step: str = "setup"

    def count(self, status: int, seconds: float) -> None:
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        step = self.steps.setdefault(self.step, [0, 0.0])
        step[0] += 1
        step[1] += seconds

    def __str__(self) -> str:
        steps = ", ".join(f"{name} {n} in {s:.0f} s" for name, (n, s) in self.steps.items())
        return (
            f"{self.requests} requests in {self.seconds:.0f} s ({steps}); "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


class WalkScene(Scene):
    """The scene of the URL table plus what shows the rest of the register's input."""

    @cached_property
    def points_column(self):
        """A points test (at most 20) in 4a's Matematyka."""
        return self._column("Kartkówka punktowa", Assessment.Kind.POINTS, max_points=20)

    @cached_property
    def descriptive_column(self):
        """A descriptive column in 4a's Matematyka."""
        return self._column("Opis pracy", Assessment.Kind.DESCRIPTIVE)

    def _column(self, name: str, kind: str, **extra):
        self.column  # noqa: B018 (the categories, the usual column first)
        return grades_services.assessment_create(
            actor=self.world.user("teacher_in"),
            school_class=self.school_class,
            subject=self.subject,
            term=self.world.term1,
            name=name,
            date=self.world.term1.start_date + datetime.timedelta(days=12),
            category=GradeCategory.objects.get(school=self.world.school, name="Sprawdzian"),
            kind=kind,
            **extra,
        )

    @cached_property
    def early_class(self):
        """2a: a class with descriptive term and behaviour grades (G-10, B-01), led by
        the class teacher, Matematyka taught by teacher_in, one student."""
        world = self.world
        school_class = sf.SchoolClassFactory(
            school=world.school,
            school_year=world.year,
            name="2a",
            level=2,
            class_teacher=world.user("class_teacher"),
        )
        sm.TeachingAssignment.objects.create(
            school=world.school,
            teacher=world.user("teacher_in"),
            subject=self.subject,
            school_class=school_class,
        )
        pupil = sf.StudentFactory(school=world.school, first_name="Ola", last_name="Mała")
        sf.EnrolmentFactory(student=pupil, school_class=school_class, journal_number=1)
        return school_class


# URLs the walk opens beyond the table's own (name, keywords as scene attributes).
VARIANTS = (
    ("grades:grade_cell", {"assessment_id": "points_column"}),
    ("grades:grade_cell", {"assessment_id": "descriptive_column"}),
    ("grades:assessment_edit", {"assessment_id": "points_column"}),
    ("grades:gradebook", {"class_id": "early_class", "subject_id": "subject"}),
    ("grades:classification", {"class_id": "early_class", "subject_id": "subject"}),
    ("grades:behaviour", {"class_id": "early_class"}),
)
SCENE_OBJECTS = (
    "register",
    "lesson",  # before "change" cancels its lesson
    "justification",
    "kind",
    "exemption",
    "column",
    "points_column",
    "descriptive_column",
    "early_class",
    "category",
    "mark",
    "new_room",
    "change",
    "revoked_feed_token",
)


def _examples(count: int):
    """Hypothesis' settings for one URL and role: ``count`` generated inputs, no time
    limit per request, nothing kept between runs, no shrinking (a failure is recorded
    with its input and the walk goes on)."""
    return settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def _shape(name: str) -> str:
    """Fields that differ only by a number (a student's id, a formset row) are one."""
    return re.sub(r"\d+", "N", name)


class BadInputWalk:
    """Walk every URL as every role with bad input; collect the responses with 500."""

    def __init__(self, world: World):
        self.world = world
        self.scene = WalkScene(world)
        self.targets: dict[str, Target] = {}  # by path
        self.failures: list[Failure] = []
        self.figures = Figures()
        self.clients: dict[str, Client] = {}
        self.ids: list[int] = []
        self.foreign: list[int] = []

    # --- setup ------------------------------------------------------------------------
    def prepare(self) -> None:
        for need in SCENE_OBJECTS:
            getattr(self.scene, need)
        for name, case in URLS.items():
            self._add(name, self.scene.url(name, case), case)
        for name, kwargs in VARIANTS:
            self._add(name, reverse(name, kwargs=self._kwargs(kwargs)), URLS[name])
        for name in EXTRA_URLS:
            self._add(name, reverse(name), None)
        for role in MATRIX_ROLES:
            client = Client(raise_request_exception=False)
            user = self.world.user(role)
            if user is not None:
                client.force_login(user)
            self.clients[role] = client
        self.ids = self._ids()
        other = self.world.other_school
        self.foreign = [
            other.classes.first().pk,
            self.world.user("other_principal").pk,
            self.scene.early_class.pk,
        ]

    def _add(self, name: str, url: str, case: Case | None) -> None:
        target = Target(name, url, case, query=dict.fromkeys(QUERY_NAMES.get(name, ())))
        for key, value in POST_FIELDS.get(name, {}).items():
            target.post[key] = self._placeholder(value)
        self.targets[url] = target

    def _kwargs(self, kwargs: dict[str, str]) -> dict:
        values = {key: getattr(self.scene, attribute) for key, attribute in kwargs.items()}
        return {k: v.pk if isinstance(v, Model) else v for k, v in values.items()}

    def _placeholder(self, value: str) -> str:
        return {
            "@student": str(self.world.student.pk),
            "@entry": str(self.scene.entry.pk),
            "@today": self.scene.register.day.isoformat(),
        }.get(value, value)

    def _ids(self) -> list[int]:
        """Ids of the world's objects of every kind, both schools: each is a foreign or
        a wrong id somewhere."""
        found: set[int] = set()
        for label in ("schools", "accounts", "grades", "attendance", "timetable"):
            for model in apps.get_app_config(label).get_models():
                found.update(model.objects.values_list("pk", flat=True)[:15])
        return sorted(found)

    # --- sending ----------------------------------------------------------------------
    def send(self, role: str, method: str, url: str, data=None):
        """One request in a savepoint that is always rolled back; a 500 is recorded."""
        client = self.clients[role]
        started = time.monotonic()
        with transaction.atomic():
            if method == "get":
                response = client.get(url, data=data)
            else:
                response = client.post(url, data=data)
            transaction.set_rollback(True)
        self.figures.count(response.status_code, time.monotonic() - started)
        if response.status_code >= 500:
            exc = response.exc_info[1] if response.exc_info else None
            error = f"{type(exc).__name__}: {exc}"[:300] if exc else str(response.status_code)
            self.failures.append(Failure(role, method.upper(), url, data, error))
        return response

    # --- 1. discovery ---------------------------------------------------------------
    def discover(self) -> None:
        for target in list(self.targets.values()):
            query = target.case.query(self.scene) if target.case and target.case.query else None
            for role in MATRIX_ROLES:
                if target.case is not None and target.case.expected[role] != 200:
                    continue
                response = self.send(role, "get", target.url, query)
                if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                    self._read_page(target.url, response.content.decode("utf-8", "replace"))

    def _target(self, url: str) -> Target | None:
        return self.targets.get(urlsplit(url).path)

    def _read_page(self, url: str, html: str) -> None:
        reader = _PageReader(url)
        reader.feed(html)
        for action, method, fields, files in reader.forms:
            target = self._target(action)
            if target is None:
                continue
            for key, value in parse_qsl(urlsplit(action).query, keep_blank_values=True):
                if target.query.get(key) is None:
                    target.query[key] = value
            into = target.query if method == "get" else target.post
            for key, value in fields.items():
                if into.get(key) is None:
                    into[key] = value
            target.files |= files
        for link in reader.links:
            target = self._target(link)
            if target is not None:
                for key, value in parse_qsl(urlsplit(link).query, keep_blank_values=True):
                    if target.query.get(key) is None:
                        target.query[key] = value

    # --- 2. each field, each kind of bad input --------------------------------------
    def each_kind(self, target: Target) -> None:
        role = next((r for r in USERS_FIRST if target.allows(r)), "anonymous")
        valid_query = self._valid(target.query)
        valid_post = self._valid(target.post)
        files = self._valid_files(target)
        for fields, method in ((target.query, "get"), (target.post, "post")):
            seen: set[str] = set()
            for key in sorted(fields):
                if _shape(key) in seen:
                    continue
                seen.add(_shape(key))
                for value in EACH_KIND:
                    if method == "get":
                        self.send(role, "get", target.url, {**valid_query, key: value})
                    else:
                        url = self._with_query(target.url, valid_query)
                        self.send(role, "post", url, {**valid_post, **files(), key: value})

    @staticmethod
    def _valid(fields: dict[str, str | None]) -> dict[str, str]:
        return {key: value for key, value in fields.items() if value is not None}

    def _valid_files(self, target: Target):
        def files() -> dict:
            return {
                key: SimpleUploadedFile("plik.csv", self._template(target.name), "text/csv")
                for key in target.files
            }

        return files

    def _template(self, name: str) -> bytes:
        template = CSV_TEMPLATES.get(name)
        if template is None:
            return b"%PDF-1.4 zwolnienie"
        return self.clients["principal"].get(reverse(template)).content

    @staticmethod
    def _with_query(url: str, query: dict) -> str:
        return f"{url}?{urlencode(query, doseq=True)}" if query else url

    # --- 3. generated input ---------------------------------------------------------
    def _strategy(self, fields: dict[str, str | None]) -> st.SearchStrategy:
        return st.fixed_dictionaries(
            {key: field_value(value, self.ids) for key, value in sorted(fields.items())}
        )

    def _files(self, target: Target) -> st.SearchStrategy:
        """A CSV file with the template's header and rows of bad cells, or any bytes."""
        if not target.files:
            return st.just({})
        header = self._template(target.name).decode("utf-8-sig", "replace").splitlines()[0]
        width = header.count(";") + 1
        row = st.lists(bad_value(self.ids), min_size=width, max_size=width).map(
            lambda cells: ";".join('"' + c.replace('"', '""') + '"' for c in cells)
        )
        csv_file = st.lists(row, min_size=1, max_size=3).map(
            lambda rows: "\r\n".join([header, *rows]).encode("utf-8", "surrogatepass")
        )
        content = st.one_of(csv_file, st.binary(max_size=300))
        return st.fixed_dictionaries({key: content for key in target.files})

    @staticmethod
    def _clean(values: dict) -> dict:
        return {key: value for key, value in values.items() if value is not OMIT}

    def generated(self, target: Target, role: str, examples: int) -> None:
        run = _examples(examples)
        if target.query:

            @run
            @given(self._strategy(target.query))
            def get(values):
                self.send(role, "get", target.url, self._clean(values))

            get()
        if target.post or target.files:

            @run
            @given(self._strategy(target.post), self._files(target), self._strategy(target.query))
            def post(values, files, query):
                data = self._clean(values)
                for key, content in files.items():
                    data[key] = SimpleUploadedFile("plik.csv", content, "text/csv")
                self.send(role, "post", self._with_query(target.url, self._clean(query)), data)

            post()

    def refused(self, target: Target, role: str) -> None:
        """One set of generated input from a role the URL refuses: what a view reads
        before it refuses is read in full."""
        run = _examples(EXAMPLES_REFUSED)
        method = "post" if target.post or target.files else "get"
        fields = target.post if method == "post" else target.query

        @run
        @given(self._strategy(fields))
        def send(values):
            self.send(role, method, target.url, self._clean(values))

        send()

    def keywords(self, target: Target, role: str) -> None:
        """The URL with each keyword replaced by ids that are not its object's."""
        case = target.case
        if case is None or not case.kwargs or target.url != self.scene.url(target.name, case):
            return
        own = self._kwargs(dict(case.kwargs))
        others = [0, 2**31, 2**63, 10**30, *self.foreign]
        for keyword in case.kwargs:
            for value in others:
                # a token is any text: a NUL byte, where a number would be an id
                given = f"{value}\x00" if keyword == "token" else value
                try:
                    url = reverse(target.name, kwargs={**own, keyword: given})
                except NoReverseMatch:
                    continue
                self.send(role, "post" if target.post_only else "get", url, {})

    # --- the whole walk ---------------------------------------------------------------
    def run(self) -> None:
        started = time.monotonic()
        self.prepare()
        self.figures.step = "discovery"
        self.discover()
        # Logging out comes last (each request is rolled back, a session in a cache
        # would not be).
        targets = sorted(self.targets.values(), key=lambda t: t.name.startswith("accounts:log"))
        for target in targets:
            self.figures.step = "each kind"
            self.each_kind(target)
            for role in MATRIX_ROLES:
                self.figures.step = "generated"
                if target.allows(role):
                    self.generated(target, role, EXAMPLES_ALLOWED)
                else:
                    self.refused(target, role)
                self.figures.step = "keywords"
                if role in KEYWORD_ROLES:
                    self.keywords(target, role)
        self.figures.seconds = time.monotonic() - started

    def report(self) -> str:
        lines = [f"bad-input walk: {self.figures}, {len(self.failures)} server errors"]
        lines += [f"  {failure}" for failure in self.failures]
        return "\n".join(lines)
