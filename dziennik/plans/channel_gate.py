"""The access plans' gate on the notification channels: a family hears by SMS (and by
push, where the school sells it) only while its plan includes it.

Registered with the notifications' outbox when Django starts (``apps.PlansConfig.ready``
→ ``notifications.gates.register``): notifications sit below plans in the import layers
and never import this app; the outbox asks the registered gate once per fan-out.

The rules, from the school's data (nothing hard-coded):

- a channel is gated only where the school's plans make its entitlement an *extra*
  (``sold_extras``): a paid plan or an add-on offer sells it and the free plan does not
  include it. The leaflet's configuration sells SMS info and push in the extended plan;
  a school whose free plan includes push (or that sells no push) keeps push free, and a
  school without plans gates nothing;
- only family accounts are gated: a student's own and their guardians'. Staff (any role
  but the parents' council) never are, also when they are parents;
- a notification about a child goes out on a gated channel only when an active access of
  that child grants it; one about no child (a message, an announcement) when an active
  access of any of the person's children does.

Cost: the school's extras are cached per configuration version (one query cold, none
warm); nothing more when no asked channel is an extra; else four queries whatever the
number of recipients (staff roles, own records, wards, active accesses).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from dziennik.core.cache import cached, config_scope
from dziennik.notifications import events as notification_events
from dziennik.notifications.gates import Pair, Standing, Withheld
from dziennik.schools.models import Guardianship, SchoolRole, Student

from . import entitlements
from .models import Access, Offer, Plan

# A notification channel and the plan entitlement that opens it.
CHANNEL_ENTITLEMENTS = {
    notification_events.SMS: entitlements.SMS,
    notification_events.PUSH: entitlements.PUSH,
}


def sold_extras(school_id: int) -> frozenset[str]:
    """The entitlements the school sells as extras: in a paid plan or an offer, not in
    the free plan. Cached per version of the school's configuration."""

    def build() -> frozenset[str]:
        free: set[str] = set()
        paid: set[str] = set()
        for is_free, granted in Plan.objects.filter(school_id=school_id).values_list(
            "is_free", "entitlements"
        ):
            (free if is_free else paid).update(granted or ())
        paid.update(Offer.objects.filter(school_id=school_id).values_list("entitlement", flat=True))
        return frozenset(paid - free)

    return cached(f"plan-extras:{school_id}", [config_scope(school_id)], build)


def _family_links(school_id: int, user_ids: set[int]) -> dict[int, set[int]]:
    """For each family account of ``user_ids`` (staff left out): its students (its own
    record, its wards). Three queries (one where all are staff)."""
    staff = set(
        SchoolRole.objects.filter(user_id__in=user_ids, school_id=school_id)
        .exclude(role=SchoolRole.Role.COUNCIL_MEMBER)
        .values_list("user_id", flat=True)
    )
    family = user_ids - staff
    if not family:
        return {}
    own = Student.objects.filter(school_id=school_id, user_id__in=family).values_list(
        "user_id", "pk"
    )
    wards = Guardianship.objects.filter(
        guardian__user_id__in=family, student__school_id=school_id
    ).values_list("guardian__user_id", "student_id")
    links: dict[int, set[int]] = defaultdict(set)
    for user_id, student_id in [*own, *wards]:
        links[user_id].add(student_id)
    return links


def _active(students: set[int], day: datetime.date):
    """The accesses of ``students`` active on ``day``: (student, entitlements, last day,
    the plan's name or None for an offer). One query."""
    return Access.objects.filter(
        student_id__in=students, starts__lte=day, ends__gte=day
    ).values_list("student_id", "entitlements", "ends", "plan__name")


def family_grants(
    school_id: int, user_ids: set[int], day: datetime.date
) -> dict[int, dict[int, frozenset[str]]]:
    """For each family account of ``user_ids`` (staff left out): its students (its own
    record, its wards) and what their active accesses grant on ``day``. Four queries."""
    links = _family_links(school_id, user_ids)
    if not links:
        return {}
    granted: dict[int, set[str]] = defaultdict(set)
    students = {pk for children in links.values() for pk in children}
    for student_id, codes, _ends, _plan in _active(students, day):
        granted[student_id].update(codes or ())
    return {
        user_id: {pk: frozenset(granted.get(pk, ())) for pk in children}
        for user_id, children in links.items()
    }


