"""Versioned cache and whole-page cache (``dziennik.core.cache``)."""

import pytest
from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import Http404, HttpResponse
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
    scopes = [cache.config_scope(1), ("data", 1)]
    first = cache.cached_page(_request(world), "k", scopes, render)
    again = cache.cached_page(_request(world), "k", scopes, render)
    assert first.content == again.content == b"page 1"
    cache.bump(("data", 1))
    assert cache.cached_page(_request(world), "k", scopes, render).content == b"page 2"
    assert len(calls) == 2


def test_the_layout_bits_are_part_of_the_key(world):
    calls, render = _counting()
    scopes = [cache.config_scope(1)]
    cache.cached_page(_request(world), "k", scopes, render)
    cache.cached_page(_request(world, csrf="secret-b"), "k", scopes, render)
    cache.cached_page(_request(world, path="/oceny/uczen/1/?okres=2"), "k", scopes, render)
    assert len(calls) == 3


def test_no_cache_without_a_csrf_cookie_or_with_messages_to_show(world):
    calls, render = _counting()
    cache.cached_page(_request(world, csrf=None), "k", [cache.config_scope(1)], render)
    cache.cached_page(_request(world, csrf=None), "k", [cache.config_scope(1)], render)
    assert len(calls) == 2
    request = _request(world)
    messages.success(request, "saved")
    cache.cached_page(request, "k", [cache.config_scope(1)], render)
    cache.cached_page(_request(world), "k", [cache.config_scope(1)], render)  # now stored
    assert len(calls) == 4
    request = _request(world)
    messages.info(request, "hello")
    assert cache.cached_page(request, "k", [cache.config_scope(1)], render).content == b"page 5"


def test_a_bump_inside_a_request_is_seen_by_the_same_request(world):
    middleware = cache.RequestVersionsMiddleware(lambda request: None)
    seen = []

    def view(request):
        seen.append(cache.versions(cache.config_scope(1)))
        cache.bump(cache.config_scope(1))
        seen.append(cache.versions(cache.config_scope(1)))
        return HttpResponse()

    middleware.get_response = view
    middleware(_request(world))
    assert seen[0] != seen[1]


def _page(calls, *, allowed=True):
    def authorize(request, student_id):
        calls.append("authorize")
        if not allowed:
            raise Http404

    def scopes(request, student_id):
        calls.append("scopes")
        return [cache.config_scope(1), cache.student_scope(student_id)]

    return cache.PageCache("p", authorize=authorize, scopes=scopes)


def test_a_declared_page_authorizes_before_it_works_out_its_scopes(world):
    calls = []
    page = _page(calls)
    response = page.serve(_request(world), lambda: HttpResponse("page"), student_id=7)
    assert response.content == b"page"
    assert calls == ["authorize", "scopes"]
    calls.clear()
    with pytest.raises(Http404):
        _page(calls, allowed=False).serve(_request(world), lambda: HttpResponse(), student_id=8)
    assert calls == ["authorize"]  # a stranger never reaches the scopes


def test_a_declared_page_is_kept_per_argument_and_extra_key(world):
    calls, render = _counting()
    page = _page([])
    page.serve(_request(world), render, student_id=7)
    page.serve(_request(world), render, student_id=7)
    page.serve(_request(world), render, student_id=9)
    page.open(_request(world), student_id=7).serve(render, key=["seen-yesterday"])
    assert len(calls) == 3
    cache.bump(cache.student_scope(9))
    page.serve(_request(world), render, student_id=7)
    page.serve(_request(world), render, student_id=9)
    assert len(calls) == 4


def test_vary_tells_copies_of_a_page_apart(world):
    calls, render = _counting()
    chosen = iter(["child-1", "child-2", "child-2"])
    page = cache.PageCache(
        "home",
        authorize=cache.own_data,
        scopes=lambda request: [cache.config_scope(1)],
        vary=lambda request: [next(chosen)],
    )
    for _ in range(3):
        page.serve(_request(world), render)
    assert len(calls) == 2


# --- parts of a page, each kept per version of its own scopes (``cached_parts``) ---------


def _parts(*names):
    return cache.cached_parts(
        {name: (f"part:{name}", [cache.config_scope(1), ("subject", 1, name)]) for name in names}
    )


def test_a_part_is_kept_per_version_of_its_own_scopes(db):
    first = _parts(7, 8)
    assert first.found == {}
    first.keep({7: "row 7", 8: "row 8"})
    assert _parts(7, 8).found == {7: "row 7", 8: "row 8"}
    cache.bump(("subject", 1, 7))  # hidden at once: only the other part stays
    assert _parts(7, 8).found == {8: "row 8"}
    cache.bump(cache.config_scope(1))
    assert _parts(7, 8).found == {}


