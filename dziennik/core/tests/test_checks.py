from django.test import override_settings

from dziennik.core.checks import shared_cache_configured


def test_deploy_check_warns_without_a_shared_cache():
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):
        assert [w.id for w in shared_cache_configured(None)] == ["dziennik.W001"]
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem, DEBUG=False):
        assert [w.id for w in shared_cache_configured(None)] == ["dziennik.W002"]
    redis = {"default": {"BACKEND": "dziennik.core.redis_cache.RedisCache"}}
    with override_settings(CACHES=redis):
        assert shared_cache_configured(None) == []


def test_rules_edited_on_the_schools_screens_are_view_only_in_the_admin(admin_client):
    # the screens check the rules and record the history; the admin must not bypass them
    for url in (
        "/admin/attendance/attendancekind/add/",
        "/admin/attendance/subjectexemption/add/",
        "/admin/timetable/timetableentry/add/",
        "/admin/timetable/timetablechange/add/",
    ):
        assert admin_client.get(url).status_code == 403, url
    assert admin_client.get("/admin/attendance/attendancekind/").status_code == 200
