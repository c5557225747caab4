"""Activation lists (*listy aktywacyjne*): the class teacher's list of the families that
paid at the parents' meeting, confirmed (or returned) by the school's office.

The class teacher of the class fills the list (one service call saves every line: one
bad line saves nothing and every bad line is named), sends it; the office (principal,
deputy, secretary) confirms it – which makes each line's purchase at the price of the
day the money was collected (the promotion at school applies in its dates), records
its cash payment (reference: the line) and so activates the family's accounts – or
returns it with a reason, after which the class teacher may correct and send it again.
Everything is in the history.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dziennik.core import audit
from dziennik.schools.models import SchoolClass, Student
from dziennik.schools.viewer import get_viewer

from .. import pricing
from ..models import ActivationLine, ActivationList, Channel, Package, Purchase
from .purchases import family_children, payment_record, purchase_create, vat_rate_of

LIST_FIELDS = ["status", "sent_at", "decided_by", "decided_at", "return_reason"]


def _leads(actor, school_class: SchoolClass) -> bool:
    viewer = get_viewer(actor)
    return viewer.school_id == school_class.school_id and viewer.leads_class(school_class.pk)


def _record(actor, activation_list: ActivationList, before: dict) -> None:
    audit.record_update(
        actor=actor,
        instance=activation_list,
        before=before,
        school_class_id=activation_list.school_class_id,
    )


@transaction.atomic
def activation_list_create(
    *, actor, school_class: SchoolClass, collected_on: datetime.date
) -> ActivationList:
    """A new, empty list of the class for a parents' meeting; only its class teacher."""
    if not _leads(actor, school_class):
        raise Http404
    activation_list = ActivationList.objects.create(
        school_id=school_class.school_id,
        school_class=school_class,
        collected_on=collected_on,
        created_by=actor,
    )
    audit.record_create(actor=actor, instance=activation_list, school_class_id=school_class.pk)
    return activation_list


def _locked_for_teacher(actor, activation_list: ActivationList) -> ActivationList:
    activation_list = ActivationList.objects.select_for_update().get(pk=activation_list.pk)
    if not _leads(actor, activation_list.school_class):
        raise Http404
    if not activation_list.editable:
        raise ValidationError({"status": _("This list was sent; it can no longer be changed.")})
    return activation_list


def _check_lines(
    activation_list: ActivationList, choices: dict[int, int | None]
) -> list[ActivationLine]:
    """The lines to save, or ``ValidationError`` naming every bad one."""
    students = {s.pk: s for s in Student.objects.in_class(activation_list.school_class_id)}
    packages = {
        p.pk: p
        for p in Package.objects.filter(school_id=activation_list.school_id)
        .select_related("plan")
        .prefetch_related("promotions")
    }
    vat = vat_rate_of(activation_list.school_id)
    lines, errors, covered = [], [], {}
    for student_id, package_id in sorted(choices.items()):
        student = students.get(student_id)
        if student is None:
            errors.append(_("A student outside the class was named."))
            continue
        if package_id is None:
            continue
        package = packages.get(package_id)
        try:
            if package is None:
                raise pricing.NotPayable(_("Choose a package."))
            price = pricing.quote(
                package, channel=Channel.SCHOOL, day=activation_list.collected_on, vat_rate=vat
            )
            family = (
                family_children(student) if package.kind == Package.Kind.SIBLINGS else [student]
            )
            if package.kind == Package.Kind.SIBLINGS and len(family) < 2:
                raise pricing.NotPayable(
                    _("The sibling package is for a family with two or more children.")
                )
            for child in family:
                if child.pk in covered:
                    raise pricing.NotPayable(
                        _("%(child)s is already covered by the line of %(other)s.")
                        % {"child": child.full_name, "other": covered[child.pk]}
                    )
                covered[child.pk] = student.full_name
        except pricing.NotPayable as exc:
            errors.append(f"{student.full_name}: {exc}")
            continue
        lines.append(ActivationLine(student=student, package=package, amount=price.amount))
    if errors:
        raise ValidationError({"lines": errors})
    return lines


