"""What a platform learns about the person who logs in (data minimisation).

By default (scope ``openid``) only: ``sub`` – an opaque identifier of the person for this
platform alone; ``role`` – their most senior role the platform allows; ``school`` – id
and name; ``classes`` – the classes of that role (a student's, a teacher's, a parent's
children's). The name only with ``profile`` and the e-mail address only with ``email``,
and those scopes only where the school allowed them for the platform.
"""

from __future__ import annotations

import hashlib
import hmac

from dziennik.schools.viewer import Viewer

from . import permissions, selectors
from .models import Platform

# The scope each claim needs (django-oauth-toolkit leaves out a claim whose scope the
# token lacks, and every claim not listed here).
CLAIM_SCOPES = {
    "sub": "openid",
    "role": "openid",
    "school": "openid",
    "classes": "openid",
    "name": "profile",
    "given_name": "profile",
    "family_name": "profile",
    "email": "email",
}


def subject(platform: Platform, user_id: int) -> str:
    """The person's ``sub`` on this platform: a keyed hash of their account, stable for
    the platform, different on every other one, and not the account's number."""
    return hmac.new(
        platform.pairwise_key.encode(), f"user:{user_id}".encode(), hashlib.sha256
    ).hexdigest()


def claims_for(platform: Platform, user, viewer: Viewer) -> dict:
    """Every claim the person may give the platform; the token's scopes then choose
    among them (``CLAIM_SCOPES``)."""
    roles = permissions.login_roles(platform, viewer)
    school = platform.school
    return {
        "sub": subject(platform, user.pk),
        "role": roles[0] if roles else None,
        "school": {"id": str(school.pk), "name": school.name},
        "classes": selectors.classes_claim(viewer, roles, platform),
        "name": user.get_full_name(),
        "given_name": user.first_name,
        "family_name": user.last_name,
        "email": user.email,
    }
