"""The installable app's files over HTTP: the manifest's content type and fields, the
service worker at the root with its scope and settings, an offline page that names
nobody; the layout links them all."""

from __future__ import annotations

import json

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_the_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert {k: manifest[k] for k in ("name", "lang", "start_url", "display", "scope")} == {
        "name": "Dziennik",
        "lang": "pl",
        "start_url": "/",
        "display": "standalone",
        "scope": "/",
    }
    assert manifest["description"] == "dziennik elektroniczny o otwartym kodzie źródłowym"
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for src in icons.values():
        path = finders.find(src.removeprefix("/static/"))
        assert path, src
        with open(path, "rb") as file:
            assert file.read(8) == b"\x89PNG\r\n\x1a\n"


def test_the_service_worker_is_served_at_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    text = response.content.decode()
    assert "__VERSION__" not in text
    config = json.loads(text.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["kept"] == ["/oceny/uczen/", "/plan/"]
    assert config["clearing"] == [reverse("accounts:login"), reverse("accounts:logout")]
    assert "/offline/" in config["shell"]
    assert 'addEventListener("push"' in text
    assert 'addEventListener("notificationclick"' in text


def test_a_new_static_file_is_a_new_worker(client, settings):
    first = client.get("/sw.js").content
    settings.STATIC_URL = "/static-v2/"
    assert client.get("/sw.js").content != first


def test_the_offline_page_names_nobody_even_for_a_logged_in_person(world, client):
    client.force_login(world.user("own_parent"))
    page = client.get(reverse("portal:offline")).content.decode()
    assert "Brak połączenia" in page
    assert "Wiśniewska" not in page
    assert "rodzic-test" not in page


def test_a_person_who_must_change_the_password_still_gets_the_worker(world, client):
    user = world.user("own_parent")
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    assert client.get("/sw.js").status_code == 200
    assert client.get("/manifest.webmanifest").status_code == 200
    assert client.get(reverse("portal:home")).status_code == 302


def test_every_page_links_the_manifest_and_the_worker(world):
    page = world.client("own_parent").get(reverse("portal:home")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'data-sw="/sw.js"' in page
    assert "/static/js/pwa.js" in page
    assert 'id="offline-banner" role="status" hidden' in page
