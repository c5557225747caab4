"""The phone number an SMS goes to: a guardian's, normalised to E.164 (+48…).

Only guardians have a phone number in the register (``schools.Guardian.phone``); staff
and students have none, so no SMS delivery is made for them (``services.channels_for``).
A number written any usual way ("601 234 567", "0048 601-234-567", "+48601234567") is
read as Polish unless it carries another country's code; one that is not a valid mobile
number (a landline) gives "" (no SMS delivery; the reason is on the SMS page)."""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers

from dziennik.schools.models import Guardian

REGION = "PL"
MOBILE = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def e164(raw: str) -> str:
    """``raw`` as +48601234567, or "" when it is no valid number."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    if phonenumbers.number_type(number) not in MOBILE:  # a landline gets no SMS
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phones_of(user_ids: Iterable[int]) -> dict[int, str]:
    """The E.164 number of each account that has one (guardians'): one query."""
    rows = Guardian.objects.filter(user_id__in=list(user_ids)).exclude(phone="")
    phones = {}
    for user_id, phone in rows.values_list("user_id", "phone"):
        number = e164(phone)
        if number:
            phones[user_id] = number
    return phones
