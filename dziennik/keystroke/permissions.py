"""Who may do what with KeyStroke.

A profile is its owner's alone: every screen shows the viewer's own, and no staff role
reads anybody else's (not even its summary). The school's settings are set by the
principal or the school office."""

from __future__ import annotations

from dziennik.schools.viewer import Viewer


def manages_settings(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.school_id is not None and viewer.is_school_wide
