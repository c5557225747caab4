"""The register's XML (L-06, L-07, S-03): the demo school's export validates against the
repository's schema, and imported as a new school it gives back every register record.

The models compared are discovered: every model of every app that reaches a school
through its links is either compared here or excluded with its reason, so a new model
cannot be forgotten.
"""

import hashlib
import io
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from dziennik.attendance.models import AttendanceSettings, SubjectExemption
from dziennik.grades.models import BehaviourGrade, ClassificationGrade
from dziennik.records.xml_export import Scope, write_register
from dziennik.records.xml_import import load_schema, register_import
from dziennik.schools.models import Enrolment, School, SchoolYear, Subject, Term

pytestmark = pytest.mark.django_db

# Compared models, with the fields left out of the comparison (besides the pk and the
# times the database stamps itself, auto_now / auto_now_add) and why.
COMPARED = {
    "schools.School": {"crest": "an image file, not register data"},
    "schools.SchoolYear": {},
    "schools.Term": {},
    "schools.DayOff": {},
    "schools.LessonSlot": {},
    "schools.Subject": {},
    "schools.SchoolClass": {},
    "schools.Family": {},
    "schools.Student": {"user": "accounts are not part of the register"},
    "schools.Enrolment": {},
    "schools.ClassGroup": {},
    "schools.Guardian": {"user": "accounts are not part of the register"},
    "schools.Guardianship": {},
    "schools.TeachingAssignment": {},
    "timetable.Room": {},
    "timetable.TimetableEntry": {},
    "timetable.TimetableChange": {},
    "attendance.AttendanceSettings": {},
    "attendance.AttendanceKind": {},
    "attendance.Lesson": {},
    "attendance.AttendanceMark": {
        "alerts_pending": "a worker's to-do flag: the warnings are checked again"
    },
    "attendance.SubjectExemption": {},
    "grades.GradingSettings": {},
    "grades.GradeCategory": {},
    "grades.SpecialMark": {},
    "grades.ScaleGradeName": {},
    "grades.PointScaleStep": {},
    "grades.AverageThreshold": {},
    "grades.Assessment": {},
    "grades.Grade": {},
    "grades.ClassificationGrade": {},
    "grades.BehaviourGrade": {},
    "behaviour.BehaviourSettings": {},
    "behaviour.BehaviourCategory": {},
    "behaviour.BehaviourNote": {},
}

