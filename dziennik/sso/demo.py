"""A demo e-learning platform: the school's Moodle, registered for students and
teachers, so the principal's screen of platforms has something to show. Its secret is
thrown away (it is a public client: PKCE, no secret)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauth2_provider.models import Application

from .models import Platform

if TYPE_CHECKING:
    from dziennik.demo.context import DemoContext

DEMO_NAME = "Moodle szkolny"
DEMO_REDIRECT = "https://moodle.example.edu.pl/auth/oidc/"


def populate(ctx: DemoContext) -> None:
    ctx.progress("sso: one e-learning platform")
    application = Application.objects.create(
        name=DEMO_NAME,
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=DEMO_REDIRECT,
        algorithm=Application.RS256_ALGORITHM,
        client_secret="",
        skip_authorization=True,
    )
    Platform.objects.create(
        school=ctx.school,
        application=application,
        name=DEMO_NAME,
        scopes="openid profile",
        roles=[Platform.Role.STUDENT, Platform.Role.TEACHER],
    )


def reset(school_ids: list[int]) -> None:
    platforms = Platform.objects.filter(school_id__in=school_ids)
    application_ids = list(platforms.values_list("application_id", flat=True))
    platforms.delete()
    Application.objects.filter(pk__in=application_ids).delete()
