"""Reading a register document back (S-03): a new school from an export.

The document is checked against the schema first (every error with its line); then
every link is resolved to a record of the right kind; then everything is created in one
transaction. Any error refuses the whole file and creates nothing. Accounts are not part
of the register: students and guardians come without logins, teachers as accounts with
no usable password (the school's administrator gives them access as usual).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils.text import slugify
from lxml import etree

from dziennik.core import cache
from dziennik.core.audit import build_entry, record_many
from dziennik.core.cache import config_scope, data_scope
from dziennik.schools.models import School

from .xml_export import BY_TAG, ENTITIES, NAMESPACE, SCHEMA_FILE, Entity

SCHEMA_PATH = Path(__file__).parent / "schema" / SCHEMA_FILE
BATCH = 500


class RegisterInvalid(Exception):
    """The document cannot be imported; ``errors`` says where and why."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportResult:
    school: School
    counts: dict[str, int]


def load_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _parser() -> etree.XMLParser:
    # No entities, no network, no DTD: a register file is data, never instructions.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def parse_and_validate(source: str | Path | IO[bytes]) -> etree._ElementTree:
    """The parsed document, or ``RegisterInvalid`` with each problem and its line."""
    try:
        doc = etree.parse(source if not isinstance(source, Path) else str(source), _parser())
    except etree.XMLSyntaxError as exc:
        raise RegisterInvalid([f"line {exc.lineno}: not well-formed XML: {exc.msg}"]) from exc
    except OSError as exc:
        raise RegisterInvalid([f"cannot read the file: {exc}"]) from exc
    schema = load_schema()
    if not schema.validate(doc):
        raise RegisterInvalid(
            [f"line {error.line}: {error.message}" for error in schema.error_log][:50]
        )
    return doc


def _tag(el: etree._Element) -> str:
    return etree.QName(el).localname


def _elements(root: etree._Element, entity: Entity) -> list[etree._Element]:
    ns = {"r": NAMESPACE}
    if entity.plural is None:
        return root.findall(f"r:{entity.tag}", ns)
    return root.findall(f"r:{entity.plural}/r:{entity.tag}", ns)


def _parse_value(raw: str, field: models.Field):
    if isinstance(field, models.BooleanField):
        return raw in ("true", "1")
    if isinstance(field, models.DateTimeField):
        value = datetime.datetime.fromisoformat(raw)
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat(raw)
    if isinstance(field, models.TimeField):
        return datetime.time.fromisoformat(raw)
    if isinstance(field, models.DecimalField):
        return Decimal(raw)
    if isinstance(field, models.IntegerField):
        return int(raw)
    return raw


def _check_links(root: etree._Element) -> list[str]:
    """Each link names a record of the kind it needs (the schema's keyrefs do the same;
    this names the element and line in our words)."""
    kinds: dict[str, str] = {}
    for entity in ENTITIES:
        for el in _elements(root, entity):
            kinds[el.get("id")] = entity.tag
    errors = []
    for entity in ENTITIES:
        for el in _elements(root, entity):
            for attr in entity.attrs:
                ref = el.get(attr.name)
                if attr.target is None or ref is None:
                    continue
                if kinds.get(ref) != attr.target:
                    errors.append(
                        f"line {el.sourceline}: <{entity.tag} id={el.get('id')!r}> "
                        f"{attr.name}={ref!r} is not a {attr.target} of this file"
                    )
    return errors


def _username(first: str, last: str) -> str:
    """A free login name for a teacher: ``anna.nowak``, else ``anna.nowak.2``…"""
    taken = get_user_model().objects
    base = slugify(f"{first}.{last}".replace(".", "-")).replace("-", ".")[:130] or "teacher"
    candidate, n = base, 1
    while taken.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}.{n}"
    return candidate


