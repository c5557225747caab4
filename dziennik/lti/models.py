"""LTI 1.3 (1EdTech Learning Tools Interoperability) with the register as the platform:
the learning tools a school registered (*narzędzia e-learningowe*), where teachers placed
them (a class's subject), the gradebook columns the tools post results into, and the
keys and short-lived tokens of the exchange.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dziennik.grades.models import Assessment, GradeCategory
from dziennik.schools.models import School, SchoolClass, Subject


def _new_secret() -> str:
    return secrets.token_hex(32)


def _new_client_id() -> str:
    return secrets.token_urlsafe(18)


def _new_deployment_id() -> str:
    return str(uuid.uuid4())


class PlatformKey(models.Model):
    """A key pair the register signs its LTI messages with (one per installation).

    The newest key without ``retired_at`` signs; a rotated key stays published in the
    register's JWKS (by its ``kid``) for ``LTI_KEY_GRACE_SECONDS`` after it was retired,
    so a tool that cached it still verifies what it signed. Never in the history."""

    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("LTI signing key")
        verbose_name_plural = _("LTI signing keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid


class Tool(models.Model):
    """A learning tool the school registered (LTI 1.3): the register gives it a
    ``client_id`` and a ``deployment_id``; the tool gives its OIDC login initiation
    address, the addresses a launch may return to and its public key (a JWKS address or
    a PEM key). ``pairwise_key`` makes each person's ``sub`` for this tool (never the
    account's number); never shown, never in the history."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="lti_tools", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=100)
    client_id = models.CharField(_("client id"), max_length=64, unique=True, default=_new_client_id)
    deployment_id = models.CharField(_("deployment id"), max_length=64, default=_new_deployment_id)
    login_url = models.URLField(_("login initiation address"), max_length=500)
    launch_url = models.URLField(_("launch address"), max_length=500)
    redirect_uris = models.TextField(_("redirect addresses"), blank=True)
    deep_link_url = models.URLField(_("deep linking address"), max_length=500, blank=True)
    jwks_url = models.URLField(_("the tool's JWKS address"), max_length=500, blank=True)
    public_key = models.TextField(_("the tool's public key (PEM)"), blank=True)
    share_name = models.BooleanField(_("send the person's name"), default=False)
    share_email = models.BooleanField(_("send the person's e-mail address"), default=False)
    active = models.BooleanField(_("active"), default=True)
    pairwise_key = models.CharField(max_length=64, default=_new_secret, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_launch_at = models.DateTimeField(_("last launch"), null=True, blank=True)
    last_score_at = models.DateTimeField(_("last score"), null=True, blank=True)

    class Meta:
        verbose_name = _("learning tool")
        verbose_name_plural = _("learning tools")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="uniq_lti_tool_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def redirect_uri_list(self) -> list[str]:
        return [self.launch_url, *self.redirect_uris.split()]


class Placement(models.Model):
    """A tool placed by a teacher in a class's subject (*link do narzędzia*): an LTI
    resource link. Its ``url`` and ``title`` come from the teacher or from the content
    the teacher chose in the tool (deep linking)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="lti_placements")
    tool = models.ForeignKey(
        Tool, on_delete=models.CASCADE, related_name="placements", verbose_name=_("tool")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        related_name="lti_placements",
        verbose_name=_("class"),
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="lti_placements", verbose_name=_("subject")
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lti_placements",
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("content address"), max_length=500, blank=True)
    category = models.ForeignKey(
        GradeCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category of its gradebook column"),
    )
    resource_link_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tool link")
        verbose_name_plural = _("tool links")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def target_link_uri(self) -> str:
        return self.url or self.tool.launch_url


class LineItem(models.Model):
    """An AGS line item: a gradebook column (``Assessment``, kind points) the tool posts
    scores into. ``locked``: the teacher closed it to the tool's scores."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="lti_line_items")
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="line_items")
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="line_items")
    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="lti_line_item"
    )
    label = models.CharField(_("label"), max_length=120)
    score_maximum = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    resource_id = models.CharField(max_length=200, blank=True)
    tag = models.CharField(max_length=200, blank=True)
    locked = models.BooleanField(_("closed to the tool's scores"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tool's gradebook column")
        verbose_name_plural = _("tools' gradebook columns")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label


class ServiceToken(models.Model):
    """A short-lived access token of a tool for the LTI services (NRPS, AGS), from the
    OAuth 2 client-credentials grant; stored only as its SHA-256."""

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="service_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.CharField(max_length=500)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("LTI service token")
        verbose_name_plural = _("LTI service tokens")

    def __str__(self) -> str:
        return f"{self.tool_id}: {self.scopes}"


class UsedJwt(models.Model):
    """A JWT a tool sent (a client assertion, a deep linking response), kept until it
    expires so the same one is refused a second time (replay)."""

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="used_jwts")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("used LTI message")
        verbose_name_plural = _("used LTI messages")
        constraints = [
            models.UniqueConstraint(fields=["tool", "jti"], name="uniq_lti_used_jwt"),
        ]

    def __str__(self) -> str:
        return self.jti
