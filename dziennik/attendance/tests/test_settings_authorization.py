"""Every URL of the attendance settings and subject exemptions, requested as every role.

The principal of another school manages their own school: they get the pages (of their
school, without a trace of this one) but none of this school's kinds or exemptions.
"""

import datetime

import pytest
from django.utils import timezone

from dziennik.attendance import settings_services
from dziennik.attendance.models import AttendanceKind, AttendanceSettings, SubjectExemption
from dziennik.attendance.services import attendance_kinds_ensure_defaults
from testsupport.world import ROLES

SECRET_KIND = "Tajne zajęcia pozaszkolne"
BASIS = "Opinia lekarska 17/2026"


def expect(default, **overrides):
    result = dict.fromkeys(ROLES, default)
    result["anonymous"] = 302
    result.update(overrides)
    return result


# The school's own rules: its principal; another school's principal sees their own school.
RULES_PAGE = expect(404, principal=200, other_principal=200)
RULES_POST = expect(404, principal=302, other_principal=302)
# One object of this school: its principal only.
RULES_OBJECT = expect(404, principal=200)
# Exemptions: the principal, and the class teacher for their class.
EXEMPTIONS_PAGE = expect(404, principal=200, class_teacher=200, other_principal=200)
EXEMPTION_OBJECT = expect(404, principal=200, class_teacher=200)


@pytest.fixture
def kinds(world):
    kinds = attendance_kinds_ensure_defaults(school=world.school)
    kinds["zp"] = settings_services.attendance_kind_create(
        actor=world.user("principal"),
        code="zp",
        name=SECRET_KIND,
        base="school_reasons",
        counts_as="present",
    )
    return kinds


@pytest.fixture
def exemption(world):
    today = timezone.localdate()
    return settings_services.subject_exemption_create(
        actor=world.user("principal"),
        student=world.student,
        subject=world.subject,
        date_from=today + datetime.timedelta(days=2),
        date_to=today + datetime.timedelta(days=60),
        basis=BASIS,
    )


def kinds_state():
    return sorted(
        AttendanceKind.objects.values_list("school_id", "code", "name", "shortcut", "is_active")
    )


def rules_state():
    return sorted(AttendanceSettings.objects.values_list("school_id", "risk_threshold_percent"))


def exemptions_state():
    return sorted(SubjectExemption.objects.values_list("pk", "student_id", "date_to"))


def refused(expected):
    return [r for r in ROLES if expected[r] != 302 or r == "anonymous"]


def test_settings_overview(matrix, kinds):
    matrix.check(
        "/frekwencja/ustawienia/",
        RULES_PAGE,
        secrets=[SECRET_KIND],
        secrets_for={"other_principal": [SECRET_KIND]},
    )


def test_default_kinds_setup(matrix, world, kinds):
    url = "/frekwencja/ustawienia/domyslne/"
    # this school has its kinds already: nothing changes for anyone here
    matrix.check(url, RULES_POST, method="post", state=kinds_state, roles=refused(RULES_POST))
    matrix.check(url, RULES_POST, method="post", roles=["principal"])
    assert AttendanceKind.objects.filter(school=world.school).count() == 8
    # the other principal sets up their own school
    matrix.check(url, RULES_POST, method="post", roles=["other_principal"])
    assert AttendanceKind.objects.filter(school=world.other_school).count() == 7


def test_new_kind(matrix, world, kinds):
    url = "/frekwencja/ustawienia/rodzaje/nowy/"
    matrix.check(url, RULES_PAGE, secrets_for={"other_principal": [SECRET_KIND]})
    data = {
        "code": "wy",
        "name": "wycieczka",
        "base": "school_reasons",
        "counts_as": "present",
        "shortcut": "w",
        "colour": "#3b5a7a",
        "order": "80",
        "is_active": "on",
    }
    # the other school has no "present" kind yet, so its principal is told to add one
    posted = dict(RULES_POST, other_principal=400)
    matrix.check(url, posted, method="post", data=data, state=kinds_state, roles=refused(posted))
    matrix.check(url, posted, method="post", data=data, roles=["principal"])
    assert AttendanceKind.objects.get(school=world.school, code="wy").name == "wycieczka"


def test_edit_kind(matrix, kinds):
    url = f"/frekwencja/ustawienia/rodzaje/{kinds['zp'].pk}/"
    matrix.check(url, RULES_OBJECT, secrets=[SECRET_KIND])
    data = {
        "name": "zmieniona nazwa",
        "base": "school_reasons",
        "counts_as": "present",
        "shortcut": "",
        "colour": "#3b5a7a",
        "order": "70",
        "is_active": "on",
    }
    refused_post = dict(RULES_OBJECT, principal=302)
    matrix.check(
        url,
        refused_post,
        method="post",
        data=data,
        state=kinds_state,
        roles=refused(refused_post),
    )
    matrix.check(url, refused_post, method="post", data=data, roles=["principal"])
    assert AttendanceKind.objects.get(pk=kinds["zp"].pk).name == "zmieniona nazwa"


