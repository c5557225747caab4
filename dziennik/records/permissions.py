"""Who exports the register: the school's principal (or deputy) and its administrator
(the secretary), for their own school only. Nobody else sees the records page; missing
and forbidden answer the same 404."""

from __future__ import annotations

from dziennik.schools.viewer import Viewer


def may_export(viewer: Viewer) -> bool:
    return (
        viewer.user_id is not None
        and viewer.school_id is not None
        and (viewer.is_principal or viewer.is_secretary)
    )
