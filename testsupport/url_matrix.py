"""The authorization matrix of every URL of the project, in one table.

``URLS`` maps each URL name the resolver knows (``namespace:name``) to a ``Case``: the
objects of the test world its URL points at, the status every role must get for a GET,
what must not leak, and where its POST is tested. ``dziennik/portal/tests/test_url_matrix.py``
runs every case through ``AuthzMatrix`` and fails when the resolver has a URL name that
this table lacks, or the table names a URL that no longer exists. So adding a URL means
adding its line here: decide who may open it, and say so.

The roles are ``testsupport.world.ROLES`` plus the secretary (a school-wide member of
staff who is not the principal). The principal of another school (``other_principal``)
gets 200 on a page about "my school" (their own), never on an object of this school.

An expected status is the *correct* one. Where the code does something else (a real
authorization bug), the case carries ``bug=...`` and its test is marked
``xfail(strict=True)`` with that reason: the suite stays green while the bug lasts, and
fails the day it is fixed, until the mark is removed.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dziennik.accounts import letter_jobs
from dziennik.accounts.models import Passkey
from dziennik.accounts.tasks import letters_prepare
from dziennik.accounts.tests.factories import UserFactory
from dziennik.archive.models import YearArchive
from dziennik.attendance import services as attendance_services
from dziennik.attendance import settings_services
from dziennik.attendance.tests.factories import Register, build_register, save_lesson
from dziennik.behaviour import services as behaviour_services
from dziennik.core.printing import html_to_pdf
from dziennik.grades import services as grades_services
from dziennik.grades import settings_services as grade_rules
from dziennik.grades.models import GradeCategory
from dziennik.lti import services as lti_services
from dziennik.meetings import services as meeting_services
from dziennik.messaging import services as messaging_services
from dziennik.notices import services as notice_services
from dziennik.notifications import events as notification_events
from dziennik.notifications import services as notification_services
from dziennik.notifications.models import Delivery, Notification
from dziennik.oneroster import services as oneroster_services
from dziennik.planner import services as planner_services
from dziennik.plans import entitlements as plans_entitlements
from dziennik.plans import services as plans_services
from dziennik.plans.models import OnlineOrder
from dziennik.plans.payments import bank as payments_bank
from dziennik.printing import jobs as printing_jobs
from dziennik.printing.models import PrintJob
from dziennik.printing.tasks import print_job_run
from dziennik.privacy import export_jobs as privacy_export_jobs
from dziennik.privacy import services as privacy_services
from dziennik.privacy.models import DataExport, StudentRead
from dziennik.privacy.tasks import data_export_build
from dziennik.promotion import services as promotion_services
from dziennik.promotion.models import PromotionEntry
from dziennik.promotion.tests.factories import annual, classify_4a
from dziennik.records import services as records_services
from dziennik.records.models import RegisterExport
from dziennik.schools.models import SchoolRole
from dziennik.schools.tests.factories import EnrolmentFactory, StudentFactory
from dziennik.sso import services as sso_services
from dziennik.timetable import services as timetable_services
from dziennik.timetable import settings_services as room_services
from testsupport.world import ROLES, World

MATRIX_ROLES = (*ROLES, "secretary")

# URL names the table leaves out on purpose, each with the reason. A namespace is
# written with a trailing colon and covers every name inside it.
EXCLUDED = MappingProxyType(
    {
        # Django's admin has its own gate (``is_staff``, model permissions, one school per
        # secretary), not the register's viewer, and its own login page; who may use it
        # and that its writes are audited is tested in dziennik/schools/tests/test_admin.py.
        "admin:": "Django admin: its own permission system",
        # Django's language switch: public by design (anyone may choose the language);
        # it sets only the language of the session and shows no register data.
        "set_language": "Django i18n view, public, no register data",
        # Django's JavaScript translation catalogue: the same strings for everyone.
        "javascript-catalog": "Django i18n view, public, no register data",
    }
)

# What the pages of the scene contain, used as secrets that must not leak.
TOPIC = "Tajny temat lekcji 4a"
COLUMN = "Sprawdzian – ułamki"
SECRET_KIND = "Tajne zajęcia pozaszkolne"
BASIS = "Opinia lekarska 17/2026"
EXCUSE = "Choroba Zofii"
NOTICE = "Wyjazd Zofii na zawody"
SECRET_CATEGORY = "Tajny konkurs kuratoryjny"
SECRET_MARK = "tajemniczy znak"
SECRET_ROOM = "Pracownia chemiczna"
NOTICE = "Zebranie z rodzicami klasy 4a"
NOTE = "Przeszkadzała w czasie sprawdzianu z ułamków"
MEETING_TOPIC = "Wybór trasy wycieczki klasowej"
NOTIFICATION_SENDER = "Wychowawczyni Zofii o wycieczce"
DEAD_LETTER_REASON = "SMTPRecipientsRefused: 550 skrzynka anna.tajna nie istnieje"
SMS_PHONE = "+48601999888"
MESSAGE = "Zofia źle się czuje po szczepieniu"
MESSAGE_FILE = "zaswiadczenie od pediatry"
PLANNED = "Sprawdzian z potęg klasy 4a"
PLATFORM = "Platforma kółka robotyki"
PLATFORM_REDIRECT = "https://robotyka.example/oidc/callback"
LTI_TOOL = "Narzędzie Tajny Quiz"
LTI_LINK = "Tajny quiz z ułamków 4a"
LTI_NOT_IN_4A_MATHS = (
    "own_parent",
    "other_parent",
    "teacher_out",
    "class_teacher",
    "other_principal",
    "secretary",
)
RECTIFICATION = "Błędne miejsce urodzenia Zofii"
READER = "Ksenia Podglądacka"
ARCHIVE_SIGNER = "Archiwista Szkoły Tajny"
ARCHIVE_CONTENT = "Tajny rejestr klasy 4a w archiwum"
PROMOTION_REASON = "Matematyka: niedostateczny"
SHEET_BIRTH_PLACE = "Tajne Miasteczko Urodzenia"
SHEET_STUDENT = "Jagoda Arkuszowa"
PAYEE = "Rada Rodziców przy SP 7"
STATEMENT_FILE = "wyciag-pazdziernik-tajny.csv"
REVIEW_TITLE = "Składka Dąbrowskich bez tytułu"
ORDER_ID = "ORDTAJNE4A2026"
PLAN_PAYMENT = "Przelew Wiśniewskiej 0417"
LIST_REASON = "Brak kwoty przy nazwisku Dąbrowskiego"
CONFIG_PLAN = "Plan Tajny Premium"
CONFIG_PROMOTION = "Tajna promocja zimowa"
CONFIG_OFFER = "Tajne korepetycje online"


def expect(default: int, **overrides: int) -> dict[str, int]:
    """Every role gets ``default``, an anonymous visitor is sent to the login page."""
    result = dict.fromkeys(MATRIX_ROLES, default)
    result["anonymous"] = 302
    result.update(overrides)
    return result


# A GET of a URL that only takes POST: the login comes first, then 405.
POST_ONLY = expect(405)
# A page about the world's student (Zofia, 4a): herself, her parent, her teachers and the
# school office; never the other family, a teacher who does not teach her, another school.
STUDENT_PAGE = expect(200, other_parent=404, teacher_out=404, other_principal=404)
# A page only staff of class 4a may open.
CLASS_STAFF_PAGE = expect(404, teacher_in=200, class_teacher=200, principal=200, secretary=200)
# A page about "my school" for its principal (another school's principal gets their own).
PRINCIPAL_PAGE = expect(404, principal=200, other_principal=200)
# The same, for the whole school office (principal, deputy, secretary).
SCHOOL_OFFICE_PAGE = expect(404, principal=200, other_principal=200, secretary=200)
# An object of this school that only its principal manages.
PRINCIPAL_OBJECT = expect(404, principal=200)
# Any member of staff (of either school, each seeing their own), not a family.
STAFF_PAGE = expect(200, student=404, own_parent=404, other_parent=404)


@dataclass(frozen=True)
class Case:
    """One URL name: how to build its URL and what each role gets for a GET.

    - ``kwargs`` maps each URL keyword to an attribute of ``Scene`` (a model instance
      gives its primary key); ``query`` gives the GET parameters a page needs.
    - ``needs`` are further scene objects the page should show, so that the secrets
      exist in the database and the leak check means something.
    - ``secrets`` must not appear in any response that is not a 200 (and must appear in
      some 200, or they prove nothing); ``secrets_for`` not even in that role's 200. A
      page that refuses some roles and serves others names a secret, or says in
      ``nothing_to_leak`` why it has none.
    - ``post`` names the test (``path::function``) with the URL's POST matrix; a URL
      that takes only POST must name one.
    - ``note`` explains a status that would surprise a reader; ``bug`` marks a known
      authorization bug (``expected`` is then the correct behaviour, see above).
    """

    expected: Mapping[str, int]
    kwargs: Mapping[str, str] = field(default_factory=dict)
    query: Callable[[Scene], dict] | None = None
    needs: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    secrets_for: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    post: str = ""
    note: str = ""
    nothing_to_leak: str = ""
    bug: str = ""


class Scene:
    """The world and the register objects the URLs point at, each made on first use."""

    def __init__(self, world: World):
        self.world = world

    # The world's own objects.
    @property
    def student(self):
        return self.world.student

    @property
    def classmate(self):
        return self.world.classmate

    @property
    def school_class(self):
        return self.world.school_class

    @property
    def subject(self):
        return self.world.subject

    @cached_property
    def register(self) -> Register:
        """Today, 4a: 1 Historia, 2 Matematyka (teacher_in), 3 Matematyka, 4 Historia;
        4b: 2 Historia (teacher_out); all in room 12."""
        return build_register(self.world)

    @cached_property
    def lesson(self):
        """Today's Matematyka in 4a, saved with a topic; Zofia absent."""
        return save_lesson(
            self.world, self.register, self.register.math2, {self.student: "nb"}, topic=TOPIC
        )

    @cached_property
    def justification(self):
        """Zofia's mother excuses today's absence, with a doctor's note attached."""
        self.lesson  # noqa: B018 (the absence to excuse)
        day = self.register.day
        return attendance_services.justification_submit(
            actor=self.world.user("own_parent"),
            student=self.student,
            reason=EXCUSE,
            date_from=day,
            date_to=day,
            attachment=SimpleUploadedFile("zwolnienie.pdf", _doctors_note()),
        )

    @cached_property
    def notice(self):
        """Zofia's mother announces an absence tomorrow."""
        day = self.register.day + datetime.timedelta(days=1)
        return attendance_services.absence_notice_submit(
            actor=self.world.user("own_parent"),
            student=self.student,
            reason=NOTICE,
            date_from=day,
            date_to=day,
        )

    @cached_property
    def kind(self):
        """A school-defined attendance kind of this school."""
        attendance_services.attendance_kinds_ensure_defaults(school=self.world.school)
        return settings_services.attendance_kind_create(
            actor=self.world.user("principal"),
            code="zp",
            name=SECRET_KIND,
            base="school_reasons",
            counts_as="present",
        )

    @cached_property
    def exemption(self):
        """Zofia exempted from Matematyka from the day after tomorrow."""
        today = timezone.localdate()
        return settings_services.subject_exemption_create(
            actor=self.world.user("principal"),
            student=self.student,
            subject=self.subject,
            date_from=today + datetime.timedelta(days=2),
            date_to=today + datetime.timedelta(days=60),
            basis=BASIS,
        )

    @cached_property
    def grading(self):
        return grades_services.grading_setup_defaults(school=self.world.school)

    @cached_property
    def column(self):
        """A Matematyka test in 4a with Zofia's 4+ and Kacper's 2."""
        teacher = self.world.user("teacher_in")
        self.grading  # noqa: B018 (the school's categories)
        assessment = grades_services.assessment_create(
            actor=teacher,
            school_class=self.school_class,
            subject=self.subject,
            term=self.world.term1,
            name=COLUMN,
            date=self.world.term1.start_date + datetime.timedelta(days=10),
            category=GradeCategory.objects.get(school=self.world.school, name="Sprawdzian"),
        )
        for student, raw in ((self.student, "4+"), (self.classmate, "2")):
            grades_services.grade_set(
                actor=teacher, assessment=assessment, student=student, raw=raw
            )
        return assessment

    @property
    def entry(self):
        """4a's Matematyka at lesson 2 in the timetable."""
        return self.register.math2

    @property
    def room(self):
        return self.register.room

    @cached_property
    def change(self):
        """Today's Matematyka in 4a cancelled."""
        return timetable_services.timetable_change_create(
            actor=self.world.user("principal"),
            entry=self.register.math2,
            date=self.register.day,
            kind="cancellation",
        )

    @cached_property
    def revoked_feed_token(self) -> str:
        """The calendar address Zofia's mother had, and revoked."""
        parent = self.world.user("own_parent")
        token = timetable_services.calendar_feed_create(actor=parent).token
        timetable_services.calendar_feed_revoke(actor=parent)
        return token

    @cached_property
    def category(self):
        """A grade category of this school's statute, made by its principal."""
        self.grading  # noqa: B018 (the school's usual rules first)
        return grade_rules.grade_category_create(
            actor=self.world.user("principal"), name=SECRET_CATEGORY, weight=5, colour="#5b2a86"
        )

    @cached_property
    def mark(self):
        """A special mark of this school's statute."""
        self.grading  # noqa: B018
        return grade_rules.special_mark_create(
            actor=self.world.user("principal"), symbol="tz", name=SECRET_MARK
        )

    @cached_property
    def new_room(self):
        """A room of this school no lesson has used."""
        return room_services.room_create(actor=self.world.user("principal"), name=SECRET_ROOM)

    @cached_property
    def announcement(self):
        """The principal's announcement to class 4a (everyone of it), shown this week."""
        today = timezone.localdate()
        return notice_services.announcement_publish(
            actor=self.world.user("principal"),
            title=NOTICE,
            body="Zapraszamy w czwartek o 17:00.",
            class_ids=[self.school_class.pk],
            shown_from=today,
            shown_until=today + datetime.timedelta(days=7),
        )

    @cached_property
    def notification(self):
        """A notification to Zofia's mother (her own, nobody else's)."""
        with transaction.atomic():
            notification_services.notify(
                event=notification_events.MESSAGE,
                school_id=self.world.school.pk,
                recipient_ids=[self.world.user("own_parent").pk],
                key="matrix:notification",
                params={"sender": NOTIFICATION_SENDER},
                url="/",
            )
        return Notification.objects.get(key="matrix:notification")

    @cached_property
    def dead_letter(self):
        """A notification e-mail to Zofia's mother that failed for good."""
        return Delivery.objects.create(
            notification=self.notification,
            school=self.world.school,
            recipient=self.world.user("own_parent"),
            channel=Delivery.Channel.EMAIL,
            status=Delivery.Status.FAILED,
            due_at=timezone.now(),
            attempts=10,
            last_error=DEAD_LETTER_REASON,
        )

    @cached_property
    def sms_parent(self):
        """Zofia's mother with her mobile number (the SMS page lists it)."""
        guardian = self.world.own_guardian
        guardian.phone = "601 999 888"
        guardian.save(update_fields=["phone"])
        return guardian

    # the secret of the HTTP gateway's delivery reports (none is set in the tests)
    sms_token = "zgadniete-haslo"

    @cached_property
    def note(self):
        """A negative note about Zofia by her Matematyka teacher."""
        behaviour_services.behaviour_categories_ensure_defaults(school=self.world.school)
        category = self.world.school.behaviour_categories.get(name="przeszkadzanie na lekcji")
        return behaviour_services.note_create(
            actor=self.world.user("teacher_in"),
            student=self.student,
            category=category,
            text=NOTE,
            date=timezone.localdate(),
        )

    @cached_property
    def consultation(self):
        """Matematyka's teacher's consultation hours in a week; Zofia's mother booked the
        first time."""
        session = meeting_services.consultation_publish(
            actor=self.world.user("teacher_in"),
            date=timezone.localdate() + datetime.timedelta(days=7),
            starts_at=datetime.time(16, 0),
            ends_at=datetime.time(17, 0),
            slot_minutes=15,
            room="12",
        )
        meeting_services.booking_create(
            actor=self.world.user("own_parent"),
            slot=session.slots.order_by("starts").first(),
            student=self.student,
        )
        return session

    @cached_property
    def slot(self):
        """A free time of the consultation hours."""
        return self.consultation.slots.order_by("starts")[1]

    @cached_property
    def booking(self):
        return self.consultation.bookings.get()

    @cached_property
    def class_meeting(self):
        """4a's class meeting in ten days, called by its class teacher."""
        return meeting_services.class_meeting_create(
            actor=self.world.user("class_teacher"),
            school_class=self.school_class,
            date=timezone.localdate() + datetime.timedelta(days=10),
            starts_at=datetime.time(17, 0),
            ends_at=datetime.time(18, 0),
            room="4",
            topic=MEETING_TOPIC,
        )

    @cached_property
    def message(self):
        """Zofia's mother writes to the class teacher, with a PDF attached."""
        return messaging_services.message_send(
            actor=self.world.user("own_parent"),
            subject=MESSAGE,
            body="Proszę o zwolnienie z WF do piątku.",
            recipient_ids=[self.world.user("class_teacher").pk],
            files=[SimpleUploadedFile("zaswiadczenie.pdf", html_to_pdf(f"<p>{MESSAGE_FILE}</p>"))],
        )

    @property
    def message_thread(self):
        return self.message.thread

    @property
    def message_attachment(self):
        return self.message.attachments.get()

    @cached_property
    def planned_test(self):
        """A Matematyka test of 4a in ten days, with a worksheet, by its teacher."""
        return planner_services.event_plan(
            actor=self.world.user("teacher_in"),
            kind="test",
            school_class=self.school_class,
            subject=self.subject,
            title=PLANNED,
            date=timezone.localdate() + datetime.timedelta(days=10),
            attachment=SimpleUploadedFile("potegi.pdf", _doctors_note()),
        )

    @property
    def student_account(self):
        return self.world.user("student")

    @property
    def teacher_account(self):
        return self.world.user("teacher_in")

    @property
    def parent_account(self):
        return self.world.user("own_parent")

    @property
    def export_format(self) -> str:
        return "json"

    @cached_property
    def rectification(self):
        """Zofia's mother asks to correct Zofia's place of birth."""
        return privacy_services.rectification_file(
            actor=self.world.user("own_parent"),
            student_id=self.student.pk,
            data=RECTIFICATION,
            wrong="Kraków",
            correct="Wrocław",
        )

    @cached_property
    def student_read(self):
        """A teacher of the school (not in the world's roles) read Zofia's grades."""
        reader = UserFactory(
            username="czytelnik", school=self.world.school, first_name="Ksenia",
            last_name="Podglądacka",
        )  # fmt: skip
        SchoolRole.objects.create(school=self.world.school, user=reader, role="teacher")
        return StudentRead.objects.create(
            student=self.student,
            reader=reader,
            kind=StudentRead.Kind.GRADES,
            day=timezone.localdate(),
            at=timezone.now(),
            roles="teacher",
        )

    @cached_property
    def passkey(self):
        """A passkey of Zofia's mother (only its id matters: removing is POST only)."""
        return Passkey.objects.create(
            user=self.world.user("own_parent"),
            name="Telefon",
            credential_id="bWF0cml4LWtleQ",
            public_key=b"matrix",
        )

    @cached_property
    def promotion_list(self):
        """4a's promotion list, prepared by the principal: Kacper failed Matematyka."""
        classify_4a(self.world)
        return promotion_services.promotion_list_prepare(
            actor=self.world.user("principal"), school_class=self.school_class
        )

    @property
    def promotion_entry(self):
        return PromotionEntry.objects.get(
            promotion_list=self.promotion_list, student=self.classmate
        )

    @cached_property
    def sheet_student(self):
        """Jagoda of 4a, born in a secret place: her grade sheet says where."""
        self.promotion_list  # noqa: B018 (the school's rules and the class's grades)
        student = StudentFactory(
            school=self.world.school,
            first_name="Jagoda",
            last_name="Arkuszowa",
            birth_place=SHEET_BIRTH_PLACE,
        )
        EnrolmentFactory(student=student, school_class=self.school_class, journal_number=3)
        return student

    @cached_property
    def unclassified_grade(self):
        """Zofia is not classified in Historia (annual)."""
        self.promotion_list  # noqa: B018 (the school's rules and the class's grades)
        return annual(self.world, self.student, self.world.other_subject, outcome="nkl")

    # A "forgot your password?" link that does not work: an unknown account, a bad token.
    forgotten_uid = "MTIzNDU2Nzg5"
    forgotten_token = "bad-token"

    @cached_property
    def letter_job(self):
        """Letters of class 4a the class teacher asked for, ready to download."""
        job = letter_jobs.letter_job_start(
            actor=self.world.user("class_teacher"),
            school_class=self.world.school_class,
            regenerate=False,
            login_url="http://testserver/konto/logowanie/",
        )[0]
        letters_prepare.call(job.pk)
        return job

    @cached_property
    def plan_payment(self):
        """Zofia's mother paid the extended plan by transfer; the school runs the leaflet's
        plans."""
        purchase = plans_services.purchase_create(
            actor=self.world.user("own_parent"),
            package=self.leaflet["single"],
            students=[self.student],
            channel="transfer",
            day=timezone.localdate(),
        )
        return plans_services.payment_record(
            actor=self.world.user("secretary"),
            purchase=purchase,
            channel="transfer",
            amount=purchase.amount,
            external_ref=PLAN_PAYMENT,
            received_on=timezone.localdate(),
        )

    @cached_property
    def activation_list(self):
        """4a's activation list, sent by its class teacher and returned by the office."""
        self.plan_payment  # noqa: B018 (the school's packages)
        teacher = self.world.user("class_teacher")
        activation_list = plans_services.activation_list_create(
            actor=teacher, school_class=self.school_class, collected_on=timezone.localdate()
        )
        single = self.leaflet["single"]
        plans_services.activation_list_save(
            actor=teacher, activation_list=activation_list, choices={self.classmate.pk: single.pk}
        )
        plans_services.activation_list_send(actor=teacher, activation_list=activation_list)
        return plans_services.activation_list_return(
            actor=self.world.user("secretary"), activation_list=activation_list, reason=LIST_REASON
        )

    @cached_property
    def platform(self):
        """An e-learning platform of this school that its teachers may log in to."""
        platform, _ = sso_services.platform_register(
            actor=self.world.user("principal"),
            name=PLATFORM,
            redirect_uris=[PLATFORM_REDIRECT],
            public=False,
            scopes=["openid", "register"],
            roles=["teacher"],
        )
        return platform

    @cached_property
    def lti_tool(self):
        """A learning tool (LTI 1.3) of this school."""
        return lti_services.tool_register(
            actor=self.world.user("principal"),
            name=LTI_TOOL,
            login_url="https://quiz.example/lti/login",
            launch_url="https://quiz.example/lti/launch",
            redirect_uris=[],
            deep_link_url="",
            jwks_url="https://quiz.example/lti/jwks",
            public_key="",
        )

    @cached_property
    def lti_placement(self):
        """The tool placed by teacher_in in 4a's Matematyka, with a points column."""
        grades_services.grading_setup_defaults(school=self.world.school)
        return lti_services.placement_add(
            actor=self.world.user("teacher_in"),
            tool=self.lti_tool,
            school_class=self.world.school_class,
            subject=self.world.subject,
            title=LTI_LINK,
            column_maximum=20,
        )

    @cached_property
    def lti_line_item(self):
        return self.lti_placement.line_items.get()

    # OneRoster's API paths (their objects are GUIDs; a bearer token opens them).
    oneroster_collection = "users"
    oneroster_id = "00000000-0000-5000-8000-000000000000"
    oneroster_relation = "classes"
    oneroster_classes = "classes"
    oneroster_line_items = "lineItems"

    @cached_property
    def roster_platform(self):
        """The platform with a OneRoster client of this school."""
        platform = self.platform
        oneroster_services.roster_client_create(
            actor=self.world.user("principal"), platform=platform, gradebook=False
        )
        return platform

    def authorize_query(self) -> dict:
        """The platform's authorization request (OpenID Connect, with PKCE)."""
        return {
            "client_id": self.platform.application.client_id,
            "response_type": "code",
            "redirect_uri": PLATFORM_REDIRECT,
            "scope": "openid",
            "state": "matrix",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }

    @cached_property
    def year(self):
        return self.world.year

    @cached_property
    def register_export(self) -> RegisterExport:
        """The principal's export of class 4a, as listed on the records page."""
        return records_services.export_recorded(
            actor=self.world.user("principal"),
            school=self.world.school,
            year=self.world.year,
            school_class=self.world.school_class,
            via=RegisterExport.Via.DOWNLOAD,
        )

    @cached_property
    def data_export(self) -> DataExport:
        """The parent's PDF copy of their child's data, built."""
        row = privacy_export_jobs.export_pdf_start(
            actor=self.world.user("own_parent"),
            user=None,
            student=self.world.student,
            language="pl",
        )
        data_export_build.call(row.pk)
        return row

    @cached_property
    def print_job(self) -> PrintJob:
        """The class teacher's printout of the register of 4a, ready to download."""
        job = printing_jobs.job_start(
            actor=self.world.user("class_teacher"),
            kind=PrintJob.Kind.REGISTER,
            school_year=self.world.year,
            school_class=self.world.school_class,
        )[0]
        print_job_run.call(job.pk)
        return job

    @property
    def register_kind(self) -> str:
        return PrintJob.Kind.REGISTER

    @property
    def school_year(self):
        return self.world.year

    @cached_property
    def year_archive(self):
        """A finished archive of the world's year, its (small, stored) zip on disk."""
        archive = YearArchive.objects.create(
            school=self.world.school,
            school_year=self.world.year,
            requested_by=self.world.user("principal"),
            status=YearArchive.Status.DONE,
            file_name=f"{self.world.school.pk}/archiwum-test.zip",
            sha256="0" * 64,
            size=100,
            signer=f"CN={ARCHIVE_SIGNER}",
            verified=True,
        )
        path = Path(settings.ARCHIVE_DIR) / archive.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive_zip:
            archive_zip.writestr("manifest.json", f"\n{ARCHIVE_CONTENT}\n")
        return archive

    # --- payments (plans/payments) -----------------------------------------------
    @cached_property
    def leaflet(self) -> dict:
        return plans_services.leaflet_configuration(
            school=self.world.school, year_start=self.world.year.start_date.year
        )

    @cached_property
    def pay_account(self):
        """The school's bank account, set by its principal."""
        return payments_bank.bank_account_update(
            actor=self.world.user("principal"),
            holder=PAYEE,
            address="ul. Szkolna 7, 00-950 Warszawa",
            iban="PL61109010140000071219812874",
        )

    @cached_property
    def pay_purchase(self):
        """Zofia's mother buys the extended account by transfer (the school has its
        account)."""
        self.pay_account  # noqa: B018
        return plans_services.purchase_create(
            actor=self.world.user("own_parent"),
            package=self.leaflet["single"],
            students=[self.student],
            channel="transfer",
            day=timezone.localdate(),
        )

    @cached_property
    def pay_order(self):
        """Zofia's mother's online order at the operator, paid."""
        purchase = plans_services.purchase_create(
            actor=self.world.user("own_parent"),
            package=self.leaflet["single"],
            students=[self.student],
            channel="online",
            day=timezone.localdate(),
        )
        return OnlineOrder.objects.create(
            school=self.world.school,
            purchase=purchase,
            operator="payu",
            order_id=ORDER_ID,
            ext_order_id=f"{purchase.title}-TEST01",
            amount=purchase.amount,
            status=OnlineOrder.Status.COMPLETED,
            redirect_uri="https://operator.example/pay/",
        )

    @cached_property
    def pay_statement(self):
        """A bank statement the secretary imported, with a line for review."""
        self.leaflet  # noqa: B018
        data = (
            "Data księgowania;Tytuł;Nadawca/Odbiorca;Kwota\n"
            f"2026-10-01;{REVIEW_TITLE};Marek Dąbrowski;22,00\n"
        ).encode()
        return payments_bank.statement_import(
            actor=self.world.user("secretary"), name=STATEMENT_FILE, data=data, fmt="csv"
        )

    @property
    def pay_review_line(self):
        return self.pay_statement.lines.get()

    # --- the principal's configuration of plans (plans/views_config.py) ----------------
    @cached_property
    def config_plan(self):
        return plans_services.plan_create(
            actor=self.world.user("principal"),
            name=CONFIG_PLAN,
            entitlements=sorted(plans_entitlements.FREE_BY_LAW),
            validity_months=12,
        )

    @cached_property
    def config_package(self):
        return plans_services.package_create(
            actor=self.world.user("principal"),
            plan=self.config_plan,
            kind="single",
            amount=Decimal("40.00"),
            channels=["transfer"],
        )

    @cached_property
    def config_promotion(self):
        today = timezone.localdate()
        return plans_services.promotion_create(
            actor=self.world.user("principal"),
            package=self.config_package,
            name=CONFIG_PROMOTION,
            amount=Decimal("30.00"),
            date_from=today,
            date_to=today + datetime.timedelta(days=30),
        )

    @cached_property
    def config_offer(self):
        return plans_services.offer_create(
            actor=self.world.user("principal"),
            name=CONFIG_OFFER,
            entitlement="elearning",
            amount=Decimal("15.00"),
            validity_months=6,
            window_days=14,
        )

    def url(self, name: str, case: Case) -> str:
        for need in case.needs:
            getattr(self, need)
        kwargs = {}
        for keyword, attribute in case.kwargs.items():
            value = getattr(self, attribute)
            kwargs[keyword] = value.pk if isinstance(value, Model) else value
        return reverse(name, kwargs=kwargs)