def test_a_part_built_at_older_versions_is_never_found(db):
    """A slow build that read the versions before a bump stores its part late: the part
    is kept under the versions it read, so it is not taken for the current one."""
    slow = _parts(7)
    cache.bump(("subject", 1, 7))
    slow.keep({7: "old row"})
    assert _parts(7).found == {}
    _parts(7).keep({7: "new row"})
    assert _parts(7).found == {7: "new row"}


def test_a_part_is_found_under_its_own_name_only():
    _parts(7).keep({7: "row 7", 8: "not asked for"})  # a name not looked up: not stored
    assert _parts(8).found == {}
    assert _parts(7).found == {7: "row 7"}


def test_a_lost_version_hides_the_parts_kept_under_it():
    from django.core.cache import cache as backend

    _parts(7).keep({7: "row 7"})
    backend.delete(cache._key(("subject", 1, 7)))  # evicted: started anew, from now
    assert _parts(7).found == {}


def test_parts_take_the_versions_read_earlier_in_the_request(db):
    """Within a request a version already read is not asked for again, and a bump in
    the same request is seen (the request's memo forgets the bumped scope)."""
    token = cache._request_versions.set({})
    try:
        _parts(7).keep({7: "row 7"})
        assert _parts(7).found == {7: "row 7"}
        cache.bump(("subject", 1, 7))
        assert _parts(7).found == {}
    finally:
        cache._request_versions.reset(token)


# --- a request's reads: entries kept with their versions, read ahead, written with the page


class _RoundTrips:
    """Counts the cache server's round trips (Django's backend, wrapped; the local
    memory backend's ``get_many`` calls its ``get``: one call, one trip)."""

    def __init__(self, monkeypatch):
        from django.core.cache import cache as backend

        self.calls = []
        self.depth = 0
        for name in ("get", "get_many", "set", "set_many", "add"):
            original = getattr(backend, name)

            def counted(*args, _name=name, _original=original, **kwargs):
                if not self.depth:
                    self.calls.append(_name)
                self.depth += 1
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.depth -= 1

            monkeypatch.setattr(backend, name, counted)


def _in_request(view):
    """``view()`` inside ``RequestVersionsMiddleware``: a request's memo and reads."""
    out = []
    cache.RequestVersionsMiddleware(lambda request: out.append(view()))(None)
    return out[0]


def test_a_cached_value_is_found_only_at_the_versions_it_was_built_at(db):
    built = []

    def value():
        built.append(1)
        return f"value {len(built)}"

    scopes = [cache.config_scope(1), ("data", 1)]
    assert cache.cached("k", scopes, value) == "value 1"
    assert cache.cached("k", scopes, value) == "value 1"
    cache.bump(("data", 1))
    assert cache.cached("k", scopes, value) == "value 2"
    slow = cache.cached("k", [cache.config_scope(1), ("data", 2)], value)  # other versions
    assert slow == "value 3"
    assert cache.cached("k", scopes, value) == "value 4"  # the other build replaced it


def test_a_cached_value_and_its_versions_cost_one_round_trip(db, monkeypatch):
    scopes = [cache.config_scope(1), ("data", 1)]
    cache.cached("k", scopes, lambda: "value")
    trips = _RoundTrips(monkeypatch)
    assert _in_request(lambda: cache.cached("k", scopes, lambda: "other")) == "value"
    assert trips.calls == ["get_many"]


def test_what_a_request_reads_ahead_comes_with_its_next_read(db, monkeypatch):
    from django.core.cache import cache as backend

    config = cache.config_scope(1)
    cache.cached("a", [config], lambda: "A")
    cache.cached("b", [config, ("data", 1)], lambda: "B")
    backend.set("plain", ("seen", 7))
    trips = _RoundTrips(monkeypatch)

    def view():
        cache.read_ahead("b", ("data", 1), cache.Plain("plain"))
        values = [cache.cached("a", [config], lambda: "not A")]  # the one round trip
        values.append(cache.cached("b", [config, ("data", 1)], lambda: "not B"))
        values.append(cache.take("plain"))
        backend.set("plain", ("seen", 8))
        values.append(cache.take("plain"))  # taken once: read again
        return values

    assert _in_request(view) == ["A", "B", ("seen", 7), ("seen", 8)]
    assert trips.calls == ["get_many", "set", "get"]


