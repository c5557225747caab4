"""The demo school has a learning tool, shown to the principal, and its link, shown to
the teacher who placed it; the demo can still be reset."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dziennik.accounts.models import User
from dziennik.lti.demo import DEMO_LINK, DEMO_TOOL
from dziennik.lti.models import Placement, Tool

pytestmark = pytest.mark.django_db


def _page(username, url):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.get(url).content.decode()


def test_the_demo_school_has_a_tool_and_a_link():
    call_command("demo", "--students-per-class", "4", stdout=io.StringIO())
    assert DEMO_TOOL in _page("dyrektor", reverse("lti:tools"))
    assert DEMO_LINK in _page("nauczyciel", reverse("lti:links"))
    call_command("demo", "--students-per-class", "4", "--reset", stdout=io.StringIO())
    assert Tool.objects.count() == 1 and Placement.objects.count() == 1