@transaction.atomic
def activation_list_save(
    *, actor, activation_list: ActivationList, choices: dict[int, int | None]
) -> ActivationList:
    """Replace the list's lines with ``choices`` (student id -> package id, None for no
    line): all checked first; one bad line saves nothing."""
    activation_list = _locked_for_teacher(actor, activation_list)
    lines = _check_lines(activation_list, choices)
    old = list(activation_list.lines.all())
    entries = [
        audit.build_entry(
            actor=actor,
            instance=line,
            action="delete",
            changes={"package": [line.package_id, None], "amount": [str(line.amount), None]},
            school_id=activation_list.school_id,
            student_id=line.student_id,
            school_class_id=activation_list.school_class_id,
        )
        for line in old
    ]
    activation_list.lines.all().delete()
    for line in lines:
        line.activation_list = activation_list
        line.save()
        entries.append(
            audit.build_entry(
                actor=actor,
                instance=line,
                action="create",
                changes={"package": [None, line.package_id], "amount": [None, str(line.amount)]},
                school_id=activation_list.school_id,
                student_id=line.student_id,
                school_class_id=activation_list.school_class_id,
            )
        )
    audit.record_many(entries)
    return activation_list


@transaction.atomic
def activation_list_send(*, actor, activation_list: ActivationList) -> ActivationList:
    """Send the list to the school's office for confirmation."""
    activation_list = _locked_for_teacher(actor, activation_list)
    if not activation_list.lines.exists():
        raise ValidationError({"lines": [_("The list has no lines to send.")]})
    before = audit.snapshot(activation_list, fields=LIST_FIELDS)
    activation_list.status = ActivationList.Status.SENT
    activation_list.sent_at = timezone.now()
    activation_list.save()
    _record(actor, activation_list, before)
    return activation_list


def _locked_for_office(actor, activation_list: ActivationList) -> ActivationList:
    viewer = get_viewer(actor)
    activation_list = ActivationList.objects.select_for_update().get(pk=activation_list.pk)
    if not (viewer.is_school_wide and viewer.school_id == activation_list.school_id):
        raise Http404
    if activation_list.status != ActivationList.Status.SENT:
        raise ValidationError({"status": _("Only a list sent to the office is decided.")})
    return activation_list


@transaction.atomic
def activation_list_return(
    *, actor, activation_list: ActivationList, reason: str
) -> ActivationList:
    """The office returns the list to the class teacher, saying why."""
    activation_list = _locked_for_office(actor, activation_list)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the list is returned.")})
    before = audit.snapshot(activation_list, fields=LIST_FIELDS)
    activation_list.status = ActivationList.Status.RETURNED
    activation_list.return_reason = reason[:300]
    activation_list.decided_by = actor
    activation_list.decided_at = timezone.now()
    activation_list.save()
    _record(actor, activation_list, before)
    return activation_list


@transaction.atomic
def activation_list_confirm(
    *, actor, activation_list: ActivationList, day: datetime.date | None = None
) -> list[Purchase]:
    """The office confirms the list: each line becomes a purchase (priced on the day the
    money was collected, at school), paid in cash (reference ``list-line-<id>``) and so
    activated from ``day`` (today) for the child's family."""
    activation_list = _locked_for_office(actor, activation_list)
    day = day or timezone.localdate()
    purchases, errors = [], []
    lines = activation_list.lines.select_related("student", "package__plan").order_by("pk")
    for line in lines:
        students = (
            family_children(line.student)
            if line.package.kind == Package.Kind.SIBLINGS
            else [line.student]
        )
        purchase = purchase_create(
            actor=actor,
            package=line.package,
            students=students,
            channel=Channel.SCHOOL,
            day=activation_list.collected_on,
        )
        if purchase.amount != line.amount:
            errors.append(
                _("%(student)s: the price is now %(price)s zł, the list says %(amount)s zł.")
                % {
                    "student": line.student.full_name,
                    "price": purchase.amount,
                    "amount": line.amount,
                }
            )
            continue
        payment_record(
            actor=actor,
            purchase=purchase,
            channel=Channel.SCHOOL,
            amount=line.amount,
            external_ref=f"list-line-{line.pk}",
            received_on=day,
            details={
                "activation_list": activation_list.pk,
                "collected_on": str(activation_list.collected_on),
            },
        )
        line.purchase = purchase
        line.save(update_fields=["purchase"])
        purchases.append(purchase)
    if errors:
        raise ValidationError({"lines": errors})
    before = audit.snapshot(activation_list, fields=LIST_FIELDS)
    activation_list.status = ActivationList.Status.CONFIRMED
    activation_list.decided_by = actor
    activation_list.decided_at = timezone.now()
    activation_list.return_reason = ""
    activation_list.save()
    _record(actor, activation_list, before)
    return purchases
