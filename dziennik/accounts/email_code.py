"""One-time login codes by e-mail: the second step of a login for a person who has no
other second factor but has an e-mail address (KeyStroke asks for it, docs/keystroke.md).

A code is six digits, good for ``LIFETIME`` and for one use, stored as a keyed hash
(``salted_hmac``); a new code replaces the one before. At most ``SENDS_PER_WINDOW``
codes go to one account per ``SEND_WINDOW`` (the password alone must not let anybody
flood the owner's mailbox), and a code answered wrongly ``MAX_ATTEMPTS`` times stops
working. Wrong codes also count toward the login lockout (django-axes), in the view.
The code goes out over SMTP at once (``MAILERS``): the person is waiting for it.
"""

from __future__ import annotations

import datetime
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .models import EmailLoginCode, User

DIGITS = 6
LIFETIME = datetime.timedelta(minutes=10)
SEND_WINDOW = datetime.timedelta(minutes=15)
SENDS_PER_WINDOW = 3
MAX_ATTEMPTS = 5
_SALT = "dziennik.accounts.email_code"


def _hash(user: User, code: str) -> str:
    return salted_hmac(_SALT, f"{user.pk}:{code}", algorithm="sha256").hexdigest()


def can_receive(user: User) -> bool:
    return bool(user.email)


def masked_address(user: User) -> str:
    """The address as the second step shows it: enough to recognise, not to harvest."""
    local, _at, domain = user.email.partition("@")
    return f"{local[:1]}…@{domain}"


def email_code_send(*, user: User) -> None:
    """Send ``user`` a new login code; the older ones stop working. Refused (nothing sent)
    without an address or over the sending limit."""
    if not can_receive(user):
        raise ValidationError(_("This account has no e-mail address."))
    now = timezone.now()
    with transaction.atomic():
        # one account's codes are made one at a time, so the limit cannot be raced past
        User.objects.select_for_update().filter(pk=user.pk).first()
        recent = EmailLoginCode.objects.filter(user=user, created_at__gt=now - SEND_WINDOW)
        if recent.count() >= SENDS_PER_WINDOW:
            raise ValidationError(
                _("Too many codes have been sent. Wait a quarter of an hour and try again.")
            )
        EmailLoginCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
        EmailLoginCode.objects.create(
            user=user, code_hash=_hash(user, code), expires_at=now + LIFETIME
        )
    context = {"user": user, "code": code, "minutes": int(LIFETIME.total_seconds() // 60)}
    send_mail(
        subject=_("Your login code: %(code)s") % {"code": code},
        message=render_to_string("accounts/email/login_code.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


@transaction.atomic
def email_code_verify(*, user: User, code: str) -> bool:
    """Whether ``code`` is the user's current, unexpired, unused code; it is used up."""
    code = "".join(code.split())
    current = (
        EmailLoginCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if current is None:
        return False
    if re.fullmatch(f"[0-9]{{{DIGITS}}}", code) and constant_time_compare(
        current.code_hash, _hash(user, code)
    ):
        current.used_at = timezone.now()
        current.save(update_fields=["used_at"])
        return True
    current.failed_attempts += 1
    if current.failed_attempts >= MAX_ATTEMPTS:
        current.used_at = timezone.now()
    current.save(update_fields=["failed_attempts", "used_at"])
    return False
