"""The register as XML (L-06, L-07, S-03): the one module that knows the document's shape.

The minister has not published the official schema yet, so the register ships its own,
versioned one (``schema/dziennik-1.0.xsd``, docs/records.md). Everything that knows the
shape of the document is here: the table of elements (``ENTITIES``), the streaming
writer (``write_register``) and the XSD built from the same table (``schema_document``;
the committed file must equal it, a test checks, so a changed model cannot change the
promise silently). ``xml_import`` reads documents with the same table. When the official
schema arrives, this module is what gets replaced.

The document: a root ``register`` holding the school, the year and then one section per
kind of record (``students/student``, ``lessons/lesson``…). Every record is one empty
element whose attributes are its fields; its ``id`` (``student-12``) is unique in the
document, and a link to another record is an attribute holding that record's id, checked
by the schema's ``xs:keyref`` (a link to a missing or wrong kind of record is invalid).
Dates are ISO (``xs:date``), times of day ``xs:time``, instants ``xs:dateTime`` in UTC,
numbers ``xs:decimal``; kinds are enumerations.

The writer streams (``lxml.etree.xmlfile``): each section is one query read in chunks,
so the memory does not grow with the school and the number of queries does not grow
with the students.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from lxml import etree

from dziennik.attendance.models import (
    AttendanceKind,
    AttendanceMark,
    AttendanceSettings,
    Lesson,
    SubjectExemption,
)
from dziennik.behaviour.models import BehaviourCategory, BehaviourNote, BehaviourSettings
from dziennik.grades.models import (
    Assessment,
    AverageThreshold,
    BehaviourGrade,
    ClassificationGrade,
    Grade,
    GradeCategory,
    GradingSettings,
    PointScaleStep,
    ScaleGradeName,
    SpecialMark,
)
from dziennik.schools.models import (
    ClassGroup,
    DayOff,
    Enrolment,
    Family,
    Guardian,
    Guardianship,
    LessonSlot,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    TeachingAssignment,
    Term,
)
from dziennik.timetable.models import Room, TimetableChange, TimetableEntry

SCHEMA_VERSION = "1.0"
NAMESPACE = f"urn:dziennik:register:{SCHEMA_VERSION}"
SCHEMA_FILE = f"dziennik-{SCHEMA_VERSION}.xsd"
XS = "http://www.w3.org/2001/XMLSchema"
CHUNK = 2000


@dataclass(frozen=True)
class Scope:
    """What one document holds: a school's year, or one class of it."""

    school: School
    year: SchoolYear
    school_class: SchoolClass | None = None

    def classes(self) -> QuerySet:
        qs = SchoolClass.objects.filter(school_year=self.year)
        if self.school_class is not None:
            qs = qs.filter(pk=self.school_class.pk)
        return qs

    def students(self) -> QuerySet:
        enrolled = Enrolment.objects.filter(school_class__in=self.classes()).values("student_id")
        return Student.objects.filter(school=self.school, pk__in=enrolled)


@dataclass(frozen=True)
class Attr:
    """One attribute of an element: a model field, its XML name and type."""

    name: str
    field: models.Field
    target: str | None = None  # the entity a link points to

    @property
    def required(self) -> bool:
        if self.field.null:
            return False
        return not (
            self.field.blank and isinstance(self.field, models.CharField | models.TextField)
        )


@dataclass(frozen=True)
class Entity:
    """A kind of record: its element, model, fields (``"xml-name:field"`` to rename) and
    the rows a scope exports. ``plural`` names the section holding many of them; an entity
    without one is a single element under the root (``required`` or optional)."""

    tag: str
    model: type[models.Model]
    fields: tuple[str, ...]
    rows: Callable[[Scope], QuerySet]
    plural: str | None = None
    required: bool = False
    attrs: tuple[Attr, ...] = field(default=(), compare=False)

    def id_of(self, pk) -> str:
        return f"{self.tag}-{pk}"


def _staff(scope: Scope) -> QuerySet:
    return get_user_model().objects.filter(
        school=scope.school, student_profile__isnull=True, guardian_profile__isnull=True
    )


def _guardians(scope: Scope) -> QuerySet:
    linked = Guardianship.objects.filter(student__in=scope.students()).values("guardian_id")
    return Guardian.objects.filter(school=scope.school, pk__in=linked)


def _families(scope: Scope) -> QuerySet:
    return Family.objects.filter(
        Q(pk__in=scope.students().values("family_id"))
        | Q(pk__in=_guardians(scope).values("family_id"))
    )


