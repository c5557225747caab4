"""The layering contract (``[tool.importlinter]`` in pyproject.toml) really catches what it
is there for: an upward import between apps and an import cycle inside an app.

``make test`` runs ``lint-imports`` on the project itself. Here the same contracts run on
a small throw-away package with the project's app names that breaks them on purpose, so a
contract that silently stopped checking (a typo in a layer name, a too-wide ignore) fails
this test.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
APPS = (
    "core",
    "schools",
    "accounts",
    "timetable",
    "keystroke",
    "notifications",
    "plans",
    "attendance",
    "grades",
    "notices",
    "behaviour",
    "lucky",
    "messaging",
    "planner",
    "meetings",
    "promotion",
    "lti",
    "sso",
    "retention",
    "printing",
    "records",
    "privacy",
    "archive",
    "oneroster",
    "portal",
    "demo",
)


def _project_config() -> dict:
    with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]


def _write_package(root: Path, name: str, imports: dict[str, list[str]]) -> None:
    """``imports``: module (relative to the package) -> modules it imports."""
    for app in APPS:
        (root / name / app / "tests").mkdir(parents=True, exist_ok=True)
        (root / name / app / "__init__.py").write_text("")
        (root / name / app / "tests" / "__init__.py").write_text("")
        for module in ("models", "services", "tasks"):
            (root / name / app / f"{module}.py").write_text("")
    (root / name / "__init__.py").write_text("")
    # Tests may import anything (the contracts' ignore rule must match something).
    imports = {"core.tests.test_world": ["schools.models"], **imports}
    for module, targets in imports.items():
        path = root / name / (module.replace(".", "/") + ".py")
        path.write_text("".join(f"import {name}.{t}\n" for t in targets))


def _config_for(name: str) -> str:
    """The project's contracts, with the package renamed, as TOML."""
    config = _project_config()
    lines = ["[tool.importlinter]", f'root_packages = ["{name}"]']
    lines.append("exclude_type_checking_imports = true")
    for contract in config["contracts"]:
        lines.append("[[tool.importlinter.contracts]]")
        for key, value in contract.items():
            if isinstance(value, list):
                items = ", ".join('"' + v.replace("dziennik", name) + '"' for v in value)
                lines.append(f"{key} = [{items}]")
            else:
                lines.append(f'{key} = "{str(value).replace("dziennik", name)}"')
    return "\n".join(lines) + "\n"


def _lint(tmp_path: Path, name: str, imports: dict[str, list[str]]):
    _write_package(tmp_path, name, imports)
    (tmp_path / "pyproject.toml").write_text(_config_for(name))
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_match_the_installed_apps():
    layers = _project_config()["contracts"][0]["layers"]
    named = {app.strip() for layer in layers for app in layer.split("|")}
    installed = {
        app.removeprefix("dziennik.")
        for app in settings.INSTALLED_APPS
        if app.startswith("dziennik.")
    }
    assert named == installed, "every app of the register sits in exactly one layer"


def test_a_well_layered_package_passes(tmp_path):
    result = _lint(
        tmp_path,
        "goodpkg",
        {
            "grades.services": ["schools.models", "core.models", "timetable.models"],
            "schools.services": ["core.models"],
            "portal.services": ["grades.services", "attendance.services"],
            "behaviour.services": ["grades.models", "schools.models"],
            "portal.selectors": ["notices.services", "lucky.services"],
            "grades.tests.test_pages": ["portal.services"],  # tests may import anything
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_importing_a_domain_app_breaks_the_layers(tmp_path):
    result = _lint(tmp_path, "badpkg", {"core.services": ["schools.models"]})
    assert result.returncode == 1
    assert "badpkg.core is not allowed to import badpkg.schools" in result.stdout


def test_grades_and_attendance_may_not_import_each_other(tmp_path):
    result = _lint(tmp_path, "siblingpkg", {"grades.services": ["attendance.models"]})
    assert result.returncode == 1
    assert "siblingpkg.grades is not allowed to import siblingpkg.attendance" in result.stdout


def test_the_communication_apps_may_not_import_each_other_nor_the_portal(tmp_path):
    result = _lint(
        tmp_path,
        "commpkg",
        {"notices.services": ["behaviour.models"], "lucky.services": ["portal.services"]},
    )
    assert result.returncode == 1
    assert "commpkg.notices is not allowed to import commpkg.behaviour" in result.stdout
    assert "commpkg.lucky is not allowed to import commpkg.portal" in result.stdout


def test_a_cycle_inside_an_app_is_refused(tmp_path):
    result = _lint(
        tmp_path,
        "cyclepkg",
        {"attendance.services": ["attendance.tasks"], "attendance.tasks": ["attendance.services"]},
    )
    assert result.returncode == 1
    assert "No cycles are allowed in cyclepkg.attendance" in result.stdout
