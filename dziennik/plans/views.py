"""The plans' screens: the family's plan page and receipts, the class teacher's
activation lists and the office's confirmation, the revenue report. Thin: the rules are
in ``pages`` (reads) and ``services`` (writes)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dziennik.core.csvexport import csv_response, write_csv
from dziennik.core.params import parse_date, parse_id
from dziennik.core.printing import pdf_response, render_pdf
from dziennik.schools.models import SchoolClass

from . import pages, services
from .forms import PeriodForm
from .models import ActivationList

# The ways to pay that the plan page offers per package; the online operator and the
# payment slip add their buttons here (``channel_actions``: objects with ``label`` and
# ``url``) when they exist.
CHANNEL_ACTIONS = [
    SimpleNamespace(
        label=gettext_lazy("Pay online or by transfer (with a payment slip to print)"),
        url=reverse_lazy("payments:start"),
    )
]


@login_required
def mine(request):
    """The family's plan: per child what the accounts include and until when, the
    payments with their receipts, and how to buy (today's prices per channel)."""
    viewer = request.viewer
    today = timezone.localdate()
    return render(
        request,
        "plans/mine.html",
        {
            "children": pages.family_plan(viewer, today),
            "payments": pages.family_payments(viewer),
            "prices": pages.price_list(viewer, today),
            "channel_actions": CHANNEL_ACTIONS if viewer.is_parent else [],
            "today": today,
        },
    )


@login_required
def receipt(request, payment_id: int):
    """A payment's receipt (*potwierdzenie wpłaty*), with its PDF."""
    found = pages.receipt(request.viewer, payment_id)
    return render(request, "plans/receipt.html", {"receipt": found})


@login_required
def receipt_pdf(request, payment_id: int):
    """The receipt as a PDF (the school's printout style)."""
    found = pages.receipt(request.viewer, payment_id)
    content = render_pdf(
        "plans/print/receipt.html", {"receipt": found, "school_name": found.school_name}
    )
    return pdf_response(
        content, f"potwierdzenie-{found.payment.receipt_number}-{found.payment.receipt_year}.pdf"
    )


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def lists(request):
    """The class teacher's activation lists (a new one for a parents' meeting), the
    office's lists to confirm."""
    viewer = request.viewer
    rows = pages.activation_lists(viewer)  # 404 for anyone else
    if request.method == "POST":
        class_id = parse_id(request.POST.get("klasa"))
        day = parse_date(request.POST.get("dzien") or "") or timezone.localdate()
        if class_id not in viewer.led_class_ids:
            raise Http404
        school_class = SchoolClass.objects.get(pk=class_id)
        created = services.activation_list_create(
            actor=request.user, school_class=school_class, collected_on=day
        )
        return redirect("plans:list", list_id=created.pk)
    return render(
        request,
        "plans/lists.html",
        {"rows": rows, "classes": pages.led_classes(viewer), "today": timezone.localdate()},
    )


def _choices(request, students) -> dict[int, int | None]:
    return {
        student.pk: parse_id(request.POST.get(f"pakiet-{student.pk}") or "") for student in students
    }


@login_required
def list_detail(request, list_id: int):
    """One activation list: the class teacher fills and sends it; the office confirms
    or returns it."""
    viewer = request.viewer
    activation_list = pages.get_activation_list_for(viewer, list_id)
    students = pages.class_students(activation_list)
    if request.method == "POST":
        action = request.POST.get("akcja")
        try:
            if action == "zapisz":
                services.activation_list_save(
                    actor=request.user,
                    activation_list=activation_list,
                    choices=_choices(request, students),
                )
                messages.success(request, _("The list is saved."))
            elif action == "wyslij":
                services.activation_list_send(actor=request.user, activation_list=activation_list)
                messages.success(request, _("The list is sent to the school's office."))
            elif action == "zatwierdz":
                done = services.activation_list_confirm(
                    actor=request.user, activation_list=activation_list
                )
                messages.success(
                    request, _("Confirmed: %(count)d accounts activated.") % {"count": len(done)}
                )
            elif action == "zwroc":
                services.activation_list_return(
                    actor=request.user,
                    activation_list=activation_list,
                    reason=request.POST.get("powod", ""),
                )
                messages.success(request, _("The list is returned to the class teacher."))
            else:
                raise Http404
        except ValidationError as error:
            _errors(request, error)
        return redirect("plans:list", list_id=activation_list.pk)
    lines = {line.student_id: line for line in pages.list_lines(activation_list)}
    return render(
        request,
        "plans/list.html",
        {
            "activation_list": activation_list,
            "rows": [(student, lines.get(student.pk)) for student in students],
            "packages": pages.school_packages(activation_list.school_id),
            "teacher": viewer.leads_class(activation_list.school_class_id),
            "office": viewer.is_school_wide,
            "Status": ActivationList.Status,
            "total": sum((line.amount for line in lines.values()), start=0),
        },
    )


def _period(request) -> PeriodForm:
    """The report's period from the query (``od``, ``do``), else the school year's. The
    office only: anyone else gets 404 before the form is read."""
    pages.require_office(request.viewer)
    if "od" in request.GET or "do" in request.GET:
        return PeriodForm(request.GET)
    start, end = pages.school_year_period(request.viewer, timezone.localdate())
    return PeriodForm({"od": start.isoformat(), "do": end.isoformat()})


def _period_refused(request, form: PeriodForm):
    return render(request, "plans/report.html", {"form": form, "report": None}, status=400)


@login_required
def report(request):
    """The office's activations and revenue in a period (the school year by default), by
    class, channel and month, with a chart."""
    form = _period(request)
    if not form.is_valid():
        return _period_refused(request, form)
    date_from, date_to = form.period()
    data = pages.revenue(request.viewer, date_from, date_to)
    return render(
        request,
        "plans/report.html",
        {
            "form": form,
            "report": data,
            "date_from": date_from,
            "date_to": date_to,
            "query": urlencode({"od": date_from.isoformat(), "do": date_to.isoformat()}),
            "chart": _bars(data.by_month),
        },
    )


def _bars(by_month) -> dict:
    """An inline SVG bar chart of the revenue per month (sizes as SVG attributes)."""
    months = sorted(by_month)
    peak = max((by_month[m].amount for m in months), default=0) or 1
    bars = []
    for index, month in enumerate(months):
        amount = max(by_month[month].amount, 0)
        height = int(160 * amount / peak)
        bars.append(
            {
                "x": 10 + index * 60,
                "y": 180 - height,
                "height": height,
                "label": month,
                "amount": by_month[month].amount,
            }
        )
    return {"bars": bars, "width": 20 + 60 * max(len(months), 1)}


@login_required
def report_csv(request):
    form = _period(request)
    if not form.is_valid():
        return _period_refused(request, form)
    date_from, date_to = form.period()
    data = pages.revenue(request.viewer, date_from, date_to)
    columns = [_("date"), _("class"), _("channel"), _("payment title"), _("amount (zł)")]
    rows = [
        dict(
            zip(
                columns, (r["date"], r["class"], r["channel"], r["title"], r["amount"]), strict=True
            )
        )
        for r in data.rows
    ]
    return csv_response(
        write_csv(columns, rows), f"aktywacje-i-wplaty-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv"
    )
