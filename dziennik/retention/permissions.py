"""Who sees what is due for destruction and confirms it: the principal (or a deputy) of
the school, nobody else (L-13, P-07). No row of this app is shown to anyone else."""

from __future__ import annotations

from dziennik.schools.viewer import Viewer


def may_destroy(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.school_id is not None and viewer.is_principal
