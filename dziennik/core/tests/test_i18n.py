"""Polish first, English second: the catalogue is complete and the switch works."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
CATALOGUE = Path(settings.BASE_DIR) / "dziennik" / "locale" / "pl" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db  # the login page names the school of a single-school installation
def test_login_page_is_polish_by_default(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="pl"' in html
    assert "Zaloguj się" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_language_switch_to_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html
    client.post(reverse("set_language"), {"language": "pl", "next": "/"})
    assert "Zaloguj się" in client.get(reverse("accounts:login")).content.decode()


def test_catalogue_is_complete_and_keeps_placeholders():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    for entry in catalogue:
        wanted = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        translations = list(entry.msgstr_plural.values()) or [entry.msgstr]
        for translated in translations:
            assert set(PLACEHOLDER.findall(translated)) <= wanted, (entry.msgid, translated)
