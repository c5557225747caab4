"""A demo learning tool: a quiz tool the school registered, placed by the demo teacher
(``nauczyciel``) in the first class and subject they teach, so the principal's screen of
tools and the teacher's and students' links have something to show. Its addresses are
examples (``.example``): launching it leads nowhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Placement, Tool

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

DEMO_TOOL = "Quizyn – quizy i kartkówki"
DEMO_LINK = "Quiz powtórkowy"
DEMO_BASE = "https://quizyn.example.edu.pl/lti"


def populate(ctx: DemoContext) -> None:
    ctx.progress("lti: one learning tool and its link")
    tool = Tool.objects.create(
        school=ctx.school,
        name=DEMO_TOOL,
        login_url=f"{DEMO_BASE}/login",
        launch_url=f"{DEMO_BASE}/launch",
        deep_link_url=f"{DEMO_BASE}/deep-link",
        jwks_url=f"{DEMO_BASE}/jwks",
    )
    teacher = ctx.fixed_users.get("nauczyciel")
    assignment = next((a for a in ctx.assignments if teacher and a.teacher_id == teacher.pk), None)
    if assignment is None:
        return
    Placement.objects.create(
        school=ctx.school,
        tool=tool,
        school_class_id=assignment.school_class_id,
        subject_id=assignment.subject_id,
        teacher=teacher,
        title=DEMO_LINK,
    )


def reset(school_ids: list[int]) -> None:
    Tool.objects.filter(school_id__in=school_ids).delete()
