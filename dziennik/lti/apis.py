"""The LTI services a tool's server calls: the register's JWKS, the token endpoint
(OAuth 2 client credentials with a signed JWT client assertion), Names and Role
Provisioning (the class roster) and Assignment and Grade Services (line items, scores,
results). Each answers only about the calling tool's own links (another's: 404)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import keys, permissions, selectors, services, tokens
from . import messages as lti
from .models import LineItem, Placement, Tool

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LINE_ITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINE_ITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"


def _json(data, status: int = 200, content_type: str = "application/json") -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, content_type=content_type)


def _error(status: int, error: str, description: str = "") -> JsonResponse:
    body = {"error": error}
    if description:
        body["error_description"] = description
    return JsonResponse(body, status=status)


@require_GET
def jwks(request):
    """The register's public keys (the signing key and those retired in the grace
    period), by ``kid``."""
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@csrf_exempt
@require_POST
def token(request):
    """OAuth 2 client credentials with a JWT client assertion (RFC 7523) signed by the
    tool: a short-lived token for the requested LTI service scopes."""
    assertion = request.POST.get("client_assertion", "")
    if (
        request.POST.get("grant_type") != "client_credentials"
        or request.POST.get("client_assertion_type") != ASSERTION_TYPE
    ):
        return _error(400, "unsupported_grant_type")
    tool = Tool.objects.filter(client_id=tokens.unverified_issuer(assertion)).first()
    if tool is None:
        return _error(401, "invalid_client")
    audience = lti.issuer(request) + reverse("lti:token")
    try:
        claims = tokens.verify_tool_jwt(tool, assertion, audience=audience, issuer=tool.client_id)
        if claims.get("sub") != tool.client_id:
            raise tokens.InvalidToolJwt("sub is not the client")
        tokens.use_once(tool, str(claims.get("jti") or ""), claims["exp"])
    except tokens.InvalidToolJwt as exc:
        return _error(401, "invalid_client", str(exc))
    scopes = [s for s in request.POST.get("scope", "").split() if s in lti.SERVICE_SCOPES]
    if not scopes:
        return _error(400, "invalid_scope")
    access_token, lifetime = tokens.token_issue(tool, scopes)
    return JsonResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": " ".join(scopes),
        }
    )


def _own_placement(request, placement_id: int) -> Placement | None:
    return selectors.tool_placement(request.lti_tool, placement_id)


@require_GET
@tokens.service_token_required(lti.SCOPE_NRPS)
def memberships(request, placement_id: int):
    """NRPS: the link's context – its class's current students (Learners) and the
    teachers of its subject there (Instructors). Names and e-mail addresses only where
    the school allowed them for the tool."""
    placement = _own_placement(request, placement_id)
    if placement is None:
        return _error(404, "not_found")
    tool = request.lti_tool
    members = [
        _member(tool, teacher, permissions.INSTRUCTOR)
        for teacher in selectors.context_teachers(placement)
    ]
    members += [
        _member(tool, student.user, permissions.LEARNER)
        for student in selectors.context_students(placement)
        if student.user_id is not None
    ]
    body = {
        "id": request.build_absolute_uri(),
        "context": {
            "id": lti.context_id(placement),
            "label": placement.school_class.name,
            "title": f"{placement.school_class.name} – {placement.subject.name}",
        },
        "members": members,
    }
    return _json(body, content_type=MEMBERSHIPS)


def _member(tool: Tool, user, role: str) -> dict:
    member = {"status": "Active", "user_id": lti.subject(tool, user.pk), "roles": [role]}
    if tool.share_name:
        member |= {
            "name": user.get_full_name(),
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
    if tool.share_email and user.email:
        member["email"] = user.email
    return member


def _line_item_data(request, line_item: LineItem) -> dict:
    return {
        "id": request.build_absolute_uri(reverse("lti:line_item", args=[line_item.pk])),
        "scoreMaximum": float(line_item.score_maximum),
        "label": line_item.label,
        "resourceId": line_item.resource_id,
        "tag": line_item.tag,
        "resourceLinkId": str(line_item.placement.resource_link_id),
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
@tokens.service_token_required(lti.SCOPE_LINEITEM, lti.SCOPE_LINEITEM_READ)
def line_items(request, placement_id: int):
    """AGS line items of the link's context: GET the list, POST a new one (a new
    gradebook column, made in the name of the teacher who placed the link)."""
    placement = _own_placement(request, placement_id)
    if placement is None:
        return _error(404, "not_found")
    if request.method == "GET":
        items = selectors.context_line_items(placement).select_related("placement")
        return _json([_line_item_data(request, item) for item in items], content_type=LINE_ITEMS)
    if lti.SCOPE_LINEITEM not in request.lti_scopes:
        return _error(403, "insufficient_scope")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "invalid_request", "The body is not JSON.")
    if not isinstance(body, dict) or placement.teacher is None:
        return _error(400, "invalid_request")
    try:
        line_item = services.line_item_create(
            actor=placement.teacher,
            placement=placement,
            label=str(body.get("label") or ""),
            maximum=body.get("scoreMaximum"),
            resource_id=str(body.get("resourceId") or ""),
            tag=str(body.get("tag") or ""),
        )
    except services.ValidationError as exc:
        return _error(400, "invalid_request", " ".join(exc.messages))
    return _json(_line_item_data(request, line_item), status=201, content_type=LINE_ITEM)


@require_GET
@tokens.service_token_required(lti.SCOPE_LINEITEM, lti.SCOPE_LINEITEM_READ)
def line_item(request, line_item_id: int):
    item = selectors.tool_line_item(request.lti_tool, line_item_id)
    if item is None:
        return _error(404, "not_found")
    return _json(_line_item_data(request, item), content_type=LINE_ITEM)


@csrf_exempt
@require_POST
@tokens.service_token_required(lti.SCOPE_SCORE)
def scores(request, line_item_id: int):
    """AGS score: ``scoreGiven`` of ``scoreMaximum`` for ``userId`` becomes the student's
    grade in the column (400 and nothing written when out of range or refused)."""
    item = selectors.tool_line_item(request.lti_tool, line_item_id)
    if item is None:
        return _error(404, "not_found")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "invalid_request", "The body is not JSON.")
    if not isinstance(body, dict):
        return _error(400, "invalid_request")
    student = _student_of(item, str(body.get("userId") or ""))
    if student is None:
        return _error(400, "invalid_request", "userId is not a student of this context.")
    if body.get("scoreGiven") is None:
        return _error(400, "invalid_request", "scoreGiven is required.")
    try:
        with transaction.atomic():
            services.score_post(
                tool=request.lti_tool,
                line_item=item,
                student=student,
                given=body.get("scoreGiven"),
                maximum=body.get("scoreMaximum"),
            )
    except services.ScoreRefused as exc:
        return _error(400, "invalid_request", str(exc))
    return JsonResponse({}, status=200)


def _student_of(item: LineItem, user_id: str):
    """The student of the line item's class whose ``sub`` for the tool is ``user_id``."""
    for student in selectors.context_students(item.placement):
        if student.user_id is not None and lti.subject(item.tool, student.user_id) == user_id:
            return student
    return None


@require_GET
@tokens.service_token_required(lti.SCOPE_RESULT_READ)
def results(request, line_item_id: int):
    """AGS results: the column's grades as the tool's scores (points of its maximum)."""
    item = selectors.tool_line_item(request.lti_tool, line_item_id)
    if item is None:
        return _error(404, "not_found")
    base = request.build_absolute_uri(reverse("lti:line_item", args=[item.pk]))
    data = [
        {
            "id": f"{base}results/{grade.pk}",
            "scoreOf": base,
            "userId": lti.subject(item.tool, grade.student.user_id),
            "resultScore": float(grade.points or Decimal(0)),
            "resultMaximum": float(item.assessment.max_points),
        }
        for grade in selectors.line_item_results(item)
        if grade.student.user_id is not None
    ]
    return _json(data, content_type=RESULTS)