def _lessons(scope: Scope) -> QuerySet:
    return Lesson.objects.filter(school_class__in=scope.classes())


def _assessments(scope: Scope) -> QuerySet:
    return Assessment.objects.filter(school_class__in=scope.classes())


def _exemptions(scope: Scope) -> QuerySet:
    return SubjectExemption.objects.filter(
        student__in=scope.students(),
        date_to__gte=scope.year.start_date,
        date_from__lte=scope.year.end_date,
    )


def _school_rows(model) -> Callable[[Scope], QuerySet]:
    return lambda scope: model.objects.filter(school=scope.school)


def _class_rows(model) -> Callable[[Scope], QuerySet]:
    return lambda scope: model.objects.filter(school_class__in=scope.classes())


GroupMember = ClassGroup.students.through

# The document's records in the order an import creates them: a record comes after
# every record it links to (records linking their own kind come in waves: xml_import).
# fmt: off
ENTITIES: tuple[Entity, ...] = (
    Entity("school", School, (
        "name", "short_name", "school_type", "is_public", "voivodeship", "city", "address", "rspo",
        "time_zone", "electronic_only_consent", "require_staff_second_factor",
    ), lambda scope: School.objects.filter(pk=scope.school.pk), required=True),
    Entity("year", SchoolYear, (
        "name", "start_date", "end_date", "classes_start", "classes_end",
    ), lambda scope: SchoolYear.objects.filter(pk=scope.year.pk), required=True),
    Entity("grading", GradingSettings, (
        "plus_value", "minus_value", "correction_policy", "pass_threshold", "proposal_notice_days",
        "comparisons_enabled", "double_plus_value", "double_minus_value", "equals_value",
    ), _school_rows(GradingSettings)),
    Entity("attendance-settings", AttendanceSettings, (
        "adult_students_may_justify", "justification_deadline_days", "risk_threshold_percent",
        "risk_minimum_lessons",
    ), _school_rows(AttendanceSettings)),
    Entity("behaviour-settings", BehaviourSettings, (
        "uses_points",
    ), _school_rows(BehaviourSettings)),
    Entity("term", Term, (
        "year:school_year", "number", "start_date", "end_date",
    ), lambda scope: Term.objects.filter(school_year=scope.year), plural="terms"),
    Entity("day-off", DayOff, (
        "year:school_year", "kind", "name", "date_from", "date_to",
    ), lambda scope: DayOff.objects.filter(school_year=scope.year), plural="days-off"),
    Entity("lesson-slot", LessonSlot, (
        "number", "starts_at", "ends_at",
    ), _school_rows(LessonSlot), plural="lesson-slots"),
    Entity("subject", Subject, (
        "name", "short_name", "counts_towards_average",
    ), _school_rows(Subject), plural="subjects"),
    Entity("room", Room, (
        "name", "is_active",
    ), _school_rows(Room), plural="rooms"),
    Entity("grade-category", GradeCategory, (
        "name", "weight", "colour", "counts_towards_average", "is_homework", "is_active",
    ), _school_rows(GradeCategory), plural="grade-categories"),
    Entity("scale-grade-name", ScaleGradeName, (
        "grade", "name", "abbreviation",
    ), _school_rows(ScaleGradeName), plural="scale-grade-names"),
    Entity("special-mark", SpecialMark, (
        "symbol", "name", "rule", "value", "convert_count", "converted_weight", "is_homework",
    ), _school_rows(SpecialMark), plural="special-marks"),
    Entity("point-scale-step", PointScaleStep, (
        "min_percent", "symbol",
    ), _school_rows(PointScaleStep), plural="point-scale"),
    Entity("average-threshold", AverageThreshold, (
        "grade", "min_average",
    ), _school_rows(AverageThreshold), plural="average-thresholds"),
    Entity("attendance-kind", AttendanceKind, (
        "code", "name", "base", "counts_as", "shortcut", "colour", "excused_kind", "order",
        "is_active",
    ), _school_rows(AttendanceKind), plural="attendance-kinds"),
    Entity("behaviour-category", BehaviourCategory, (
        "name", "kind", "default_points", "position",
    ), _school_rows(BehaviourCategory), plural="behaviour-categories"),
    Entity("teacher", get_user_model(), (
        "first_name", "last_name", "email",
    ), _staff, plural="teachers"),
    Entity("class", SchoolClass, (
        "year:school_year", "name", "level", "class_teacher",
    ), lambda scope: scope.classes(), plural="classes"),
    Entity("group", ClassGroup, (
        "class:school_class", "name",
    ), _class_rows(ClassGroup), plural="groups"),
    Entity("family", Family, (
        "name",
    ), _families, plural="families"),
    Entity("student", Student, (
        "first_name", "second_name", "last_name", "birth_date", "birth_place", "pesel", "address",
        "external_id", "family", "restricts_parent_view",
    ), lambda scope: scope.students(), plural="students"),
    Entity("enrolment", Enrolment, (
        "student", "class:school_class", "journal_number", "start_date", "end_date",
    ), _class_rows(Enrolment), plural="enrolments"),
    Entity("group-member", GroupMember, (
        "group:classgroup", "student",
    ), lambda scope: GroupMember.objects.filter(classgroup__school_class__in=scope.classes()),
        plural="group-members"),
    Entity("guardian", Guardian, (
        "first_name", "last_name", "email", "phone", "address", "external_id", "family",
    ), _guardians, plural="guardians"),
    Entity("guardianship", Guardianship, (
        "guardian", "student", "relation", "access", "court_order_reference", "court_order_date",
        "court_order_scope",
    ), lambda scope: Guardianship.objects.filter(student__in=scope.students()),
        plural="guardianships"),
    Entity("assignment", TeachingAssignment, (
        "teacher", "subject", "class:school_class", "group",
    ), _class_rows(TeachingAssignment), plural="assignments"),
    Entity("timetable-entry", TimetableEntry, (
        "class:school_class", "group", "weekday", "lesson-slot:slot", "subject", "teacher", "room",
        "valid_from", "valid_to",
    ), _class_rows(TimetableEntry), plural="timetable"),
    Entity("timetable-change", TimetableChange, (
        "timetable-entry:entry", "date", "kind", "substitute_teacher", "room", "new_date",
        "new-lesson-slot:new_slot", "note",
    ), lambda scope: TimetableChange.objects.filter(entry__school_class__in=scope.classes()),
        plural="timetable-changes"),
    Entity("lesson", Lesson, (
        "class:school_class", "group", "subject", "teacher", "date", "lesson-slot:slot",
        "timetable_entry", "topic", "conducted_at", "attendance_taken_at",
    ), _lessons, plural="lessons"),
    Entity("attendance-mark", AttendanceMark, (
        "lesson", "student", "attendance-kind:kind", "date",
    ), lambda scope: AttendanceMark.objects.filter(lesson__in=_lessons(scope)),
        plural="attendance"),
    Entity("exemption", SubjectExemption, (
        "student", "subject", "date_from", "date_to", "must_attend", "basis",
    ), _exemptions, plural="exemptions"),
    Entity("assessment", Assessment, (
        "class:school_class", "group", "subject", "term", "teacher", "grade-category:category",
        "name", "date", "weight", "kind", "max_points",
    ), _assessments, plural="assessments"),
    Entity("grade", Grade, (
        "assessment", "student", "symbol", "points", "text", "value", "comment", "corrects",
        "teacher",
    ), lambda scope: Grade.objects.filter(assessment__in=_assessments(scope)), plural="grades"),
    Entity("classification-grade", ClassificationGrade, (
        "student", "class:school_class", "subject", "term", "kind", "is_proposal", "grade", "text",
        "outcome", "reason", "reason_text", "exam_allowed_on", "exam_grade", "published_at",
        "teacher",
    ), _class_rows(ClassificationGrade), plural="classification-grades"),
    Entity("behaviour-grade", BehaviourGrade, (
        "student", "class:school_class", "term", "kind", "value", "text", "teacher",
    ), _class_rows(BehaviourGrade), plural="behaviour-grades"),
    Entity("behaviour-note", BehaviourNote, (
        "student", "class:school_class", "author", "behaviour-category:category", "kind", "text",
        "points", "date", "withdrawn_at",
    ), _class_rows(BehaviourNote), plural="behaviour-notes"),
)
# fmt: on


