"""What the tests of the cache's shares of a student's or a class's data share
(``test_cache_app_shares``, ``test_cache_month_shares``): the scopes they narrow, and
whether a change moved some scopes' versions."""

from dziennik.core import cache

STUDENT, CLASS = cache.student_scope(7), cache.data_scope(3)
BASE = (cache.config_scope(1), STUDENT, CLASS)


def moved(scopes, change) -> bool:
    """Whether ``change()`` moved the versions of ``scopes``."""
    before = cache.versions(*scopes)
    change()
    return cache.versions(*scopes) != before