def test_a_bump_in_the_request_hides_what_the_request_read(db):
    config = cache.config_scope(1)

    def view():
        first = cache.cached("k", [config], lambda: "before")
        cache.bump(config)
        return first, cache.cached("k", [config], lambda: "after")

    cache.cached("k", [config], lambda: "before")
    assert _in_request(view) == ("before", "after")
    assert cache.cached("k", [config], lambda: "again") == "after"


def test_the_parts_built_for_a_page_are_written_with_it(world, monkeypatch):
    scopes = [cache.config_scope(1), ("data", 1)]
    trips = _RoundTrips(monkeypatch)

    def render():
        parts = _parts(7)
        parts.keep({7: "row 7"})
        # the request finds what it kept before it is written
        assert _parts(7).found == {7: "row 7"}
        return HttpResponse("page")

    def view():
        return cache.cached_page(_request(world), "k", scopes, render)

    assert _in_request(view).content == b"page"
    assert trips.calls.count("set_many") == 1 and "set" not in trips.calls
    assert _parts(7).found == {7: "row 7"}  # written, with the page
    again = _in_request(lambda: cache.cached_page(_request(world), "k", scopes, render))
    assert again.content == b"page"
    cache.bump(("subject", 1, 7))
    assert _parts(7).found == {}


# --- the shape of what an entry holds (``cached(shape=)``, ``cached_parts(shape=)``) -----
#
# During a release the processes of the old code and of the new share one cache, under the
# same keys and versions: each takes only the entries of the shape it expects.


def test_an_entry_kept_with_another_shape_is_built_afresh(db):
    built = []

    def build(shape):
        def value():
            built.append(shape)
            return ("shape", shape, len(built))

        return value

    scopes = [cache.config_scope(1), ("data", 1)]
    assert cache.cached("k", scopes, build(1)) == ("shape", 1, 1)
    assert cache.cached("k", scopes, build(2), shape=2) == ("shape", 2, 2)  # not the old
    assert cache.cached("k", scopes, build(2), shape=2) == ("shape", 2, 2)  # kept
    assert cache.cached("k", scopes, build(1), shape=1) == ("shape", 1, 3)  # not the new
    assert cache.cached("k", scopes, build(1)) == ("shape", 1, 3)  # shape 1 by default
    assert built == [1, 2, 1]


def test_the_first_shape_finds_the_entries_kept_before_shapes(db):
    """Shape 1's digest is the one entries were kept with before shapes: a release of
    shapes starts warm, and a shape moved to 2 is not taken for them."""
    import hashlib

    from django.core.cache import cache as backend

    scopes = [cache.config_scope(1), ("data", 1)]
    before = ".".join(cache.versions(*scopes, cache.EPOCH_SCOPE))
    digest = hashlib.blake2b(before.encode(), digest_size=16).hexdigest()
    backend.set("k", (digest, "kept before shapes"))
    assert cache.cached("k", scopes, lambda: "built") == "kept before shapes"
    assert cache.cached("k", scopes, lambda: "built as 2", shape=2) == "built as 2"


def _shaped(shape, *names, own=None):
    """``_parts`` with the call's ``shape``; ``own``: names that carry their own shape."""
    own = own or {}
    return cache.cached_parts(
        {
            name: (f"part:{name}", [cache.config_scope(1), ("subject", 1, name)])
            + ((own[name],) if name in own else ())
            for name in names
        },
        shape=shape,
    )


def test_a_part_kept_with_another_shape_is_not_found(db):
    _shaped(1, 7, 8).keep({7: "row 7 as 1", 8: "row 8 as 1"})
    assert _parts(7, 8).found == {7: "row 7 as 1", 8: "row 8 as 1"}  # shape 1 by default
    new = _shaped(2, 7, 8)
    assert new.found == {}
    new.keep({7: ("row 7", "as 2")})  # replaces the old part; 8 stays as it was
    assert _shaped(2, 7, 8).found == {7: ("row 7", "as 2")}
    assert _shaped(1, 7, 8).found == {8: "row 8 as 1"}
    _shaped(1, 7).keep({7: "row 7 as 1 again"})
    assert _shaped(2, 7).found == {}


def test_a_part_may_carry_its_own_shape(db):
    _shaped(1, 7, 8).keep({7: "row 7 as 1", 8: "row 8 as 1"})
    mixed = _shaped(1, 7, 8, own={7: 2})  # 7 moved to shape 2, 8 kept at the call's 1
    assert mixed.found == {8: "row 8 as 1"}
    mixed.keep({7: ("row 7", "as 2")})
    assert _shaped(2, 7, 8).found == {7: ("row 7", "as 2")}
    assert _shaped(1, 7, 8, own={7: 2}).found == {7: ("row 7", "as 2"), 8: "row 8 as 1"}