def test_delete_kind(matrix, kinds):
    url = f"/frekwencja/ustawienia/rodzaje/{kinds['zp'].pk}/usun/"
    matrix.check(url, RULES_OBJECT, secrets=[SECRET_KIND])
    refused_post = dict(RULES_OBJECT, principal=302)
    matrix.check(url, refused_post, method="post", state=kinds_state, roles=refused(refused_post))
    matrix.check(url, refused_post, method="post", roles=["principal"])
    assert not AttendanceKind.objects.filter(pk=kinds["zp"].pk).exists()


def test_rules(matrix, world):
    url = "/frekwencja/ustawienia/zasady/"
    matrix.check(url, RULES_PAGE)
    data = {
        "justification_deadline_days": "10",
        "risk_threshold_percent": "45",
        "risk_minimum_lessons": "6",
    }
    matrix.check(
        url, RULES_POST, method="post", data=data, state=rules_state, roles=refused(RULES_POST)
    )
    matrix.check(url, RULES_POST, method="post", data=data, roles=["principal"])
    assert rules_state() == [(world.school.pk, 45)]
    matrix.check(url, RULES_POST, method="post", data=data, roles=["other_principal"])
    assert rules_state() == sorted([(world.school.pk, 45), (world.other_school.pk, 45)])


def test_exemption_list(matrix, world, exemption):
    matrix.check(
        "/frekwencja/zwolnienia/",
        EXEMPTIONS_PAGE,
        secrets=[BASIS, "Wiśniewska"],
        secrets_for={"other_principal": [BASIS, "Wiśniewska"]},
    )


def test_new_exemption(matrix, world, exemption):
    url = "/frekwencja/zwolnienia/nowe/"
    matrix.check(
        url,
        EXEMPTIONS_PAGE,
        secrets=["Wiśniewska"],
        secrets_for={"other_principal": ["Wiśniewska", "Matematyka"]},
    )
    today = timezone.localdate()
    data = {
        "student": world.classmate.pk,
        "subject": world.other_subject.pk,
        "date_from": today.isoformat(),
        "date_to": (today + datetime.timedelta(days=5)).isoformat(),
        "basis": "Decyzja dyrektora",
    }
    posted = expect(404, principal=302, class_teacher=302, other_principal=400)
    matrix.check(
        url,
        posted,
        method="post",
        data=data,
        state=exemptions_state,
        roles=[r for r in ROLES if posted[r] != 302 or r == "anonymous"],
    )
    matrix.check(url, posted, method="post", data=data, roles=["class_teacher"])
    assert SubjectExemption.objects.filter(student=world.classmate).count() == 1


def test_end_exemption(matrix, world, exemption):
    url = f"/frekwencja/zwolnienia/{exemption.pk}/zakoncz/"
    matrix.check(url, EXEMPTION_OBJECT, secrets=[BASIS, "Wiśniewska"])
    last_day = exemption.date_to - datetime.timedelta(days=10)
    data = {"last_day": last_day.isoformat()}
    posted = dict(EXEMPTION_OBJECT, principal=302, class_teacher=302)
    matrix.check(
        url, posted, method="post", data=data, state=exemptions_state, roles=refused(posted)
    )
    matrix.check(url, posted, method="post", data=data, roles=["class_teacher"])
    exemption.refresh_from_db()
    assert exemption.date_to == last_day


def test_withdraw_exemption(matrix, world, exemption):
    url = f"/frekwencja/zwolnienia/{exemption.pk}/wycofaj/"
    posted = expect(404, principal=302, class_teacher=302)
    matrix.check(url, posted, method="post", state=exemptions_state, roles=refused(posted))
    matrix.check(url, posted, method="post", roles=["principal"])
    assert not SubjectExemption.objects.exists()
    matrix.check(url, expect(404), method="post", roles=["principal", "class_teacher"])


def test_the_secretary_has_no_settings_screens(world, kinds, exemption):
    client = world.client("secretary")
    for url in (
        "/frekwencja/ustawienia/",
        "/frekwencja/ustawienia/zasady/",
        f"/frekwencja/ustawienia/rodzaje/{kinds['zp'].pk}/",
        "/frekwencja/zwolnienia/",
        f"/frekwencja/zwolnienia/{exemption.pk}/zakoncz/",
    ):
        assert client.get(url).status_code == 404, url
