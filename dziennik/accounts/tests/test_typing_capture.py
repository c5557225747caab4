"""KeyStroke capture on the login: what the server reads, and that it never refuses a login."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from dziennik.accounts import typing_capture
from dziennik.accounts.forms import LoginForm
from dziennik.accounts.tests.factories import TEST_PASSWORD

LOGIN = reverse("accounts:login")


def _payload(strokes) -> str:
    return json.dumps({"v": 1, "t": strokes})


def test_parse_gives_hold_down_down_and_up_down_times_in_seconds():
    # key 1 down at 0, up at 100; key 2 down at 80 (overlap), up at 200; key 3 at 350–420
    vector = typing_capture.parse(_payload([[0, 100], [80, 200], [350, 420]]))
    assert vector == pytest.approx([0.1, 0.08, -0.02, 0.12, 0.27, 0.15, 0.07])


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "[]",
        "{}",
        json.dumps({"v": 2, "t": [[0, 1], [2, 3]]}),  # a version we do not know
        _payload([[0, 100]]),  # one key is no rhythm
        _payload([[0, 100], [50]]),
        _payload([[0, 100], [200, 150]]),  # up before down
        _payload([[0, 100], [-5, 10]]),
        _payload([[0, 100], [200, "300"]]),
        _payload([[0, 100], [200, True]]),
        _payload([[100, 200], [0, 50]]),  # keys out of order
        _payload([[0, 100], [200, 10**9]]),  # ten minutes and more
        '{"v": 1, "t": [[0, 100], [200, NaN]]}',
        '{"v": 1, "t": [[0, 100], [200, Infinity]]}',
        _payload([[i * 100, i * 100 + 50] for i in range(typing_capture.MAX_KEYS + 1)]),
        "[" * 4000 + "]" * 4000,  # nested deeper than the parser recurses
        "x" * (typing_capture.MAX_CHARS + 1),
    ],
)
def test_parse_gives_none_for_anything_absent_malformed_or_impossible(raw):
    assert typing_capture.parse(raw) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "keystroke",
    [None, "", "garbage", '{"v": 1, "t": [[0, 1e400]]}', _payload([[0, 90], [150, 240]])],
)
def test_a_right_password_logs_in_whatever_the_timings(world, keystroke):
    data = {"username": "rodzic-test", "password": TEST_PASSWORD}
    if keystroke is not None:
        data["keystroke"] = keystroke
    response = Client().post(LOGIN, data)
    assert response.status_code == 302
    assert "logowanie" not in response["Location"]


@pytest.mark.django_db
def test_a_wrong_password_with_timings_is_refused_as_usual(world):
    data = {"username": "rodzic-test", "password": "nie-to"}
    data["keystroke"] = _payload([[0, 9], [20, 30]])
    response = Client().post(LOGIN, data)
    assert response.status_code == 200
    assert "login-errors" in response.content.decode()


@pytest.mark.django_db
def test_the_login_form_keeps_the_vector_for_the_rhythm_check(world, rf):
    data = {"username": "rodzic-test", "password": TEST_PASSWORD}
    form = LoginForm(rf.post(LOGIN), data={**data, "keystroke": _payload([[0, 90], [150, 240]])})
    assert form.is_valid()
    assert form.typing == pytest.approx([0.09, 0.15, 0.06, 0.09])
    form = LoginForm(rf.post(LOGIN), data=data)
    assert form.is_valid()
    assert form.typing is None
