"""The default attendance kinds every school starts with (A-01…A-03)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from dziennik.accounts.models import User
from dziennik.core import audit, cache
from dziennik.schools.models import School

from ..models import AttendanceKind

Base = AttendanceKind.Base
Counts = AttendanceKind.Counts


@dataclass(frozen=True)
class DefaultKind:
    code: str
    name: str
    base: str
    counts_as: str
    shortcut: str
    colour: str
    excused: str = ""


# VULCAN's categories with Librus's codes; VULCAN's counting rule.
DEFAULT_KINDS = (
    DefaultKind("ob", "obecność", Base.PRESENT, Counts.PRESENT, "o", "#1e6b35"),
    DefaultKind(
        "nb", "nieobecność nieusprawiedliwiona", Base.ABSENT, Counts.ABSENT, "n", "#b00020", "u"
    ),
    DefaultKind(
        "u", "nieobecność usprawiedliwiona", Base.ABSENT_EXCUSED, Counts.ABSENT, "u", "#0b5cad"
    ),
    DefaultKind("sp", "spóźnienie", Base.LATE, Counts.PRESENT, "s", "#8a4b00", "su"),
    DefaultKind(
        "su", "spóźnienie usprawiedliwione", Base.LATE_EXCUSED, Counts.PRESENT, "e", "#5a4a00"
    ),
    DefaultKind("zw", "zwolnienie", Base.RELEASED, Counts.EXCLUDED, "z", "#4a5560"),
    DefaultKind(
        "ns",
        "nieobecność z przyczyn szkolnych",
        Base.SCHOOL_REASONS,
        Counts.PRESENT,
        "p",
        "#3b5a7a",
    ),
)


@transaction.atomic
def attendance_kinds_ensure_defaults(
    *, school: School, actor: User | None = None, record_history: bool = True
) -> dict[str, AttendanceKind]:
    """Create the default attendance kinds a school lacks; return all kinds by code.

    ``record_history=False`` only for generated demo data, which must stay removable.
    """
    existing = {k.code: k for k in AttendanceKind.objects.filter(school=school)}
    created = []
    for order, spec in enumerate(DEFAULT_KINDS):
        if spec.code in existing:
            continue
        kind = AttendanceKind(
            school=school,
            code=spec.code,
            name=spec.name,
            base=spec.base,
            counts_as=spec.counts_as,
            shortcut=spec.shortcut,
            colour=spec.colour,
            order=order * 10,
        )
        created.append(kind)
    if created:
        AttendanceKind.objects.bulk_create(created)
        for kind in created:
            existing[kind.code] = kind
        links = []
        for spec in DEFAULT_KINDS:
            kind = existing[spec.code]
            if spec.excused and kind in created and kind.excused_kind_id is None:
                kind.excused_kind = existing[spec.excused]
                links.append(kind)
        AttendanceKind.objects.bulk_update(links, ["excused_kind"])
        # bulk writes send no signals: move the school's configuration version here
        cache.bump(cache.config_scope(school.pk))
    if created and record_history:
        audit.record_many(
            [
                audit.build_entry(
                    actor=actor,
                    instance=kind,
                    action="create",
                    changes={n: [None, v] for n, v in audit.snapshot(kind).items()},
                )
                for kind in created
            ]
        )
    return existing
