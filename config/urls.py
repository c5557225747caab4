from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

admin.site.site_header = "Dziennik"
admin.site.site_title = "Dziennik"

# A value out of range in an address (core.params) is a 400 page that says what is allowed.
handler400 = "dziennik.core.errors.bad_request"

urlpatterns = [
    path("", include("dziennik.portal.urls")),
    path("konto/", include("dziennik.accounts.urls")),
    path("szkola/", include("dziennik.schools.urls")),
    path("plan/", include("dziennik.timetable.urls")),
    path("frekwencja/", include("dziennik.attendance.urls")),
    path("oceny/", include("dziennik.grades.urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
