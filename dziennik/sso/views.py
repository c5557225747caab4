"""Single sign-on's pages: the principal's list of platforms, the authorization step of
OpenID Connect (through the register's own login), and the small resource API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.views import AuthorizationView

from dziennik.core.forms import add_service_errors

from . import claims, permissions, selectors, services
from .forms import PlatformForm
from .tokens import token_required


@login_required
def platforms(request):
    """The school's platforms: what each may ask, who may log in, the last login."""
    viewer = request.viewer
    if not permissions.manages_platforms(viewer):
        raise Http404
    return render(request, "sso/platforms.html", {"platforms": selectors.platform_list(viewer)})


@login_required
def platform_new(request):
    viewer = request.viewer
    if not permissions.manages_platforms(viewer):
        raise Http404
    form = PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            platform, secret = services.platform_register(
                actor=request.user,
                public=form.cleaned_data["client_type"] == "public",
                **form.service_arguments,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # The secret is shown on this answer only (it is stored hashed).
            return render(
                request, "sso/platform_created.html", {"platform": platform, "secret": secret}
            )
    return render(
        request,
        "sso/platform_form.html",
        {"form": form, "platform": None},
        status=400 if form.errors else 200,
    )


@login_required
def platform_edit(request, platform_id: int):
    platform = selectors.get_platform_for(request.viewer, platform_id)
    form = PlatformForm(request.POST, editing=True) if request.method == "POST" else None
    if form is not None and form.is_valid():
        try:
            services.platform_update(
                actor=request.user, platform=platform, **form.service_arguments
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The platform has been saved."))
            return redirect("sso:platforms")
    return render(
        request,
        "sso/platform_form.html",
        {"form": form or PlatformForm.of(platform), "platform": platform},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def platform_revoke(request, platform_id: int):
    platform = selectors.get_platform_for(request.viewer, platform_id)
    revoked = services.platform_revoke(actor=request.user, platform=platform)
    messages.success(
        request,
        _("%(name)s is switched off; %(n)s tokens were revoked.")
        % {"name": platform.name, "n": revoked},
    )
    return redirect("sso:platforms")


class Authorize(AuthorizationView):
    """OpenID Connect's authorization step. Logging in is the register's own login page
    (second factors, the typing-rhythm check, forced password changes: every check of
    it applies); then a person who may not use the platform – of another school, in a
    role the school did not allow, or a platform switched off – gets a page that says
    so, and the platform gets nothing."""

    template_name = "oauth2_provider/authorize.html"

    def _refused(self, request):
        platform = selectors.platform_of_client(request.GET.get("client_id", ""))
        if platform is None:
            return None  # django-oauth-toolkit answers an unknown client
        reason = permissions.login_refusal(platform, request.viewer)
        if reason is None:
            return None
        return render(
            request, "sso/refused.html", {"platform": platform, "reason": reason}, status=403
        )

    def get(self, request, *args, **kwargs):
        return self._refused(request) or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refused(request) or super().post(request, *args, **kwargs)


def _student_data(student) -> dict:
    return {
        "id": student.pk,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "class": student.class_label,
    }


@require_GET
@token_required("register")
def api_me(request):
    """The token's owner as the platform sees them (its claims for the token's scopes)
    and their own students: themselves as a student, their children."""
    viewer = request.viewer
    platform = request.platform
    everything = claims.claims_for(platform, request.user_of_token, viewer)
    shown = {
        name: value
        for name, value in everything.items()
        if claims.CLAIM_SCOPES[name] in request.token_scopes
    }
    students = [_student_data(s) for s in selectors.own_students(viewer)]
    return JsonResponse(shown | {"students": students})


@require_GET
@token_required("register")
def api_student(request, student_id: int):
    """One of the owner's own students; anyone else's is the same 404 as a missing one."""
    try:
        student = selectors.get_own_student(request.viewer, student_id)
    except Http404:
        return JsonResponse({"error": "not_found"}, status=404)
    return JsonResponse(_student_data(student))
