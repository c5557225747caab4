"""A family's accounts activate together at the first successful login of any of them."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from dziennik.accounts.models import User
from dziennik.accounts.tests.factories import TEST_PASSWORD, UserFactory
from dziennik.core.models import AuditEntry
from dziennik.schools import models as sm
from dziennik.schools.tests import factories as sf

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(world):
    """The Nowaks: Ola in 4a, Piotr in 4b, their mother and father, all not yet active."""
    school = world.school
    nowak = sm.Family.objects.create(school=school, name="Nowakowie")
    accounts = {}
    for key, first, last in (
        ("ola", "Ola", "Nowak"),
        ("piotr", "Piotr", "Nowak"),
        ("mother", "Beata", "Nowak"),
        ("father", "Łukasz", "Nowak"),
    ):
        accounts[key] = UserFactory(
            username=f"nowak-{key}", school=school, first_name=first, last_name=last
        )
    ola = sf.StudentFactory(school=school, family=nowak, user=accounts["ola"])
    piotr = sf.StudentFactory(school=school, family=nowak, user=accounts["piotr"])
    sf.EnrolmentFactory(student=ola, school_class=world.school_class, journal_number=10)
    sf.EnrolmentFactory(student=piotr, school_class=world.other_class, journal_number=10)
    for key, relation in (("mother", "mother"), ("father", "father")):
        guardian = sf.GuardianFactory(school=school, family=nowak, user=accounts[key])
        for child in (ola, piotr):
            sf.GuardianshipFactory(guardian=guardian, student=child, relation=relation)
    User.objects.update(activated_at=None)
    return accounts


def log_in(username: str) -> None:
    response = Client().post(
        reverse("accounts:login"), {"username": username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def activated(*usernames: str) -> dict[str, bool]:
    return {
        u.username: u.activated_at is not None for u in User.objects.filter(username__in=usernames)
    }


NOWAKS = ("nowak-ola", "nowak-piotr", "nowak-mother", "nowak-father")
OTHERS = ("uczen-test", "rodzic-test", "rodzic-inny", "wych", "dyrektor-test")


@pytest.mark.parametrize("who", ["nowak-piotr", "nowak-father"])
def test_first_login_activates_the_whole_family(family, who):
    log_in(who)
    assert activated(*NOWAKS) == dict.fromkeys(NOWAKS, True)
    assert activated(*OTHERS) == dict.fromkeys(OTHERS, False)
    times = set(User.objects.filter(username__in=NOWAKS).values_list("activated_at", flat=True))
    assert len(times) == 1
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id__in=[str(family[k].pk) for k in family],
    )
    assert entries.count() == 4
    assert set(entries.values_list("actor__username", flat=True)) == {who}


def test_later_logins_change_nothing(family):
    log_in("nowak-ola")
    before = dict(User.objects.filter(username__in=NOWAKS).values_list("username", "activated_at"))
    count = AuditEntry.objects.count()
    log_in("nowak-mother")
    log_in("nowak-ola")
    after = dict(User.objects.filter(username__in=NOWAKS).values_list("username", "activated_at"))
    assert after == before
    assert AuditEntry.objects.count() == count


def test_a_failed_login_activates_nothing(family):
    response = Client().post(
        reverse("accounts:login"), {"username": "nowak-ola", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert activated(*NOWAKS) == dict.fromkeys(NOWAKS, False)


def test_an_account_without_a_family_activates_alone(family):
    log_in("wych")
    assert activated("wych", *NOWAKS) == {"wych": True} | dict.fromkeys(NOWAKS, False)
