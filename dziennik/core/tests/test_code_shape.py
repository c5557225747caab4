"""The shape of the code a newcomer reads: short functions, no hidden imports.

A production function longer than ``MAX_LINES`` must say why in its docstring (a
paragraph starting ``Long because``); an import inside a function (other than in
``apps.py`` ``ready()`` and ``TYPE_CHECKING`` blocks) is a layering fault in disguise.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

MAX_LINES = 80
PACKAGE = Path(settings.BASE_DIR) / "dziennik"


def _production_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, ast.parse(path.read_text(), filename=str(path))


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_production_function_is_longer_than_80_lines_without_saying_why():
    too_long = []
    for path, tree in _production_modules():
        for fn in _functions(tree):
            length = fn.end_lineno - fn.lineno + 1
            doc = ast.get_docstring(fn) or ""
            if length > MAX_LINES and "Long because" not in doc:
                too_long.append(f"{path.relative_to(PACKAGE)}:{fn.lineno} {fn.name} ({length})")
    assert too_long == []


def test_no_import_hides_inside_a_function():
    hidden = []
    for path, tree in _production_modules():
        if path.name == "apps.py":
            continue  # AppConfig.ready() registers checks and signals once apps are loaded
        for fn in _functions(tree):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    hidden.append(f"{path.relative_to(PACKAGE)}:{node.lineno} in {fn.name}")
    assert hidden == []
