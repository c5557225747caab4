"""Every URL of the project in the authorization matrix, and no URL outside it.

The table is ``testsupport/url_matrix.py`` (``URLS``): for each URL name, the status
every role gets for a GET and what must not leak. A URL added without a line there, or
a line left for a URL that is gone, fails ``test_every_url_name_is_in_the_table``.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.urls import URLResolver, include, path
from django.urls.resolvers import RegexPattern
from pypdf import PdfReader

from dziennik.accounts.children import SESSION_KEY
from testsupport.url_matrix import EXCLUDED, MATRIX_ROLES, URLS, Scene, table_gaps, url_names
from testsupport.world import ROLES, leaks

REPOSITORY = Path(settings.BASE_DIR)


def _params():
    for name, case in sorted(URLS.items()):
        marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_params()))
def test_url_matrix(world, matrix, name):
    case = URLS[name]
    scene = Scene(world)
    url = scene.url(name, case)
    results = matrix.check(
        url,
        dict(case.expected),
        data=case.query(scene) if case.query else None,
        secrets=case.secrets,
        secrets_for=dict(case.secrets_for),
    )
    # A secret that no role is shown proves nothing when it is missing elsewhere.
    shown = [_text(result) for result in results.values() if result.status == 200]
    if shown:
        unseen = [s for s in case.secrets if not any(leaks(text, s) for text in shown)]
        assert not unseen, f"{name}: no role that gets 200 sees {unseen}; choose real secrets"


def _text(result) -> str:
    if result.content.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(result.content))
        return "\n".join(page.extract_text() for page in reader.pages)
    return result.text


def test_every_page_that_refuses_someone_names_what_must_not_leak():
    silent = [
        name
        for name, case in sorted(URLS.items())
        if {200, 404} <= set(case.expected.values())
        and not (case.secrets or case.secrets_for or case.nothing_to_leak)
    ]
    assert not silent, f"say what must not leak (secrets) or why nothing can: {silent}"


def test_every_url_name_is_in_the_table():
    gaps = table_gaps()
    assert not gaps, "The authorization matrix and the URLs are out of step:\n" + "\n".join(
        f"  {kind}: {', '.join(items)}" for kind, items in gaps.items()
    )


def test_the_table_covers_every_role():
    incomplete = {
        name: sorted(set(MATRIX_ROLES) - set(case.expected))
        for name, case in URLS.items()
        if set(case.expected) != set(MATRIX_ROLES)
    }
    assert not incomplete
    assert set(ROLES) <= set(MATRIX_ROLES)


def _extra_view(request):
    return HttpResponse("new")


def test_a_new_url_without_a_line_in_the_table_is_reported():
    """The check itself: the project's URLs plus a named one the table lacks and an
    unnamed one."""
    patterns = [
        path("", include("config.urls")),
        path("nowa-strona/", _extra_view, name="brand_new_page"),
        path("bez-nazwy/", _extra_view),
    ]
    gaps = table_gaps(URLResolver(RegexPattern(r"^/"), patterns))
    assert gaps == {
        "URL names without a line in testsupport/url_matrix.py URLS": ["brand_new_page"],
        "routes without a name (name them, then add them to URLS)": ["bez-nazwy/"],
    }
    fewer = [path("", include("config.urls"))]
    names, _ = url_names(URLResolver(RegexPattern(r"^/"), fewer))
    assert "grades:gradebook" in names and "admin:index" in names


def test_exclusions_are_only_django_machinery():
    assert set(EXCLUDED) == {"admin:", "set_language", "javascript-catalog"}
    names, _ = url_names()
    assert {name for name in names if name.startswith("admin:")}, "the admin is still mounted"


def test_every_post_reference_names_an_existing_test():
    """POST-only URLs (405 to a GET) must say where their POST matrix is; every such
    reference must point at a test that exists."""
    problems = []
    for name, case in sorted(URLS.items()):
        post_only = all(
            status == 405 for role, status in case.expected.items() if role != "anonymous"
        )
        if post_only and not case.post:
            problems.append(f"{name}: POST only, but no POST matrix is named")
        if case.post:
            file, _, function = case.post.partition("::")
            source = REPOSITORY / file
            if not source.exists() or not re.search(
                rf"^def {re.escape(function)}\(", source.read_text(), re.MULTILINE
            ):
                problems.append(f"{name}: {case.post} does not exist")
    assert not problems, "\n".join(problems)


def test_switch_child_post_matrix(world, matrix):
    """Only a parent of the child may make the child the one the screens show."""
    data = {"student": world.student.pk, "next": "/"}
    expected = {role: 404 for role in MATRIX_ROLES} | {"anonymous": 302, "own_parent": 302}
    matrix.check("/konto/dziecko/", expected, method="post", data=data, secrets=["Wiśniewska"])
    refused = world.client("other_parent")
    assert refused.post("/konto/dziecko/", data).status_code == 404
    assert SESSION_KEY not in refused.session
    allowed = world.client("own_parent")
    assert allowed.post("/konto/dziecko/", data)["Location"] == "/"
    assert allowed.session[SESSION_KEY] == world.student.pk
