"""The person's notification settings: a tick per event and channel, quiet hours, the
digest, details."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import channels, events
from .gates import Withheld
from .models import Preferences


def _field_name(event: str, channel: str) -> str:
    return f"{event}__{channel}"


class PreferencesForm(forms.Form):
    quiet_from = forms.TimeField(label=_("Quiet hours from"))
    quiet_until = forms.TimeField(label=_("Quiet hours until"))
    quiet_email = forms.BooleanField(label=_("Hold e-mail during quiet hours too"), required=False)
    digest = forms.BooleanField(
        label=_("One e-mail a day with everything instead of single e-mails"), required=False
    )
    digest_at = forms.TimeField(label=_("Time of the daily e-mail"))
    details = forms.BooleanField(
        label=_("Include details (e.g. the grade itself) in e-mails"),
        help_text=_("E-mail travels in clear; without details it says only what happened."),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, prefs: Preferences, withheld: dict[str, Withheld] | None = None, **kwargs
    ):
        # channels a gate withholds from the person (their plan lacks them): shown off
        # and disabled; what they chose before is kept as it was (``values``)
        self.withheld = withheld or {}
        self.prefs = prefs
        initial = {
            "quiet_from": prefs.quiet_from,
            "quiet_until": prefs.quiet_until,
            "quiet_email": prefs.quiet_email,
            "digest": prefs.digest,
            "digest_at": prefs.digest_at,
            "details": prefs.details,
            "version": prefs.version,
        }
        self.channel_names = [c for c in channels.names() if c != events.IN_APP]
        for code, event in events.EVENTS.items():
            chosen = prefs.channels.get(code, event.default_channels)
            for channel in self.channel_names:
                initial[_field_name(code, channel)] = (
                    channel in chosen and channel not in self.withheld
                )
        super().__init__(*args, initial=initial, **kwargs)
        for code, event in events.EVENTS.items():
            for channel in self.channel_names:
                self.fields[_field_name(code, channel)] = forms.BooleanField(
                    label=event.label, required=False, disabled=channel in self.withheld
                )

    def asked_withheld(self) -> list[Withheld]:
        """The withheld channels the submitted data ticks anyway (a crafted POST, an old
        page): they change nothing, and the page says so."""
        if not self.is_bound:
            return []
        return [
            item
            for channel, item in self.withheld.items()
            if any(
                self.data.get(_field_name(code, channel)) not in (None, "", "off", "false")
                for code in events.EVENTS
            )
        ]

    def grid(self):
        """Rows of the table: the event and its tick per channel."""
        labels = dict(events.CHANNEL_LABELS)
        return [
            (
                event.label,
                [(labels[c], self[_field_name(code, c)]) for c in self.channel_names],
            )
            for code, event in events.EVENTS.items()
        ]

    def channel_labels(self):
        labels = dict(events.CHANNEL_LABELS)
        return [labels[c] for c in self.channel_names]

    def values(self) -> dict:
        data = self.cleaned_data
        chosen = {}
        for code, event in events.EVENTS.items():
            before = self.prefs.channels.get(code, event.default_channels)
            chosen[code] = [events.IN_APP] + [
                c
                for c in self.channel_names
                if (c in before if c in self.withheld else data.get(_field_name(code, c)))
            ]
        return {
            "channels": chosen,
            "quiet_from": data["quiet_from"],
            "quiet_until": data["quiet_until"],
            "quiet_email": data["quiet_email"],
            "digest": data["digest"],
            "digest_at": data["digest_at"],
            "details": data["details"],
        }
