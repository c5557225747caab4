"""OneRoster 1.2's REST API: the rostering service (``/ims/oneroster/rostering/v1p2/``)
and the read side of the gradebook service (``/ims/oneroster/gradebook/v1p2/``), for a
platform's OneRoster client with a bearer token of the client-credentials grant.

A client sees its own school only; everything else is the same 404 as a missing object.
Errors carry the specification's ``imsx_StatusInfo`` payload. Collections take
``limit``/``offset`` (``X-Total-Count`` and ``Link`` headers), ``filter``,
``sort``/``orderBy`` and ``fields``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from oauth2_provider.oauth2_backends import get_oauthlib_core

from . import rest, selectors, services
from .validators import roster_client

# collection → (the kind of its objects, its key in a list answer, the key of one object)
ROSTERING = {
    "orgs": ("orgs", "orgs", "org"),
    "schools": ("schools", "orgs", "org"),
    "academicSessions": ("academicSessions", "academicSessions", "academicSession"),
    "terms": ("terms", "academicSessions", "academicSession"),
    "gradingPeriods": ("gradingPeriods", "academicSessions", "academicSession"),
    "courses": ("courses", "courses", "course"),
    "classes": ("classes", "classes", "class"),
    "enrollments": ("enrollments", "enrollments", "enrollment"),
    "users": ("users", "users", "user"),
    "students": ("students", "users", "user"),
    "teachers": ("teachers", "users", "user"),
}
GRADEBOOK = {
    "categories": ("categories", "categories", "category"),
    "lineItems": ("lineItems", "lineItems", "lineItem"),
    "results": ("results", "results", "result"),
}
# (collection, relation) → the kind listed; each is one of the specification's paths.
RELATIONS = {
    ("classes", "students"): "users",
    ("classes", "teachers"): "users",
    ("courses", "classes"): "classes",
    ("schools", "classes"): "classes",
    ("schools", "courses"): "courses",
    ("schools", "enrollments"): "enrollments",
    ("schools", "students"): "users",
    ("schools", "teachers"): "users",
    ("schools", "terms"): "academicSessions",
    ("students", "classes"): "classes",
    ("teachers", "classes"): "classes",
    ("users", "classes"): "classes",
    ("terms", "classes"): "classes",
    ("terms", "gradingPeriods"): "academicSessions",
    ("classes", "lineItems"): "lineItems",
    ("classes", "results"): "results",
}


def _status(status: int, code_minor: str, description: str) -> JsonResponse:
    major = "failure"
    response = JsonResponse(rest.error(major, code_minor, description), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="oneroster", error="invalid_token"'
    if status == 403:
        response["WWW-Authenticate"] = 'Bearer realm="oneroster", error="insufficient_scope"'
    return response


def _not_found(sourced_id: str) -> JsonResponse:
    return _status(404, "unknownobject", f"Unknown object: {sourced_id}")


def _has_role(user: dict, role: str) -> bool:
    return any(r["role"] == role for r in user.get("roles", []))


class _Kinds(dict):
    """Each kind's JSON objects, fetched when first asked for."""

    def __init__(self, data: _Data):
        super().__init__()
        self.data = data

    def get(self, kind, default=None):
        if kind not in self.data.allowed:
            return default
        if kind not in self:
            self[kind] = self.data.view.objects(kind)
        return self[kind]


class _Data:
    """The client's school as JSON objects, each kind fetched (from the cache, or built)
    when first asked for: a request for the orgs does not touch the enrolments."""

    def __init__(self, request, client, gradebook: bool):
        base = request.build_absolute_uri("/").rstrip("/")
        self.view = selectors.roster_view(school=client.school, platform=client.platform, base=base)
        self.allowed = set(selectors.ROSTER_KINDS) | (
            set(selectors.GRADEBOOK_KINDS) if gradebook else set()
        )
        self.kinds = _Kinds(self)

    def of(self, kind: str) -> list[dict]:
        derived = {
            "schools": ("orgs", lambda o: o["type"] == "school"),
            "terms": ("academicSessions", lambda o: o["type"] == "term"),
            "gradingPeriods": ("academicSessions", lambda o: o["type"] == "gradingPeriod"),
            "students": ("users", lambda u: _has_role(u, "student")),
            "teachers": ("users", lambda u: _has_role(u, "teacher")),
        }
        if kind in derived:
            base, keep = derived[kind]
            return [o for o in self.kinds.get(base, []) if keep(o)]
        return self.kinds.get(kind, [])

    def related(self, collection: str, parent: dict, relation: str) -> list[dict]:
        """Long tables of relations read better as one mapping than as branches."""
        pid = parent["sourcedId"]

        def ref(obj, key):
            value = obj.get(key)
            return value.get("sourcedId") if isinstance(value, dict) else None

        enrolled = self.kinds.get("enrollments", [])
        if collection == "classes" and relation in ("students", "teachers"):
            role = relation[:-1]
            ids = {ref(e, "user") for e in enrolled if ref(e, "class") == pid and e["role"] == role}
            return [u for u in self.of("users") if u["sourcedId"] in ids]
        if collection in ("students", "teachers", "users") and relation == "classes":
            ids = {ref(e, "class") for e in enrolled if ref(e, "user") == pid}
            return [c for c in self.of("classes") if c["sourcedId"] in ids]
        if collection == "schools" and relation in ("students", "teachers"):
            return [u for u in self.of(relation) if ref(u, "primaryOrg") == pid]
        if collection == "schools" and relation == "terms":
            return self.of("terms")
        if collection == "terms" and relation == "classes":
            return [c for c in self.of("classes") if pid in {t["sourcedId"] for t in c["terms"]}]
        if collection == "terms" and relation == "gradingPeriods":
            return [g for g in self.of("gradingPeriods") if ref(g, "parent") == pid]
        key = {
            ("courses", "classes"): "course",
            ("schools", "classes"): "school",
            ("schools", "courses"): "org",
            ("schools", "enrollments"): "school",
            ("classes", "lineItems"): "class",
            ("classes", "results"): "class",
        }[(collection, relation)]
        return [o for o in self.of(RELATIONS[(collection, relation)]) if ref(o, key) == pid]


