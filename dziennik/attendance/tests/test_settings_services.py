"""The principal's attendance rules: kinds, the school's settings and subject exemptions,
through the services (``attendance.settings_services``)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from dziennik.attendance import selectors
from dziennik.attendance import settings_services as services
from dziennik.attendance.models import (
    AttendanceAlert,
    AttendanceKind,
    AttendanceSettings,
    SubjectExemption,
)
from dziennik.attendance.services import attendance_kinds_ensure_defaults
from dziennik.core import cache, contrast
from dziennik.core.models import AuditEntry
from dziennik.schools.viewer import get_viewer

from .factories import build_register, save_lesson


@pytest.fixture
def kinds(world):
    return attendance_kinds_ensure_defaults(school=world.school)


@pytest.fixture
def principal(world):
    return world.user("principal")


def errors_of(excinfo) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


def history(instance, action=None):
    entries = AuditEntry.objects.filter(
        content_type__model=instance._meta.model_name, object_id=str(instance.pk)
    )
    if action:
        entries = entries.filter(action=action)
    return list(entries.order_by("pk"))


def fresh(kind):
    return AttendanceKind.objects.get(pk=kind.pk)


# --- adding a school-specific kind --------------------------------------------------
def test_principal_adds_a_school_kind_counted_as_present(world, principal, kinds):
    kind = services.attendance_kind_create(
        actor=principal,
        code="zp",
        name="zajęcia pozaszkolne",
        base=AttendanceKind.Base.SCHOOL_REASONS,
        counts_as=AttendanceKind.Counts.PRESENT,
        shortcut="K",
        colour="#3B5A7A",
    )
    assert (kind.school_id, kind.shortcut, kind.colour, kind.order) == (
        world.school.pk,
        "k",  # shortcuts are typed in lower case on the lesson screen
        "#3b5a7a",
        70,  # after the last of the defaults (0…60)
    )
    [entry] = history(kind)
    assert entry.action == "create"
    assert entry.actor_id == principal.pk
    assert entry.school_id == world.school.pk
    assert entry.changes["name"] == [None, "zajęcia pozaszkolne"]
    assert entry.changes["counts_as"] == [None, "present"]
    assert entry.changes["shortcut"] == [None, "k"]


def test_a_marked_school_kind_counts_as_its_rule_says(world, principal):
    reg = build_register(world)
    kind = services.attendance_kind_create(
        actor=principal,
        code="zp",
        name="zajęcia pozaszkolne",
        base=AttendanceKind.Base.SCHOOL_REASONS,
        counts_as=AttendanceKind.Counts.PRESENT,
    )
    reg.kinds["zp"] = kind
    save_lesson(world, reg, reg.math2, {world.student: "zp"})
    save_lesson(world, reg, reg.math3, {world.student: "nb"})
    overall = selectors.student_statistics(world.student, reg.day, reg.day, [])["overall"]
    assert (overall.present, overall.absent, overall.excluded) == (1, 1, 0)


@pytest.mark.parametrize("code", ["", "abcdef", "o b", "x!"])
def test_a_code_is_one_to_five_letters_or_digits(principal, kinds, code):
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_create(
            actor=principal, code=code, name="x", base="school_reasons", counts_as="present"
        )
    assert list(errors_of(excinfo)) == ["code"]


def test_codes_are_unique_in_the_school(principal, kinds):
    with override("pl"), pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_create(
            actor=principal, code="NB", name="x", base="absent", counts_as="absent"
        )
    assert errors_of(excinfo) == {
        "code": ["Kod „NB” ma już rodzaj nb (nieobecność nieusprawiedliwiona)."]
    }


# --- keyboard shortcuts -------------------------------------------------------------
def test_shortcuts_are_unique_among_active_kinds(principal, kinds):
    with override("pl"), pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_update(actor=principal, kind=kinds["zw"], shortcut="O")
    assert errors_of(excinfo) == {
        "shortcut": [
            "Skrót „o” ma już aktywny rodzaj ob (obecność). "
            "Aktywne rodzaje muszą mieć różne skróty."
        ]
    }
    assert fresh(kinds["zw"]).shortcut == "z"


def test_an_inactive_kind_keeps_its_shortcut_without_blocking_it(principal, kinds):
    services.attendance_kind_update(actor=principal, kind=kinds["zw"], is_active=False)
    kind = services.attendance_kind_create(
        actor=principal,
        code="zo",
        name="zwolnienie (opiekun)",
        base="released",
        counts_as="excluded",
        shortcut="z",
    )
    assert kind.shortcut == fresh(kinds["zw"]).shortcut == "z"
    # reactivating the old kind would give two active kinds the same key
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_update(actor=principal, kind=kinds["zw"], is_active=True)
    assert list(errors_of(excinfo)) == ["shortcut"]
    assert fresh(kinds["zw"]).is_active is False


@pytest.mark.parametrize("shortcut", ["ą", "ab", '"', " x "])
def test_a_shortcut_is_one_plain_letter_or_digit(principal, kinds, shortcut):
    if shortcut == " x ":
        services.attendance_kind_update(actor=principal, kind=kinds["zw"], shortcut=shortcut)
        assert fresh(kinds["zw"]).shortcut == "x"
        return
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_update(actor=principal, kind=kinds["zw"], shortcut=shortcut)
    assert list(errors_of(excinfo)) == ["shortcut"]


# --- the default "present" kind -----------------------------------------------------
def test_the_school_keeps_an_active_present_kind(principal, kinds):
    message = (
        "Szkoła musi mieć co najmniej jeden aktywny rodzaj o typie „obecność”: "
        "to wpis, od którego każdy uczeń zaczyna lekcję."
    )
    with override("pl"):
        with pytest.raises(ValidationError) as excinfo:
            services.attendance_kind_update(actor=principal, kind=kinds["ob"], is_active=False)
        assert errors_of(excinfo) == {"is_active": [message]}
        with pytest.raises(ValidationError) as excinfo:
            services.attendance_kind_update(
                actor=principal, kind=kinds["ob"], base="school_reasons"
            )
        assert errors_of(excinfo) == {"base": [message]}
        with pytest.raises(ValidationError) as excinfo:
            services.attendance_kind_delete(actor=principal, kind=kinds["ob"])
        assert excinfo.value.messages == [message]
    assert fresh(kinds["ob"]).is_active is True


def test_another_present_kind_lets_the_first_one_go(world, principal, kinds):
    other = services.attendance_kind_create(
        actor=principal, code="ob2", name="obecność (zdalnie)", base="present", counts_as="present"
    )
    services.attendance_kind_update(actor=principal, kind=kinds["ob"], is_active=False)
    assert selectors.default_kind(selectors.kinds_by_id(world.school.pk)) == other


def test_a_present_kind_counts_as_present(principal, kinds):
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_create(
            actor=principal, code="ob2", name="x", base="present", counts_as="excluded"
        )
    assert list(errors_of(excinfo)) == ["counts_as"]


# --- colours ------------------------------------------------------------------------
def test_a_colour_needs_aa_contrast_on_white(principal, kinds):
    with override("pl"), pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_update(actor=principal, kind=kinds["zw"], colour="#ffcc00")
    assert errors_of(excinfo) == {
        "colour": [
            "Kolor #ffcc00 ma kontrast z białą stroną tylko 1,51:1. WCAG 2.1 na poziomie AA "
            "wymaga co najmniej 4,5:1; wybierz ciemniejszy kolor."
        ]
    }
    assert fresh(kinds["zw"]).colour == "#4a5560"


def test_a_colour_just_under_the_limit_is_refused_and_not_rounded_up(principal, kinds):
    assert 4.47 < contrast.contrast_ratio("#777777") < 4.5
    with override("pl"), pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_update(actor=principal, kind=kinds["zw"], colour="#777")
    assert "4,47:1" in errors_of(excinfo)["colour"][0]
    services.attendance_kind_update(actor=principal, kind=kinds["zw"], colour="#767676")
    assert fresh(kinds["zw"]).colour == "#767676"  # 4.54:1


@pytest.mark.parametrize("colour", ["blue", "#12345", "", "#gggggg"])
def test_a_colour_is_written_as_hex(principal, kinds, colour):
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_update(actor=principal, kind=kinds["zw"], colour=colour)
    assert list(errors_of(excinfo)) == ["colour"]


def test_the_default_kinds_meet_the_contrast_rule():
    from dziennik.attendance.services import DEFAULT_KINDS

    assert all(services.colour_error(k.colour) is None for k in DEFAULT_KINDS)


# --- a used kind's meaning ----------------------------------------------------------
def test_a_used_kind_keeps_its_base_and_counting_rule(world, principal):
    reg = build_register(world)
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    with override("pl"), pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_update(
            actor=principal, kind=reg.kinds["nb"], counts_as="excluded", name="nb*"
        )
    assert errors_of(excinfo) == {
        "counts_as": [
            "Rodzaj nb (nieobecność nieusprawiedliwiona) ma już wpisy frekwencji, więc jego "
            "typ i sposób liczenia nie mogą się zmienić: statystyki tych wpisów zmieniłyby "
            "się niepostrzeżenie. Zamiast tego dodaj nowy rodzaj, a ten wyłącz."
        ]
    }
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_update(actor=principal, kind=reg.kinds["nb"], base="late")
    assert list(errors_of(excinfo)) == ["base"]
    kind = fresh(reg.kinds["nb"])
    assert (kind.name, kind.base, kind.counts_as) == (
        "nieobecność nieusprawiedliwiona",
        "absent",
        "absent",
    )


def test_an_unused_kind_may_still_change_its_meaning(world, principal):
    reg = build_register(world)
    save_lesson(world, reg, reg.math2, {world.student: "nb"})
    services.attendance_kind_update(actor=principal, kind=reg.kinds["ns"], counts_as="excluded")
    assert fresh(reg.kinds["ns"]).counts_as == "excluded"


def test_renaming_a_used_kind_changes_no_statistic(world, principal):
    reg = build_register(world)
    s = world.student
    save_lesson(world, reg, reg.history1, {s: "nb"})
    save_lesson(world, reg, reg.math2, {s: "sp"})
    save_lesson(world, reg, reg.math3, {s: "zw"})
    terms = [world.term1, world.term2]

    def figures():
        stats = selectors.student_statistics(s, reg.day, reg.day, terms)
        klass = selectors.class_statistics(
            get_viewer(world.user("principal")), world.school_class, reg.day, reg.day
        )
        o = stats["overall"]
        return (
            (o.present, o.absent, o.excluded, o.percent, o.by_kind),
            [(name, t.percent) for name, t in stats["subjects"]],
            [(e.student_id, t.present, t.absent, t.excluded) for e, t in klass["rows"]],
        )

    before = figures()
    services.attendance_kind_update(
        actor=principal,
        kind=reg.kinds["nb"],
        name="nieobecność bez usprawiedliwienia",
        colour="#8b0000",
        shortcut="b",
        order=5,
    )
    assert figures() == before
    [entry] = history(reg.kinds["nb"], "update")
    assert entry.changes == {
        "name": ["nieobecność nieusprawiedliwiona", "nieobecność bez usprawiedliwienia"],
        "shortcut": ["n", "b"],
        "colour": ["#b00020", "#8b0000"],
        "order": [10, 5],
    }
    assert entry.actor_id == principal.pk


def test_saving_without_a_change_writes_no_history(principal, kinds):
    with pytest.raises(ValidationError):
        services.attendance_kind_update(actor=principal, kind=kinds["nb"], name=" ")
    services.attendance_kind_update(actor=principal, kind=kinds["nb"], shortcut="N")
    assert history(kinds["nb"], "update") == []


# --- deleting -----------------------------------------------------------------------
def test_a_kind_with_marks_cannot_be_deleted_only_deactivated(world, principal):
    reg = build_register(world)
    save_lesson(world, reg, reg.math2, {world.student: "zw"})
    with override("pl"), pytest.raises(ValidationError) as excinfo:
        services.attendance_kind_delete(actor=principal, kind=reg.kinds["zw"])
    assert excinfo.value.messages == [
        "Rodzaj zw (zwolnienie) ma wpisy frekwencji, więc nie można go usunąć; zamiast tego "
        "go wyłącz."
    ]
    assert AttendanceKind.objects.filter(pk=reg.kinds["zw"].pk).exists()
    services.attendance_kind_update(actor=principal, kind=reg.kinds["zw"], is_active=False)
    [entry] = history(reg.kinds["zw"], "update")
    assert entry.changes == {"is_active": [True, False]}
    # the marks keep their kind and still count
    overall = selectors.student_statistics(world.student, reg.day, reg.day, [])["overall"]
    assert overall.excluded == 1


def test_an_unused_kind_is_deleted_with_its_old_values_in_the_history(principal, kinds):
    kind = services.attendance_kind_create(
        actor=principal,
        code="zp",
        name="zajęcia pozaszkolne",
        base="school_reasons",
        counts_as="present",
    )
    pk = kind.pk
    services.attendance_kind_delete(actor=principal, kind=kind)
    assert not AttendanceKind.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(
        content_type__model="attendancekind", object_id=str(pk), action="delete"
    )
    assert entry.changes["code"] == ["zp", None]
    assert entry.changes["name"] == ["zajęcia pozaszkolne", None]
    assert entry.changes["counts_as"] == ["present", None]


# --- the excused counterpart --------------------------------------------------------
def test_the_excused_counterpart_rules(principal, kinds):
    with pytest.raises(ValidationError) as excinfo:  # a present kind is not justified
        services.attendance_kind_update(
            actor=principal, kind=kinds["ob"], excused_kind_id=kinds["u"].pk
        )
    assert list(errors_of(excinfo)) == ["excused_kind_id"]
    with pytest.raises(ValidationError) as excinfo:  # it must be an excused kind
        services.attendance_kind_update(
            actor=principal, kind=kinds["nb"], excused_kind_id=kinds["zw"].pk
        )
    assert list(errors_of(excinfo)) == ["excused_kind_id"]
    with override("pl"), pytest.raises(ValidationError) as excinfo:  # "nb" turns into "u"
        services.attendance_kind_update(actor=principal, kind=kinds["u"], is_active=False)
    assert errors_of(excinfo) == {
        "is_active": [
            "Na ten rodzaj zaakceptowane usprawiedliwienie zmienia nb (nieobecność "
            "nieusprawiedliwiona). Najpierw wybierz tam inny odpowiednik."
        ]
    }
    with pytest.raises(ValidationError):
        services.attendance_kind_delete(actor=principal, kind=kinds["u"])
    # a late mark may become the excused lateness or, if the school wishes, "u"
    services.attendance_kind_update(
        actor=principal, kind=kinds["sp"], excused_kind_id=kinds["u"].pk
    )
    services.attendance_kind_update(actor=principal, kind=kinds["su"], is_active=False)
    assert fresh(kinds["sp"]).excused_kind_id == kinds["u"].pk
    services.attendance_kind_update(actor=principal, kind=kinds["sp"], excused_kind_id=None)
    [_, entry] = history(kinds["sp"], "update")
    assert entry.changes == {"excused_kind": [kinds["u"].pk, None]}


# --- who may -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "role", ["teacher_in", "class_teacher", "own_parent", "student", "other_principal"]
)
def test_only_the_schools_principal_changes_its_kinds(world, kinds, role):
    actor = world.user(role)
    with pytest.raises(PermissionDenied):
        services.attendance_kind_update(actor=actor, kind=kinds["nb"], name="x")
    with pytest.raises(PermissionDenied):
        services.attendance_kind_delete(actor=actor, kind=kinds["ns"])
    if role != "other_principal":  # who would add a kind to their own school
        with pytest.raises(PermissionDenied):
            services.attendance_kind_create(
                actor=actor, code="x", name="x", base="released", counts_as="excluded"
            )
        with pytest.raises(PermissionDenied):
            services.attendance_settings_update(actor=actor, risk_threshold_percent=40)
    assert fresh(kinds["nb"]).name == "nieobecność nieusprawiedliwiona"
    assert (
        not AuditEntry.objects.filter(content_type__model="attendancekind")
        .exclude(action="create")
        .exists()
    )


def test_the_secretary_does_not_set_the_rules(world, kinds):
    with pytest.raises(PermissionDenied):
        services.attendance_kind_update(actor=world.user("secretary"), kind=kinds["nb"], name="x")
    with pytest.raises(PermissionDenied):
        services.attendance_settings_update(actor=world.user("secretary"), risk_minimum_lessons=9)


def test_a_kind_change_moves_the_configuration_version_of_its_school(world, principal, kinds):
    scopes = (cache.config_scope(world.school.pk), cache.config_scope(world.other_school.pk))
    before = cache.versions(*scopes)
    services.attendance_kind_update(actor=principal, kind=kinds["nb"], name="nb")
    after = cache.versions(*scopes)
    assert after[0] != before[0]
    assert after[1] == before[1]  # the other school's pages stay


# --- the default kinds for a new school ---------------------------------------------
def test_a_school_without_kinds_gets_the_defaults_once(world, principal):
    before = cache.versions(cache.config_scope(world.school.pk))
    created = services.attendance_kinds_setup(actor=principal)
    assert sorted(created) == ["nb", "ns", "ob", "sp", "su", "u", "zw"]
    # bulk_create sent no signal: the service moved it
    assert cache.versions(cache.config_scope(world.school.pk)) != before
    entries = AuditEntry.objects.filter(content_type__model="attendancekind", action="create")
    assert sorted(e.changes["code"][1] for e in entries) == sorted(created)
    assert {e.actor_id for e in entries} == {principal.pk}
    with pytest.raises(ValidationError):
        services.attendance_kinds_setup(actor=principal)
    with pytest.raises(PermissionDenied):
        services.attendance_kinds_setup(actor=world.user("teacher_in"))


# --- the school's settings ----------------------------------------------------------
def test_the_first_change_of_the_settings_records_the_defaults_as_old_values(world, principal):
    services.attendance_settings_update(
        actor=principal, adult_students_may_justify=True, justification_deadline_days=14
    )
    config = AttendanceSettings.objects.get(school=world.school)
    [entry] = history(config)
    assert entry.action == "create"
    assert entry.changes == {
        "adult_students_may_justify": [False, True],
        "justification_deadline_days": [7, 14],
    }
    services.attendance_settings_update(
        actor=principal, justification_deadline_days=5, adult_students_may_justify=True
    )
    [_, entry] = history(config)
    assert (entry.action, entry.changes) == ("update", {"justification_deadline_days": [14, 5]})
    assert selectors.settings_for(world.school.pk).justification_deadline_days == 5


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("risk_threshold_percent", 101),
        ("risk_threshold_percent", -1),
        ("risk_minimum_lessons", 0),
        ("justification_deadline_days", 366),
        ("justification_deadline_days", "7"),
    ],
)
def test_settings_stay_in_range(world, principal, field, value):
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_settings_update(actor=principal, **{field: value})
    assert list(errors_of(excinfo)) == [field]
    assert not AttendanceSettings.objects.filter(school=world.school).exists()


def test_a_new_risk_rule_applies_at_once(world, principal, django_capture_on_commit_callbacks):
    reg = build_register(world)
    for entry in (reg.math2, reg.math3):
        save_lesson(world, reg, entry, {world.student: "nb"})
    for days in (7, 14):
        day = reg.day - datetime.timedelta(days=days)
        for entry in (reg.math2, reg.math3):
            save_lesson(world, reg, entry, {}, day=day)
    # 4 of 6 maths lessons attended (66.7 %): no warning under the default 50 %
    risk = AttendanceAlert.objects.filter(
        kind=AttendanceAlert.Kind.RISK, student=world.student, is_active=True
    )
    assert not risk.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_settings_update(actor=principal, risk_threshold_percent=70)
    assert [(a.subject_id, a.percent) for a in risk] == [(world.subject.pk, Decimal("66.7"))]


# --- subject exemptions -------------------------------------------------------------
def exempt(world, role="principal", **kwargs):
    today = timezone.localdate()
    values = {
        "student": world.student,
        "subject": world.subject,
        "date_from": today,
        "date_to": today + datetime.timedelta(days=30),
        "basis": "opinia lekarska",
    }
    values.update(kwargs)
    return services.subject_exemption_create(actor=world.user(role), **values)


def test_the_principal_exempts_a_student_and_the_history_says_so(world, principal):
    exemption = exempt(world)
    assert (exemption.school_id, exemption.must_attend, exemption.basis) == (
        world.school.pk,
        False,
        "opinia lekarska",
    )
    [entry] = history(exemption)
    assert entry.action == "create"
    assert (entry.student_id, entry.school_class_id) == (world.student.pk, world.school_class.pk)
    assert entry.changes["subject"] == [None, world.subject.pk]
    assert entry.changes["basis"] == [None, "opinia lekarska"]


def test_the_class_teacher_exempts_students_of_their_class_only(world):
    exemption = exempt(world, "class_teacher", subject=world.other_subject)
    assert history(exemption)[0].actor_id == world.user("class_teacher").pk
    from dziennik.schools.tests import factories as sf

    elsewhere = sf.StudentFactory(school=world.school)
    sf.EnrolmentFactory(student=elsewhere, school_class=world.other_class, journal_number=1)
    with pytest.raises(PermissionDenied):
        exempt(world, "class_teacher", student=elsewhere)
    for role in ("teacher_in", "teacher_out", "own_parent", "student", "other_principal"):
        with pytest.raises(PermissionDenied):
            exempt(world, role, subject=world.other_subject)
    assert SubjectExemption.objects.count() == 1


def test_overlapping_exemptions_from_one_subject_are_refused(world):
    first = exempt(world)
    with override("pl"), pytest.raises(ValidationError) as excinfo:
        exempt(
            world,
            date_from=first.date_to,
            date_to=first.date_to + datetime.timedelta(days=10),
        )
    assert errors_of(excinfo) == {
        "date_from": [
            f"Zofia Wiśniewska ma już zwolnienie z przedmiotu Matematyka od "
            f"{first.date_from:%d.%m.%Y} do {first.date_to:%d.%m.%Y}, które nakłada się na "
            "ten okres. Najpierw zakończ tamto zwolnienie albo wybierz inne daty."
        ]
    }
    # the day after, another subject, another student: all fine
    after = first.date_to + datetime.timedelta(days=1)
    exempt(world, date_from=after, date_to=after + datetime.timedelta(days=5))
    exempt(world, subject=world.other_subject)
    exempt(world, student=world.classmate)
    assert SubjectExemption.objects.count() == 4


def test_an_exemption_ends_before_it_starts_never(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        exempt(world, date_from=today, date_to=today - datetime.timedelta(days=1))
    assert list(errors_of(excinfo)) == ["date_to"]


def test_ending_an_exemption(world, principal):
    today = timezone.localdate()
    exemption = exempt(world, date_from=today - datetime.timedelta(days=10))
    old_end = exemption.date_to
    with pytest.raises(ValidationError) as excinfo:
        services.subject_exemption_end(
            actor=principal, exemption=exemption, last_day=today - datetime.timedelta(days=11)
        )
    assert list(errors_of(excinfo)) == ["last_day"]
    with pytest.raises(ValidationError):
        services.subject_exemption_end(actor=principal, exemption=exemption, last_day=old_end)
    with pytest.raises(PermissionDenied):
        services.subject_exemption_end(
            actor=world.user("teacher_in"), exemption=exemption, last_day=today
        )
    services.subject_exemption_end(
        actor=world.user("class_teacher"), exemption=exemption, last_day=today
    )
    exemption.refresh_from_db()
    assert exemption.date_to == today
    [entry] = history(exemption, "update")
    assert entry.changes == {"date_to": [old_end.isoformat(), today.isoformat()]}
    assert (entry.student_id, entry.school_class_id) == (world.student.pk, world.school_class.pk)
    # ended: the student's attendance is taken again from the next day
    exempt(world, date_from=today + datetime.timedelta(days=1), date_to=old_end)


def test_only_an_exemption_not_yet_begun_can_be_withdrawn(world, principal):
    today = timezone.localdate()
    begun = exempt(world)
    with pytest.raises(ValidationError):
        services.subject_exemption_withdraw(actor=principal, exemption=begun)
    future = exempt(
        world,
        subject=world.other_subject,
        date_from=today + datetime.timedelta(days=3),
        date_to=today + datetime.timedelta(days=9),
    )
    pk = future.pk
    services.subject_exemption_withdraw(actor=principal, exemption=future)
    assert list(SubjectExemption.objects.values_list("pk", flat=True)) == [begun.pk]
    entry = AuditEntry.objects.get(
        content_type__model="subjectexemption", object_id=str(pk), action="delete"
    )
    assert entry.changes["date_from"] == [(today + datetime.timedelta(days=3)).isoformat(), None]
    assert entry.student_id == world.student.pk


def test_the_lesson_register_follows_the_exemption(world, principal):
    reg = build_register(world)
    exemption = exempt(world, date_from=reg.day - datetime.timedelta(days=30))
    lesson = save_lesson(world, reg, reg.math2, {})
    assert list(lesson.marks.values_list("student_id", flat=True)) == [world.classmate.pk]
    services.subject_exemption_end(
        actor=principal, exemption=exemption, last_day=reg.day - datetime.timedelta(days=1)
    )
    lesson = save_lesson(world, reg, reg.math3, {})
    assert sorted(lesson.marks.values_list("student_id", flat=True)) == sorted(
        [world.student.pk, world.classmate.pk]
    )
