"""OneRoster 1.2's REST (JSON) binding of a roster: objects with ``GUIDRef`` references,
and the query language of its collections (``filter``, ``sort``/``orderBy``, ``fields``,
``limit``/``offset``). Pure functions: the views (``apis.py``) feed them rows."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from .csvfiles import moment

ROSTERING = "/ims/oneroster/rostering/v1p2/"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2/"
# A reference's type → (the service, the collection its href is in).
COLLECTIONS = {
    "org": (ROSTERING, "orgs"),
    "academicSession": (ROSTERING, "academicSessions"),
    "course": (ROSTERING, "courses"),
    "class": (ROSTERING, "classes"),
    "user": (ROSTERING, "users"),
    "enrollment": (ROSTERING, "enrollments"),
    "lineItem": (GRADEBOOK, "lineItems"),
    "category": (GRADEBOOK, "categories"),
}
# A result's fields (a score left out where the grade has none).
RESULT_FIELDS = frozenset(
    {
        "sourcedId", "status", "dateLastModified", "lineItem", "student", "class",
        "scoreStatus", "score", "textScore", "scoreDate", "comment",
    }
)  # fmt: skip
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class QueryError(ValueError):
    """A collection's query the specification refuses (400), with its code minor."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


def _value(value, base: str):
    if isinstance(value, tuple) and len(value) == 2:
        service, collection = COLLECTIONS[value[0]]
        return {
            "href": f"{base}{service}{collection}/{value[1]}",
            "sourcedId": value[1],
            "type": value[0],
        }
    if isinstance(value, Decimal):
        return float(value)  # JSON's number, at the edge only
    if isinstance(value, datetime.datetime):
        return moment(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_value(item, base) for item in value]
    if isinstance(value, dict):
        return {key: _value(item, base) for key, item in value.items() if item is not None}
    return value


def to_json(row: dict, base: str) -> dict:
    """A row as the API gives it: status ``active``, moments and dates as ISO strings,
    references as ``{"href", "sourcedId", "type"}``; an empty reference left out."""
    return {"sourcedId": row["sourcedId"], "status": "active"} | {
        key: _value(value, base)
        for key, value in row.items()
        if key != "sourcedId" and not key.startswith("_") and value is not None
    }


_CLAUSE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9.]*)\s*(!=|>=|<=|=|>|<|~)\s*'([^']*)'\s*$")


def _lookup(obj: dict, path: str):
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _matches(obj: dict, field: str, op: str, wanted: str) -> bool:
    value = _lookup(obj, field)
    values = value if isinstance(value, list) else [value]
    texts = [
        str(v).lower() if isinstance(v, bool) else "" if v is None else str(v)
        for v in (v.get("sourcedId") if isinstance(v, dict) else v for v in values)
    ]
    tests = {
        "=": lambda t: t == wanted,
        "!=": lambda t: t != wanted,
        ">": lambda t: t > wanted,
        ">=": lambda t: t >= wanted,
        "<": lambda t: t < wanted,
        "<=": lambda t: t <= wanted,
        "~": lambda t: wanted.lower() in t.lower(),
    }
    return any(tests[op](text) for text in texts)


def parse_filter(text: str, known: set[str]) -> list[tuple[str, str, str]] | None:
    """``field op 'value'`` clauses joined by one ``AND`` or ``OR`` (the specification
    allows one kind of logical operator in a filter); their joiner is the first item."""
    if not text:
        return None
    joiner = " AND " if " AND " in text else " OR " if " OR " in text else " AND "
    if " AND " in text and " OR " in text:
        raise QueryError("invalid_filter_field", "AND and OR in one filter")
    clauses = []
    for part in text.split(joiner):
        match = _CLAUSE.match(part)
        if match is None:
            raise QueryError("invalid_filter_field", f"Not a filter: {part.strip()}")
        field, op, value = match.groups()
        if field.split(".")[0] not in known:
            raise QueryError("invalid_filter_field", f"Unknown field: {field}")
        clauses.append((field, op, value))
    return [(joiner.strip(), "", ""), *clauses]


def apply_filter(objects: list[dict], clauses) -> list[dict]:
    if not clauses:
        return objects
    joiner, rest = clauses[0][0], clauses[1:]
    combine = all if joiner == "AND" else any
    return [o for o in objects if combine(_matches(o, f, op, v) for f, op, v in rest)]


@dataclass(frozen=True)
class Query:
    filter: list | None
    sort: str
    descending: bool
    fields: list[str] | None
    limit: int
    offset: int


def parse_query(params, known: set[str]) -> Query:
    """The collection's query parameters, checked against the objects' fields."""
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
        offset = int(params.get("offset", 0))
    except ValueError:
        raise QueryError("invaliddata", "limit and offset are whole numbers") from None
    if limit < 1 or offset < 0:
        raise QueryError("invaliddata", "limit is at least 1 and offset at least 0")
    sort = params.get("sort", "")
    if sort and sort not in known:
        raise QueryError("invalid_sort_field", f"Unknown field: {sort}")
    order = params.get("orderBy", "asc")
    if order not in ("asc", "desc"):
        raise QueryError("invaliddata", "orderBy is asc or desc")
    fields = [f.strip() for f in params.get("fields", "").split(",") if f.strip()] or None
    if fields and set(fields) - known:
        unknown = ", ".join(sorted(set(fields) - known))
        raise QueryError("invalid_selection_field", f"Unknown field: {unknown}")
    return Query(
        filter=parse_filter(params.get("filter", ""), known),
        sort=sort,
        descending=order == "desc",
        fields=fields,
        limit=min(limit, MAX_LIMIT),
        offset=offset,
    )


def _sort_key(obj: dict, field: str):
    value = _lookup(obj, field)
    if isinstance(value, dict):
        value = value.get("sourcedId")
    return (value is None, str(value) if value is not None else "")


def page(objects: list[dict], query: Query) -> tuple[list[dict], int]:
    """Filter, sort, cut the page and select the fields: (the page, the total)."""
    chosen = apply_filter(objects, query.filter)
    if query.sort:
        chosen = sorted(chosen, key=lambda o: _sort_key(o, query.sort), reverse=query.descending)
    total = len(chosen)
    return select(chosen[query.offset : query.offset + query.limit], query), total


def select(window: list[dict], query: Query) -> list[dict]:
    """The page's objects with only the fields asked for (``fields``)."""
    if query.fields:
        return [{k: o[k] for k in query.fields if k in o} for o in window]
    return window


def links(url: str, params, query: Query, total: int) -> str:
    """The ``Link`` header: first, last and, where there are some, prev and next."""

    def at(offset: int) -> str:
        other = params.copy()
        other["limit"] = str(query.limit)
        other["offset"] = str(offset)
        return f"<{url}?{other.urlencode(safe=',')}>"

    last = max(0, (total - 1) // query.limit * query.limit)
    parts = []
    if query.offset + query.limit < total:
        parts.append(f'{at(query.offset + query.limit)}; rel="next"')
    if query.offset > 0:
        parts.append(f'{at(max(0, query.offset - query.limit))}; rel="prev"')
    parts.append(f'{at(0)}; rel="first"')
    parts.append(f'{at(last)}; rel="last"')
    return ", ".join(parts)


def error(code_major: str, code_minor: str, description: str) -> dict:
    """The specification's status payload (``imsx_StatusInfo``)."""
    return {
        "imsx_codeMajor": code_major,
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": code_minor,
                }
            ]
        },
    }
