"""Passkeys on screen: the account's list of keys (add, remove), logging in with a key
(the login's second step, or on its own from the login page), and the principal's reset
of a staff member's lost second factors.

The browser's part is ``accounts/static/accounts/passkeys.js``: it asks one of the
``*_options`` views for a challenge (JSON), lets the browser talk to the authenticator,
puts the answer into the form's hidden ``credential`` field and submits the form, which
the other view checks. The challenge's id stays in the session, the challenge itself in
the database (``accounts/passkeys.py``).
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import user_login_failed
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dziennik.core.http import safe_next

from . import backends, passkeys, selectors, totp
from .forms_passkeys import PasskeyAddForm, PasskeyRemoveForm, SecondFactorResetForm
from .views_second_factor import PENDING_KEY, REQUIRED_KEY, _pending_user, finish_login

CHALLENGES_KEY = "passkey_challenges"
MODEL_BACKEND = backends.PATH


def _remember(request, purpose: str, ceremony: passkeys.Ceremony) -> HttpResponse:
    challenges = dict(request.session.get(CHALLENGES_KEY) or {})
    # One open ceremony of each kind per session: a new one ends the one before.
    passkeys.discard_challenge(challenges.get(purpose))
    challenges[purpose] = ceremony.challenge_id
    request.session[CHALLENGES_KEY] = challenges
    response = HttpResponse(ceremony.options_json, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def _take(request, purpose: str):
    challenges = dict(request.session.get(CHALLENGES_KEY) or {})
    challenge_id = challenges.pop(purpose, None)
    request.session[CHALLENGES_KEY] = challenges
    return challenge_id


# --- the account's passkeys -----------------------------------------------------------


def _passkeys_page(request, *, status=200, **context):
    context = {
        "passkeys": list(passkeys.passkeys_of(request.user)),
        "add_form": PasskeyAddForm(),
        "remove_form": PasskeyRemoveForm(),
        "required": bool(request.session.get(REQUIRED_KEY)),
        "max_passkeys": passkeys.MAX_PASSKEYS,
        **context,
    }
    return render(request, "accounts/passkeys.html", context, status=status)


@login_required
def passkey_list(request):
    """The account's passkeys, the form for a new one and a remove form for each."""
    return _passkeys_page(request)


@login_required
@require_POST
def passkey_register_options(request):
    """JSON: the options for ``navigator.credentials.create``."""
    try:
        ceremony = passkeys.registration_start(actor=request.user)
    except ValidationError as exc:
        return HttpResponse(exc.messages[0], status=400, content_type="text/plain")
    return _remember(request, "register", ceremony)


@login_required
@require_POST
def passkey_register(request):
    """The browser's answer with the name: a new passkey, or the page with what went
    wrong (nothing stored)."""
    form = PasskeyAddForm(request.POST)
    challenge_id = _take(request, "register")
    if form.is_valid():
        try:
            passkey = passkeys.passkey_register(
                actor=request.user,
                challenge_id=challenge_id,
                answer=form.cleaned_data["credential"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.pop(REQUIRED_KEY, None)
            messages.success(
                request, _("The passkey “%(name)s” has been added.") % {"name": passkey.name}
            )
            return redirect("accounts:passkeys")
    return _passkeys_page(request, status=400, add_form=form)


@login_required
@require_POST
def passkey_remove(request, passkey_id: int):
    passkey = get_object_or_404(passkeys.passkeys_of(request.user), pk=passkey_id)
    form = PasskeyRemoveForm(request.POST)
    if form.is_valid():
        try:
            passkeys.passkey_remove(
                actor=request.user, passkey=passkey, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            if totp.second_factor_missing(request.user):
                request.session[REQUIRED_KEY] = True
            messages.success(
                request, _("The passkey “%(name)s” has been removed.") % {"name": passkey.name}
            )
            return redirect("accounts:passkeys")
    return _passkeys_page(request, status=400, remove_form=form, remove_failed=passkey.pk)


# --- logging in with a passkey --------------------------------------------------------


def _second_step_user(request):
    found = _pending_user(request)
    if found is None:
        raise Http404
    return found


@require_POST
def passkey_login_options(request):
    """JSON: the options for ``navigator.credentials.get``: the pending account's keys
    in the login's second step (``step=second``), else any key kept for this site."""
    if request.POST.get("step") == "second":
        user, _pending = _second_step_user(request)
        return _remember(request, "second_step", passkeys.authentication_start(user=user))
    return _remember(request, "login", passkeys.authentication_start(user=None))


def _log_in(request, user, next_url) -> HttpResponseRedirect:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(CHALLENGES_KEY, None)
    auth_login(request, user, backend=MODEL_BACKEND)
    finish_login(request, user)
    return HttpResponseRedirect(safe_next(request, next_url))


@require_POST
def passkey_login(request):
    """The browser's answer: logged in, or back to where it came from with a message.

    In the second step a refused answer counts toward the account's login lockout, as a
    wrong code does; a locked account does not get in with a passkey either."""
    answer = request.POST.get("credential", "")
    if request.POST.get("step") == "second":
        found = _pending_user(request)
        if found is None:
            messages.info(request, _("Please log in again."))
            return redirect("accounts:login")
        user, pending = found
        credentials = {"username": user.username}
        challenge_id = _take(request, "second_step")
        if not AxesProxyHandler.is_locked(request, credentials) and passkeys.passkey_verify(
            challenge_id=challenge_id, answer=answer, user=user
        ):
            return _log_in(request, user, pending.get("next"))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        messages.error(request, _("The passkey was not accepted. Try again or enter a code."))
        return redirect("accounts:login_second_step")
    user = passkeys.passkey_verify(challenge_id=_take(request, "login"), answer=answer, user=None)
    if user is not None and not AxesProxyHandler.is_locked(request, {"username": user.username}):
        return _log_in(request, user, request.POST.get("next"))
    messages.error(request, _("The passkey was not accepted. Log in with your password."))
    return redirect("accounts:login")


# --- the principal's reset of lost second factors -------------------------------------


@login_required
def second_factor_reset(request, user_id: int):
    """GET: whose second factors are removed, and the reason form. POST: removed."""
    account = selectors.get_second_factor_resettable_user_for(request.viewer, user_id)
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            passkeys.second_factor_reset(
                actor=request.user, user=account, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error("reason", exc)
        else:
            messages.success(
                request,
                _(
                    "The second factors of %(name)s have been removed. They will be asked to"
                    " set one up again at their next login."
                )
                % {"name": account.get_full_name() or account.username},
            )
            return redirect("accounts:staff_accounts")
    status = 400 if form.is_bound else 200
    context = {
        "account": account,
        "form": form,
        "factors": selectors.second_factors_of(account),
    }
    return render(request, "accounts/second_factor_reset.html", context, status=status)
