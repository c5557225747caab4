"""The OneRoster 1.2 CSV rules, written from the specification (1EdTech, *OneRoster 1.2
CSV Tables*), independently of the code that writes the files: a zip is checked as a
platform would check it before importing it. ``problems(zip_bytes)`` lists every rule
broken (empty when the zip is valid)."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile

VERSION = "1.2"
FILES = {
    "academicSessions", "categories", "classes", "classResources", "courses",
    "courseResources", "demographics", "enrollments", "lineItemLearningObjectiveIds",
    "lineItems", "lineItemScoreScales", "orgs", "resources", "resultLearningObjectiveIds",
    "results", "resultScoreScales", "roles", "scoreScales", "userProfiles", "userResources",
    "users",
}  # fmt: skip
# Header (exact order) and required fields of the files the register writes.
HEADERS = {
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
    "parentSourcedId,schoolYear",
    "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
    "orgSourcedId,subjects,subjectCodes",
    "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "users": "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
    "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
    "userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,"
    "preferredFamilyName,primaryOrgSourcedId,pronouns",
    "roles": "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId",
    "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate",
}
REQUIRED = {
    "orgs": ["sourcedId", "name", "type"],
    "academicSessions": ["sourcedId", "title", "type", "startDate", "endDate", "schoolYear"],
    "courses": ["sourcedId", "title", "orgSourcedId"],
    "classes": ["sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId",
                "termSourcedIds"],
    "users": ["sourcedId", "enabledUser", "givenName", "familyName"],
    "roles": ["sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"],
    "enrollments": ["sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"],
}  # fmt: skip
ENUMS = {
    ("orgs", "type"): {"department", "school", "district", "local", "state", "national"},
    ("academicSessions", "type"): {"gradingPeriod", "semester", "schoolYear", "term"},
    ("classes", "classType"): {"homeroom", "scheduled"},
    ("enrollments", "role"): {"administrator", "proctor", "student", "teacher"},
    ("enrollments", "primary"): {"", "true", "false"},
    ("users", "enabledUser"): {"true", "false"},
    ("roles", "roleType"): {"primary", "secondary"},
    ("roles", "role"): {
        "aide", "counselor", "districtAdministrator", "guardian", "parent", "principal",
        "proctor", "relative", "siteAdministrator", "student", "systemAdministrator",
        "teacher",
    },
}  # fmt: skip
GRADES = {"IT", "PR", "PK", "TK", "KG", "PS", "UG", "Other"} | {f"{n:02d}" for n in range(1, 14)}
DATES = {("academicSessions", "startDate"), ("academicSessions", "endDate"),
         ("roles", "beginDate"), ("roles", "endDate"),
         ("enrollments", "beginDate"), ("enrollments", "endDate")}  # fmt: skip
# (file, column, target file, many): a reference must name a row of the target.
REFERENCES = [
    ("orgs", "parentSourcedId", "orgs", False),
    ("academicSessions", "parentSourcedId", "academicSessions", False),
    ("courses", "schoolYearSourcedId", "academicSessions", False),
    ("courses", "orgSourcedId", "orgs", False),
    ("classes", "courseSourcedId", "courses", False),
    ("classes", "schoolSourcedId", "orgs", False),
    ("classes", "termSourcedIds", "academicSessions", True),
    ("users", "agentSourcedIds", "users", True),
    ("users", "primaryOrgSourcedId", "orgs", False),
    ("roles", "userSourcedId", "users", False),
    ("roles", "orgSourcedId", "orgs", False),
    ("enrollments", "classSourcedId", "classes", False),
    ("enrollments", "schoolSourcedId", "orgs", False),
    ("enrollments", "userSourcedId", "users", False),
]
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
USER_ID = re.compile(r"^\{[^{}:]+:[^{}]+\}$")


def _date_ok(value: str) -> bool:
    try:
        return datetime.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _read(archive: zipfile.ZipFile, name: str, errors: list[str]) -> tuple[list[str], list]:
    raw = archive.read(name)
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.append(f"{name}: starts with a byte order mark")
    reader = csv.reader(io.StringIO(raw.decode("utf-8")))
    rows = list(reader)
    return (rows[0] if rows else []), rows[1:]


def _manifest(archive: zipfile.ZipFile, errors: list[str]) -> dict[str, str]:
    names = set(archive.namelist())
    if "manifest.csv" not in names:
        errors.append("manifest.csv is not at the root of the zip")
        return {}
    header, rows = _read(archive, "manifest.csv", errors)
    if header != ["propertyName", "value"]:
        errors.append(f"manifest.csv: header {header}")
    manifest = {row[0]: row[1] for row in rows}
    if manifest.get("oneroster.version") != VERSION:
        errors.append("manifest.csv: oneroster.version is not 1.2")
    if manifest.get("manifest.version") != "1.0":
        errors.append("manifest.csv: manifest.version is not 1.0")
    for key in ("source.systemName", "source.systemCode"):
        if not manifest.get(key):
            errors.append(f"manifest.csv: no {key}")
    for name in FILES:
        mode = manifest.get(f"file.{name}")
        present = f"{name}.csv" in names
        if mode not in ("bulk", "delta", "absent"):
            errors.append(f"manifest.csv: file.{name} is {mode!r}")
        elif (mode == "absent") == present:
            errors.append(f"{name}.csv: the manifest says {mode} but the zip {present=}")
    modes = {v for k, v in manifest.items() if k.startswith("file.") and v != "absent"}
    if len(modes) > 1:
        errors.append(f"manifest.csv: bulk and delta mixed ({modes})")
    extra = names - {f"{n}.csv" for n in FILES} - {"manifest.csv"}
    if extra or any("/" in n for n in names):
        errors.append(f"unexpected entries in the zip: {sorted(extra)}")
    return manifest


def _check_row(name, row, mode, errors, where) -> None:
    status, changed = row["status"], row["dateLastModified"]
    if mode == "bulk" and status not in ("", "active"):
        errors.append(f"{where}: status {status!r} in a bulk file")
    if mode == "bulk" and changed and not MOMENT.match(changed):
        errors.append(f"{where}: dateLastModified {changed!r}")
    if mode == "delta":
        if status not in ("active", "tobedeleted"):
            errors.append(f"{where}: status {status!r} in a delta file")
        if not MOMENT.match(changed):
            errors.append(f"{where}: dateLastModified {changed!r} in a delta file")
    if not GUID.match(row["sourcedId"]):
        errors.append(f"{where}: sourcedId {row['sourcedId']!r} is not a GUID")
    if status == "tobedeleted":
        return
    for column in REQUIRED[name]:
        if not row[column]:
            errors.append(f"{where}: required {column} is empty")
    for (file, column), allowed in ENUMS.items():
        if file == name and row[column] not in allowed:
            errors.append(f"{where}: {column} {row[column]!r} is not one of the vocabulary")
    for file, column in DATES:
        if file == name and row[column] and not _date_ok(row[column]):
            errors.append(f"{where}: {column} {row[column]!r} is not YYYY-MM-DD")
    if row.get("grades"):
        for grade in row["grades"].split(","):
            if grade not in GRADES:
                errors.append(f"{where}: grade {grade!r} is not a CEDS grade level")
    if name == "users" and row["userIds"]:
        for value in row["userIds"].split(","):
            if not USER_ID.match(value):
                errors.append(f"{where}: userIds {value!r} is not {{type:identifier}}")
    if name == "academicSessions" and not re.fullmatch(r"\d{4}", row["schoolYear"]):
        errors.append(f"{where}: schoolYear {row['schoolYear']!r} is not a year")
    if name == "academicSessions" and row["startDate"] > row["endDate"]:
        errors.append(f"{where}: starts after it ends")


def tables(data: bytes) -> dict[str, list[dict]]:
    """The rows of each file of a zip (file name without .csv → rows as dicts)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode()))
            )
            for name in archive.namelist()
        }


