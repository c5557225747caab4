"""Versioned cache and whole-page cache (``dziennik.core.cache``)."""

from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from dziennik.core import cache


def _request(world, *, csrf="secret-a", path="/oceny/uczen/1/"):
    request = RequestFactory().get(path)
    if csrf:
        request.COOKIES["csrftoken"] = csrf
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    request.user = world.user("own_parent")
    return request


def _counting():
    calls = []

    def render():
        calls.append(1)
        return HttpResponse(f"page {len(calls)}")

    return calls, render


def test_a_page_is_rendered_once_per_version(world):
    calls, render = _counting()
    scopes = [cache.CONFIG, ("data", 1)]
    first = cache.cached_page(_request(world), "k", scopes, render)
    again = cache.cached_page(_request(world), "k", scopes, render)
    assert first.content == again.content == b"page 1"
    cache.bump(("data", 1))
    assert cache.cached_page(_request(world), "k", scopes, render).content == b"page 2"
    assert len(calls) == 2


def test_the_layout_bits_are_part_of_the_key(world):
    calls, render = _counting()
    cache.cached_page(_request(world), "k", [cache.CONFIG], render)
    cache.cached_page(_request(world, csrf="secret-b"), "k", [cache.CONFIG], render)
    cache.cached_page(_request(world, path="/oceny/uczen/1/?okres=2"), "k", [cache.CONFIG], render)
    assert len(calls) == 3


def test_no_cache_without_a_csrf_cookie_or_with_messages_to_show(world):
    calls, render = _counting()
    cache.cached_page(_request(world, csrf=None), "k", [cache.CONFIG], render)
    cache.cached_page(_request(world, csrf=None), "k", [cache.CONFIG], render)
    assert len(calls) == 2
    request = _request(world)
    messages.success(request, "saved")
    cache.cached_page(request, "k", [cache.CONFIG], render)
    cache.cached_page(_request(world), "k", [cache.CONFIG], render)  # now stored
    assert len(calls) == 4
    request = _request(world)
    messages.info(request, "hello")
    assert cache.cached_page(request, "k", [cache.CONFIG], render).content == b"page 5"


def test_a_bump_inside_a_request_is_seen_by_the_same_request(world):
    middleware = cache.RequestVersionsMiddleware(lambda request: None)
    seen = []

    def view(request):
        seen.append(cache.versions(cache.CONFIG))
        cache.bump(cache.CONFIG)
        seen.append(cache.versions(cache.CONFIG))
        return HttpResponse()

    middleware.get_response = view
    middleware(_request(world))
    assert seen[0] != seen[1]