def _authorised(request, scope: str):
    """The request's OneRoster client, or the refusal to answer."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    client = roster_client(oauth_request.client) if valid else None
    if client is None or oauth_request.user is not None:
        return None, _status(401, "unauthorisedrequest", "A valid OneRoster token is needed.")
    if scope not in oauth_request.scopes:
        return None, _status(403, "forbidden", "The token lacks the scope of this service.")
    services.client_call_noted(client_id=client.pk)
    return client, None


def _service(service: str):
    if service == "gradebook":
        return GRADEBOOK, settings.ONEROSTER_GRADEBOOK_SCOPE
    return ROSTERING, settings.ONEROSTER_ROSTER_SCOPE


def _listing(request, objects: list[dict], key: str) -> JsonResponse:
    known = set().union(*(o.keys() for o in objects)) if objects else {"sourcedId"}
    known |= {"sourcedId", "status", "dateLastModified"}
    try:
        query = rest.parse_query(request.GET, known)
    except rest.QueryError as exc:
        return _status(400, exc.code, exc.description)
    window, total = rest.page(objects, query)
    return _page(request, query, key, window, total)


def _page(request, query: rest.Query, key: str, window: list[dict], total: int) -> JsonResponse:
    response = JsonResponse({key: window})
    response["X-Total-Count"] = str(total)
    url = request.build_absolute_uri(request.path)
    response["Link"] = rest.links(url, request.GET, query, total)
    return response


def _results_page(request, data: _Data, key: str) -> JsonResponse:
    """The results in their own order, paged in the database (a school's year has tens
    of thousands of them); a ``filter`` or a ``sort`` goes through ``_listing``."""
    try:
        query = rest.parse_query(request.GET, rest.RESULT_FIELDS)
    except rest.QueryError as exc:
        return _status(400, exc.code, exc.description)
    window, total = data.view.results_page(offset=query.offset, limit=query.limit)
    return _page(request, query, key, rest.select(window, query), total)


def _no_store(view):
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(require_GET(wrapped))


@_no_store
def collection(request, service: str, collection: str):
    """A collection (``/orgs``, ``/users``, ``/lineItems``…) of the client's school."""
    table, scope = _service(service)
    if collection not in table:
        return _not_found(collection)
    client, refusal = _authorised(request, scope)
    if refusal:
        return refusal
    data = _Data(request, client, gradebook=service == "gradebook")
    kind, key, _one = table[collection]
    if kind == "results" and not request.GET.get("filter") and not request.GET.get("sort"):
        return _results_page(request, data, key)
    return _listing(request, data.of(kind), key)


@_no_store
def single(request, service: str, collection: str, sourced_id: str):
    """One object by its ``sourcedId``; another school's or a missing one is a 404."""
    table, scope = _service(service)
    if collection not in table:
        return _not_found(collection)
    client, refusal = _authorised(request, scope)
    if refusal:
        return refusal
    data = _Data(request, client, gradebook=service == "gradebook")
    kind, _key, one = table[collection]
    found = next((o for o in data.of(kind) if o["sourcedId"] == sourced_id), None)
    if found is None:
        return _not_found(sourced_id)
    fields = [f for f in request.GET.get("fields", "").split(",") if f]
    if fields and set(fields) - set(found):
        return _status(400, "invalid_selection_field", "Unknown field")
    return JsonResponse({one: {k: found[k] for k in fields} if fields else found})


@_no_store
def related(request, service: str, collection: str, sourced_id: str, relation: str):
    """The objects of one object (``/classes/{id}/students``, ``/classes/{id}/lineItems``)."""
    gradebook = relation in ("lineItems", "results")
    if (collection, relation) not in RELATIONS or gradebook != (service == "gradebook"):
        return _not_found(relation)
    _table, scope = _service(service)
    client, refusal = _authorised(request, scope)
    if refusal:
        return refusal
    data = _Data(request, client, gradebook=gradebook)
    parent_kind = ROSTERING[collection][0]
    parent = next((o for o in data.of(parent_kind) if o["sourcedId"] == sourced_id), None)
    if parent is None:
        return _not_found(sourced_id)
    objects = data.related(collection, parent, relation)
    return _listing(request, objects, RELATIONS[(collection, relation)])
