"""Who may do what with payments: the school office (principal, secretary) runs them;
a family sees its own purchases (the payer, or a parent of every child covered)."""

from __future__ import annotations

from dziennik.schools.viewer import Viewer


def manages_payments(viewer: Viewer) -> bool:
    """The school office: statements, the review queue, online orders and refunds."""
    return viewer.is_school_wide and viewer.school_id is not None


def manages_bank_account(viewer: Viewer) -> bool:
    return viewer.is_principal and viewer.school_id is not None


def sees_purchase(viewer: Viewer, purchase, student_ids: set[int]) -> bool:
    """``student_ids``: the children the purchase covers."""
    if viewer.school_id != purchase.school_id:
        return False
    if manages_payments(viewer):
        return True
    if purchase.payer_id is not None and purchase.payer_id == viewer.user_id:
        return True
    return bool(student_ids) and student_ids <= viewer.child_ids
