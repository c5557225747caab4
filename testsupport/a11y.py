"""Automated accessibility check for browser tests (WCAG 2.1 AA, L-08).

``assert_no_serious_axe_violations(page)`` runs axe-core (shipped inside the PyPI package
``axe-playwright-python``, so nothing is downloaded) on the page a Playwright test has
open, and fails when axe reports any violation of impact ``moderate``, ``serious`` or
``critical`` (issue 10's bar: moderate findings fail too; only ``minor`` ones pass),
naming each rule and the elements it found. ``assert_no_axe_violations`` is the same
check under its plain name. Every app's browser tests can call it on the
parent and student screens they add::

    from testsupport.a11y import assert_no_serious_axe_violations

    page.goto(f"/oceny/uczniowie/{student.pk}/")
    assert_no_serious_axe_violations(page)
"""

from __future__ import annotations

from collections.abc import Iterable

# The WCAG 2.0/2.1 A and AA rules plus axe's best practices (landmarks, heading order…).
WCAG_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
FAILING_IMPACTS = frozenset({"moderate", "serious", "critical"})


def axe_violations(page, *, context=None, tags: Iterable[str] = WCAG_AA_TAGS) -> list[dict]:
    """All axe-core violations on the page, as axe reports them (``id``, ``impact``,
    ``help``, ``nodes``…). ``context`` limits the check to a part of the page."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": list(tags)}}
    results = Axe().run(page, context=context, options=options)
    return list(results.response["violations"])


def format_violations(violations: Iterable[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"]:
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}: {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, context=None, tags=WCAG_AA_TAGS) -> None:
    """Fail when axe-core finds a ``moderate``, ``serious`` or ``critical`` violation."""
    serious = [
        v
        for v in axe_violations(page, context=context, tags=tags)
        if v["impact"] in FAILING_IMPACTS
    ]
    assert not serious, (
        f"axe-core found {len(serious)} moderate/serious/critical accessibility violation(s) on "
        f"{page.url}:\n{format_violations(serious)}"
    )


# The older name, kept for the tests that call it; it fails on moderate findings too.
assert_no_serious_axe_violations = assert_no_axe_violations