def _bind() -> tuple[Entity, ...]:
    """Resolve each entity's field names into typed attributes (once, at import)."""
    by_model = {e.model: e.tag for e in ENTITIES}
    bound = []
    for entity in ENTITIES:
        attrs = []
        for spec in entity.fields:
            name, _, field_name = spec.rpartition(":")
            model_field = entity.model._meta.get_field(field_name)
            target = None
            if model_field.is_relation:
                target = by_model[model_field.related_model]
            attrs.append(Attr(name or field_name.replace("_", "-"), model_field, target))
        bound.append(
            Entity(
                entity.tag,
                entity.model,
                entity.fields,
                entity.rows,
                entity.plural,
                entity.required,
                tuple(attrs),
            )
        )
    return tuple(bound)


ENTITIES = _bind()
BY_TAG = {e.tag: e for e in ENTITIES}


# Characters XML 1.0 cannot carry at all (control characters pasted from elsewhere): an
# export must not fail on one, so each becomes U+FFFD, the replacement character.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def format_value(value, model_field: models.Field) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return NOT_XML.sub("\ufffd", str(value))


def _records(entity: Entity, scope: Scope) -> Iterator[tuple[str, dict]]:
    columns = ["pk", *(a.field.attname for a in entity.attrs)]
    qs = entity.rows(scope).order_by("pk").values_list(*columns)
    for row in qs.iterator(chunk_size=CHUNK):
        attrib = {"id": entity.id_of(row[0])}
        for attr, value in zip(entity.attrs, row[1:], strict=True):
            if value is None or value == "":
                continue
            if attr.target is not None:
                attrib[attr.name] = BY_TAG[attr.target].id_of(value)
            else:
                attrib[attr.name] = format_value(value, attr.field)
        yield f"{{{NAMESPACE}}}{entity.tag}", attrib


