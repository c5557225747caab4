from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

admin.site.site_header = "Dziennik"
admin.site.site_title = "Dziennik"

# A value out of range in an address (core.params) is a 400 page that says what is allowed.
handler400 = "dziennik.core.errors.bad_request"
# A database that cannot be reached is a 503 page that says whether a change was saved.
handler500 = "dziennik.core.db_faults.server_error"

urlpatterns = [
    path("", include("dziennik.portal.urls")),
    path("", include("dziennik.core.urls")),
    path("konto/", include("dziennik.accounts.urls")),
    path("szkola/", include("dziennik.schools.urls")),
    path("plan/", include("dziennik.timetable.urls")),
    path("frekwencja/", include("dziennik.attendance.urls")),
    path("oceny/", include("dziennik.grades.urls")),
    path("ogloszenia/", include("dziennik.notices.urls")),
    path("uwagi/", include("dziennik.behaviour.urls")),
    path("numerek/", include("dziennik.lucky.urls")),
    path("rytm-pisania/", include("dziennik.keystroke.urls")),
    path("spotkania/", include("dziennik.meetings.urls")),
    path("retencja/", include("dziennik.retention.urls")),
    path("eksport-dziennika/", include("dziennik.records.urls")),
    path("wydruki/", include("dziennik.printing.urls")),
    path("archiwum/", include("dziennik.archive.urls")),
    path("promocja/", include("dziennik.promotion.urls")),
    path("powiadomienia/", include("dziennik.notifications.urls")),
    path("wiadomosci/", include("dziennik.messaging.urls")),
    path("terminarz/", include("dziennik.planner.urls")),
    # LTI 1.3: the principal's tools (/platformy/lti/), the links, the protocol.
    path("", include("dziennik.lti.urls")),
    path("platformy/", include("dziennik.sso.urls")),
    path("plan-dostepu/", include("dziennik.plans.urls")),
    # Single sign-on (OpenID Connect) and its resource API: standard, English paths.
    path("o/", include("dziennik.sso.oauth_urls")),
    path("api/v1/", include("dziennik.sso.api_urls")),
    path("ims/oneroster/", include("dziennik.oneroster.api_urls")),
    path("platformy/oneroster/", include("dziennik.oneroster.urls")),
    path("moje-dane/", include("dziennik.privacy.urls")),
    path("platnosci/", include("dziennik.plans.payments.urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
# No ``static(MEDIA_URL, ...)``, not even in development: uploaded files (doctors' notes)
# are served only by the views that check who asks (``attendance:justification_attachment``).
