"""Every CSV the register hands out is safe to open in a spreadsheet: no cell starts a
formula (``core/csvexport.py``).

The exports are found, not listed: every URL of the authorization table is opened as
every role that may open it, and each response with a CSV content type is checked. The
world holds a student and a guardian whose imported names and phone start formulas, so
an export of people shows them. A new export is covered the day it gets its line in
``testsupport/url_matrix.py``; and no code but ``core/csvexport.py`` writes CSV.
"""

import csv
import io
import re
from pathlib import Path

from django.conf import settings

from dziennik.core.csvexport import FORMULA_STARTS
from dziennik.schools.tests import factories as sf
from testsupport.url_matrix import MATRIX_ROLES, URLS, Scene

PACKAGE = Path(settings.BASE_DIR) / "dziennik"
FORMULA_NAME = '=HYPERLINK("http://example.com","Kliknij")'


def _cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    separator = ";" if text.splitlines()[0].count(";") >= text.splitlines()[0].count(",") else ","
    return [cell for row in csv.reader(io.StringIO(text), delimiter=separator) for cell in row]


def test_every_csv_export_writes_formulas_as_text(world):
    pupil = sf.StudentFactory(school=world.school, first_name="+48 600", last_name=FORMULA_NAME)
    sf.EnrolmentFactory(student=pupil, school_class=world.school_class, journal_number=9)
    scene = Scene(world)
    exports, live = set(), []
    for name, case in sorted(URLS.items()):
        url = scene.url(name, case)
        query = case.query(scene) if case.query else None
        for role in MATRIX_ROLES:
            if case.expected[role] != 200:
                continue
            response = world.client(role).get(url, query)
            if not response.get("Content-Type", "").startswith("text/csv"):
                continue
            exports.add(name)
            live += [
                (name, role, c) for c in _cells(response.content) if c.startswith(FORMULA_STARTS)
            ]
    assert not live, f"cells that start a formula: {live[:10]}"
    # The walk finds the exports there are (the two import templates today).
    assert {"schools:import_template", "timetable:import_template"} <= exports


def test_no_code_but_the_export_module_writes_csv():
    writers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" in path.parts or path.relative_to(PACKAGE).as_posix() == "core/csvexport.py":
            continue
        text = path.read_text()
        if re.search(r"csv\.(writer|DictWriter)\(|text/csv", text):
            writers.append(str(path.relative_to(PACKAGE)))
    assert writers == []