def _doctors_note() -> bytes:
    """A real one-page PDF, so that the matrix reads its text like any other PDF's."""
    return html_to_pdf("<p>zwolnienie lekarskie</p>")


# The files with the POST matrices most lines refer to.
ATTENDANCE_AUTHZ = "dziennik/attendance/tests/test_authorization.py::"
ABSENCE_NOTICES_AUTHZ = "dziennik/attendance/tests/test_notices.py::"
SETTINGS_AUTHZ = "dziennik/attendance/tests/test_settings_authorization.py::"
GRADES_AUTHZ = "dziennik/grades/tests/test_authorization.py::"
RULES_AUTHZ = "dziennik/grades/tests/test_settings_authorization.py::"
NOTICES_AUTHZ = "dziennik/notices/tests/test_authorization.py::"
BEHAVIOUR_AUTHZ = "dziennik/behaviour/tests/test_authorization.py::"
KEYSTROKE_AUTHZ = "dziennik/keystroke/tests/test_authorization.py::"
KEYSTROKE_LOGIN = "dziennik/keystroke/tests/test_login.py::"
NOTIFICATIONS_AUTHZ = "dziennik/notifications/tests/test_authorization.py::"
MESSAGING_AUTHZ = "dziennik/messaging/tests/test_authorization.py::"
PLANNER_AUTHZ = "dziennik/planner/tests/test_authorization.py::"
PLANS_VIEWS = "dziennik/plans/tests/test_views.py::"
LUCKY_AUTHZ = "dziennik/lucky/tests/test_authorization.py::"
MEETINGS_AUTHZ = "dziennik/meetings/tests/test_authorization.py::"
SSO_AUTHZ = "dziennik/sso/tests/test_platforms.py::"
SSO_TOKENS = "dziennik/sso/tests/test_tokens.py::"
LTI_AUTHZ = "dziennik/lti/tests/test_authorization.py::"
LTI_SERVICES = "dziennik/lti/tests/test_services.py::"
LTI_LAUNCH = "dziennik/lti/tests/test_launch.py::"
ONEROSTER_SCREENS = "dziennik/oneroster/tests/test_screens.py::"
# The endpoints a platform's server calls with its own credentials or a bearer token:
# a browser session (any role's, or none) opens nothing there.
BEARER_ONLY = expect(401, anonymous=401)
RETENTION_AUTHZ = "dziennik/retention/tests/test_authorization.py::"
RECORDS_TESTS = "dziennik/records/tests/test_records.py::"
PRINTING_TESTS = "dziennik/printing/tests/test_printing.py::"
PRIVACY_EXPORT = "dziennik/privacy/tests/test_export.py::"
PRIVACY_REQUESTS = "dziennik/privacy/tests/test_rectification.py::"
PROMOTION_AUTHZ = "dziennik/promotion/tests/test_authorization.py::"
ROOMS_AUTHZ = "dziennik/timetable/tests/test_rooms.py::"
ARCHIVE_AUTHZ = "dziennik/archive/tests/test_authorization.py::"
# Rooms: those who manage the school's timetable (principal, deputy, secretary).
TIMETABLE_MANAGERS = expect(404, principal=200, secretary=200)

