"""The leaflet's e-learning offer: a platform the school marked "needs the e-learning
entitlement" (``Platform.needs_elearning``) lets a family in – its single sign-on and
its presence in the platform's roster – only while the family has the ``elearning``
entitlement of its access plan (``plans``, with the offer's 30-day window). Staff are
never limited by it; a platform not marked lets everyone its roles allow.
"""

from __future__ import annotations

import datetime

from dziennik.schools.viewer import Viewer

from .models import Platform


def entitled_student_ids(
    platform: Platform | None, student_ids: set[int], day: datetime.date
) -> set[int] | None:
    """Which of the students the platform may roster; None when it limits nobody."""
    if platform is None or not platform.needs_elearning:
        return None
    raise NotImplementedError


def family_refusal(platform: Platform, viewer: Viewer, roles: list[str], day) -> bool:
    """Whether a family member (the roles they log in with being only ``parent`` or
    ``student``) is kept out for lack of the entitlement."""
    raise NotImplementedError