ACCOUNTS = "accounts and their security are not part of the register (no logins in the XML)"
LTI = (
    "learning tools (LTI) are the school's connections to outside systems, not a journal; "
    "the grades a tool gave are compared with the others"
)
EXCLUDED = {
    "admin.LogEntry": "the Django admin's own log; the history of changes is core.AuditEntry",
    "core.AuditEntry": "the history of changes stays with the installation that wrote it "
    "(append-only, hash-chained); the archive carries it, not the register export",
    "accounts.User": ACCOUNTS + "; teachers are exported by name and compared through "
    "every record that links them",
    "accounts.TotpDevice": ACCOUNTS,
    "accounts.RecoveryCode": ACCOUNTS,
    "accounts.LetterJob": ACCOUNTS + " (credential letters)",
    "accounts.Passkey": ACCOUNTS,
    "accounts.WebAuthnChallenge": ACCOUNTS,
    "accounts.SecondFactorReset": ACCOUNTS,
    "accounts.EmailLoginCode": ACCOUNTS,
    "schools.SchoolRole": "access rights of accounts, granted again in the new installation",
    "timetable.CalendarFeed": ACCOUNTS + " (a person's secret feed address)",
    "keystroke.KeystrokeProfile": ACCOUNTS + " (typing rhythm)",
    "keystroke.UnusualLogin": ACCOUNTS + " (login security)",
    "keystroke.KeystrokeSettings": "login security settings, not a journal",
    "notifications.Preferences": "a person's notification choices, not a journal",
    "notifications.Notification": "messages sent about records, not records",
    "notifications.Delivery": "messages sent about records, not records",
    "attendance.Justification": "a family's request made from an account; its outcome is "
    "in the attendance marks' kinds, which are exported",
    "attendance.AttendanceAlert": "derived from the marks and recomputed by the worker",
    "attendance.AbsenceNotice": "a family's message made from an account, not a journal",
    "grades.StudentAverage": "derived from the grades (statistics), recomputed",
    "grades.GradeVisit": "what an account has seen, not register data",
    "notices.Announcement": "the school's board (communication), not a journal",
    "notices.AnnouncementRead": "what an account has read",
    "lucky.LuckySettings": "the lucky number game, not a journal",
    "lucky.LuckyNumber": "the lucky number game, not a journal",
    "messaging.MessagingSettings": "messages are communication, kept by their own rules (M-01)",
    "messaging.Thread": "messages are communication, kept by their own rules (M-01)",
    "messaging.Message": "messages are communication, kept by their own rules (M-01)",
    "messaging.Delivery": "messages are communication, kept by their own rules (M-01)",
    "messaging.Attachment": "messages are communication, kept by their own rules (M-01)",
    "planner.PlannerSettings": "the calendar of tests and homework to come, not a journal",
    "planner.Event": "the calendar of tests and homework to come, not a journal",
    "meetings.MeetingSettings": "parent-teacher meetings are bookings, not a journal",
    "meetings.ConsultationSession": "parent-teacher meetings are bookings, not a journal",
    "meetings.ConsultationSlot": "parent-teacher meetings are bookings, not a journal",
    "meetings.Booking": "parent-teacher meetings are bookings, not a journal",
    "meetings.ClassMeeting": "parent-teacher meetings are bookings, not a journal",
    "records.RegisterExport": "the record of who exported what (it is in the history too)",
    "printing.PrintJob": "a printout of the journals, made from the register on request",
    "archive.YearArchive": "the year-end archive's own record: the archive carries the XML",
    "notifications.PushSubscription": ACCOUNTS + " (a person's devices for push)",
    "notifications.SmsSettings": "how the school's SMS are written, not a journal",
    "oauth2_provider.AccessToken": ACCOUNTS + " (single sign-on tokens)",
    "oauth2_provider.Application": ACCOUNTS + " (single sign-on platforms)",
    "oauth2_provider.DeviceGrant": ACCOUNTS + " (single sign-on)",
    "oauth2_provider.Grant": ACCOUNTS + " (single sign-on codes)",
    "oauth2_provider.IDToken": ACCOUNTS + " (single sign-on tokens)",
    "oauth2_provider.RefreshToken": ACCOUNTS + " (single sign-on tokens)",
    "sso.Platform": ACCOUNTS + " (the school's e-learning platforms)",
    "lti.Tool": LTI,
    "lti.Placement": LTI,
    "lti.LineItem": LTI,
    "lti.ServiceToken": LTI,
    "lti.UsedJwt": LTI,
    "oneroster.RosterClient": ACCOUNTS + " (the platforms' OneRoster API clients)",
    "oneroster.RosterSettings": "the namespace of the OneRoster ids and the last CSV download: "
    "the register's link to its platforms, not a journal",
    "plans.Offer": "access plans and prices are the school's commercial terms, not a journal",
    "plans.Package": "access plans and prices are the school's commercial terms, not a journal",
    "plans.Plan": "access plans and prices are the school's commercial terms, not a journal",
    "plans.PlanSettings": "access plans and prices are the school's commercial terms",
    "plans.Promotion": "access plans and prices are the school's commercial terms",
    "plans.Purchase": "a family's purchase of an access plan: a commercial record, not a journal",
    "plans.Payment": "a payment for an access plan: a commercial record, not a journal",
    "plans.ActivationList": "cash collected for access plans at school: a commercial record",
    "plans.ActivationLine": "cash collected for access plans at school: a commercial record",
    "plans.Access": "what a family's purchase activated: a commercial record, not a journal",
    "plans.BankAccount": "the school's bank account for payments, not a journal",
    "plans.OnlineOrder": "an order at the payment operator: a commercial record, not a journal",
    "plans.Statement": "an imported bank statement: a commercial record, not a journal",
    "plans.StatementLine": "a bank statement's line: a commercial record, not a journal",
    "privacy.DataExport": "the record of a person's data exports (RODO), not a journal",
    "privacy.RectificationRequest": "rectification requests (RODO) are correspondence",
    "privacy.StudentRead": "the read log of staff views, kept a year (privacy), not a journal",
    "retention.DestructionProtocol": "the destruction protocols stay with the installation",
    "promotion.PromotionList": "schema 1.0 has no promotion lists yet: the council's decision "
    "is in the year-end archive's PDF of the list (docs/records.md)",
    "promotion.PromotionEntry": "schema 1.0 has no promotion lists yet: the council's decision "
    "is in the year-end archive's PDF of the list (docs/records.md)",
}


def _path_to_school(model, depth=0, seen=()) -> str | None:
    """The lookup from ``model`` to its school (``"lesson__school"``), or None."""
    if model is School:
        return ""
    if depth > 3:
        return None
    for f in model._meta.concrete_fields:
        if not (f.many_to_one or f.one_to_one) or f.related_model in (model, *seen):
            continue
        rest = _path_to_school(f.related_model, depth + 1, (*seen, model))
        if rest is not None:
            return f.name + (f"__{rest}" if rest else "")
    return None


def discovered() -> dict[str, str]:
    return {
        m._meta.label: path for m in apps.get_models() if (path := _path_to_school(m)) is not None
    }


def test_every_model_of_a_school_is_compared_or_excluded_with_a_reason():
    found = set(discovered())
    assert not set(COMPARED) & set(EXCLUDED)
    assert found - set(COMPARED) - set(EXCLUDED) == set(), "classify the new models"
    assert (set(COMPARED) | set(EXCLUDED)) - found == set(), "the lists name old models"
    assert all(len(reason) > 10 for reason in EXCLUDED.values())