PAYMENTS_AUTHZ = "dziennik/plans/tests/test_payments_authorization.py::"
PLANS_CONFIG = "dziennik/plans/tests/test_configuration_views.py::"
# A family's purchase: the family that bought it and the school office.
FAMILY_PURCHASE = expect(404, own_parent=200, principal=200, secretary=200)

URLS: dict[str, Case] = {
    # --- portal -----------------------------------------------------------------------
    "portal:home": Case(
        expect(200),
        secrets_for={
            "other_parent": ("Zofia", "Wiśniewska"),
            "student": ("Kacper", "Dąbrowski"),
            "own_parent": ("Kacper", "Dąbrowski"),
            "other_principal": ("Zofia", "Kacper", "Grażyna"),
        },
        note="Everyone's own home; what it shows is tested in portal/tests/test_screens_home.py",
    ),
    "portal:healthz": Case(
        expect(200, anonymous=200),
        note="The load balancer's probe: public, says only that the app answers",
    ),
    "portal:history": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("column", "justification"),
        secrets=(COLUMN, EXCUSE),
        # The secretary browses the history but reads no excuse (L-19, P-08).
        secrets_for={"other_principal": (COLUMN, "Wiśniewska"), "secretary": (EXCUSE,)},
    ),
    "portal:manifest": Case(
        expect(200, anonymous=200),
        note="The installable app's manifest: public (fetched without cookies), the same "
        "for everyone",
    ),
    "portal:service_worker": Case(
        expect(200, anonymous=200),
        note="The service worker's script: public, the same for everyone "
        "(portal/tests/test_pwa.py, test_pwa_browser.py)",
    ),
    "portal:offline": Case(
        expect(200, anonymous=200),
        note="What offline shows for a page never kept: public, names nobody",
    ),
    # --- core -------------------------------------------------------------------------
    "core:readyz": Case(
        expect(200, anonymous=200),
        note="The load balancer's readiness probe: public, database and cache state only "
        "(dziennik/portal/tests/test_faults_stack.py and core/tests/test_health.py)",
    ),
    "core:csp_report": Case(
        expect(405, anonymous=405),
        post="dziennik/core/tests/test_csp_report.py::test_a_report_is_logged_from_anyone",
        note="POST only, no login: browsers report CSP violations of any page, the login too",
    ),
    # --- accounts ---------------------------------------------------------------------
    "accounts:login": Case(
        expect(302, anonymous=200),
        note="A logged-in user is sent on to the home page",
    ),
    "accounts:logout": Case(
        expect(405, anonymous=405),
        post="dziennik/accounts/tests/test_login_protection.py::test_logout_ends_the_session",
        note="POST only, and open to anyone: logging out needs no login",
    ),
    "accounts:password_change": Case(expect(200), note="Everyone changes their own password"),
    "accounts:forgot_password": Case(
        expect(200, anonymous=200),
        post="dziennik/accounts/tests/test_forgot_password.py::test_the_link_sets_a_new_password_once",
        note="Public: whoever forgot their password is not logged in",
    ),
    "accounts:forgot_password_sent": Case(expect(200, anonymous=200), note="Public"),
    "accounts:forgot_password_confirm": Case(
        expect(200, anonymous=200),
        kwargs={"uidb64": "forgotten_uid", "token": "forgotten_token"},
        post="dziennik/accounts/tests/test_forgot_password.py::test_the_link_sets_a_new_password_once",
        note="Public; a link that does not work says so (200), a working one is tested apart",
    ),
    "accounts:forgot_password_done": Case(expect(200, anonymous=200), note="Public"),
    "accounts:logout_everywhere": Case(
        POST_ONLY,
        post=(
            "dziennik/accounts/tests/test_login_protection.py::"
            "test_logout_everywhere_needs_post_and_login"
        ),
    ),
    "accounts:login_second_step": Case(
        expect(302, anonymous=302),
        post="dziennik/accounts/tests/test_second_factor.py::test_login_asks_for_the_code_after_the_password",
        note="Only after the right password of an account with an authenticator app; "
        "without that, back to the login page",
    ),
    "accounts:login_email_code": Case(
        expect(302, anonymous=302),
        post=KEYSTROKE_LOGIN + "test_an_unusual_rhythm_without_a_factor_asks_for_an_emailed_code",
        note="Only after the right password of a login KeyStroke found unusual; "
        "without that, back to the login page",
    ),
    "accounts:login_email_code_resend": Case(
        expect(405, anonymous=405),
        post=KEYSTROKE_LOGIN + "test_codes_are_rate_limited_single_use_and_expire",
        note="POST only, before the login (no session: back to the login page)",
    ),
    "accounts:second_factor": Case(expect(200), note="Everyone manages their own second factor"),
    "accounts:second_factor_enrol": Case(
        POST_ONLY,
        post="dziennik/accounts/tests/test_second_factor.py::test_enrolment_needs_the_first_code",
    ),
    "accounts:second_factor_confirm": Case(
        POST_ONLY,
        post="dziennik/accounts/tests/test_second_factor.py::test_enrolment_needs_the_first_code",
    ),
    "accounts:second_factor_disable": Case(
        POST_ONLY,
        post="dziennik/accounts/tests/test_second_factor.py::test_disabling_needs_a_code_or_the_password",
    ),
    "accounts:recovery_codes": Case(
        POST_ONLY,
        post="dziennik/accounts/tests/test_second_factor.py::test_new_recovery_codes_replace_the_old",
    ),
    "accounts:passkeys": Case(expect(200), note="Everyone manages their own passkeys"),
    "accounts:passkey_register_options": Case(
        POST_ONLY,
        post="dziennik/accounts/tests/test_passkeys.py::test_passkey_post_matrix",
    ),
    "accounts:passkey_register": Case(
        POST_ONLY,
        post="dziennik/accounts/tests/test_passkeys.py::test_passkey_post_matrix",
    ),
    "accounts:passkey_remove": Case(
        POST_ONLY,
        kwargs={"passkey_id": "passkey"},
        post="dziennik/accounts/tests/test_passkeys.py::test_passkey_post_matrix",
    ),
    "accounts:passkey_login_options": Case(
        expect(405, anonymous=405),
        post="dziennik/accounts/tests/test_passkeys.py::test_passkey_login_post_matrix",
        note="POST only, and open to anyone: it starts a login",
    ),
    "accounts:passkey_login": Case(
        expect(405, anonymous=405),
        post="dziennik/accounts/tests/test_passkeys.py::test_passkey_login_post_matrix",
        note="POST only, and open to anyone: it is a login",
    ),
    "accounts:second_factor_reset": Case(
        PRINCIPAL_OBJECT,
        kwargs={"user_id": "teacher_account"},
        secrets=("Lewandowski",),
        post="dziennik/accounts/tests/test_second_factor_reset.py::test_reset_post_matrix",
        note="Only the principal of the teacher's school; not the secretary",
    ),
    "accounts:switch_child": Case(
        POST_ONLY,
        post="dziennik/portal/tests/test_url_matrix.py::test_switch_child_post_matrix",
    ),
    "accounts:class_credentials": Case(
        expect(404, class_teacher=200, principal=200, secretary=200),
        kwargs={"class_id": "school_class"},
        secrets=("Dąbrowski", "uczen-test", "rodzic-test"),
        post="dziennik/accounts/tests/test_authorization.py::test_class_credentials_post_matrix",
        note="The class teacher and the school office; a teacher of the class does not",
    ),
    "accounts:letters_job": Case(
        expect(404, class_teacher=200),
        kwargs={"job_id": "letter_job"},
        secrets=("Pobierz listy",),
        note="Only the person who asked for the letters sees them: they hold passwords",
    ),
    "accounts:letters_download": Case(
        POST_ONLY,
        kwargs={"job_id": "letter_job"},
        post="dziennik/accounts/tests/test_letter_jobs.py::test_download_matrix",
    ),
    "accounts:staff_accounts": Case(
        SCHOOL_OFFICE_PAGE,
        secrets=("n-in", "Lewandowski"),
        secrets_for={"other_principal": ("n-in", "Lewandowski")},
    ),
    "accounts:staff_account_new": Case(
        SCHOOL_OFFICE_PAGE,
        nothing_to_leak="An empty form; the roles offered are the viewer's own to give",
        post="dziennik/accounts/tests/test_staff_account_create.py::test_create_post_matrix",
    ),
    "accounts:password_reset": Case(
        expect(404, class_teacher=200, principal=200, secretary=200),
        kwargs={"user_id": "student_account"},
        secrets=("uczen-test", "Wiśniewska"),
        post="dziennik/accounts/tests/test_authorization.py::test_password_reset_matrix",
        note="The student's own password is changed, not reset",
    ),
    # --- schools ----------------------------------------------------------------------
    "schools:crest": Case(
        expect(404, anonymous=404),
        note="Public, and only for a single-school installation: the world has two schools",
    ),
    "schools:class_list": Case(
        expect(200),
        secrets_for={"other_principal": ("4a",), "teacher_in": ("4b",)},
    ),
    "schools:class_detail": Case(
        expect(200, teacher_out=404, other_principal=404),
        kwargs={"class_id": "school_class"},
        secrets=("Dąbrowski",),
        secrets_for={"own_parent": ("Dąbrowski",), "other_parent": ("Wiśniewska",)},
        note="A family sees the class with its own child only",
    ),
    "schools:student_detail": Case(
        STUDENT_PAGE,
        kwargs={"student_id": "student"},
        secrets=("Wiśniewska",),
    ),
    "schools:import": Case(
        SCHOOL_OFFICE_PAGE,
        secrets=("Szkoła Podstawowa nr 7",),
        secrets_for={"other_principal": ("Szkoła Podstawowa nr 7",)},
        post="dziennik/schools/tests/test_import_views.py::test_import_post_matrix",
    ),
    "schools:import_confirm": Case(
        POST_ONLY, post="dziennik/schools/tests/test_import_views.py::test_confirm_matrix"
    ),
    "schools:import_template": Case(
        SCHOOL_OFFICE_PAGE, nothing_to_leak="The same sample file for every school"
    ),
    # --- timetable --------------------------------------------------------------------
    "timetable:index": Case(
        expect(302, principal=200, other_principal=200, secretary=200),
        note="Staff and families are sent to their own week; the school office gets a list",
    ),
    "timetable:student": Case(
        STUDENT_PAGE,
        kwargs={"student_id": "student"},
        needs=("register",),
        secrets=("Wiśniewska", "Lewandowski"),
    ),
    "timetable:class": Case(
        expect(200, teacher_out=404, other_principal=404),
        kwargs={"class_id": "school_class"},
        needs=("register",),
        secrets=("Lewandowski",),
    ),
    "timetable:editor": Case(
        expect(404, principal=200, secretary=200),
        kwargs={"class_id": "school_class"},
        needs=("register",),
        secrets=("Lewandowski",),
    ),
    "timetable:entry_add": Case(
        expect(404, principal=200, secretary=200),
        kwargs={"class_id": "school_class"},
        secrets=("Lewandowski",),
        post="dziennik/timetable/tests/test_editor.py::test_editor_writes_matrix",
    ),
    "timetable:entry_change": Case(
        expect(404, principal=200, secretary=200),
        kwargs={"entry_id": "entry"},
        secrets=("Lewandowski",),
        post="dziennik/timetable/tests/test_editor.py::test_editor_writes_matrix",
    ),
    "timetable:entry_end": Case(
        expect(404, principal=200, secretary=200),
        kwargs={"entry_id": "entry"},
        secrets=("Lewandowski",),
        post="dziennik/timetable/tests/test_editor.py::test_editor_writes_matrix",
    ),
    "timetable:import": Case(
        SCHOOL_OFFICE_PAGE,
        secrets=("Szkoła Podstawowa nr 7",),
        secrets_for={"other_principal": ("Szkoła Podstawowa nr 7",)},
        post="dziennik/timetable/tests/test_import_views.py::test_import_post_matrix",
    ),
    "timetable:import_confirm": Case(
        POST_ONLY,
        post="dziennik/timetable/tests/test_import_views.py::test_confirm_and_template_matrix",
    ),
    "timetable:import_template": Case(
        SCHOOL_OFFICE_PAGE, nothing_to_leak="The same sample file for every school"
    ),
    "timetable:teacher": Case(
        STAFF_PAGE,
        needs=("register",),
        secrets=("Matematyka",),
        secrets_for={"other_principal": ("Matematyka",)},
    ),
    "timetable:room": Case(
        expect(200, student=404, own_parent=404, other_parent=404, other_principal=404),
        kwargs={"room_id": "room"},
        secrets=("Matematyka",),
    ),
    "timetable:rooms": Case(
        expect(404, principal=200, other_principal=200, secretary=200),
        needs=("new_room",),
        secrets=(SECRET_ROOM,),
        secrets_for={"other_principal": (SECRET_ROOM,)},
        post=ROOMS_AUTHZ + "test_rooms_writes_matrix",
        note="Another school's principal gets their own school's rooms",
    ),
    "timetable:room_edit": Case(
        TIMETABLE_MANAGERS,
        kwargs={"room_id": "new_room"},
        secrets=(SECRET_ROOM,),
        post=ROOMS_AUTHZ + "test_rooms_writes_matrix",
    ),
    "timetable:room_delete": Case(
        TIMETABLE_MANAGERS,
        kwargs={"room_id": "new_room"},
        secrets=(SECRET_ROOM,),
        post=ROOMS_AUTHZ + "test_rooms_writes_matrix",
    ),
    "timetable:changes": Case(
        expect(404, principal=200, other_principal=200, secretary=200),
        needs=("change",),
        secrets=("Lewandowski",),
        secrets_for={"other_principal": ("Lewandowski", "Matematyka")},
        post="dziennik/timetable/tests/test_timetable.py::test_changes_page_and_writes",
    ),
    "timetable:change_delete": Case(
        POST_ONLY,
        kwargs={"change_id": "change"},
        post="dziennik/timetable/tests/test_timetable.py::test_changes_page_and_writes",
    ),
    "timetable:feed_settings": Case(
        expect(200),
        post=(
            "dziennik/timetable/tests/test_timetable.py::"
            "test_calendar_feed_needs_only_the_token_and_revoking_kills_it"
        ),
        note="Everyone manages their own calendar address",
    ),
    "timetable:feed": Case(
        expect(404, anonymous=404),
        kwargs={"token": "revoked_feed_token"},
        needs=("register",),
        secrets=("Matematyka",),
        note=(
            "No login: the secret token in the address is the credential. A revoked one is "
            "404 for everyone; a live one is tested in test_timetable.py"
        ),
    ),
    # --- attendance -------------------------------------------------------------------
    "attendance:index": Case(expect(302), note="Everyone is sent to their own page"),
    "attendance:today": Case(
        STAFF_PAGE,
        needs=("lesson",),
        secrets=("Matematyka",),
        secrets_for={"other_principal": ("Matematyka",), "teacher_out": ("Matematyka",)},
    ),
    "attendance:lesson_open": Case(POST_ONLY, post=ATTENDANCE_AUTHZ + "test_open_lesson"),
    "attendance:lesson": Case(
        expect(404, teacher_in=200, class_teacher=200, principal=200, secretary=200),
        kwargs={"lesson_id": "lesson"},
        secrets=(TOPIC, "Wiśniewska"),
        post=ATTENDANCE_AUTHZ + "test_lesson_screen",
        note="Its teacher, the class teacher and the principal edit; the secretary reads",
    ),
    "attendance:missing": Case(
        STAFF_PAGE,
        needs=("register",),
        secrets=("Matematyka",),
        secrets_for={"other_principal": ("Matematyka", "Lewandowski")},
    ),
    "attendance:student": Case(
        STUDENT_PAGE, kwargs={"student_id": "student"}, needs=("lesson",), secrets=(TOPIC,)
    ),
    "attendance:student_topics": Case(
        STUDENT_PAGE, kwargs={"student_id": "student"}, needs=("lesson",), secrets=(TOPIC,)
    ),
    "attendance:student_pdf": Case(
        STUDENT_PAGE, kwargs={"student_id": "student"}, needs=("lesson",), secrets=("Wiśniewska",)
    ),
    "attendance:justification_new": Case(
        expect(404, own_parent=200),
        kwargs={"student_id": "student"},
        needs=("lesson",),
        secrets=("Matematyka",),
        post=ATTENDANCE_AUTHZ + "test_justification_form",
        note=(
            "A parent excuses; an adult student only where the school allows it "
            "(attendance/tests/test_justifications.py)"
        ),
    ),
    "attendance:notice_new": Case(
        expect(404, own_parent=200),
        kwargs={"student_id": "student"},
        needs=("notice",),
        secrets=("Wiśniewska",),
        post=ABSENCE_NOTICES_AUTHZ + "test_notice_form_authorization",
        note="A parent announces (an adult student where the school allows it), as excuses",
    ),
    "attendance:notice_withdraw": Case(
        POST_ONLY,
        kwargs={"notice_id": "notice"},
        post=ABSENCE_NOTICES_AUTHZ + "test_notice_withdraw_authorization",
    ),
    "attendance:justifications": Case(
        expect(404, class_teacher=200, principal=200, other_principal=200),
        needs=("justification", "notice"),
        secrets=("Wiśniewska", NOTICE),
        secrets_for={"other_principal": ("Wiśniewska", NOTICE)},
        note="Those who decide: the class teacher, the principal",
    ),
    "attendance:justification": Case(
        expect(404, own_parent=200, student=200, class_teacher=200, principal=200),
        kwargs={"justification_id": "justification"},
        secrets=(EXCUSE,),
        post=ATTENDANCE_AUTHZ + "test_justification_detail_and_decision",
        note="Those who decide (the class teacher, the principal) and the family (L-19, P-08)",
    ),
    "attendance:justification_attachment": Case(
        expect(404, own_parent=200, student=200, class_teacher=200, principal=200),
        kwargs={"justification_id": "justification"},
        secrets=("zwolnienie",),
        note="Those who decide (the class teacher, the principal) and the family (L-19, P-08)",
    ),
    "attendance:class_summary": Case(
        CLASS_STAFF_PAGE,
        kwargs={"class_id": "school_class"},
        needs=("lesson",),
        secrets=("Wiśniewska",),
    ),
    "attendance:class_sheet": Case(
        expect(404, class_teacher=200, principal=200, secretary=200),
        kwargs={"class_id": "school_class"},
        needs=("lesson",),
        secrets=("Dąbrowski",),
    ),
    "attendance:school": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("lesson",),
        secrets=("4a",),
        secrets_for={"other_principal": ("4a",)},
    ),
    "attendance:settings": Case(
        PRINCIPAL_PAGE,
        needs=("kind",),
        secrets=(SECRET_KIND,),
        secrets_for={"other_principal": (SECRET_KIND,)},
    ),
    "attendance:kinds_setup": Case(POST_ONLY, post=SETTINGS_AUTHZ + "test_default_kinds_setup"),
    "attendance:kind_new": Case(
        PRINCIPAL_PAGE,
        post=SETTINGS_AUTHZ + "test_new_kind",
        nothing_to_leak="An empty form; the roles it refuses get no trace of the school",
    ),
    "attendance:kind_edit": Case(
        PRINCIPAL_OBJECT,
        kwargs={"kind_id": "kind"},
        secrets=(SECRET_KIND,),
        post=SETTINGS_AUTHZ + "test_edit_kind",
    ),
    "attendance:kind_delete": Case(
        PRINCIPAL_OBJECT,
        kwargs={"kind_id": "kind"},
        secrets=(SECRET_KIND,),
        post=SETTINGS_AUTHZ + "test_delete_kind",
    ),
    "attendance:rules": Case(
        PRINCIPAL_PAGE,
        post=SETTINGS_AUTHZ + "test_rules",
        nothing_to_leak="Each principal gets the numbers of their own school's rules",
    ),
    "attendance:exemptions": Case(
        expect(404, principal=200, class_teacher=200, other_principal=200),
        needs=("exemption",),
        secrets=(BASIS, "Wiśniewska"),
        secrets_for={"other_principal": (BASIS, "Wiśniewska")},
    ),
    "attendance:exemption_new": Case(
        expect(404, principal=200, class_teacher=200, other_principal=200),
        secrets=("Wiśniewska",),
        secrets_for={"other_principal": ("Wiśniewska", "Matematyka")},
        post=SETTINGS_AUTHZ + "test_new_exemption",
    ),
    "attendance:exemption_end": Case(
        expect(404, principal=200, class_teacher=200),
        kwargs={"exemption_id": "exemption"},
        secrets=(BASIS, "Wiśniewska"),
        post=SETTINGS_AUTHZ + "test_end_exemption",
    ),
    "attendance:exemption_withdraw": Case(
        POST_ONLY,
        kwargs={"exemption_id": "exemption"},
        post=SETTINGS_AUTHZ + "test_withdraw_exemption",
    ),
    # --- grades -----------------------------------------------------------------------
    "grades:index": Case(
        expect(302, secretary=404),
        note="Everyone is sent to their own page; the secretary keeps no grades",
    ),
    "grades:student": Case(
        STUDENT_PAGE,
        kwargs={"student_id": "student"},
        needs=("column",),
        secrets=("Wiśniewska", COLUMN),
        secrets_for={"student": ("Dąbrowski",), "own_parent": ("Dąbrowski",)},
    ),
    "grades:student_overview": Case(
        STUDENT_PAGE,
        kwargs={"student_id": "student"},
        needs=("column",),
        secrets=("Wiśniewska", COLUMN),
        secrets_for={"student": ("Dąbrowski",), "own_parent": ("Dąbrowski",)},
        note="The first grade screen: a row of grade chips per subject",
    ),
    "grades:student_need": Case(
        STUDENT_PAGE,
        kwargs={"student_id": "student"},
        query=lambda scene: {"subject": scene.subject.pk, "weight": "3", "target": "4"},
        needs=("column",),
        secrets=("need-answer",),
        note="What grade Zofia needs for a 4 in Matematyka",
    ),
    "grades:student_pdf": Case(
        STUDENT_PAGE, kwargs={"student_id": "student"}, needs=("column",), secrets=("Wiśniewska",)
    ),
    "grades:gradebook_list": Case(
        expect(200, student=404, own_parent=404, other_parent=404, secretary=404),
        note="Those who may open a gradebook; the secretary keeps no grades",
        needs=("column",),
        secrets=("Matematyka",),
        secrets_for={"teacher_out": ("Matematyka",), "other_principal": ("Matematyka", "4a")},
    ),
    "grades:gradebook": Case(
        expect(404, teacher_in=200, class_teacher=200, principal=200),
        kwargs={"class_id": "school_class", "subject_id": "subject"},
        needs=("column",),
        secrets=("Dąbrowski", "ułamki"),
        note="The class teacher reads every subject of the class they lead",
    ),
    "grades:assessment_new": Case(
        POST_ONLY,
        kwargs={"class_id": "school_class", "subject_id": "subject"},
        post=GRADES_AUTHZ + "test_new_column_matrix",
    ),
    "grades:analytics": Case(
        expect(404, teacher_in=200, class_teacher=200, principal=200),
        kwargs={"class_id": "school_class", "subject_id": "subject"},
        needs=("column",),
        secrets=(COLUMN,),
    ),
    "grades:classification": Case(
        expect(404, teacher_in=200, class_teacher=200, principal=200),
        kwargs={"class_id": "school_class", "subject_id": "subject"},
        needs=("column",),
        secrets=("Dąbrowski",),
        post=GRADES_AUTHZ + "test_classification_post_matrix",
    ),
    "grades:assessment_edit": Case(
        expect(404, teacher_in=200, principal=200),
        kwargs={"assessment_id": "column"},
        secrets=("ułamki",),
        post=GRADES_AUTHZ + "test_edit_column_matrix",
    ),
    "grades:assessment_delete": Case(
        expect(404, teacher_in=200, principal=200),
        kwargs={"assessment_id": "column"},
        secrets=("ułamki",),
        post=GRADES_AUTHZ + "test_delete_column_matrix",
    ),
    "grades:grade_cell": Case(
        POST_ONLY, kwargs={"assessment_id": "column"}, post=GRADES_AUTHZ + "test_grade_cell_matrix"
    ),
    "grades:behaviour": Case(
        expect(404, class_teacher=200, principal=200),
        kwargs={"class_id": "school_class"},
        needs=("grading",),
        secrets=("Dąbrowski",),
        post=GRADES_AUTHZ + "test_behaviour_matrix",
        note="The principal reads; the class teacher sets (L-19)",
    ),
    "grades:class_summary": Case(
        expect(404, class_teacher=200, principal=200),
        kwargs={"class_id": "school_class"},
        needs=("column",),
        secrets=("Dąbrowski", "Matematyka"),
        note="The class teacher's grade summary of the class they lead; the principal reads",
    ),
    "grades:settings": Case(
        PRINCIPAL_PAGE,
        needs=("grading",),
        post=GRADES_AUTHZ + "test_settings_matrix",
        nothing_to_leak="Each principal gets the values of their own school's statute",
    ),
    "grades:rule_tables": Case(
        PRINCIPAL_PAGE,
        needs=("category", "mark"),
        secrets=(SECRET_CATEGORY, SECRET_MARK),
        secrets_for={"other_principal": (SECRET_CATEGORY, SECRET_MARK)},
        post=RULES_AUTHZ + "test_overview",
        note="Another school's principal gets their own school's tables",
    ),
    "grades:rules_setup": Case(POST_ONLY, post=RULES_AUTHZ + "test_usual_rules_setup"),
    "grades:category_new": Case(
        PRINCIPAL_PAGE,
        needs=("category",),
        post=RULES_AUTHZ + "test_new_category",
        nothing_to_leak="An empty form; each principal adds to their own school",
    ),
    "grades:category_edit": Case(
        PRINCIPAL_OBJECT,
        kwargs={"category_id": "category"},
        secrets=(SECRET_CATEGORY,),
        post=RULES_AUTHZ + "test_edit_category",
    ),
    "grades:category_delete": Case(
        PRINCIPAL_OBJECT,
        kwargs={"category_id": "category"},
        secrets=(SECRET_CATEGORY,),
        post=RULES_AUTHZ + "test_delete_category",
    ),
    "grades:mark_new": Case(
        PRINCIPAL_PAGE,
        needs=("mark",),
        post=RULES_AUTHZ + "test_new_mark",
        nothing_to_leak="An empty form; each principal adds to their own school",
    ),
    "grades:mark_edit": Case(
        PRINCIPAL_OBJECT,
        kwargs={"mark_id": "mark"},
        secrets=(SECRET_MARK,),
        post=RULES_AUTHZ + "test_edit_mark",
    ),
    "grades:mark_delete": Case(
        PRINCIPAL_OBJECT,
        kwargs={"mark_id": "mark"},
        secrets=(SECRET_MARK,),
        post=RULES_AUTHZ + "test_delete_mark",
    ),
    "grades:point_scale": Case(
        PRINCIPAL_PAGE,
        needs=("grading",),
        post=RULES_AUTHZ + "test_point_scale",
        nothing_to_leak="Each principal gets their own school's scale",
    ),
    "grades:thresholds": Case(
        PRINCIPAL_PAGE,
        needs=("grading",),
        post=RULES_AUTHZ + "test_thresholds",
        nothing_to_leak="Each principal gets their own school's thresholds",
    ),
    "grades:scale_names": Case(
        PRINCIPAL_PAGE,
        needs=("grading",),
        post="dziennik/grades/tests/test_scale_names.py::test_scale_names_matrix",
        nothing_to_leak="Each principal gets their own school's names of the grades",
    ),
    # --- the announcement board -------------------------------------------------------
    "notices:board": Case(
        expect(200),
        needs=("announcement",),
        secrets=(NOTICE,),
        secrets_for={"teacher_out": (NOTICE,), "other_principal": (NOTICE,)},
        note="Everyone of a school has a board; an announcement to 4a reaches 4a only",
    ),
    "notices:new": Case(
        STAFF_PAGE,
        post=NOTICES_AUTHZ + "test_publish_matrix",
        nothing_to_leak="An empty form; each member of staff publishes in their own school",
    ),
    "notices:edit": Case(
        expect(404, principal=200, secretary=200),
        kwargs={"announcement_id": "announcement"},
        secrets=(NOTICE,),
        post=NOTICES_AUTHZ + "test_edit_matrix",
        note="Its author (the principal) and the school office",
    ),
    "notices:withdraw": Case(
        POST_ONLY,
        kwargs={"announcement_id": "announcement"},
        post=NOTICES_AUTHZ + "test_withdraw_matrix",
    ),
    # --- notifications ----------------------------------------------------------------
    "notifications:centre": Case(
        expect(200),
        needs=("notification",),
        secrets=(NOTIFICATION_SENDER,),
        secrets_for={role: (NOTIFICATION_SENDER,) for role in MATRIX_ROLES if role != "own_parent"},
        note="Everyone has their own notifications; nobody sees another person's",
    ),
    "notifications:count": Case(
        expect(200),
        needs=("notification",),
        nothing_to_leak="The number of the viewer's own unread notifications",
    ),
    "notifications:open": Case(
        expect(404, own_parent=302),
        kwargs={"notification_id": "notification"},
        note="Its recipient is sent on to its page (and it is marked read)",
        nothing_to_leak="A redirect, or the same 404 for another person's notification",
    ),
    "notifications:mark_all_read": Case(
        POST_ONLY, post=NOTIFICATIONS_AUTHZ + "test_mark_all_read_matrix"
    ),
    "notifications:preferences": Case(
        expect(200),
        post=NOTIFICATIONS_AUTHZ + "test_preferences_matrix",
        nothing_to_leak="The viewer's own settings",
    ),
    "notifications:dead_letters": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("dead_letter",),
        secrets=(DEAD_LETTER_REASON,),
        secrets_for={"other_principal": (DEAD_LETTER_REASON,)},
        post=NOTIFICATIONS_AUTHZ + "test_retry_matrix",
        note="The school office of the school, each its own",
    ),
    "notifications:sms": Case(
        expect(404, principal=200, secretary=200),
        query=lambda scene: {"klasa": scene.school_class.pk},
        needs=("sms_parent",),
        secrets=(SMS_PHONE,),
        post="dziennik/notifications/tests/test_sms_page.py::test_sms_switch_matrix",
        note="The school office; another school's principal gets 404 for a class not theirs",
    ),
    "notifications:sms_callback": Case(
        expect(404, anonymous=404),
        kwargs={"token": "sms_token"},
        post="dziennik/notifications/tests/test_sms_http.py::test_the_delivery_report_callback",
        note="The HTTP SMS gateway's reports: the secret in the path is the authorization",
        nothing_to_leak="'OK' to the gateway with the right secret, the same 404 otherwise",
    ),
    "notifications:push_subscribe": Case(
        POST_ONLY, post=NOTIFICATIONS_AUTHZ + "test_push_subscribe_matrix"
    ),
    "notifications:push_unsubscribe": Case(
        POST_ONLY, post=NOTIFICATIONS_AUTHZ + "test_push_unsubscribe_matrix"
    ),
    # --- behaviour notes --------------------------------------------------------------
    "behaviour:index": Case(
        expect(200, student=302, own_parent=302, other_parent=302),
        note="A family is sent to its child's notes; staff choose a class",
        nothing_to_leak="A list of the classes the viewer teaches or runs",
    ),
    "behaviour:student": Case(
        STUDENT_PAGE,
        kwargs={"student_id": "student"},
        needs=("note",),
        secrets=(NOTE,),
    ),
    "behaviour:note_new": Case(
        expect(404, teacher_in=200, class_teacher=200, principal=200),
        kwargs={"student_id": "student"},
        post=BEHAVIOUR_AUTHZ + "test_note_new_matrix",
        note="A teacher of the student or the principal; not the secretary",
        nothing_to_leak="An empty form for a note",
    ),
    "behaviour:class": Case(
        CLASS_STAFF_PAGE,
        kwargs={"class_id": "school_class"},
        needs=("note",),
        secrets=(NOTE, "Dąbrowski"),
    ),
    "behaviour:note_edit": Case(
        expect(404, teacher_in=200),
        kwargs={"note_id": "note"},
        secrets=(NOTE,),
        post=BEHAVIOUR_AUTHZ + "test_note_edit_matrix",
        note="Its author only",
    ),
    "behaviour:note_withdraw": Case(
        POST_ONLY, kwargs={"note_id": "note"}, post=BEHAVIOUR_AUTHZ + "test_note_withdraw_matrix"
    ),
    "behaviour:settings": Case(
        PRINCIPAL_PAGE,
        post=BEHAVIOUR_AUTHZ + "test_settings_matrix",
        note="Its category form's POST: test_settings_category_matrix",
        nothing_to_leak="Each principal gets their own school's setting",
    ),
    # --- KeyStroke ---------------------------------------------------------------------
    "keystroke:settings": Case(
        expect(200), note="Everyone manages their own KeyStroke; nobody sees another's"
    ),
    "keystroke:enable": Case(POST_ONLY, post=KEYSTROKE_AUTHZ + "test_own_settings_post_matrix"),
    "keystroke:disable": Case(POST_ONLY, post=KEYSTROKE_AUTHZ + "test_own_settings_post_matrix"),
    "keystroke:unusual_seen": Case(
        POST_ONLY, post=KEYSTROKE_AUTHZ + "test_own_settings_post_matrix"
    ),
    "keystroke:school_settings": Case(
        SCHOOL_OFFICE_PAGE,
        post=KEYSTROKE_AUTHZ + "test_school_settings_matrix",
        nothing_to_leak="Each school office gets their own school's setting",
    ),
    # --- the year close and its archive ------------------------------------------------
    "archive:index": Case(
        expect(404, principal=302, other_principal=302),
        nothing_to_leak="A redirect to the close of the principal's own school's year",
        note="Only principals close a year (they sign its archive, L-11)",
    ),
    "archive:close": Case(
        PRINCIPAL_OBJECT,
        kwargs={"school_year_id": "school_year"},
        needs=("student",),
        secrets=("4a, Matematyka",),
        post=ARCHIVE_AUTHZ + "test_close_matrix",
        note="The checks list what 4a lacks; only this school's principal closes its year",
    ),
    "archive:correction": Case(
        POST_ONLY,
        kwargs={"school_year_id": "school_year"},
        post=ARCHIVE_AUTHZ + "test_correction_matrix",
    ),
    "archive:archive": Case(
        PRINCIPAL_OBJECT,
        kwargs={"archive_id": "year_archive"},
        secrets=(ARCHIVE_SIGNER,),
    ),
    "archive:download": Case(
        PRINCIPAL_OBJECT,
        kwargs={"archive_id": "year_archive"},
        secrets=(ARCHIVE_CONTENT,),
        note="The whole register of the year: its principal only",
    ),
    # --- parent–teacher meetings -------------------------------------------------------
    "meetings:index": Case(
        expect(200, student=404),
        needs=("consultation", "class_meeting"),
        secrets=(MEETING_TOPIC,),
        secrets_for={
            "teacher_out": (MEETING_TOPIC,),
            "other_principal": (MEETING_TOPIC,),
            "other_parent": ("Zofia",),
        },
        note="Parents and staff (each their own); students take no part in the meetings",
    ),
    "meetings:session_new": Case(
        expect(404, teacher_in=200, teacher_out=200, class_teacher=200),
        post=MEETINGS_AUTHZ + "test_session_new_matrix",
        nothing_to_leak="An empty form; every teacher publishes their own hours",
    ),
    "meetings:session": Case(
        expect(404, teacher_in=200, own_parent=200, other_parent=200, principal=200, secretary=200),
        kwargs={"session_id": "consultation"},
        secrets=("Anna Wiśniewska",),
        secrets_for={
            "other_parent": ("Anna Wiśniewska", "Zofia"),
            "principal": ("Anna Wiśniewska",),
            "secretary": ("Anna Wiśniewska",),
        },
        note="Its teacher, the school office and parents of students the teacher teaches; "
        "only the teacher learns who booked",
    ),
    "meetings:book": Case(
        POST_ONLY, kwargs={"slot_id": "slot"}, post=MEETINGS_AUTHZ + "test_book_matrix"
    ),
    "meetings:slot_cancel": Case(
        POST_ONLY, kwargs={"slot_id": "slot"}, post=MEETINGS_AUTHZ + "test_slot_cancel_matrix"
    ),
    "meetings:booking_cancel": Case(
        POST_ONLY,
        kwargs={"booking_id": "booking"},
        post=MEETINGS_AUTHZ + "test_booking_cancel_matrix",
    ),
    "meetings:class_meeting_new": Case(
        expect(404, class_teacher=200),
        post=MEETINGS_AUTHZ + "test_class_meeting_new_matrix",
        nothing_to_leak="A form listing the classes the class teacher leads",
    ),
    "meetings:class_meeting_cancel": Case(
        POST_ONLY,
        kwargs={"meeting_id": "class_meeting"},
        post=MEETINGS_AUTHZ + "test_class_meeting_cancel_matrix",
    ),
    "meetings:settings": Case(
        PRINCIPAL_PAGE,
        post=MEETINGS_AUTHZ + "test_settings_matrix",
        nothing_to_leak="Each principal gets their own school's setting",
    ),
    # --- single sign-on (OpenID Connect) for e-learning platforms -----------------------
    "sso:platforms": Case(
        PRINCIPAL_PAGE,
        needs=("platform",),
        secrets=(PLATFORM,),
        secrets_for={"other_principal": (PLATFORM,)},
        note="Each principal sees their own school's platforms",
    ),
    "sso:platform_new": Case(
        PRINCIPAL_PAGE,
        post=SSO_AUTHZ + "test_platform_new_matrix",
        nothing_to_leak="An empty form; each principal registers their own school's platforms",
    ),
    "sso:platform_edit": Case(
        PRINCIPAL_OBJECT,
        kwargs={"platform_id": "platform"},
        secrets=(PLATFORM, PLATFORM_REDIRECT),
        post=SSO_AUTHZ + "test_platform_edit_matrix",
    ),
    "sso:platform_revoke": Case(
        POST_ONLY,
        kwargs={"platform_id": "platform"},
        post=SSO_AUTHZ + "test_platform_revoke_matrix",
    ),
    "oauth2_provider:authorize": Case(
        expect(403, teacher_in=302, teacher_out=302, class_teacher=302),
        query=lambda scene: scene.authorize_query(),
        nothing_to_leak="A code goes only to the platform's registered address; the refusal "
        "page names the platform the person came from",
        note="The platform lets its school's teachers in (302 to it with a code); anyone else "
        "gets the refusal page, a visitor the login page",
    ),
    "oauth2_provider:token": Case(
        expect(405, anonymous=405),
        post=SSO_TOKENS + "test_access_tokens_expire_after_the_configured_time_and_refresh",
        note="The platform's server swaps a code for tokens (POST, its credentials)",
    ),
    "oauth2_provider:revoke-token": Case(
        expect(405, anonymous=405),
        post=SSO_TOKENS + "test_the_platform_revokes_a_token",
        note="The platform's server revokes a token (POST, its credentials)",
    ),
    "oauth2_provider:introspect": Case(
        expect(403, anonymous=403),
        post=SSO_TOKENS + "test_introspection_tells_a_confidential_platform_whether_a_token_lives",
        note="Only a platform's credentials or a token open it",
    ),
    "oauth2_provider:oidc-connect-discovery-info": Case(
        expect(200, anonymous=200),
        note="OpenID Connect discovery: public by the standard, names only endpoints",
    ),
    "oauth2_provider:jwks-info": Case(
        expect(200, anonymous=200),
        note="The public keys that verify id_tokens: public by the standard",
    ),
    "oauth2_provider:user-info": Case(
        BEARER_ONLY, note="Answers a bearer token's claims; a session gets 401"
    ),
    "api:me": Case(BEARER_ONLY, note="The resource API: bearer tokens only (test_tokens.py)"),
    "api:student": Case(
        BEARER_ONLY,
        kwargs={"student_id": "student"},
        note="The resource API: a token's own students only (test_tokens.py)",
    ),
    # --- LTI 1.3: learning tools, the register as the platform -------------------------
    "lti:tools": Case(
        PRINCIPAL_PAGE,
        needs=("lti_tool",),
        secrets=(LTI_TOOL,),
        secrets_for={"other_principal": (LTI_TOOL,)},
        note="Each principal sees their own school's tools",
    ),
    "lti:tool_new": Case(POST_ONLY, post=LTI_AUTHZ + "test_tool_new_matrix"),
    "lti:tool_revoke": Case(
        POST_ONLY, kwargs={"tool_id": "lti_tool"}, post=LTI_AUTHZ + "test_tool_revoke_matrix"
    ),
    "lti:links": Case(
        expect(200),
        needs=("lti_placement",),
        secrets=(LTI_LINK,),
        secrets_for={
            role: (LTI_LINK,)
            for role in (
                "own_parent",
                "other_parent",
                "teacher_out",
                "class_teacher",
                "other_principal",
                "secretary",
            )
        },
        note="Everyone's own links: 4a's students, the teachers of the subject in 4a, the "
        "principal",
    ),
    "lti:link_new": Case(POST_ONLY, post=LTI_AUTHZ + "test_link_new_matrix"),
    "lti:launch": Case(
        expect(404, student=302, teacher_in=302, principal=302),
        kwargs={"placement_id": "lti_placement"},
        nothing_to_leak="A redirect to the tool's login address; anyone else gets the 404 "
        "of a missing link",
    ),
    "lti:deep_link": Case(
        expect(404, teacher_in=302),
        kwargs={"placement_id": "lti_placement"},
        nothing_to_leak="A redirect to the tool's login address, for the link's teachers",
    ),
    "lti:line_item_lock": Case(
        POST_ONLY,
        kwargs={"line_item_id": "lti_line_item"},
        post=LTI_AUTHZ + "test_line_item_lock_matrix",
    ),
    "lti:auth": Case(
        expect(400),
        nothing_to_leak="Without the tool's request and the register's signed hint every "
        "role gets the same refusal page (test_launch.py drives the real flow)",
    ),
    "lti:deep_link_return": Case(
        expect(405, anonymous=405),
        post=LTI_LAUNCH + "test_deep_linking_stores_the_chosen_content_and_its_column",
        note="The tool's signed answer, posted from the tool's site: the JWT is the proof",
    ),
    "lti:jwks": Case(
        expect(200, anonymous=200), note="The register's public LTI keys: public by the standard"
    ),
    "lti:token": Case(
        expect(405, anonymous=405),
        post=LTI_SERVICES + "test_a_bad_assertion_is_refused_and_gets_no_token",
        note="A tool's server asks for a token (POST, its signed client assertion)",
    ),
    "lti:memberships": Case(
        BEARER_ONLY,
        kwargs={"placement_id": "lti_placement"},
        note="NRPS: a tool's bearer token only (test_services.py)",
    ),
    "lti:line_items": Case(
        BEARER_ONLY,
        kwargs={"placement_id": "lti_placement"},
        post=LTI_SERVICES + "test_the_tool_adds_a_line_item_in_the_name_of_the_teacher",
        note="AGS: a tool's bearer token only",
    ),
    "lti:line_item": Case(
        BEARER_ONLY, kwargs={"line_item_id": "lti_line_item"}, note="AGS: a tool's bearer token"
    ),
    "lti:scores": Case(
        expect(405, anonymous=405),
        kwargs={"line_item_id": "lti_line_item"},
        post=LTI_SERVICES + "test_a_score_out_of_range_is_refused_and_nothing_is_written",
        note="AGS scores: POST with a tool's bearer token",
    ),
    "lti:results": Case(
        BEARER_ONLY, kwargs={"line_item_id": "lti_line_item"}, note="AGS: a tool's bearer token"
    ),
    # --- OneRoster 1.2: the principal's screen and the REST API -------------------------
    "oneroster:index": Case(
        PRINCIPAL_PAGE,
        needs=("roster_platform",),
        secrets=(PLATFORM,),
        secrets_for={"other_principal": (PLATFORM,)},
        note="Each principal sees their own school's platforms and OneRoster clients",
    ),
    "oneroster:download": Case(POST_ONLY, post=ONEROSTER_SCREENS + "test_download_matrix"),
    "oneroster:client_new": Case(
        POST_ONLY,
        kwargs={"platform_id": "platform"},
        post=ONEROSTER_SCREENS + "test_client_new_matrix",
    ),
    "oneroster:client_revoke": Case(
        POST_ONLY,
        kwargs={"platform_id": "roster_platform"},
        post=ONEROSTER_SCREENS + "test_client_revoke_matrix",
    ),
    "oneroster_api:rostering_collection": Case(
        BEARER_ONLY,
        kwargs={"collection": "oneroster_collection"},
        note="A OneRoster client's bearer token only (oneroster/tests/test_api.py)",
    ),
    "oneroster_api:rostering_object": Case(
        BEARER_ONLY,
        kwargs={"collection": "oneroster_collection", "sourced_id": "oneroster_id"},
        note="A OneRoster client's bearer token only (oneroster/tests/test_api.py)",
    ),
    "oneroster_api:rostering_related": Case(
        BEARER_ONLY,
        kwargs={
            "collection": "oneroster_collection",
            "sourced_id": "oneroster_id",
            "relation": "oneroster_relation",
        },
        note="A OneRoster client's bearer token only (oneroster/tests/test_api.py)",
    ),
    "oneroster_api:gradebook_collection": Case(
        BEARER_ONLY,
        kwargs={"collection": "oneroster_line_items"},
        note="A OneRoster client's token with the gradebook scope only (test_api.py)",
    ),
    "oneroster_api:gradebook_object": Case(
        BEARER_ONLY,
        kwargs={"collection": "oneroster_line_items", "sourced_id": "oneroster_id"},
        note="A OneRoster client's token with the gradebook scope only (test_api.py)",
    ),
    "oneroster_api:gradebook_related": Case(
        BEARER_ONLY,
        kwargs={
            "collection": "oneroster_classes",
            "sourced_id": "oneroster_id",
            "relation": "oneroster_line_items",
        },
        note="A OneRoster client's token with the gradebook scope only (test_api.py)",
    ),
    # --- retention of records (L-13, P-07) ---------------------------------------------
    "retention:index": Case(
        PRINCIPAL_PAGE,
        nothing_to_leak="Counts per kind and school year of the principal's own school",
        note="The principal (or a deputy) only: the school office does not destroy records",
    ),
    "retention:destroy": Case(POST_ONLY, post=RETENTION_AUTHZ + "test_destroy_matrix"),
    # --- data-subject rights (RODO) ----------------------------------------------------
    "plans:mine": Case(
        expect(404, student=200, own_parent=200, other_parent=200),
        needs=("plan_payment",),
        secrets=(PLAN_PAYMENT,),
        secrets_for={"other_parent": (PLAN_PAYMENT,)},
        note="A family's own plan and payments; staff have no plan of their own",
    ),
    "plans:receipt": Case(
        expect(404, student=200, own_parent=200, principal=200, secretary=200),
        kwargs={"payment_id": "plan_payment"},
        secrets=(PLAN_PAYMENT,),
        note="The family the payment covers and the school's office",
    ),
    "plans:receipt_pdf": Case(
        expect(404, student=200, own_parent=200, principal=200, secretary=200),
        kwargs={"payment_id": "plan_payment"},
        secrets=(PLAN_PAYMENT,),
        note="The receipt's PDF: the family the payment covers and the school's office",
    ),
    "plans:lists": Case(
        expect(404, class_teacher=200, principal=200, secretary=200, other_principal=200),
        needs=("activation_list",),
        post=PLANS_VIEWS + "test_only_the_class_teacher_starts_a_list",
        nothing_to_leak="Lists of the viewer's own classes or school: a class's name and a date",
    ),
    "plans:list": Case(
        expect(404, class_teacher=200, principal=200, secretary=200),
        kwargs={"list_id": "activation_list"},
        secrets=(LIST_REASON,),
        post=PLANS_VIEWS + "test_list_posts_by_role",
        note="4a's class teacher and the school's office",
    ),
    "plans:report": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("plan_payment",),
        nothing_to_leak="Sums per class, channel and month of the viewer's own school",
    ),
    "plans:report_csv": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("plan_payment",),
        nothing_to_leak="The office's own school's payments (titles are no personal data)",
    ),
    # --- the principal's configuration of plans (plans/views_config.py) -----------------
    "plans:config": Case(
        PRINCIPAL_PAGE,
        needs=("config_promotion", "config_offer"),
        secrets=(CONFIG_PLAN, CONFIG_PROMOTION, CONFIG_OFFER),
        secrets_for={"other_principal": (CONFIG_PLAN, CONFIG_PROMOTION, CONFIG_OFFER)},
        note="The principal's own school's plans (another school's principal sees theirs)",
    ),
    "plans:config_settings": Case(
        PRINCIPAL_PAGE,
        post=PLANS_CONFIG + "test_the_settings_post_matrix",
        nothing_to_leak="The principal's own school's plan model, VAT, NIP and REGON",
    ),
    "plans:config_leaflet": Case(POST_ONLY, post=PLANS_CONFIG + "test_the_leaflet_post_matrix"),
    "plans:config_plan_new": Case(
        PRINCIPAL_PAGE, nothing_to_leak="An empty form for the principal's own school"
    ),
    "plans:config_plan": Case(
        PRINCIPAL_OBJECT,
        kwargs={"plan_id": "config_plan"},
        secrets=(CONFIG_PLAN,),
        post=PLANS_CONFIG + "test_the_plan_post_matrix",
    ),
    "plans:config_plan_delete": Case(
        PRINCIPAL_OBJECT, kwargs={"plan_id": "config_plan"}, secrets=(CONFIG_PLAN,)
    ),
    "plans:config_package_new": Case(
        PRINCIPAL_OBJECT, kwargs={"plan_id": "config_plan"}, secrets=(CONFIG_PLAN,)
    ),
    "plans:config_package": Case(
        PRINCIPAL_OBJECT, kwargs={"package_id": "config_package"}, secrets=(CONFIG_PLAN,)
    ),
    "plans:config_package_delete": Case(
        PRINCIPAL_OBJECT, kwargs={"package_id": "config_package"}, secrets=(CONFIG_PLAN,)
    ),
    "plans:config_promotion_new": Case(
        PRINCIPAL_OBJECT, kwargs={"package_id": "config_package"}, secrets=(CONFIG_PLAN,)
    ),
    "plans:config_promotion": Case(
        PRINCIPAL_OBJECT,
        kwargs={"promotion_id": "config_promotion"},
        secrets=(CONFIG_PROMOTION,),
    ),
    "plans:config_promotion_delete": Case(
        PRINCIPAL_OBJECT,
        kwargs={"promotion_id": "config_promotion"},
        secrets=(CONFIG_PROMOTION,),
    ),
    "plans:config_offer_new": Case(
        PRINCIPAL_PAGE, nothing_to_leak="An empty form for the principal's own school"
    ),
    "plans:config_offer": Case(
        PRINCIPAL_OBJECT, kwargs={"offer_id": "config_offer"}, secrets=(CONFIG_OFFER,)
    ),
    "plans:config_offer_delete": Case(
        PRINCIPAL_OBJECT, kwargs={"offer_id": "config_offer"}, secrets=(CONFIG_OFFER,)
    ),
    "privacy:index": Case(
        expect(200),
        needs=("rectification",),
        secrets=(RECTIFICATION,),
        secrets_for={
            r: (RECTIFICATION,) for r in MATRIX_ROLES if r not in ("own_parent", "anonymous")
        },
        note="Everyone's own data page; the requests listed are one's own",
    ),
    "privacy:export_user": Case(
        POST_ONLY,
        kwargs={"user_id": "parent_account", "fmt": "export_format"},
        post=PRIVACY_EXPORT + "test_export_user_matrix",
    ),
    "privacy:export_student": Case(
        POST_ONLY,
        kwargs={"student_id": "student", "fmt": "export_format"},
        post=PRIVACY_EXPORT + "test_export_student_matrix",
    ),
    "privacy:export_job": Case(
        expect(404, own_parent=200),
        kwargs={"export_id": "data_export"},
        secrets=("Pobierz PDF",),
        note="Only the person who asked for the PDF",
    ),
    "privacy:export_download": Case(
        POST_ONLY,
        kwargs={"export_id": "data_export"},
        post=PRIVACY_EXPORT + "test_export_download_matrix",
    ),
    "privacy:people": Case(
        PRINCIPAL_PAGE,
        nothing_to_leak="A search form; people are listed only for a query, of one's school",
    ),
    "privacy:reads": Case(
        expect(404, student=200, own_parent=200),
        kwargs={"student_id": "student"},
        needs=("student_read",),
        secrets=(READER,),
        note="Only the family: the student and the parents with access",
    ),
    "privacy:requests": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("rectification",),
        secrets=(RECTIFICATION,),
        secrets_for={"other_principal": (RECTIFICATION,)},
    ),
    "privacy:request_new": Case(
        expect(200),
        post=PRIVACY_REQUESTS + "test_request_new_matrix",
        nothing_to_leak="An empty form; its choice names only the person's own children",
    ),
    "privacy:request": Case(
        expect(404, own_parent=200, principal=200, secretary=200),
        kwargs={"request_id": "rectification"},
        secrets=(RECTIFICATION,),
        post=PRIVACY_REQUESTS + "test_request_answer_matrix",
        note="The requester and the school office, which answers",
    ),
    # --- promotion and graduation ----------------------------------------------------------
    "promotion:index": Case(
        expect(404, principal=200, other_principal=200, secretary=200, class_teacher=200),
        needs=("promotion_list",),
        nothing_to_leak="A list of classes with their lists' status, each viewer their own",
        note="The school office and class teachers; the principal manages",
    ),
    "promotion:class": Case(
        expect(404, principal=200, secretary=200, class_teacher=200),
        kwargs={"class_id": "school_class"},
        needs=("promotion_list",),
        secrets=(PROMOTION_REASON,),
    ),
    "promotion:pdf": Case(
        expect(404, principal=200, secretary=200, class_teacher=200),
        kwargs={"class_id": "school_class"},
        needs=("promotion_list",),
        secrets=(PROMOTION_REASON,),
    ),
    "promotion:sheets": Case(
        expect(404, principal=200, secretary=200, class_teacher=200),
        kwargs={"class_id": "school_class"},
        needs=("sheet_student",),
        secrets=(SHEET_STUDENT,),
        note="The grade sheets (arkusze ocen) are the school's records: staff only (G-13 "
        "gives the family the grades themselves)",
    ),
    "promotion:sheets_pdf": Case(
        expect(404, principal=200, secretary=200, class_teacher=200),
        kwargs={"class_id": "school_class"},
        needs=("sheet_student",),
        secrets=(SHEET_BIRTH_PLACE,),
    ),
    "promotion:sheet_pdf": Case(
        expect(404, principal=200, secretary=200, class_teacher=200),
        kwargs={"class_id": "school_class", "student_id": "sheet_student"},
        secrets=(SHEET_BIRTH_PLACE,),
    ),
    "promotion:prepare": Case(
        POST_ONLY,
        kwargs={"class_id": "school_class"},
        post=PROMOTION_AUTHZ + "test_prepare_matrix",
    ),
    "promotion:decide": Case(
        POST_ONLY,
        kwargs={"class_id": "school_class"},
        post=PROMOTION_AUTHZ + "test_decide_and_confirm_matrix",
    ),
    "promotion:confirm": Case(
        POST_ONLY,
        kwargs={"class_id": "school_class"},
        post=PROMOTION_AUTHZ + "test_decide_and_confirm_matrix",
    ),
    "promotion:correct": Case(
        POST_ONLY,
        kwargs={"entry_id": "promotion_entry"},
        post=PROMOTION_AUTHZ + "test_correct_matrix",
    ),
    "promotion:unclassified": Case(
        POST_ONLY,
        kwargs={"grade_id": "unclassified_grade"},
        post=PROMOTION_AUTHZ + "test_unclassified_matrix",
    ),
    # --- messages ---------------------------------------------------------------------
    "messaging:inbox": Case(
        expect(200, other_principal=200),
        needs=("message",),
        secrets=(MESSAGE,),
        secrets_for={
            r: (MESSAGE,) for r in MATRIX_ROLES if r not in ("class_teacher", "anonymous")
        },
        note="Everyone's own inbox; the scene's message is in the class teacher's only",
    ),
    "messaging:sent": Case(
        expect(200),
        needs=("message",),
        secrets=(MESSAGE,),
        secrets_for={r: (MESSAGE,) for r in MATRIX_ROLES if r not in ("own_parent", "anonymous")},
        note="Everyone's own sent messages; the scene's message is the mother's",
    ),
    "messaging:archive": Case(
        expect(200),
        needs=("message",),
        secrets_for={r: (MESSAGE,) for r in MATRIX_ROLES if r != "anonymous"},
        nothing_to_leak="Each person's own archive; the scene's message is in an inbox",
    ),
    "messaging:trash": Case(
        expect(200),
        needs=("message",),
        secrets_for={r: (MESSAGE,) for r in MATRIX_ROLES if r != "anonymous"},
        nothing_to_leak="Each person's own trash; the scene's message is in an inbox",
    ),
    "messaging:compose": Case(
        expect(200),
        post=MESSAGING_AUTHZ + "test_compose_matrix",
        nothing_to_leak="An empty form with the people and groups the viewer may write to",
    ),
    "messaging:thread": Case(
        expect(404, own_parent=200, class_teacher=200),
        kwargs={"thread_id": "message_thread"},
        secrets=(MESSAGE,),
        note="Its participants only: not the principal, not the student it is about",
    ),
    "messaging:reply": Case(
        POST_ONLY, kwargs={"message_id": "message"}, post=MESSAGING_AUTHZ + "test_reply_matrix"
    ),
    "messaging:move": Case(
        POST_ONLY, kwargs={"message_id": "message"}, post=MESSAGING_AUTHZ + "test_move_matrix"
    ),
    "messaging:delete": Case(
        POST_ONLY, kwargs={"message_id": "message"}, post=MESSAGING_AUTHZ + "test_delete_matrix"
    ),
    "messaging:withdraw": Case(
        POST_ONLY,
        kwargs={"message_id": "message"},
        post=MESSAGING_AUTHZ + "test_withdraw_matrix",
    ),
    "messaging:attachment": Case(
        expect(404, own_parent=200, class_teacher=200),
        kwargs={"attachment_id": "message_attachment"},
        secrets=(MESSAGE_FILE,),
        note="The participants of its message only",
    ),
    "messaging:unread": Case(
        expect(200),
        needs=("message",),
        nothing_to_leak="A number: how many of the viewer's own messages are unread",
    ),
    "messaging:settings": Case(
        PRINCIPAL_PAGE,
        post=MESSAGING_AUTHZ + "test_settings_matrix",
        nothing_to_leak="Each principal gets their own school's settings",
    ),
    # --- the calendar (terminarz) and homework ----------------------------------------
    "planner:calendar": Case(
        expect(200),
        query=lambda scene: {"miesiac": f"{scene.planned_test.date:%Y-%m}"},
        needs=("planned_test",),
        secrets=(PLANNED,),
        secrets_for={"teacher_out": (PLANNED,), "other_principal": (PLANNED,)},
        note="Everyone of a school has a calendar; 4a's test is in 4a's calendars only",
    ),
    "planner:week": Case(
        expect(200),
        query=lambda scene: {"od": f"{scene.planned_test.date:%Y-%m-%d}"},
        needs=("planned_test",),
        secrets=(PLANNED,),
        secrets_for={"teacher_out": (PLANNED,), "other_principal": (PLANNED,)},
    ),
    "planner:list": Case(
        expect(200),
        needs=("planned_test",),
        secrets=(PLANNED,),
        secrets_for={"teacher_out": (PLANNED,), "other_principal": (PLANNED,)},
    ),
    "planner:new": Case(
        expect(
            404,
            teacher_in=200,
            teacher_out=200,
            class_teacher=200,
            principal=200,
            other_principal=200,
        ),
        post=PLANNER_AUTHZ + "test_new_matrix",
        nothing_to_leak="An empty form with the classes and subjects the viewer may plan for",
    ),
    "planner:event": Case(
        expect(200, teacher_out=404, other_principal=404),
        kwargs={"event_id": "planned_test"},
        secrets=(PLANNED,),
        note="4a's test: both families of 4a, its teachers and the school office",
    ),
    "planner:attachment": Case(
        expect(200, teacher_out=404, other_principal=404),
        kwargs={"event_id": "planned_test"},
        secrets=("zwolnienie lekarskie",),
        note="The event's file, to whoever sees the event",
    ),
    "planner:edit": Case(
        expect(404, teacher_in=200, principal=200),
        kwargs={"event_id": "planned_test"},
        secrets=(PLANNED,),
        post=PLANNER_AUTHZ + "test_edit_matrix",
        note="Its author and the principal",
    ),
    "planner:delete": Case(
        POST_ONLY, kwargs={"event_id": "planned_test"}, post=PLANNER_AUTHZ + "test_delete_matrix"
    ),
    "planner:make_column": Case(
        POST_ONLY,
        kwargs={"event_id": "planned_test"},
        post=PLANNER_AUTHZ + "test_make_column_matrix",
    ),
    "planner:settings": Case(
        PRINCIPAL_PAGE,
        post=PLANNER_AUTHZ + "test_settings_matrix",
        nothing_to_leak="Each principal gets their own school's limits",
    ),
    # --- the lucky number -------------------------------------------------------------
    "lucky:settings": Case(
        PRINCIPAL_PAGE,
        post=LUCKY_AUTHZ + "test_settings_matrix",
        nothing_to_leak="Each principal gets their own school's setting",
    ),
    # --- records: the register as XML ---------------------------------------------------
    "records:index": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("register_export",),
        secrets=("Halina Zawadzka",),
        secrets_for={"other_principal": ("Halina Zawadzka",)},
        note="The principal (or deputy) and the school's administrator, each their own school",
    ),
    "records:class_export": Case(
        POST_ONLY,
        kwargs={"class_id": "school_class"},
        post=RECORDS_TESTS + "test_the_class_export_matrix",
    ),
    "records:school_export": Case(
        POST_ONLY,
        kwargs={"year_id": "year"},
        post=RECORDS_TESTS + "test_the_school_export_matrix",
    ),
    "records:download": Case(
        POST_ONLY,
        kwargs={"export_id": "register_export"},
        post=RECORDS_TESTS + "test_the_whole_school_is_exported_in_the_background_and_downloaded",
    ),
    # --- printing: the journals as PDF, in the background ---------------------------------
    "printing:index": Case(
        expect(200, student=404, own_parent=404, other_parent=404),
        needs=("print_job",),
        secrets=("Grażyna Wójcik",),
        secrets_for={
            role: ("Grażyna Wójcik",)
            for role in ("teacher_in", "teacher_out", "secretary", "other_principal")
        },
        note="Staff print the journals they may; each sees their own printouts, the "
        "principal the school's",
    ),
    "printing:class_start": Case(
        POST_ONLY,
        kwargs={"class_id": "school_class", "kind": "register_kind"},
        post=PRINTING_TESTS + "test_the_class_start_matrix",
    ),
    "printing:school_start": Case(
        POST_ONLY,
        kwargs={"year_id": "year"},
        post=PRINTING_TESTS + "test_the_school_start_matrix",
    ),
    "printing:job": Case(
        expect(404, principal=200, class_teacher=200),
        kwargs={"job_id": "print_job"},
        secrets=("Pobierz wydruk",),
        note="Only the person who asked for the printout and the school's principal",
    ),
    "printing:download": Case(
        POST_ONLY,
        kwargs={"job_id": "print_job"},
        post=PRINTING_TESTS + "test_a_class_register_is_printed_in_the_background",
    ),
    # --- payments: online, slips, bank statements (plans/payments) --------------------
    "payments:start": Case(
        expect(404, own_parent=200, other_parent=200),
        needs=("leaflet",),
        secrets=("Zofia Wiśniewska",),
        secrets_for={"other_parent": ("Zofia Wiśniewska",)},
        post=PAYMENTS_AUTHZ + "test_start_post_matrix",
        note="Parents buy for their own children; each sees only their own",
    ),
    "payments:purchase": Case(
        FAMILY_PURCHASE,
        kwargs={"purchase_id": "pay_purchase"},
        secrets=("Anna Wiśniewska",),
        note="The family that bought it and the school office; never another family",
    ),
    "payments:pay_online": Case(
        POST_ONLY,
        kwargs={"purchase_id": "pay_purchase"},
        post=PAYMENTS_AUTHZ + "test_pay_online_post_matrix",
    ),
    "payments:slip": Case(
        FAMILY_PURCHASE,
        kwargs={"purchase_id": "pay_purchase"},
        secrets=("Anna Wiśniewska",),
        note="The slip names the payer: the family and the office only",
    ),
    "payments:operator_notify": Case(
        expect(405, anonymous=405),
        post="dziennik/plans/tests/test_payments_online.py::"
        "test_a_bad_signature_answers_400_and_changes_nothing",
        note="POST only, no login: the operator's signed notification",
    ),
    "payments:bank_account": Case(
        PRINCIPAL_PAGE,
        needs=("pay_account",),
        secrets=(PAYEE,),
        secrets_for={"other_principal": (PAYEE,)},
        post=PAYMENTS_AUTHZ + "test_bank_account_post_matrix",
    ),
    "payments:statements": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("pay_statement",),
        secrets=(STATEMENT_FILE,),
        secrets_for={"other_principal": (STATEMENT_FILE,)},
        post=PAYMENTS_AUTHZ + "test_statements_post_matrix",
    ),
    "payments:review": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("pay_statement",),
        secrets=(REVIEW_TITLE,),
        secrets_for={"other_principal": (REVIEW_TITLE,)},
    ),
    "payments:review_decide": Case(
        POST_ONLY,
        kwargs={"line_id": "pay_review_line"},
        post=PAYMENTS_AUTHZ + "test_review_decide_post_matrix",
    ),
    "payments:orders": Case(
        SCHOOL_OFFICE_PAGE,
        needs=("pay_order",),
        secrets=(ORDER_ID,),
        secrets_for={"other_principal": (ORDER_ID,)},
    ),
    "payments:order_refund": Case(
        POST_ONLY,
        kwargs={"order_id": "pay_order"},
        post=PAYMENTS_AUTHZ + "test_order_refund_post_matrix",
    ),
}


