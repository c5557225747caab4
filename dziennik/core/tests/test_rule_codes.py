"""Every rule code the repository cites (``A-05``, ``L-19``, ``G-03``…) is defined in
``docs/rules.md``, so a newcomer can look it up."""

import re
from pathlib import Path

from django.conf import settings

REPOSITORY = Path(settings.BASE_DIR)
RULES = REPOSITORY / "docs" / "rules.md"
# Where code, tests and docs live; everything else (the virtualenv, caches) is not ours.
SCANNED = ("dziennik", "docs", "testsupport", "bench", "config", "scripts")
SCANNED_FILES = ("README.md", "Makefile", "conftest.py", "pyproject.toml")
SKIPPED_DIRECTORIES = {".venv", "__pycache__", "node_modules", ".git", "media", "staticfiles"}

CODE = re.compile(r"\b[A-Z]{1,2}-\d{2}\b")
# "A-01…A-03" cites A-02 as well.
RANGE = re.compile(r"\b([A-Z]{1,2})-(\d{2})\s*(?:…|\.\.\.?|–)\s*\1-(\d{2})\b")
THIS_FILE = Path(__file__).resolve()
DEFINITION = re.compile(r"^- \*\*([A-Z]{1,2}-\d{2})\*\*", re.MULTILINE)

# Strings that look like rule codes and are not: (file, string) and why.
NOT_RULE_CODES = {
    ("dziennik/schools/tests/test_import.py", "S-20"): "a student's id in a sample CSV row",
    ("dziennik/schools/tests/test_import_views.py", "S-10"): "a student's id in a sample CSV row",
    ("dziennik/plans/titles.py", "DZ-12"): "a payment title of school 12 (an example)",
    ("dziennik/plans/tests/test_purchases.py", "DZ-12"): "a payment title of school 12",
}


def defined_codes() -> set[str]:
    return set(DEFINITION.findall(RULES.read_text(encoding="utf-8")))


def cited_codes(text: str) -> set[str]:
    codes = set(CODE.findall(text))
    for prefix, first, last in RANGE.findall(text):
        codes |= {f"{prefix}-{n:02d}" for n in range(int(first), int(last) + 1)}
    return codes


def scanned_files():
    for name in SCANNED_FILES:
        if (REPOSITORY / name).is_file():
            yield REPOSITORY / name
    for top in SCANNED:
        for path in sorted((REPOSITORY / top).rglob("*")):
            relative = path.relative_to(REPOSITORY)
            if path == THIS_FILE:
                continue  # its examples and exceptions are not citations
            if path.is_file() and not SKIPPED_DIRECTORIES & set(relative.parts):
                yield path


def citations() -> dict[str, set[str]]:
    """Code → the files (relative paths) that cite it; binary files are skipped."""
    found: dict[str, set[str]] = {}
    for path in scanned_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # compiled catalogues, PDFs, images
        relative = path.relative_to(REPOSITORY).as_posix()
        for code in cited_codes(text):
            if (relative, code) not in NOT_RULE_CODES:
                found.setdefault(code, set()).add(relative)
    return found


def test_every_cited_rule_code_is_defined_in_docs_rules_md():
    defined = defined_codes()
    undefined = {code: files for code, files in citations().items() if code not in defined}
    assert not undefined, "Rule codes cited but not defined in docs/rules.md:\n" + "\n".join(
        f"  {code}: {', '.join(sorted(files))}" for code, files in sorted(undefined.items())
    )


def test_the_scan_finds_the_codes_the_code_cites():
    found = citations()
    assert "dziennik/grades/permissions.py" in found["L-19"]
    assert "dziennik/attendance/models.py" in found["A-05"]
    # A range counts as citing every code in it ("G-03…G-09" in grades/models.py).
    assert "dziennik/grades/models.py" in found["G-07"]
    assert cited_codes("kinds (A-01…A-03), see P-04") == {"A-01", "A-02", "A-03", "P-04"}
    assert cited_codes("UTF-8, 2024-01-31, ABC-12, A-1") == set()


def test_the_exceptions_are_still_there():
    """An exception left behind after its file changed would hide a real citation."""
    stale = [
        (file, string)
        for file, string in NOT_RULE_CODES
        if string not in (REPOSITORY / file).read_text(encoding="utf-8")
    ]
    assert not stale


def test_definitions_are_unique_sorted_and_sourced():
    text = RULES.read_text(encoding="utf-8")
    codes = DEFINITION.findall(text)
    assert len(codes) == len(set(codes)), "a code is defined twice"
    assert codes == sorted(codes, key=lambda code: (code.split("-")[0], int(code[-2:])))
    assert {"A-05", "G-03", "L-19", "P-04"} <= set(codes)
    entries = re.findall(
        r"^- \*\*([A-Z]{1,2}-\d{2})\*\*(.*?)(?=^- |^#|\Z)", text, re.MULTILINE | re.DOTALL
    )
    assert [code for code, _ in entries] == codes
    unsourced = [code for code, body in entries if "*Source:*" not in body]
    assert not unsourced, f"say where these rules come from: {unsourced}"
