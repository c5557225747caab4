"""OneRoster 1.2 CSV binding of a roster: ``manifest.csv`` and one file per kind, zipped.

* **bulk**: every row; ``status`` and ``dateLastModified`` left empty (a bulk file is the
  whole truth: a row missing from it is gone).
* **delta** since a moment: the rows changed after it (``active``, with their
  ``dateLastModified``) and the rows deleted after it (``tobedeleted``, only the
  ``sourcedId``, ``status`` and ``dateLastModified``).

Dates are ``YYYY-MM-DD``, moments ``YYYY-MM-DDTHH:MM:SS.sssZ`` (UTC), booleans ``true`` /
``false``, lists comma-separated inside one (quoted) field, ``userIds`` as
``{type:identifier}``. The column sets and their order are the specification's.
``demographics`` (birth date, sex, ethnicity) and ``userProfiles`` (credentials) are
``absent``: a platform needs neither to roster a class, so they do not leave the register
(data minimisation, RODO art. 5(1)(c)); nor does the gradebook (read through the API).
"""

from __future__ import annotations

import datetime
import io
import zipfile

from dziennik.core.csvexport import write_exchange_csv

from .roster import Roster, sourced_id

COLUMNS = {
    "orgs": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
             "parentSourcedId"],
    "academicSessions": ["sourcedId", "status", "dateLastModified", "title", "type",
                         "startDate", "endDate", "parentSourcedId", "schoolYear"],
    "courses": ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
                "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"],
    "classes": ["sourcedId", "status", "dateLastModified", "title", "grades",
                "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId",
                "termSourcedIds", "subjects", "subjectCodes", "periods"],
    "users": ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
              "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
              "agentSourcedIds", "grades", "password", "userMasterIdentifier",
              "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
              "preferredFamilyName", "primaryOrgSourcedId", "pronouns"],
    "roles": ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
              "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"],
    "enrollments": ["sourcedId", "status", "dateLastModified", "classSourcedId",
                    "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                    "endDate"],
}  # fmt: skip
# Every file of OneRoster 1.2 CSV, as the manifest names them.
MANIFEST_FILES = [
    "academicSessions", "categories", "classes", "classResources", "courses",
    "courseResources", "demographics", "enrollments", "lineItemLearningObjectiveIds",
    "lineItems", "lineItemScoreScales", "orgs", "resources", "resultLearningObjectiveIds",
    "results", "resultScoreScales", "roles", "scoreScales", "userProfiles", "userResources",
    "users",
]  # fmt: skip
SYSTEM_NAME = "Dziennik"
SYSTEM_CODE = "dziennik"


def moment(value: datetime.datetime) -> str:
    utc = value.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _ids(refs) -> str:
    return ",".join(sourced for _kind, sourced in refs)


def _ref(ref) -> str:
    return ref[1] if ref else ""


def _org(row: dict) -> dict:
    return {"name": row["name"], "type": row["type"], "identifier": row["identifier"],
            "parentSourcedId": _ref(row["parent"])}  # fmt: skip


def _session(row: dict) -> dict:
    return {
        "title": row["title"],
        "type": row["type"],
        "startDate": _date(row["startDate"]),
        "endDate": _date(row["endDate"]),
        "parentSourcedId": _ref(row["parent"]),
        "schoolYear": row["schoolYear"],
    }


def _course(row: dict) -> dict:
    return {
        "schoolYearSourcedId": _ref(row["schoolYear"]),
        "title": row["title"],
        "courseCode": row["courseCode"],
        "grades": ",".join(row["grades"]),
        "orgSourcedId": _ref(row["org"]),
        "subjects": ",".join(row["subjects"]),
    }


def _class(row: dict) -> dict:
    return {
        "title": row["title"],
        "grades": ",".join(row["grades"]),
        "courseSourcedId": _ref(row["course"]),
        "classCode": row["classCode"],
        "classType": row["classType"],
        "location": row["location"],
        "schoolSourcedId": _ref(row["school"]),
        "termSourcedIds": _ids(row["terms"]),
        "subjects": ",".join(row["subjects"]),
    }


