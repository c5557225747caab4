"""Who closes a school year: its principal (*dyrektor*), who signs the archive (L-11).

A deputy or the secretary prepares the data but does not close the year; another
school's principal gets the same 404 as for a missing year."""

from __future__ import annotations

from django.http import Http404

from dziennik.schools.viewer import Viewer


def may_close(viewer: Viewer, school_id: int | None) -> bool:
    return viewer.is_principal and school_id is not None and viewer.school_id == school_id


def require_close(viewer: Viewer, school_id: int | None) -> None:
    if not may_close(viewer, school_id):
        raise Http404
