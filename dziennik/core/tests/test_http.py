"""Where to go back to, and the names of downloads (``core/http.py``)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from dziennik.core.http import content_disposition, safe_filename, safe_next

PACKAGE = Path(settings.BASE_DIR) / "dziennik"


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "abc",
        "1657",
        "//evil.example.com/",
        "https://evil.example.com/",
        "javascript:alert(1)",
        "/\\evil.example.com",
        "/oceny/\r\nSet-Cookie: x=1",
        "/a\x00b",
    ],
)
def test_a_next_address_off_this_site_goes_to_the_fallback(target):
    request = RequestFactory().post("/konto/dziecko/")
    assert safe_next(request, target) == "/"


def test_a_path_of_this_site_is_followed():
    request = RequestFactory().post("/konto/dziecko/")
    assert safe_next(request, "/oceny/uczen/7/?okres=2") == "/oceny/uczen/7/?okres=2"


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("plan.ics", 'attachment; filename="plan.ics"'),
        ("frekwencja-4\r\na-2026-09.pdf", 'attachment; filename="frekwencja-4 a-2026-09.pdf"'),
        ("../../etc/passwd", 'attachment; filename="-..-etc-passwd"'),
        ("frekwencja-4ą.pdf", "attachment; filename*=utf-8''frekwencja-4%C4%85.pdf"),
        ('a"b.pdf', 'attachment; filename="a\\"b.pdf"'),
    ],
)
def test_a_download_name_is_one_clean_line(name, header):
    assert content_disposition(name) == header
    assert "\n" not in header and "\r" not in header


def test_inline_and_a_long_name():
    assert content_disposition("oceny-1.pdf", inline=True) == 'inline; filename="oceny-1.pdf"'
    long = safe_filename("x" * 400 + ".pdf")
    assert len(long) == 150 and long.endswith(".pdf")
    assert safe_filename("\x00\r\n") == "plik"


def test_no_code_sets_a_download_name_by_hand():
    """Every ``Content-Disposition`` is made by ``content_disposition`` (a file name from
    the register's data could otherwise break the header)."""
    by_hand = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" in path.parts or path.name == "http.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if (
                re.search(r"Content-Disposition\"\]\s*=", line)
                and "content_disposition(" not in line
            ):
                by_hand.append(f"{path.relative_to(PACKAGE)}:{number}")
    assert by_hand == []
