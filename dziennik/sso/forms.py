"""The principal's form for a platform (the services check what matters)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Platform


class PlatformForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    redirect_uris = forms.CharField(
        label=_("Redirect addresses"),
        help_text=_("One per line, as the platform's administrator gives them."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    client_type = forms.ChoiceField(
        label=_("Kind of client"),
        choices=[
            ("confidential", _("Confidential (a server that keeps a secret)")),
            ("public", _("Public (an app in the browser or on a phone; PKCE)")),
        ],
        initial="confidential",
        widget=forms.RadioSelect,
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the platform may ask for"),
        choices=[],
        initial=["openid"],
        required=False,  # the service names a missing choice with the other problems
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.MultipleChoiceField(
        label=_("Who may log in"),
        choices=Platform.Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    needs_elearning = forms.BooleanField(
        label=_("It needs the e-learning entitlement"),
        help_text=_(
            "Parents and students log in and are in its roster only while their access "
            "plan includes the e-learning platform; staff always."
        ),
        required=False,
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [
            (scope, f"{scope} – {description}")
            for scope, description in settings.SSO_SCOPES.items()
        ]
        if editing:
            # A client stays what it was registered as (a public app holds no secret).
            del self.fields["client_type"]

    @classmethod
    def of(cls, platform: Platform) -> PlatformForm:
        return cls(
            editing=True,
            initial={
                "name": platform.name,
                "redirect_uris": "\n".join(platform.application.redirect_uris.split()),
                "scopes": platform.scope_list,
                "roles": platform.roles,
                "needs_elearning": platform.needs_elearning,
            },
        )

    @property
    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "redirect_uris": data["redirect_uris"].split(),
            "scopes": data["scopes"],
            "roles": data["roles"],
            "needs_elearning": data["needs_elearning"],
        }
