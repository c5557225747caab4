"""The login's second step by a one-time code sent by e-mail (``email_code.py``): for a
person whose login a check (KeyStroke) found unusual and who has no other second factor."""

import logging
import smtplib

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.http import safe_next

from . import email_code
from .forms import EmailCodeForm
from .models import User
from .views_second_factor import PENDING_KEY, _pending_user, begin_second_step, finish_login

logger = logging.getLogger(__name__)
# Which account's login waits for a code by e-mail: the step serves only a login sent to
# it, never one waiting for an authenticator app (the app must not be bypassed by mail).
EMAIL_STEP_KEY = "second_factor_email"


def _send(request, user: User) -> bool:
    try:
        email_code.email_code_send(user=user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return False
    except (OSError, smtplib.SMTPException):
        logger.exception("The login code could not be sent to user %s", user.pk)
        messages.error(request, _("The code could not be sent. Try again in a moment."))
        return False
    return True


def begin_email_step(request, user: User, next_url: str) -> HttpResponseRedirect:
    """After the right password of an unusual login: send a code and ask for it."""
    response = begin_second_step(request, user, next_url, to="accounts:login_email_code")
    request.session[EMAIL_STEP_KEY] = user.pk
    _send(request, user)
    return response


def _pending(request):
    found = _pending_user(request)
    if found is not None and request.session.get(EMAIL_STEP_KEY) != found[0].pk:
        found = None
    if found is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please log in again."))
    return found


def login_email_code(request):
    """GET: the code form. POST: the right code logs in; a wrong one counts toward the
    login lockout of the account (django-axes), like a wrong password."""
    found = _pending(request)
    if found is None:
        return redirect("accounts:login")
    user, pending = found
    credentials = {"username": user.username}
    if AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, None, credentials)
    form = EmailCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if email_code.email_code_verify(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            del request.session[EMAIL_STEP_KEY]
            user.backend = pending["backend"]
            auth_login(request, user)
            finish_login(request, user)
            return HttpResponseRedirect(safe_next(request, pending.get("next")))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error("code", _("The code is not correct or no longer valid."))
    status = 400 if form.is_bound else 200
    context = {"form": form, "address": email_code.masked_address(user)}
    return render(request, "accounts/login_email_code.html", context, status=status)


@require_POST
def login_email_code_resend(request):
    """A new code for the login waiting for one (within the sending limit)."""
    found = _pending(request)
    if found is None:
        return redirect("accounts:login")
    if _send(request, found[0]):
        messages.success(request, _("A new code has been sent."))
    return redirect("accounts:login_email_code")
