"""Verify the hash chain of the history of changes (``dziennik.core.audit_chain``).

Walks every school's chain from its first entry and reports the first broken link of
each: an entry changed, removed, added or moved. Prints each chain's head: written down
outside the system (the principal's anchor, docs/production.md section 2a), it proves
later that nobody rewrote the history up to it, not even a database superuser who
recomputed the hashes. Exit status 1 when anything is broken.

    manage.py audit_verify
    manage.py audit_verify --school 3 --anchor 3:1520:9f86d081884c7d65…
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dziennik.core.audit_chain import Anchor, verify
from dziennik.core.models import AuditEntry


def _school_names(chains) -> dict[int, str]:
    school_model = AuditEntry._meta.get_field("school").related_model
    names = dict(school_model.objects.filter(pk__in=chains).values_list("pk", "name"))
    names[0] = "no school (system changes)"
    return names


class Command(BaseCommand):
    help = "Verify the hash chain of the history of changes; print each chain's head."

    def add_arguments(self, parser):
        parser.add_argument(
            "--school", type=int, action="append", help="only this school's chain (repeatable)"
        )
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            help="school:number:hash written down earlier; checks that the chain still "
            "holds that entry (repeatable)",
        )

    def handle(self, *args, school=None, anchor=(), **options):
        try:
            anchors = [Anchor.parse(text) for text in anchor]
        except ValueError as exc:
            raise CommandError(f"--anchor must be school:number:hash, not {exc}") from exc
        chains = None
        if school is not None:
            chains = set(school) | {a.chain for a in anchors}
        result = verify(chains=chains, anchors=anchors)
        names = _school_names([head.chain for head in result.heads])
        broken = {problem.chain for problem in result.breaks}
        for head in result.heads:
            state = "intact up to" if head.chain in broken else "head"
            self.stdout.write(
                f"{names.get(head.chain, head.chain)}: {head.entries} entries, "
                f"{state} {head.anchor}"
            )
        if not result.heads:
            self.stdout.write("The history is empty.")
        for problem in result.breaks:
            where = f" (id {problem.entry_id})" if problem.entry_id else ""
            self.stderr.write(
                f"BROKEN: {names.get(problem.chain, problem.chain)}, entry number "
                f"{problem.seq}{where}: {problem.problem}."
            )
        if not result.ok:
            raise CommandError(f"The history's chain is broken in {len(result.breaks)} place(s).")
        self.stdout.write(
            self.style.SUCCESS(
                f"The history's chain is intact: {sum(h.entries for h in result.heads)} "
                f"entries in {len(result.heads)} chain(s)."
            )
        )
