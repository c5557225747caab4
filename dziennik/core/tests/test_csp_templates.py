"""Our templates and scripts hold nothing the Content-Security-Policy would block.

The policy allows scripts and styles only from our static files (and, for Django's
admin, a per-response nonce). Our pages are cached whole per user, and a nonce must
differ on every response, so our templates may not use one at all: no inline
``<script>`` or ``<style>``, no ``style="…"`` attribute, no ``on…=`` handler, no
``javascript:`` address. Per-school colours come as ``data-colour`` and
static/js/dziennik.js applies them through the CSSOM, which the policy allows.
The browser tests (demo/tests/test_csp_browser.py) check what actually runs.
"""

import re
from pathlib import Path

from django.conf import settings

PACKAGE = Path(settings.BASE_DIR) / "dziennik"

FORBIDDEN = {
    "style attribute": re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE),
    "inline <style>": re.compile(r"<style\b", re.IGNORECASE),
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE),
    "javascript: address": re.compile(r"javascript:", re.IGNORECASE),
    "htmx inline code": re.compile(r"""\s(data-)?hx-on|["']js:""", re.IGNORECASE),
    "a nonce in a cached page": re.compile(r"csp_nonce"),
}
# Script code that writes what the policy blocks (the CSSOM, el.style.x = …, is allowed).
FORBIDDEN_IN_SCRIPTS = {
    "style attribute": re.compile(r"""setAttribute\(\s*["']style["']"""),
    "inline <style>": re.compile(r"""createElement\(\s*["']style["']"""),
    "eval": re.compile(r"\beval\(|new Function\("),
}


def _templates():
    return sorted(p for p in PACKAGE.rglob("templates/**/*.html") if "tests" not in p.parts)


def _scripts():
    return sorted(p for p in PACKAGE.rglob("static/**/*.js") if not p.name.endswith(".min.js"))


def offences(text: str, rules: dict) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        found += [f"{number}: {what}" for what, rule in rules.items() if rule.search(line)]
    return found


def test_no_template_holds_inline_code_or_style():
    templates = _templates()
    assert len(templates) > 50
    found = {
        str(path.relative_to(PACKAGE)): offences(path.read_text(), FORBIDDEN) for path in templates
    }
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_no_script_writes_inline_style_or_evaluates_code():
    scripts = _scripts()
    assert len(scripts) >= 3
    found = {
        str(path.relative_to(PACKAGE)): offences(path.read_text(), FORBIDDEN_IN_SCRIPTS)
        for path in scripts
    }
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_check_itself_finds_each_kind():
    bad = (
        '<p style="color:red">\n<style>p{}</style>\n<script>alert(1)</script>\n'
        '<a href="javascript:go()" onclick=\'go()\'>\n<div hx-on:click="x()">\n'
        "{{ csp_nonce }}\n"
        '<script src="/static/js/dziennik.js" defer></script>\n'
    )
    assert offences(bad, FORBIDDEN) == [
        "1: style attribute",
        "2: inline <style>",
        "3: inline <script>",
        "4: event handler attribute",
        "4: javascript: address",
        "5: htmx inline code",
        "6: a nonce in a cached page",
    ]
    script = "el.setAttribute('style', 'x');\ndocument.createElement(\"style\");\neval(s);"
    assert offences(script, FORBIDDEN_IN_SCRIPTS) == [
        "1: style attribute",
        "2: inline <style>",
        "3: eval",
    ]


def test_htmx_is_told_not_to_inject_styles_or_run_code():
    base = (PACKAGE / "templates" / "base.html").read_text()
    meta = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", base)
    assert meta, "base.html must configure htmx"
    assert '"includeIndicatorStyles":false' in meta.group(1)
    assert '"allowEval":false' in meta.group(1)
    assert '"allowScriptTags":false' in meta.group(1)
