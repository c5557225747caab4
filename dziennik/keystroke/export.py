"""KeyStroke's part of a person's data export (issue 15 collects every app's).

``personal_data(user)`` is a summary of the profile and the unusual logins: whether
KeyStroke is on, since when and under which consent, how many typings the profile holds
and what the last login's check found. Never the timing vectors themselves: the export
may pass through the school office, and the vectors are biometric data that no staff
member reads (docs/keystroke.md).
"""

from __future__ import annotations

from .models import KeystrokeProfile, UnusualLogin


def personal_data(user) -> dict:
    profile = KeystrokeProfile.objects.filter(user=user).first()
    unusual = UnusualLogin.objects.filter(user=user).order_by("at", "pk")
    return {
        "keystroke": {
            "enabled": profile is not None,
            "consented_at": profile.consented_at.isoformat() if profile else None,
            "consent_version": profile.consent_version if profile else None,
            "typings_in_profile": profile.sample_count if profile else 0,
            "last_outcome": (profile.last_outcome or None) if profile else None,
            "last_checked_at": (
                profile.last_checked_at.isoformat() if profile and profile.last_checked_at else None
            ),
            "unusual_logins": [
                {"at": row.at.isoformat(), "outcome": row.outcome} for row in unusual
            ],
        }
    }