class Canon:
    """Each row as its natural form: its fields, links replaced by the natural form of
    what they link (recursively), teachers by name and e-mail; no pks anywhere. A form is
    kept as a digest of its parts (``parts`` tells them, to explain a difference)."""

    def __init__(self):
        self.rows: dict = {}
        self.memo: dict = {}
        self.parts: dict = {}

    def _fields(self, model):
        ignored = COMPARED.get(model._meta.label, {})
        return [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key
            and f.name not in ignored
            and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
        ]

    def _m2m(self, model):
        return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]

    def _row(self, model, pk):
        if model not in self.rows:
            names = [f.attname for f in self._fields(model)]
            self.rows[model] = {r["pk"]: r for r in model.objects.values("pk", *names)}
        return self.rows[model][pk]

    def of(self, model, pk) -> str:
        key = (model, pk)
        if key in self.memo:
            return self.memo[key]
        if model is get_user_model():
            user = model.objects.values("first_name", "last_name", "email").get(pk=pk)
            parts = ("user", user["first_name"], user["last_name"], user["email"])
        else:
            row = self._row(model, pk)
            fields = []
            for f in self._fields(model):
                value = row[f.attname]
                if f.is_relation and value is not None:
                    value = self.of(f.related_model, value)
                fields.append((f.name, value))
            for f in self._m2m(model):
                linked = getattr(model.objects.get(pk=pk), f.name).values_list("pk", flat=True)
                fields.append((f.name, tuple(sorted(self.of(f.related_model, x) for x in linked))))
            parts = (model._meta.label, tuple(fields))
        digest = f"{model._meta.label}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:20]}"
        self.parts[digest] = parts
        self.memo[key] = digest
        return digest


def _rows(canon: Canon, label: str, path: str, school: School) -> Counter:
    model = apps.get_model(label)
    lookup = {path: school} if path else {"pk": school.pk}
    pks = model.objects.filter(**lookup).values_list("pk", flat=True)
    return Counter(canon.of(model, pk) for pk in pks)


def _export(school, year, school_class=None) -> bytes:
    out = io.BytesIO()
    write_register(out, Scope(school, year, school_class))
    return out.getvalue()


def _complete(school: School, year: SchoolYear) -> None:
    """Add what the demo school does not have yet, so every register table is proven."""
    enrolment = Enrolment.objects.filter(school_class__school_year=year).select_related(
        "school_class", "student"
    )[0]
    student, school_class = enrolment.student, enrolment.school_class
    term = Term.objects.filter(school_year=year).order_by("number")[0]
    subject = Subject.objects.filter(school=school).order_by("name")[0]
    AttendanceSettings.objects.update_or_create(
        school=school, defaults={"justification_deadline_days": 5, "risk_threshold_percent": 40}
    )
    SubjectExemption.objects.create(
        school=school,
        student=student,
        subject=subject,
        date_from=term.start_date,
        date_to=term.end_date,
        basis="Opinia lekarska nr 12/2026",
    )
    ClassificationGrade.objects.create(
        school=school,
        student=student,
        school_class=school_class,
        subject=subject,
        term=term,
        kind="term",
        is_proposal=True,
        grade=4,
        published_at=timezone.now(),
    )
    ClassificationGrade.objects.create(
        school=school,
        student=student,
        school_class=school_class,
        subject=subject,
        term=term,
        kind="term",
        grade=5,
    )
    BehaviourGrade.objects.create(
        school=school,
        student=student,
        school_class=school_class,
        term=term,
        kind="term",
        value="bdb",
    )
    BehaviourGrade.objects.create(
        school=school,
        student=student,
        school_class=school_class,
        term=term,
        kind="final",
        text="Uczeń chętnie pomaga innym.\nWzorowo przygotowany do zajęć.",
    )


def test_the_demo_school_exports_valid_xml_and_imports_back_with_no_loss():
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    school = School.objects.get()
    year = SchoolYear.objects.get(school=school)
    _complete(school, year)
    data = _export(school, year)

    # The export validates against the repository's schema (L-07).
    schema = load_schema()
    doc = etree.fromstring(data)
    assert schema.validate(etree.ElementTree(doc)), schema.error_log
    assert len(doc.findall(".//{*}grade")) > 100
    assert len(doc.findall(".//{*}attendance-mark")) > 100

    # Imported as a new school (new pks), every register table gives the same rows.
    result = register_import(io.BytesIO(data), allow_existing=True)
    copy = result.school
    assert copy.pk != school.pk
    canon = Canon()
    paths = discovered()
    empty, lost = [], []
    for label in COMPARED:
        original = _rows(canon, label, paths[label], school)
        imported = _rows(canon, label, paths[label], copy)
        if not original:
            empty.append(label)
        if original != imported:
            lost.append(
                (
                    label,
                    [canon.parts[d] for d in list(original - imported)[:2]],
                    [canon.parts[d] for d in list(imported - original)[:2]],
                )
            )
    assert not lost
    assert not empty, "the demo lacks these: the comparison would prove nothing"
