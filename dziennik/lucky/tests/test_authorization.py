"""The POST matrix of the lucky number's settings: the principal's only."""

from django.urls import reverse

from dziennik.lucky.models import LuckySettings
from testsupport.url_matrix import PRINCIPAL_PAGE


def test_settings_matrix(world, matrix):
    url = reverse("lucky:settings")
    expected = dict(PRINCIPAL_PAGE, principal=302, other_principal=302)

    def state():
        return sorted(LuckySettings.objects.values_list("school_id", "enabled", "mode"))

    refused = [r for r in expected if r not in ("principal", "other_principal")]
    data = {"mode": "random"}  # switched off: the box left unticked
    matrix.check(url, expected, method="post", data=data, state=state, roles=refused)
    assert state() == []
    matrix.check(url, expected, method="post", data=data, roles=["principal"])
    assert state() == [(world.school.pk, False, "random")]
