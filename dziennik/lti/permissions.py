"""Who may do what with learning tools (LTI).

* **Tools** (``tools``, action ``manage``): register, see, revoke – the principal and
  deputy principals of the tool's school; nobody of another school.
* **Tool links** (``placements``): ``launch`` – the students of the link's class and the
  teachers of its subject in that class (and the principal, who may open any of the
  school's); ``manage`` (add, choose content, lock a column) – the teachers of that subject
  in that class.
* **The services (NRPS, AGS)** answer a tool's bearer token only about its own links
  (``dziennik.lti.tokens``): another tool's or another school's are the same 404 as
  missing ones.
"""

from __future__ import annotations

from django.db.models import F, Q

from dziennik.core.policy import NOTHING, Policy
from dziennik.schools.models import Enrolment
from dziennik.schools.viewer import Viewer

from .models import Placement, Tool

# The LTI role URIs (LTI 1.3 core, A.2.2: context roles).
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def manages_tools(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.school_id is not None and viewer.is_principal


class ToolPolicy(Policy):
    model = Tool
    actions = ("manage",)

    def filter(self, viewer: Viewer, action: str = "manage") -> Q:
        if not manages_tools(viewer):
            return NOTHING
        return Q(school_id=viewer.school_id)

    def check(self, viewer: Viewer, action: str, obj: Tool) -> bool:
        return manages_tools(viewer) and obj.school_id == viewer.school_id


tools = ToolPolicy()


def _teaches(viewer: Viewer) -> Q:
    taught = Placement.objects.filter(
        school_class__assignments__teacher_id=viewer.user_id,
        school_class__assignments__subject_id=F("subject_id"),
    ).values("pk")
    return Q(pk__in=taught)


class PlacementPolicy(Policy):
    model = Placement
    actions = ("launch", "manage")

    def filter(self, viewer: Viewer, action: str = "launch") -> Q:
        if viewer.user_id is None or viewer.school_id is None:
            return NOTHING
        school = Q(school_id=viewer.school_id, tool__active=True)
        if action == "manage":
            return school & _teaches(viewer) if viewer.is_teacher else NOTHING
        if viewer.is_principal:
            return school
        rule = NOTHING
        if viewer.is_teacher:
            rule |= _teaches(viewer)
        if viewer.student_id is not None:
            own = Enrolment.objects.filter(student_id=viewer.student_id, end_date__isnull=True)
            rule |= Q(school_class_id__in=own.values("school_class_id"))
        return school & rule


placements = PlacementPolicy()


def roles_for(viewer: Viewer, placement: Placement) -> list[str]:
    """The LTI context roles of the viewer in the link's class and subject: a student
    is a Learner, a teacher of it an Instructor, the principal an Administrator."""
    if viewer.student_id is not None:
        return [LEARNER]
    roles = []
    if viewer.is_teacher and placements.queryset(viewer, "manage").filter(pk=placement.pk).exists():
        roles.append(INSTRUCTOR)
    if viewer.is_principal:
        roles.append(ADMINISTRATOR)
    return roles
