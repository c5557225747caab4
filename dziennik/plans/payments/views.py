"""Payment pages: thin – they parse the form, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dziennik.core.client_address import client_address
from dziennik.core.forms import add_service_errors
from dziennik.core.printing import pdf_response, render_pdf
from dziennik.schools.viewer import children_of

from ..models import Channel, Purchase
from ..operators.base import BadSignature, OperatorError, OperatorTimeout
from ..services import purchase_create
from ..slip import account_digits, amount_in_words
from . import bank, online, permissions, selectors
from .forms import AssignForm, BankAccountForm, DismissForm, RefundForm, StartForm, StatementForm

OPERATOR_DOWN = _(
    "The payment operator did not answer in time. Nothing was paid and nothing is lost: "
    "try again in a moment."
)


@login_required
def start(request):
    """A parent buys a package for their children: online now, or by transfer."""
    viewer = request.viewer
    if not viewer.is_parent:
        raise Http404
    packages = selectors.online_packages(viewer)
    children = children_of(viewer)
    form = StartForm(request.POST or None, packages=packages, children=children)
    if request.method == "POST" and form.is_valid():
        package = next(p for p in packages if p.pk == form.cleaned_data["package"])
        chosen = [c for c in children if c.pk in set(form.cleaned_data["students"])]
        try:
            purchase = purchase_create(
                actor=request.user,
                package=package,
                students=chosen,
                channel=form.cleaned_data["channel"],
                day=timezone.localdate(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if purchase.channel == Channel.ONLINE:
                return _to_operator(request, purchase)
            return redirect("payments:purchase", purchase_id=purchase.pk)
    return render(
        request,
        "plans/payments/start.html",
        {"form": form, "packages": packages, "waiting": selectors.waiting_purchases(viewer)},
        status=400 if form.errors else 200,
    )


def _to_operator(request, purchase: Purchase):
    try:
        order = online.online_order_create(
            actor=request.user,
            purchase=purchase,
            notify_url=request.build_absolute_uri(reverse("payments:operator_notify")),
            continue_url=request.build_absolute_uri(
                reverse("payments:purchase", kwargs={"purchase_id": purchase.pk})
            ),
            customer_ip=client_address(request) or "127.0.0.1",
        )
    except OperatorTimeout:
        messages.error(request, OPERATOR_DOWN)
    except (OperatorError, ValidationError) as exc:
        messages.error(request, _("The payment could not be started: %(e)s") % {"e": exc})
    else:
        return redirect(order.redirect_uri)
    return redirect("payments:purchase", purchase_id=purchase.pk)


@login_required
def purchase_status(request, purchase_id: int):
    """A purchase and its payment: the page the operator sends the parent back to. When
    the notification has not come yet, it asks the operator."""
    purchase = selectors.purchase_for(request.viewer, purchase_id)
    order = selectors.latest_order(purchase)
    if order is not None and order.status not in order.FINAL:
        try:
            order = online.online_order_refresh(actor=request.user, order=order)
            purchase.refresh_from_db(fields=["status", "paid_at", "activated_on"])
        except OperatorError:
            messages.info(request, _("The operator has not confirmed the payment yet."))
    return render(
        request,
        "plans/payments/purchase.html",
        {
            "purchase": purchase,
            "order": order,
            "pending": purchase.status == Purchase.Status.PENDING,
            "account": selectors.bank_account_of(purchase.school_id),
        },
    )


@login_required
@require_POST
def pay_online(request, purchase_id: int):
    purchase = selectors.purchase_for(request.viewer, purchase_id)
    return _to_operator(request, purchase)


@login_required
def slip(request, purchase_id: int):
    """The payment slip (PDF) of a purchase waiting for a transfer."""
    purchase = selectors.purchase_for(request.viewer, purchase_id)
    account = selectors.bank_account_of(purchase.school_id)
    if account is None:
        raise Http404
    payer = purchase.payer or request.user
    content = render_pdf(
        "plans/payments/print/slip.html",
        {
            "purchase": purchase,
            "account": account,
            "account_number": account_digits(account.iban),
            "amount_words": amount_in_words(purchase.amount),
            "payer_name": payer.get_full_name() or payer.get_username(),
            "students": list(purchase.students.all()),
            "school_name": account.holder,
        },
    )
    return pdf_response(content, f"przekaz-{purchase.title}.pdf")


@csrf_exempt
@require_POST
def operator_notify(request):
    """The operator's notification (no session, no CSRF: it is signed). A bad signature
    answers 400 and writes nothing."""
    try:
        online.operator_notification_receive(body=request.body, headers=request.headers)
    except BadSignature:
        return HttpResponseBadRequest("bad signature")
    except OperatorError:
        return HttpResponseBadRequest("not a notification of ours")
    return HttpResponse("OK", content_type="text/plain")


@login_required
def bank_account(request):
    viewer = request.viewer
    if not permissions.manages_bank_account(viewer):
        raise Http404
    current = selectors.bank_account_of(viewer.school_id)
    initial = (
        {"holder": current.holder, "address": current.address, "iban": current.iban}
        if current
        else {}
    )
    form = BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            bank.bank_account_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("payments:bank_account")
    return render(
        request,
        "plans/payments/bank_account.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def statements_page(request):
    """The office imports a bank statement and sees the earlier imports."""
    viewer = request.viewer
    form = StatementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and permissions.manages_payments(viewer) and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = bank.statement_import(
                actor=request.user,
                name=upload.name,
                data=upload.read(),
                fmt=form.cleaned_data["format"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if statement.was_new:
                messages.success(request, _("The statement has been imported."))
            else:
                messages.info(request, _("This statement was imported before; nothing changed."))
            return redirect("payments:statements")
    return render(
        request,
        "plans/payments/statements.html",
        {"form": form, "statements": selectors.statements_of(viewer)},
        status=400 if form.errors else 200,
    )


@login_required
def review_page(request):
    viewer = request.viewer
    return render(
        request,
        "plans/payments/review.html",
        {
            "lines": selectors.review_queue(viewer),
            "decided": selectors.decided_lines(viewer),
            "assign_form": AssignForm(),
            "dismiss_form": DismissForm(),
        },
    )


@login_required
@require_POST
def review_decide(request, line_id: int):
    line = selectors.review_line_for(request.viewer, line_id)
    action = request.POST.get("action")
    form = (AssignForm if action == "assign" else DismissForm)(request.POST)
    if action not in ("assign", "dismiss") or not form.is_valid():
        messages.error(request, _("Give a payment title to assign, or a reason to dismiss."))
        return redirect("payments:review")
    try:
        if action == "assign":
            bank.statement_line_assign(actor=request.user, line=line, **form.cleaned_data)
        else:
            bank.statement_line_dismiss(actor=request.user, line=line, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The line has been decided."))
    return redirect("payments:review")


@login_required
def orders_page(request):
    return render(
        request,
        "plans/payments/orders.html",
        {"orders": selectors.orders_of(request.viewer), "form": RefundForm()},
    )


@login_required
@require_POST
def order_refund(request, order_id: int):
    order = selectors.order_for(request.viewer, order_id)
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the amount to refund."))
        return redirect("payments:orders")
    try:
        online.online_refund(actor=request.user, order=order, amount=form.cleaned_data["amount"])
    except OperatorTimeout:
        messages.error(request, OPERATOR_DOWN)
    except OperatorError as exc:
        messages.error(request, _("The operator refused the refund: %(e)s") % {"e": exc})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The refund has been recorded."))
    return redirect("payments:orders")
