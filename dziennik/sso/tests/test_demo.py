"""The demo school has its Moodle registered, shown to the principal; the demo can
still be reset."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import Application

from dziennik.accounts.models import User
from dziennik.sso.models import Platform

pytestmark = pytest.mark.django_db


def test_the_demo_school_has_a_platform():
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    platform = Platform.objects.get()
    assert platform.roles == ["student", "teacher"]
    client = Client()
    client.force_login(User.objects.get(username="dyrektor"))
    assert "Moodle szkolny" in client.get(reverse("sso:platforms")).content.decode()
    call_command("demo", "--students-per-class", "4", "--reset", stdout=io.StringIO())
    assert Platform.objects.count() == 1
    # the platform's client and its OneRoster client (oneroster/demo.py), nothing left over
    assert Application.objects.count() == 2
