"""The LTI messages the register signs (the launch's ``id_token``) and the claims in
them (LTI 1.3 core, 5.3–5.4; Deep Linking 2.0, 4.4; NRPS 2.0, 3.6; AGS 2.0, 3.1).

Data minimisation: ``sub`` is an opaque identifier of the person for this tool only (a
keyed hash, never the account's number); the name and e-mail address go only where the
school allowed them for the tool."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

from dziennik.schools.viewer import Viewer

from . import keys, permissions
from .models import Placement, Tool

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"

SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SERVICE_SCOPES = (SCOPE_NRPS, SCOPE_LINEITEM, SCOPE_LINEITEM_READ, SCOPE_RESULT_READ, SCOPE_SCORE)

HINT_SALT = "dziennik.lti.hint"
DEEP_LINK_SALT = "dziennik.lti.deep-link"


def subject(tool: Tool, user_id: int) -> str:
    """The person's ``sub`` for this tool: stable for it, different for every other."""
    return hmac.new(
        tool.pairwise_key.encode(), f"user:{user_id}".encode(), hashlib.sha256
    ).hexdigest()


def context_id(placement: Placement) -> str:
    return f"{placement.school_class_id}-{placement.subject_id}"


def issuer(request) -> str:
    """The register as the LTI platform: its address, as the request reached it."""
    return f"{request.scheme}://{request.get_host()}"


def message_hint(*, user_id: int, placement_id: int, message_type: str) -> str:
    """What the register gives the tool to hand back in its authorization request:
    signed, so the tool cannot swap the person, the link or the kind of message."""
    return signing.dumps(
        {"u": user_id, "p": placement_id, "m": message_type}, salt=HINT_SALT, compress=True
    )


def read_hint(value: str) -> dict | None:
    try:
        return signing.loads(value, salt=HINT_SALT, max_age=settings.LTI_ID_TOKEN_SECONDS)
    except signing.BadSignature:
        return None


def read_deep_link_data(value: str) -> dict | None:
    try:
        return signing.loads(value, salt=DEEP_LINK_SALT, max_age=3600)
    except signing.BadSignature:
        return None


def _person(tool: Tool, user) -> dict:
    claims = {}
    if tool.share_name:
        claims |= {
            "name": user.get_full_name(),
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
    if tool.share_email and user.email:
        claims["email"] = user.email
    return claims


def _services(request, placement: Placement) -> dict:
    base = issuer(request)
    return {
        NRPS_CLAIM: {
            "context_memberships_url": base + reverse("lti:memberships", args=[placement.pk]),
            "service_versions": ["2.0"],
        },
        AGS_CLAIM: {
            "scope": [SCOPE_LINEITEM, SCOPE_LINEITEM_READ, SCOPE_RESULT_READ, SCOPE_SCORE],
            "lineitems": base + reverse("lti:line_items", args=[placement.pk]),
        }
        | _line_item_claim(request, placement),
    }


def _line_item_claim(request, placement: Placement) -> dict:
    line_items = list(placement.line_items.all()[:2])
    if len(line_items) != 1:
        return {}
    return {"lineitem": issuer(request) + reverse("lti:line_item", args=[line_items[0].pk])}


def id_token(
    *, request, viewer: Viewer, user, placement: Placement, nonce: str, message_type: str
) -> str:
    """The signed id_token of a launch (resource link or deep linking request)."""
    tool = placement.tool
    now = int(time.time())
    claims = {
        "iss": issuer(request),
        "aud": tool.client_id,
        "azp": tool.client_id,
        "sub": subject(tool, user.pk),
        "iat": now,
        "exp": now + settings.LTI_ID_TOKEN_SECONDS,
        "nonce": nonce,
        LTI + "message_type": message_type,
        LTI + "version": "1.3.0",
        LTI + "deployment_id": tool.deployment_id,
        LTI + "roles": permissions.roles_for(viewer, placement),
        LTI + "context": {
            "id": context_id(placement),
            "label": placement.school_class.name,
            "title": f"{placement.school_class.name} – {placement.subject.name}",
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"],
        },
        LTI + "tool_platform": {
            "guid": str(placement.school_id),
            "name": placement.school.name,
            "product_family_code": "dziennik",
        },
        LTI + "launch_presentation": {"document_target": "window", "locale": "pl-PL"},
    } | _person(tool, user)
    if message_type == DEEP_LINKING:
        claims[LTI + "target_link_uri"] = tool.deep_link_url or tool.launch_url
        claims[DL + "deep_linking_settings"] = {
            "deep_link_return_url": issuer(request) + reverse("lti:deep_link_return"),
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["window", "iframe"],
            "accept_multiple": False,
            "auto_create": True,
            "data": signing.dumps({"u": user.pk, "p": placement.pk}, salt=DEEP_LINK_SALT),
        }
    else:
        claims[LTI + "target_link_uri"] = placement.target_link_uri
        claims[LTI + "resource_link"] = {
            "id": str(placement.resource_link_id),
            "title": placement.title,
        }
    claims |= _services(request, placement)
    return keys.sign(claims)


def new_jti() -> str:
    return uuid.uuid4().hex