def standings(
    *, school_id: int, user_ids: set[int], channel: str, day: datetime.date
) -> dict[int, Standing]:
    """Each account's plan for the office's SMS page: the paid plans its children's
    active accesses come from (else the school's free plan), the last day of those
    accesses, and whether the channel is allowed by them (as the gate decides a message
    about no child: any child's access; always where the school does not sell it).
    Staff: no plan limits them. {} for a school without plans. Five queries whatever the
    number of accounts, two more while the school's extras are not cached."""
    names = list(Plan.objects.filter(school_id=school_id).order_by().values_list("name", "is_free"))
    if not names:
        return {}
    basic = next((name for name, is_free in names if is_free), str(_("basic")))
    code = CHANNEL_ENTITLEMENTS.get(channel)
    gated = code in sold_extras(school_id)
    links = _family_links(school_id, user_ids)
    paid: dict[int, list[tuple[str, datetime.date]]] = defaultdict(list)
    granted: dict[int, set[str]] = defaultdict(set)
    students = {pk for children in links.values() for pk in children}
    for student_id, codes, ends, plan in _active(students, day) if students else ():
        granted[student_id].update(codes or ())
        if plan is not None:
            paid[student_id].append((plan, ends))
    found = {}
    for user_id in user_ids:
        if user_id not in links:
            found[user_id] = Standing(plan="", until=None, allowed=True)
            continue
        children = links[user_id]
        plans = [item for pk in children for item in paid[pk]]
        has = set().union(*(granted[pk] for pk in children))
        found[user_id] = Standing(
            plan=", ".join(sorted({name for name, _ends in plans})) or basic,
            until=max((ends for _name, ends in plans), default=None),
            allowed=not gated or code in has,
        )
    return found


class PlanChannelGate:
    """``notifications.gates.ChannelGate`` of the access plans (see the module)."""

    # stored on a queued SMS or push withheld when it falls due (``Delivery.last_error``)
    delivery_reason = "not sent: the family's access plan does not include it any more"

    def withheld(
        self,
        *,
        school_id: int,
        pairs: set[Pair],
        channels: frozenset[str],
        day: datetime.date,
    ) -> set[tuple[int, int | None, str]]:
        extras = sold_extras(school_id)
        gated = {
            channel: CHANNEL_ENTITLEMENTS[channel]
            for channel in channels
            if CHANNEL_ENTITLEMENTS.get(channel) in extras
        }
        if not gated:
            return set()
        grants = family_grants(school_id, {user_id for user_id, _student in pairs}, day)
        found = set()
        for user_id, student_id in pairs:
            children = grants.get(user_id)
            if children is None:
                continue  # staff, or no family account
            if student_id in children:
                has = children[student_id]
            else:
                has = frozenset().union(*children.values())
            found |= {
                (user_id, student_id, channel) for channel, code in gated.items() if code not in has
            }
        return found

    def standings(
        self, *, school_id: int, user_ids: set[int], channel: str, day: datetime.date
    ) -> dict[int, Standing]:
        return standings(school_id=school_id, user_ids=user_ids, channel=channel, day=day)

    def explain(self, *, user_id: int, school_id: int, day: datetime.date) -> list[Withheld]:
        withheld = self.withheld(
            school_id=school_id,
            pairs={(user_id, None)},
            channels=frozenset(CHANNEL_ENTITLEMENTS),
            day=day,
        )
        return [
            Withheld(
                channel=channel,
                label=entitlements.label(CHANNEL_ENTITLEMENTS[channel]),
                reason=_("%(entitlement)s is not in your access plan: it is part of a paid plan.")
                % {"entitlement": entitlements.label(CHANNEL_ENTITLEMENTS[channel])},
                url=reverse("plans:mine"),
                link_text=_("See your plan and how to get it"),
            )
            for _user, _student, channel in sorted(withheld)
        ]
