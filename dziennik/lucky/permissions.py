"""Who sees and who sets the lucky number.

Everyone of a school sees its number of the day (students and parents on their home
page: a student with that journal number is not asked to answer that day). Only the
principal or deputy switches it on or off and chooses how it is drawn."""

from __future__ import annotations

from dziennik.schools.viewer import Viewer


def sees_lucky_number(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.school_id is not None


def manages_settings(viewer: Viewer) -> bool:
    return sees_lucky_number(viewer) and viewer.is_principal
