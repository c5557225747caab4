"""Learning tools' pages: the principal's list of tools, the people's tool links, the
launch (OIDC third-party initiated login → the tool's authorization request → the
signed id_token posted to the tool) and the return of deep linking."""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dziennik.accounts.models import User
from dziennik.core.forms import add_service_errors
from dziennik.schools.models import SchoolClass, Subject
from dziennik.schools.viewer import get_viewer

from . import messages as lti_messages
from . import permissions, selectors, services, tokens
from .forms import PlacementForm, ToolForm
from .models import LineItem, Tool

logger = logging.getLogger(__name__)


@login_required
def tools(request):
    """The school's learning tools: their ids for the tool's administrator, the last
    launch and score."""
    if not permissions.manages_tools(request.viewer):
        raise Http404
    return render(
        request,
        "lti/tools.html",
        {
            "tools": selectors.tool_list(request.viewer),
            "issuer": lti_messages.issuer(request),
            "form": ToolForm(),
        },
    )


@login_required
@require_POST
def tool_new(request):
    if not permissions.manages_tools(request.viewer):
        raise Http404
    form = ToolForm(request.POST)
    if form.is_valid():
        try:
            tool = services.tool_register(actor=request.user, **form.service_arguments)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": tool.name})
            return redirect("lti:tools")
    context = {
        "tools": selectors.tool_list(request.viewer),
        "issuer": lti_messages.issuer(request),
        "form": form,
    }
    return render(request, "lti/tools.html", context, status=400)


@login_required
@require_POST
def tool_revoke(request, tool_id: int):
    tool = selectors.get_tool_for(request.viewer, tool_id)
    revoked = services.tool_revoke(actor=request.user, tool=tool)
    messages.success(
        request,
        _("%(name)s is switched off; %(n)s tokens were revoked.")
        % {"name": tool.name, "n": revoked},
    )
    return redirect("lti:tools")


def _placement_form(viewer, data=None) -> PlacementForm:
    return PlacementForm(
        data,
        tools=selectors.active_tools(viewer),
        teaching=selectors.teaching_choices(viewer),
        categories=selectors.category_choices(viewer),
    )


@login_required
def links(request):
    """The tool links the person may open; a teacher adds one here."""
    viewer = request.viewer
    form = _placement_form(viewer) if viewer.is_teacher else None
    return render(
        request,
        "lti/links.html",
        {"placements": selectors.placement_list(viewer), "form": form},
    )