def problems(data: bytes) -> list[str]:
    """Every rule of OneRoster 1.2 CSV the zip breaks."""
    errors: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = _manifest(archive, errors)
        loaded: dict[str, list[dict]] = {}
        for name, header in HEADERS.items():
            if manifest.get(f"file.{name}", "absent") == "absent":
                continue
            columns, rows = _read(archive, f"{name}.csv", errors)
            if columns != header.split(","):
                errors.append(f"{name}.csv: header {columns} is not the specification's")
                continue
            loaded[name] = []
            seen = set()
            for number, values in enumerate(rows, start=2):
                where = f"{name}.csv line {number}"
                if len(values) != len(columns):
                    errors.append(f"{where}: {len(values)} fields, not {len(columns)}")
                    continue
                row = dict(zip(columns, values, strict=True))
                if row["sourcedId"] in seen:
                    errors.append(f"{where}: sourcedId {row['sourcedId']} twice")
                seen.add(row["sourcedId"])
                _check_row(name, row, manifest[f"file.{name}"], errors, where)
                loaded[name].append(row)
    _check_references(loaded, manifest, errors)
    return errors


def _check_references(loaded, manifest, errors) -> None:
    ids = {name: {row["sourcedId"] for row in rows} for name, rows in loaded.items()}
    delta = "delta" in manifest.values()
    for file, column, target, many in REFERENCES:
        if file not in loaded or (target not in loaded and not delta):
            continue
        for row in loaded[file]:
            if row["status"] == "tobedeleted" or not row[column]:
                continue
            for value in row[column].split(",") if many else [row[column]]:
                # A delta names rows changed elsewhere too; a bulk set must be whole.
                if value not in ids.get(target, set()) and not delta:
                    errors.append(f"{file}.csv {row['sourcedId']}: {column} {value} unknown")
    if "roles" in loaded and "users" in loaded and not delta:
        primary: dict[str, int] = {}
        for row in loaded["roles"]:
            primary[row["userSourcedId"]] = primary.get(row["userSourcedId"], 0) + (
                row["roleType"] == "primary"
            )
        for user in ids["users"]:
            if primary.get(user) != 1:
                errors.append(f"users.csv {user}: {primary.get(user, 0)} primary roles, not 1")