def _build(entity: Entity, el: etree._Element, pk_map: dict, school_id):
    kwargs = {}
    if entity.model is not School and any(
        f.name == "school" for f in entity.model._meta.concrete_fields
    ):
        kwargs["school_id"] = school_id
    for attr in entity.attrs:
        raw = el.get(attr.name)
        f = attr.field
        if raw is None:
            value = None if f.null or f.is_relation else ""
        elif attr.target is not None:
            value = pk_map[raw]
        else:
            try:
                value = _parse_value(raw, f)
            except (ValueError, InvalidOperation) as exc:
                raise RegisterInvalid(
                    [f"line {el.sourceline}: <{entity.tag}> {attr.name}={raw!r}: {exc}"]
                ) from exc
        kwargs[f.attname] = value
    return entity.model(**kwargs)


def _waves(entity: Entity, elements: list, pk_map: dict) -> list[list]:
    """The elements in the order they can be created: a record linking one of its own
    kind (a correction, an attendance kind's excused kind) after the one it links."""
    own = [a.name for a in entity.attrs if a.target == entity.tag]
    if not own:
        return [elements]
    waves, waiting, known = [], list(elements), set(pk_map)
    while waiting:
        ready = [el for el in waiting if all(el.get(n) is None or el.get(n) in known for n in own)]
        if not ready:
            raise RegisterInvalid(
                [f"line {el.sourceline}: <{entity.tag}> links in a circle" for el in waiting][:50]
            )
        waves.append(ready)
        known |= {el.get("id") for el in ready}
        waiting = [el for el in waiting if el.get("id") not in known]
    return waves


def _create(entity: Entity, elements: list, pk_map: dict, school_id) -> list:
    created_all = []
    for wave in _waves(entity, elements, pk_map):
        objs = [_build(entity, el, pk_map, school_id) for el in wave]
        if entity.tag == "teacher":
            for obj in objs:
                obj.username = _username(obj.first_name, obj.last_name)
                obj.set_unusable_password()
        created = entity.model.objects.bulk_create(objs, batch_size=BATCH)
        for el, obj in zip(wave, created, strict=True):
            pk_map[el.get("id")] = obj.pk
        created_all.extend(created)
    return created_all


def register_import(
    source: str | Path | IO[bytes], *, actor=None, allow_existing: bool = False
) -> ImportResult:
    """Create the school of a register document, with all its records, or nothing.

    A school with the same RSPO number already here is refused (the file is an export of
    it), unless ``allow_existing`` (a copy beside the original, e.g. to compare them).
    """
    doc = parse_and_validate(source)
    root = doc.getroot()
    errors = _check_links(root)
    if errors:
        raise RegisterInvalid(errors[:50])
    school_el = _elements(root, BY_TAG["school"])[0]
    rspo = school_el.get("rspo")
    if rspo and not allow_existing and School.objects.filter(rspo=rspo).exists():
        raise RegisterInvalid(
            [
                f"line {school_el.sourceline}: a school with RSPO number {rspo} exists "
                "here already; the register imports into a new school only"
            ]
        )
    counts: dict[str, int] = {}
    pk_map: dict[str, int] = {}
    current = ""
    try:
        with transaction.atomic():
            school_id, class_ids = None, []
            for entity in ENTITIES:
                current = entity.tag
                elements = _elements(root, entity)
                created = _create(entity, elements, pk_map, school_id)
                if entity.tag == "school":
                    school = created[0]
                    school_id = school.pk
                counts[entity.tag] = len(created)
                if entity.tag == "class":
                    class_ids = [c.pk for c in created]
            # A new school: nothing of it is cached yet, but its versions move as any
            # write's do (the cache guard checks every writing transaction).
            cache.bump(config_scope(school_id), *(data_scope(pk) for pk in class_ids))
            record_many(
                [
                    build_entry(
                        actor=actor,
                        instance=school,
                        school_id=school.pk,
                        action="create",
                        changes={"imported_from_register_xml": [None, counts]},
                    )
                ]
            )
    except (IntegrityError, DatabaseError, ValueError) as exc:
        raise RegisterInvalid(
            [f"<{current}>: the records contradict each other or the database: {exc}"]
        ) from exc
    return ImportResult(school=school, counts=counts)
