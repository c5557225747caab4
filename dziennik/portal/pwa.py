"""The installable web app (PWA): the manifest, the service worker and its offline page.

The service worker (``portal/sw.js``, served at the site's root so its scope is every
page) shows the pushes of ``notifications.push`` and opens their page when tapped, keeps
the app's shell, and keeps the **last-seen grade and timetable pages** for offline use:
those pages go to the network first and, when it cannot be reached, come from the copy
with a banner "offline – data from <time>" (``static/js/pwa.js`` shows it). The kept
pages are one person's: the worker empties them at every login and logout (the POST of
either form passes through it), so the next person on the device never sees them.

All three are public (the browser fetches the manifest without cookies) and carry no
register data; the offline page names nobody.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#084a8c"

# Navigations kept for offline use: the family's grade pages and every timetable week.
KEPT_PAGES = ("/oceny/uczen/", "/plan/")


@require_GET
def manifest(request):
    """The web app manifest (``application/manifest+json``), in the school's language."""
    with translation.override(settings.LANGUAGE_CODE):
        description = _("open-source electronic school register")
        language = translation.get_language()
    icon = static("icons/icon-192.png")
    data = {
        "id": "/",
        "name": "Dziennik",
        "short_name": "Dziennik",
        "description": description,
        "lang": language,
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {"src": icon, "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {
                "src": static("icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(
        data,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


def shell() -> list[str]:
    """What the worker keeps on installing: the layout's files and the offline page."""
    return [
        static("css/dziennik.css"),
        static("js/htmx.min.js"),
        static("js/dziennik.js"),
        static("js/pwa.js"),
        static("favicon.svg"),
        static("icons/icon-192.png"),
        reverse("portal:offline"),
    ]


@require_GET
def service_worker(request):
    """``/sw.js``: the worker, with its settings in one line. Its version is the hash of
    its text, so a new static file (a new hashed name) installs a new worker."""
    config = {
        "shell": shell(),
        "offline": reverse("portal:offline"),
        "kept": list(KEPT_PAGES),
        # a login or a logout empties the kept pages
        "clearing": [reverse("accounts:login"), reverse("accounts:logout")],
        "centre": reverse("notifications:centre"),
    }
    body = render_to_string("portal/sw.js", {"config": json.dumps(config)})
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    response = HttpResponse(
        body.replace("__VERSION__", version), content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    """What a page that was never kept shows offline: nobody's data, a way home."""
    response = render(request, "portal/offline.html")
    response["Cache-Control"] = "no-cache"
    return response