def _user(row: dict) -> dict:
    return {
        "enabledUser": _bool(row["enabledUser"]),
        "userIds": ",".join(f"{{{i['type']}:{i['identifier']}}}" for i in row["userIds"]),
        "givenName": row["givenName"],
        "familyName": row["familyName"],
        "middleName": row["middleName"],
        "agentSourcedIds": _ids(row["agents"]),
        "grades": ",".join(row["grades"]),
        "primaryOrgSourcedId": _ref(row["primaryOrg"]),
    }


def _enrollment(row: dict) -> dict:
    return {
        "classSourcedId": _ref(row["class"]),
        "schoolSourcedId": _ref(row["school"]),
        "userSourcedId": _ref(row["user"]),
        "role": row["role"],
        "primary": _bool(row["primary"]),
        "beginDate": _date(row["beginDate"]),
        "endDate": _date(row["endDate"]),
    }


def role_rows(roster: Roster) -> list[dict]:
    """roles.csv: each of a user's roles, a row of its own."""
    return [
        {
            "sourcedId": sourced_id(roster.namespace, "role", user["sourcedId"], role["role"]),
            "dateLastModified": user["dateLastModified"],
            "userSourcedId": user["sourcedId"],
            "roleType": role["roleType"],
            "role": role["role"],
            "orgSourcedId": _ref(role["org"]),
        }
        for user in roster.users
        for role in user["roles"]
    ]


def _rows(roster: Roster) -> dict[str, list[dict]]:
    flat = {
        "orgs": [(row, _org(row)) for row in roster.orgs],
        "academicSessions": [(row, _session(row)) for row in roster.academic_sessions],
        "courses": [(row, _course(row)) for row in roster.courses],
        "classes": [(row, _class(row)) for row in roster.classes],
        "users": [(row, _user(row)) for row in roster.users],
        "roles": [
            (row, {k: v for k, v in row.items() if k != "dateLastModified"})
            for row in role_rows(roster)
        ],
        "enrollments": [(row, _enrollment(row)) for row in roster.enrollments],
    }
    return {
        name: [{"sourcedId": row["sourcedId"], "_changed": row["dateLastModified"]} | values
               for row, values in rows]
        for name, rows in flat.items()
    }  # fmt: skip


def _write(columns: list[str], rows: list[dict]) -> str:
    return write_exchange_csv(columns, rows)


def files(roster: Roster, *, since: datetime.datetime | None = None) -> dict[str, str]:
    """The CSV files (name → text): bulk without ``since``, else the delta after it."""
    mode = "bulk" if since is None else "delta"
    tables = _rows(roster)
    out = {}
    for name, columns in COLUMNS.items():
        rows = tables[name]
        if since is not None:
            rows = [
                row | {"status": "active", "dateLastModified": moment(row["_changed"])}
                for row in rows
                if row["_changed"] > since
            ]
            rows += [
                {"sourcedId": sourced, "status": "tobedeleted", "dateLastModified": moment(at)}
                for sourced, (kind, at) in sorted(roster.deleted.items())
                if kind == name and at > since
            ]
        out[f"{name}.csv"] = _write(columns, rows)
    manifest = [
        ("manifest.version", "1.0"),
        ("oneroster.version", "1.2"),
        *((f"file.{name}", mode if name in COLUMNS else "absent") for name in MANIFEST_FILES),
        ("source.systemName", SYSTEM_NAME),
        ("source.systemCode", SYSTEM_CODE),
    ]
    out["manifest.csv"] = _write(
        ["propertyName", "value"], [{"propertyName": k, "value": v} for k, v in manifest]
    )
    return out


def zipped(roster: Roster, *, since: datetime.datetime | None = None) -> bytes:
    """The files in one zip, ``manifest.csv`` first, all at its root."""
    buffer = io.BytesIO()
    contents = files(roster, since=since)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", contents.pop("manifest.csv"))
        for name, text in contents.items():
            archive.writestr(name, text)
    return buffer.getvalue()
