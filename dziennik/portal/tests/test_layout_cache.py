"""The layout's top bar is kept in the cache per role, school, language and page
(``portal.layout``): each of these changes shows at once, nothing personal is kept, and
viewers the key does not tell apart really get the same bar."""

import re

import pytest
from django.template import Template
from django.template.loader_tags import BlockNode
from django.urls import reverse

from dziennik.core.extensions import collect_header_links, collect_nav_items
from dziennik.portal.layout import navigation_signature
from dziennik.portal.templatetags.layout import HeaderNode, NavigationNode
from dziennik.schools import models as sm
from dziennik.schools.viewer import build_viewer


def _bar(response) -> str:
    """The kept part of the top bar: from the menus to the account menu."""
    assert response.status_code == 200
    html = response.content.decode()
    start, end = html.index('<nav class="mainnav"'), html.index('<details class="account')
    return html[start:end]


def _labels(bar: str) -> list[str]:
    return re.findall(r">([^<>]+)</a>", bar)


def test_the_bar_from_the_cache_is_the_bar_built_afresh(world):
    client = world.client("principal")
    built = client.get("/")
    kept = client.get("/")
    assert _bar(kept) == _bar(built)
    assert "Klasy" in _labels(_bar(kept))


def test_another_role_gets_its_own_bar(world):
    parent_bar = _bar(world.client("own_parent").get("/"))
    principal_bar = _bar(world.client("principal").get("/"))
    assert "Oceny" in _labels(parent_bar) and "Klasy" not in _labels(parent_bar)
    assert "Klasy" in _labels(principal_bar) and "Oceny" not in _labels(principal_bar)


def test_a_role_given_shows_in_the_bar_at_once(world):
    client = world.client("teacher_in")
    assert "Klasy" in _labels(_bar(client.get("/")))
    assert "Promocja" not in _labels(_bar(client.get("/")))
    # a change of the school's configuration (the roles) moves the bar's version
    sm.SchoolRole.objects.create(
        school=world.school, user=world.user("teacher_in"), role="principal"
    )
    assert "Promocja" in _labels(_bar(client.get("/")))


def test_a_language_switch_shows_in_the_bar_at_once(world):
    client = world.client("own_parent")
    assert "Strona główna" in _labels(_bar(client.get("/")))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = _labels(_bar(client.get("/")))
    assert "Home" in english and "Grades" in english and "Strona główna" not in english


def test_the_current_page_is_marked_per_page(world):
    client = world.client("own_parent")
    home = _bar(client.get("/"))
    notices = _bar(client.get(reverse("notices:board")))
    home_link = f'href="{reverse("portal:home")}" aria-current="page"'
    assert home_link in home and home_link not in notices
    assert f'href="{reverse("notices:board")}" aria-current="page"' in notices


def test_nothing_personal_is_kept(world):
    """A parent's page after another parent's (same bar from the cache) shows their own
    name and their own CSRF token."""
    first = world.client("own_parent").get("/")
    other = world.client("other_parent")
    second = other.get("/")
    assert _bar(second) == _bar(first)
    html = second.content.decode()
    assert "Marek Dąbrowski" in html and "Anna Wiśniewska" not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert token != re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', first.content.decode()
    ).group(1)
    assert 'X-CSRFToken": "' + token not in _bar(second)


@pytest.mark.parametrize(
    ("one", "another"), [("own_parent", "other_parent"), ("teacher_in", "teacher_out")]
)
def test_viewers_of_one_signature_get_the_same_entries(world, one, another):
    """The key holds only the viewer's signature: the apps' entries must not depend on
    anything else of the viewer."""
    first, second = build_viewer(world.user(one)), build_viewer(world.user(another))
    assert navigation_signature(first) == navigation_signature(second)
    assert collect_nav_items(first) == collect_nav_items(second)
    assert collect_header_links(first) == collect_header_links(second)
    assert collect_nav_items(first)  # not trivially equal


# --- the whole header, kept per user, language, page, chosen child and CSRF secret ------


def _header(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<header class="topbar">') : html.index("</header>")]


def test_the_header_is_kept_and_a_change_of_its_user_shows_at_once(world):
    client = world.client("teacher_in")  # a staff home page: not kept whole
    client.get("/")  # the browser gets its CSRF cookie
    built = _header(client.get("/"))
    assert _header(client.get("/")) == built
    user = world.user("teacher_in")
    user.first_name = "Bartłomiej"
    user.save()  # a user is the school's configuration: its version moves
    renamed = _header(client.get("/"))
    assert "Bartłomiej" in renamed and "Bartłomiej" not in built


def test_the_headers_forms_carry_a_token_of_the_browsers_own_secret(world):
    from django.middleware.csrf import _unmask_cipher_token

    secrets = set()
    for _browser in range(2):  # one user, two browsers
        client = world.client("teacher_in")
        client.get("/")
        client.get("/")  # kept
        header = _header(client.get(reverse("notices:board")))
        header = _header(client.get(reverse("notices:board")))  # from the cache
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header).group(1)
        secret = client.cookies["csrftoken"].value
        assert _unmask_cipher_token(token) == secret
        secrets.add(secret)
    assert len(secrets) == 2


def test_the_header_marks_its_own_page_and_language(world):
    client = world.client("own_parent")
    client.get("/")
    home, notices = _header(client.get("/")), _header(client.get(reverse("notices:board")))
    assert f'href="{reverse("notices:board")}" aria-current="page"' in notices
    assert f'href="{reverse("notices:board")}" aria-current="page"' not in home
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log out" in _header(client.get("/")) and "Log out" not in home


def test_extends_walks_the_navigation_but_not_the_header():
    """``{% extends %}`` looks for blocks through ``get_nodes_by_type``: the header holds
    none and is not walked; the navigation is walked, as any tag with a body."""
    page = Template(
        "{% load layout %}{% header %}{% navigation %}{% endnavigation %}{% endheader %}"
        "{% navigation %}{% block inside %}{% endblock %}{% endnavigation %}"
    )
    assert len(page.nodelist.get_nodes_by_type(HeaderNode)) == 1
    # the navigation inside the header is not reached; the one outside it is
    assert len(page.nodelist.get_nodes_by_type(NavigationNode)) == 1
    assert [node.name for node in page.nodelist.get_nodes_by_type(BlockNode)] == ["inside"]