# --- the resolver ---------------------------------------------------------------------


def url_names(resolver: URLResolver | None = None) -> tuple[set[str], list[str]]:
    """Every URL name of the project as ``namespace:name``, and the routes that have no
    name (a URL without a name cannot be in the table, so it is reported too)."""
    names: set[str] = set()
    unnamed: list[str] = []

    def walk(patterns, namespaces: tuple[str, ...], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    names.add(":".join((*namespaces, pattern.name)))
                else:
                    unnamed.append(prefix + str(pattern.pattern))

    walk((resolver or get_resolver()).url_patterns, (), "")
    return names, unnamed


def _matches(excluded: str, name: str) -> bool:
    return name == excluded or (excluded.endswith(":") and name.startswith(excluded))


def is_excluded(name: str) -> bool:
    return any(_matches(excluded, name) for excluded in EXCLUDED)


def table_gaps(resolver: URLResolver | None = None) -> dict[str, list[str]]:
    """What is out of step between the resolver and the table, by kind (empty: nothing)."""
    names, unnamed = url_names(resolver)
    checked = {name for name in names if not is_excluded(name)}
    gaps = {
        "URL names without a line in testsupport/url_matrix.py URLS": sorted(checked - set(URLS)),
        "lines in URLS for URL names that no longer exist": sorted(set(URLS) - checked),
        "routes without a name (name them, then add them to URLS)": sorted(
            route for route in unnamed if not route.startswith("admin/")
        ),
        "EXCLUDED entries that match no URL any more": sorted(
            excluded for excluded in EXCLUDED if not any(_matches(excluded, n) for n in names)
        ),
    }
    return {kind: items for kind, items in gaps.items() if items}
