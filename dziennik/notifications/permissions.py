"""Who may do what with notifications.

Everyone reads and marks their own (the selectors filter by the viewer's user; nobody
sees another person's). The school office (principal, deputy, secretary) sees its
school's dead-letter list, retries it and switches SMS per account."""

from __future__ import annotations

from dziennik.schools.viewer import Viewer


def may_manage(viewer: Viewer) -> bool:
    return viewer.school_id is not None and viewer.is_school_wide
