"""The shared printouts: WeasyPrint renders a template in the reader's language, loads no
file but its fonts, and localises numbers."""

import io

import pytest
from pypdf import PdfReader

from dziennik.core.printing import LocalFontsOnly, html_to_pdf, render_html


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:6379/",
        "https://example.org/logo.png",
        "data:text/plain,x",
    ],
)
def test_the_renderer_loads_nothing_but_its_fonts(url):
    with pytest.raises(ValueError):
        LocalFontsOnly().fetch(url)


def test_an_image_a_user_could_slip_in_is_not_loaded(tmp_path):
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>TAJNE</text></svg>')
    content = html_to_pdf(f'<p>Opis</p><img src="{secret.as_uri()}" alt="">')
    assert "TAJNE" not in text_of(content) and "Opis" in text_of(content)


def test_a_printout_is_in_the_language_asked_for():
    polish = render_html("core/print/base.html", {"school_name": "Szkoła"}, language="pl")
    assert '<html lang="pl">' in polish and "Wydrukowano" in polish
    english = render_html("core/print/base.html", {"school_name": "Szkoła"}, language="en")
    assert '<html lang="en">' in english and "Printed" in english
