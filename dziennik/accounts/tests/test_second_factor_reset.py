"""The principal's view of the staff's second factors, and the reset of a lost
authenticator app or passkey: who may, the reason in the history, and the person told
at their next login."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from dziennik.accounts import passkeys, totp
from dziennik.accounts.models import Passkey, RecoveryCode, SecondFactorReset, TotpDevice, User
from dziennik.accounts.tests.factories import TEST_PASSWORD
from dziennik.accounts.tests.test_passkeys import enrol as enrol_passkey
from dziennik.accounts.tests.test_second_factor import enrol as enrol_app
from dziennik.accounts.tests.test_staff_accounts import STAFF_ACCOUNTS_QUERIES, add_teachers
from dziennik.core.models import AuditEntry

pytestmark = pytest.mark.django_db

STAFF = reverse("accounts:staff_accounts")
REASON = "Zgubiony telefon, zgłoszone osobiście 3 marca"


def reset_url(user) -> str:
    return reverse("accounts:second_factor_reset", args=[user.pk])


def has_any(user) -> bool:
    return (
        TotpDevice.objects.filter(user=user).exists()
        or Passkey.objects.filter(user=user).exists()
        or RecoveryCode.objects.filter(user=user).exists()
    )


def test_the_principal_removes_a_teachers_lost_factors_with_a_reason(world):
    teacher = world.user("teacher_in")
    enrol_app(teacher)
    enrol_passkey(teacher, name="Klucz USB")
    client = world.client("principal")
    page = client.get(reset_url(teacher)).content.decode()
    assert "Klucz USB" in page and "aplikacja uwierzytelniająca" in page
    response = client.post(reset_url(teacher), {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == STAFF
    assert not has_any(teacher)
    reset = SecondFactorReset.objects.get(user=teacher)
    assert reset.reset_by == world.user("principal") and reset.reason == REASON
    entry = AuditEntry.objects.get(
        object_id=str(reset.pk), content_type=ContentType.objects.get_for_model(reset)
    )
    assert entry.actor_id == world.user("principal").pk
    assert entry.school_id == world.school.pk
    assert entry.changes["reason"] == [None, REASON]
    assert entry.changes["second_factors"][0] == ["aplikacja uwierzytelniająca", "Klucz USB"]
    history = client.get("/historia/").content.decode()
    assert REASON in history and "Reset drugiego składnika konta n-in" in history


def test_a_reset_needs_a_reason_and_something_to_reset(world):
    teacher = world.user("teacher_in")
    client = world.client("principal")
    response = client.post(reset_url(teacher), {"reason": REASON})
    assert response.status_code == 400  # nothing to reset
    enrol_passkey(teacher)
    response = client.post(reset_url(teacher), {"reason": "   "})
    assert response.status_code == 400
    assert Passkey.objects.filter(user=teacher).exists()
    assert not SecondFactorReset.objects.exists()


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        ("principal", "teacher_in", True),
        ("principal", "class_teacher", True),
        ("principal", "secretary", True),
        ("principal", "principal", False),  # nobody resets their own
        ("principal", "own_parent", False),  # families are no staff accounts
        ("principal", "student", False),
        ("other_principal", "teacher_in", False),  # another school
        ("secretary", "teacher_in", False),
        ("class_teacher", "teacher_in", False),
        ("teacher_in", "teacher_out", False),
        ("own_parent", "teacher_in", False),
    ],
)
def test_reset_post_matrix(world, actor, target, allowed):
    account = world.user(target)
    enrol_passkey(account)
    response = world.client(actor).post(reset_url(account), {"reason": REASON})
    if allowed:
        assert response.status_code == 302
        assert not Passkey.objects.filter(user=account).exists()
    else:
        assert response.status_code == 404
        assert world.client(actor).get(reset_url(account)).status_code == 404
        assert Passkey.objects.filter(user=account).exists()
        with pytest.raises(PermissionDenied):
            passkeys.second_factor_reset(actor=world.user(actor), user=account, reason=REASON)
    assert Client().post(reset_url(account), {"reason": REASON}).status_code == 302
    assert (
        Client()
        .post(reset_url(account), {"reason": REASON})["Location"]
        .startswith(reverse("accounts:login"))
    )


def test_the_service_refuses_a_blank_reason(world):
    teacher = world.user("teacher_in")
    enrol_passkey(teacher)
    with pytest.raises(ValidationError):
        passkeys.second_factor_reset(actor=world.user("principal"), user=teacher, reason=" ")
    assert Passkey.objects.filter(user=teacher).exists()


def test_the_person_is_told_at_the_next_login_and_must_enrol_where_required(world):
    world.school.require_staff_second_factor = True
    world.school.save(update_fields=["require_staff_second_factor"])
    teacher = world.user("teacher_in")
    enrol_passkey(teacher)
    passkeys.second_factor_reset(actor=world.user("principal"), user=teacher, reason=REASON)
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "n-in", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session
    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == reverse("accounts:second_factor")
    assert REASON in page.content.decode()
    assert totp.second_factor_missing(teacher)
    # Told once.
    assert SecondFactorReset.objects.get(user=teacher).seen_at is not None
    again = Client()
    again.post(reverse("accounts:login"), {"username": "n-in", "password": TEST_PASSWORD})
    assert REASON not in again.get("/", follow=True).content.decode()


def test_the_staff_page_lists_who_lacks_a_second_factor_and_offers_the_reset(world):
    enrol_app(world.user("teacher_in"))
    enrol_passkey(world.user("class_teacher"))
    enrol_passkey(world.user("class_teacher"), name="Drugi")
    response = world.client("principal").get(STAFF)
    rows = {row.user.username: row for row in response.context["rows"]}
    assert rows["n-in"].has_totp and rows["n-in"].passkey_count == 0
    assert rows["wych"].passkey_count == 2 and rows["wych"].has_second_factor
    assert rows["n-in"].can_reset_second_factor and rows["wych"].can_reset_second_factor
    assert not rows["n-out"].can_reset_second_factor  # nothing to reset
    missing = [row.user.username for row in response.context["without_second_factor"]]
    assert "n-out" in missing and "dyrektor-test" in missing
    assert "n-in" not in missing and "wych" not in missing
    page = response.content.decode()
    assert 'id="staff-without-second-factor"' in page
    assert reset_url(world.user("teacher_in")) in page
    assert "2 klucze dostępu" in page
    # The secretary sees the same list, without the reset.
    response = world.client("secretary").get(STAFF)
    assert not any(row.can_reset_second_factor for row in response.context["rows"])
    assert reset_url(world.user("teacher_in")) not in response.content.decode()


@pytest.mark.parametrize("teachers", [1, 12])
def test_the_staff_page_query_count_does_not_grow_with_second_factors(
    world, teachers, django_assert_num_queries
):
    add_teachers(world, teachers)
    for number, user in enumerate(User.objects.filter(username__startswith="n")):
        enrol_passkey(user)
        if number % 2:
            enrol_app(user)
    client = world.client("principal")
    client.get(STAFF)  # warm the session
    with django_assert_num_queries(STAFF_ACCOUNTS_QUERIES):
        response = client.get(STAFF)
    with_factor = [row for row in response.context["rows"] if row.has_second_factor]
    assert len(with_factor) == User.objects.filter(username__startswith="n").count()
    assert response.content.decode().count("/drugi-skladnik/") == len(with_factor)