@login_required
@require_POST
def link_new(request):
    viewer = request.viewer
    if not viewer.is_teacher:
        raise Http404
    form = _placement_form(viewer, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        class_id, subject_id = (int(part) for part in data["teaching"].split("-"))
        try:
            services.placement_add(
                actor=request.user,
                tool=get_object_or_404(Tool, pk=data["tool"], school_id=viewer.school_id),
                school_class=get_object_or_404(SchoolClass, pk=class_id),
                subject=get_object_or_404(Subject, pk=subject_id),
                title=data["title"],
                url=data["url"],
                category=selectors.category_choices(viewer).filter(pk=data["category"]).first(),
                column_maximum=data["column_maximum"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The tool link has been added."))
            return redirect("lti:links")
    context = {"placements": selectors.placement_list(viewer), "form": form}
    return render(request, "lti/links.html", context, status=400)


def _start(request, placement_id: int, message_type: str):
    """The OIDC third-party initiated login: the browser goes to the tool's login
    initiation address with the register's signed hint."""
    action = "manage" if message_type == lti_messages.DEEP_LINKING else "launch"
    placement = selectors.get_placement_for(request.viewer, placement_id, action)
    tool = placement.tool
    target = (
        tool.deep_link_url or tool.launch_url
        if message_type == lti_messages.DEEP_LINKING
        else placement.target_link_uri
    )
    query = {
        "iss": lti_messages.issuer(request),
        "login_hint": lti_messages.subject(tool, request.user.pk),
        "target_link_uri": target,
        "lti_message_hint": lti_messages.message_hint(
            user_id=request.user.pk, placement_id=placement.pk, message_type=message_type
        ),
        "client_id": tool.client_id,
        "lti_deployment_id": tool.deployment_id,
    }
    separator = "&" if "?" in tool.login_url else "?"
    return redirect(tool.login_url + separator + urlencode(query))


@login_required
def launch(request, placement_id: int):
    return _start(request, placement_id, lti_messages.RESOURCE_LINK)


@login_required
def deep_link(request, placement_id: int):
    return _start(request, placement_id, lti_messages.DEEP_LINKING)


@login_required
@require_POST
def line_item_lock(request, line_item_id: int):
    line_item = get_object_or_404(
        LineItem.objects.select_related("placement", "assessment"),
        pk=line_item_id,
        placement__in=permissions.placements.queryset(request.viewer, "manage"),
    )
    locked = request.POST.get("locked") == "1"
    services.line_item_lock(actor=request.user, line_item=line_item, locked=locked)
    messages.success(
        request,
        _("The column is closed to the tool's scores.")
        if locked
        else _("The column takes the tool's scores again."),
    )
    return redirect("lti:links")


def _auth_refused(request, reason: str):
    return render(request, "lti/refused.html", {"reason": reason}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def auth(request):
    """The tool's authorization request (OIDC, ``response_type=id_token``,
    ``response_mode=form_post``): answered with a page that posts the signed id_token to
    the tool's registered address. Anything amiss gets a page here, and the tool
    nothing."""
    params = request.GET if request.method == "GET" else request.POST
    tool = Tool.objects.filter(client_id=params.get("client_id", ""), active=True).first()
    if tool is None:
        return _auth_refused(request, _("The tool is unknown or switched off."))
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in tool.redirect_uri_list:
        return _auth_refused(request, _("The tool asked to return to an address not registered."))
    hint = lti_messages.read_hint(params.get("lti_message_hint", ""))
    if (
        params.get("scope") != "openid"
        or params.get("response_type") != "id_token"
        or not params.get("nonce")
        or hint is None
        or hint["u"] != request.user.pk
        or params.get("login_hint") != lti_messages.subject(tool, request.user.pk)
    ):
        return _auth_refused(request, _("The launch has expired or is not yours; start it again."))
    action = "manage" if hint["m"] == lti_messages.DEEP_LINKING else "launch"
    placement = selectors.get_placement_for(request.viewer, hint["p"], action)
    if placement.tool_id != tool.pk:
        raise Http404
    id_token = lti_messages.id_token(
        request=request,
        viewer=request.viewer,
        user=request.user,
        placement=placement,
        nonce=params["nonce"],
        message_type=hint["m"],
    )
    services.launch_noted(tool_id=tool.pk)
    response = render(
        request,
        "lti/form_post.html",
        {"action": redirect_uri, "id_token": id_token, "state": params.get("state", "")},
    )
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(redirect_uri))
    response._csp_config = settings.SECURE_CSP | {"form-action": [CSP.SELF, origin]}
    return response


@csrf_exempt
@require_POST
def deep_link_return(request):
    """The tool's ``LtiDeepLinkingResponse`` (a JWT it signed, posted by the browser):
    the chosen content becomes the link's address and title (and a column). The JWT's
    signature, audience, expiry, nonce and the register's signed ``data`` are checked;
    the person is the one the request was made for (the ``data``), not the session, since
    the post comes from the tool's site."""
    token = request.POST.get("JWT", "")
    tool = Tool.objects.filter(client_id=tokens.unverified_issuer(token)).first()
    if tool is None:
        return _auth_refused(request, _("The tool's answer could not be verified."))
    try:
        claims = tokens.verify_tool_jwt(
            tool, token, audience=lti_messages.issuer(request), issuer=tool.client_id
        )
        data = lti_messages.read_deep_link_data(str(claims.get(lti_messages.DL + "data") or ""))
        if (
            data is None
            or claims.get(lti_messages.LTI + "message_type") != lti_messages.DEEP_LINKING_RESPONSE
            or claims.get(lti_messages.LTI + "deployment_id") != tool.deployment_id
        ):
            raise tokens.InvalidToolJwt("not a deep linking response of ours")
        tokens.use_once(tool, str(claims.get("nonce") or claims.get("jti") or ""), claims["exp"])
    except tokens.InvalidToolJwt as exc:
        logger.warning("LTI deep linking answer of tool %s refused: %s", tool.pk, exc)
        return _auth_refused(request, _("The tool's answer could not be verified."))
    return _apply_deep_link(request, tool, data, claims)


def _apply_deep_link(request, tool: Tool, data: dict, claims: dict):
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None:
        raise Http404
    placement = selectors.get_placement_for(get_viewer(user), data["p"], "manage")
    if placement.tool_id != tool.pk:
        raise Http404
    items = claims.get(lti_messages.DL + "content_items") or []
    if items:
        try:
            services.deep_link_apply(actor=user, placement=placement, item=items[0])
        except ValidationError as exc:
            return _auth_refused(request, " ".join(exc.messages))
    return render(request, "lti/deep_link_done.html", {"placement": placement}, status=200)
