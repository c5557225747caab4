"""The parent's child switcher: which child the screens show, kept in the session."""

from __future__ import annotations

from dziennik.schools.selectors import children_of

SESSION_KEY = "active_child_id"


def active_child_id(request) -> int | None:
    """The chosen child, or the first child; never a child the viewer cannot see."""
    v = request.viewer
    if not v.child_ids:
        return v.student_id
    chosen = request.session.get(SESSION_KEY)
    if chosen in v.child_ids:
        return chosen
    return min(v.child_ids)


def active_child_for(request):
    wanted = active_child_id(request)
    for child in children_of(request.viewer):
        if child.pk == wanted:
            return child
    return None


def set_active_child(request, student_id: int) -> bool:
    if student_id not in request.viewer.child_ids:
        return False
    request.session[SESSION_KEY] = student_id
    return True


def family_vary(request) -> tuple[str]:
    """``core.cache.PageCache.vary`` of pages whose layout shows the parent's chosen child."""
    return (str(request.session.get(SESSION_KEY)),)
