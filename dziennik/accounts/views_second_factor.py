"""The second factor on screen: the login's second step and the account settings of
the authenticator app (enrol, turn off, new recovery codes)."""

import time

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import user_login_failed
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.http import safe_next

from . import login_checks, passkeys, services, totp
from .forms import SecondFactorCodeForm, SecondFactorDisableForm, SecondFactorLoginForm
from .models import User

PENDING_KEY = "second_factor_pending"
REQUIRED_KEY = "second_factor_required"
# How long the password step stays good for the second step.
PENDING_SECONDS = 300


def begin_second_step(
    request, user: User, next_url: str, *, to: str = "accounts:login_second_step"
) -> HttpResponseRedirect:
    """After the right password of an account with an authenticator app: remember who,
    without logging in, and ask for the code (on the page ``to``: the e-mail code has
    its own, ``views_email_code``)."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "next": next_url,
        "at": time.time(),
    }
    return redirect(to)


def finish_login(request, user: User, typing: list[float] | None = None) -> None:
    """What every successful login does after ``auth_login``: record it, tell the login
    checks (KeyStroke learns from it), and send staff whose school requires a second
    factor to set one up. ``typing``: the timings of a login without a second step; one
    with a second step brings its own from the session."""
    services.account_record_login(user=user)
    remembered, second_step = login_checks.take(request)
    login_checks.login_completed(
        user, remembered if second_step else typing, second_step=second_step
    )
    if totp.second_factor_missing(user):
        request.session[REQUIRED_KEY] = True
    reset = passkeys.unseen_reset(user)
    if reset is not None:
        messages.warning(
            request,
            _(
                "On %(date)s the principal removed your second factors (reason: %(reason)s)."
                " Set up an authenticator app or a passkey again in Two-step verification."
            )
            % {
                "date": formats.date_format(timezone.localdate(reset.created_at)),
                "reason": reset.reason,
            },
        )


def _pending_user(request) -> tuple[User, dict] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
    return (user, pending) if user is not None else None


def login_second_step(request):
    """GET: the code form. POST: a right code logs in; a wrong one counts toward the
    login lockout of the account (django-axes), like a wrong password."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    user, pending = found
    credentials = {"username": user.username}
    if AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, None, credentials)
    form = SecondFactorLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.verify_second_factor(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            user.backend = pending["backend"]
            auth_login(request, user)
            finish_login(request, user)
            return HttpResponseRedirect(safe_next(request, pending.get("next")))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error("code", _("The code is not correct."))
    status = 400 if form.is_bound else 200
    context = {"form": form, "passkey_step": passkeys.has_passkey(user)}
    return render(request, "accounts/login_second_step.html", context, status=status)


def _settings_page(request, *, status=200, **context):
    device = totp.device_of(request.user)
    context = {
        "device": device,
        "required": bool(request.session.get(REQUIRED_KEY)),
        "confirm_form": SecondFactorCodeForm(),
        "disable_form": SecondFactorDisableForm(),
        "passkey_count": passkeys.passkeys_of(request.user).count(),
        **context,
    }
    if device is not None and not device.is_confirmed:
        context |= {"qr_svg": totp.qr_svg(device), "secret": device.secret}
    elif device is not None:
        context["recovery_left"] = totp.remaining_recovery_codes(request.user)
    return render(request, "accounts/second_factor.html", context, status=status)


@login_required
def second_factor(request):
    """The account's second factor: its state and what can be done with it."""
    return _settings_page(request)


@login_required
@require_POST
def second_factor_enrol(request):
    try:
        totp.totp_enrol_start(actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("accounts:second_factor")


@login_required
@require_POST
def second_factor_confirm(request):
    form = SecondFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            codes = totp.totp_enrol_confirm(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session.pop(REQUIRED_KEY, None)
            return _settings_page(request, recovery_codes=codes)
    return _settings_page(request, status=400, confirm_form=form)


@login_required
@require_POST
def second_factor_disable(request):
    form = SecondFactorDisableForm(request.POST)
    if form.is_valid():
        try:
            totp.totp_disable(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if totp.second_factor_missing(request.user):
                request.session[REQUIRED_KEY] = True
            messages.success(request, _("The authenticator app has been turned off."))
            return redirect("accounts:second_factor")
    return _settings_page(request, status=400, disable_form=form)


@login_required
@require_POST
def recovery_codes(request):
    try:
        codes = totp.recovery_codes_regenerate(actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("accounts:second_factor")
    return _settings_page(request, recovery_codes=codes)