def _write_records(xf, entity: Entity, scope: Scope) -> None:
    # An element opened and closed by the writer itself inherits the root's namespace
    # declaration (a written element object would repeat it on every record).
    for tag, attrib in _records(entity, scope):
        with xf.element(tag, attrib):
            pass


def write_register(out: IO[bytes], scope: Scope) -> None:
    """Write the scope's register to ``out`` as one XML document, section by section.

    Outside a transaction, the sections are read in one read-only transaction that sees
    one snapshot on PostgreSQL (a lesson saved meanwhile is in all sections or none)."""
    if connection.in_atomic_block:
        _write_document(out, scope)
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        _write_document(out, scope)


def _write_document(out: IO[bytes], scope: Scope) -> None:
    root_attrib = {
        "version": SCHEMA_VERSION,
        "exported-at": timezone.now().astimezone(datetime.UTC).isoformat(),
        "scope": "class" if scope.school_class is not None else "school",
    }
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{NAMESPACE}}}register", root_attrib, nsmap={None: NAMESPACE}):
            for entity in ENTITIES:
                if entity.plural is None:
                    _write_records(xf, entity, scope)
                    continue
                with xf.element(f"{{{NAMESPACE}}}{entity.plural}"):
                    _write_records(xf, entity, scope)
                xf.flush()


def export_filename(scope: Scope) -> str:
    year = scope.year.name.replace("/", "-")
    if scope.school_class is not None:
        return f"dziennik-{year}-{scope.school_class.name}.xml"
    return f"dziennik-{year}.xml"


# --- The schema -------------------------------------------------------------------------


def _simple_type(attr: Attr) -> etree._Element:
    """The XSD type of one attribute, restricted as tightly as its model field."""
    f = attr.field
    simple = etree.Element(f"{{{XS}}}simpleType")

    def restriction(base: str) -> etree._Element:
        return etree.SubElement(simple, f"{{{XS}}}restriction", base=base)

    if f.choices:
        r = restriction("xs:string" if not isinstance(f, models.IntegerField) else "xs:integer")
        for value, _label in f.flatchoices:
            if value == "":
                continue
            etree.SubElement(r, f"{{{XS}}}enumeration", value=str(value))
    elif isinstance(f, models.BooleanField):
        restriction("xs:boolean")
    elif isinstance(f, models.DateTimeField):
        restriction("xs:dateTime")
    elif isinstance(f, models.DateField):
        restriction("xs:date")
    elif isinstance(f, models.TimeField):
        restriction("xs:time")
    elif isinstance(f, models.DecimalField):
        r = restriction("xs:decimal")
        etree.SubElement(r, f"{{{XS}}}totalDigits", value=str(f.max_digits))
        etree.SubElement(r, f"{{{XS}}}fractionDigits", value=str(f.decimal_places))
    elif isinstance(f, models.IntegerField):
        positive = isinstance(
            f,
            models.PositiveIntegerField
            | models.PositiveSmallIntegerField
            | models.PositiveBigIntegerField,
        )
        small = isinstance(f, models.SmallIntegerField | models.PositiveSmallIntegerField)
        r = restriction("xs:integer")
        etree.SubElement(r, f"{{{XS}}}minInclusive", value="0" if positive else "-32768")
        etree.SubElement(r, f"{{{XS}}}maxInclusive", value="32767" if small else "2147483647")
    else:
        r = restriction("xs:string")
        if attr.required:
            etree.SubElement(r, f"{{{XS}}}minLength", value="1")
        if f.max_length:
            etree.SubElement(r, f"{{{XS}}}maxLength", value=str(f.max_length))
    return simple


