"""The person's data export as files: JSON (machine-readable, RODO art. 20) and a
readable PDF (art. 15) of the same data (``collector.collect``)."""

from __future__ import annotations

import json

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core.printing import render_pdf

from . import collector

FORMAT_VERSION = 1


def as_json(subject: collector.Subject, *, school_name: str = "") -> bytes:
    data = collector.collect(subject)
    document = {
        "format": "dziennik-personal-data",
        "version": FORMAT_VERSION,
        "produced_at": timezone.now().isoformat(),
        "school": school_name,
        **data,
        "excluded": [
            {"model": row["model"], "field": row["field"], "reason": row["reason"]}
            for row in collector.exclusions()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False).encode()


def _cell(field, value) -> str:
    if value is None or value == "":
        return "–"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _sections(data: dict) -> list[dict]:
    """The data worded for people: apps and models by their names, fields by verbose name,
    choices by label."""
    sections = []
    for app_label, models in data["apps"].items():
        config = apps.get_app_config(app_label)
        tables = []
        for model_name, rows in models.items():
            model = apps.get_model(app_label, model_name)
            names = list(dict.fromkeys(name for row in rows for name in row))
            fields = {f.name: f for f in model._meta.concrete_fields}
            columns = [str(getattr(fields.get(n), "verbose_name", n)) for n in names]
            body = [[_cell(fields.get(n), row.get(n)) for n in names] for row in rows]
            tables.append(
                {
                    "title": str(model._meta.verbose_name_plural),
                    "columns": columns,
                    "rows": body,
                }
            )
        sections.append({"title": str(config.verbose_name), "tables": tables})
    return sections


def _summaries(by: dict) -> list[dict]:
    """The rows by the person, for people: how many of each kind, the first and the last
    (every row is in the JSON; a table of a teacher's every grade would read as noise)."""
    found = []
    for app_label, models in by.items():
        config = apps.get_app_config(app_label)
        for model_name, rows in models.items():
            model = apps.get_model(app_label, model_name)
            times = sorted(
                value[:10]
                for row in rows
                for name, value in row.items()
                if isinstance(value, str) and name != "id" and _is_date(model, name)
            )
            found.append(
                {
                    "section": str(config.verbose_name),
                    "title": str(model._meta.verbose_name_plural),
                    "count": len(rows),
                    "first": times[0] if times else "",
                    "last": times[-1] if times else "",
                }
            )
    return found


def _is_date(model, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.get_internal_type() in ("DateField", "DateTimeField")


def _own_lines(value: dict, prefix: str = "") -> list[tuple[str, str]]:
    """The apps' own parts (``core.extensions.collect_personal_data``) as name–value lines."""
    lines = []
    for key, inner in value.items():
        if isinstance(inner, dict):
            lines += _own_lines(inner, f"{prefix}{key}.")
        else:
            lines.append((f"{prefix}{key}", _cell(None, inner)))
    return lines


def as_pdf(subject: collector.Subject, *, school_name: str = "", language: str | None = None):
    data = collector.collect(subject)
    context = {
        "person_name": subject.name,
        "school_name": school_name,
        "printed_at": timezone.now(),
        "sections": _sections(data),
        "by": _summaries(data["by"]),
        "own": _own_lines(data["own"]),
        "excluded": collector.exclusions(),
    }
    return render_pdf("privacy/print/export.html", context, language=language)