def _complex_type(entity: Entity) -> etree._Element:
    ct = etree.Element(f"{{{XS}}}complexType", name=f"{entity.tag}-type")
    etree.SubElement(ct, f"{{{XS}}}attribute", name="id", type="xs:ID", use="required")
    for attr in entity.attrs:
        use = "required" if attr.required else "optional"
        if attr.target is not None:
            etree.SubElement(ct, f"{{{XS}}}attribute", name=attr.name, type="xs:IDREF", use=use)
            continue
        a = etree.SubElement(ct, f"{{{XS}}}attribute", name=attr.name, use=use)
        a.append(_simple_type(attr))
    return ct


def _selector(entity: Entity) -> str:
    if entity.plural is None:
        return f"r:{entity.tag}"
    return f"r:{entity.plural}/r:{entity.tag}"


def _typed_links(root: etree._Element) -> None:
    """Every id is a key of its kind, every link a keyref to that kind: a link to a
    missing record, or to a record of another kind, makes the document invalid."""
    for entity in ENTITIES:
        key = etree.SubElement(root, f"{{{XS}}}key", name=f"{entity.tag}-key")
        etree.SubElement(key, f"{{{XS}}}selector", xpath=_selector(entity))
        etree.SubElement(key, f"{{{XS}}}field", xpath="@id")
    for entity in ENTITIES:
        for attr in entity.attrs:
            if attr.target is None:
                continue
            ref = etree.SubElement(
                root,
                f"{{{XS}}}keyref",
                name=f"{entity.tag}-{attr.name}-ref",
                refer=f"r:{attr.target}-key",
            )
            etree.SubElement(ref, f"{{{XS}}}selector", xpath=_selector(entity))
            etree.SubElement(ref, f"{{{XS}}}field", xpath=f"@{attr.name}")


def schema_document() -> bytes:
    """The XSD of this version, built from ``ENTITIES``; ``schema/dziennik-1.0.xsd`` is it
    as committed (``manage.py register_schema`` writes it)."""
    nsmap = {"xs": XS, "r": NAMESPACE}
    schema = etree.Element(
        f"{{{XS}}}schema",
        nsmap=nsmap,
        targetNamespace=NAMESPACE,
        elementFormDefault="qualified",
        version=SCHEMA_VERSION,
    )
    doc = etree.SubElement(
        etree.SubElement(schema, f"{{{XS}}}annotation"), f"{{{XS}}}documentation"
    )
    doc.text = (
        f"Dziennik register export, version {SCHEMA_VERSION} (docs/records.md). "
        "Generated from dziennik/records/xml_export.py; do not edit by hand."
    )
    root = etree.SubElement(schema, f"{{{XS}}}element", name="register")
    root_type = etree.SubElement(root, f"{{{XS}}}complexType")
    sequence = etree.SubElement(root_type, f"{{{XS}}}sequence")
    for entity in ENTITIES:
        if entity.plural is None:
            etree.SubElement(
                sequence,
                f"{{{XS}}}element",
                name=entity.tag,
                type=f"r:{entity.tag}-type",
                minOccurs="1" if entity.required else "0",
            )
            continue
        section = etree.SubElement(sequence, f"{{{XS}}}element", name=entity.plural)
        inner = etree.SubElement(
            etree.SubElement(section, f"{{{XS}}}complexType"), f"{{{XS}}}sequence"
        )
        etree.SubElement(
            inner,
            f"{{{XS}}}element",
            name=entity.tag,
            type=f"r:{entity.tag}-type",
            minOccurs="0",
            maxOccurs="unbounded",
        )
    etree.SubElement(
        root_type,
        f"{{{XS}}}attribute",
        name="version",
        type="xs:string",
        use="required",
        fixed=SCHEMA_VERSION,
    )
    etree.SubElement(
        root_type, f"{{{XS}}}attribute", name="exported-at", type="xs:dateTime", use="required"
    )
    scope_attr = etree.SubElement(root_type, f"{{{XS}}}attribute", name="scope", use="required")
    scope_type = etree.SubElement(
        etree.SubElement(scope_attr, f"{{{XS}}}simpleType"),
        f"{{{XS}}}restriction",
        base="xs:string",
    )
    for value in ("school", "class"):
        etree.SubElement(scope_type, f"{{{XS}}}enumeration", value=value)
    _typed_links(root)
    for entity in ENTITIES:
        schema.append(_complex_type(entity))
    return etree.tostring(schema, pretty_print=True, xml_declaration=True, encoding="utf-8")
