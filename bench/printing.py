"""Benchmark: the printouts of the journals (``dziennik/printing``) on the demo school.

Lays out, in this process as the worker would, the principal's printouts of the first
class (its register and its class teacher's pages) and of the whole school, and prints
for each the time, the parts, the size and the pages. The jobs and their files are
deleted afterwards. Needs a database with the demo school (``manage.py demo``). Not a
test.

    DATABASE_URL=postgres://… .venv/bin/python bench/printing.py [--no-school]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pages(content: bytes) -> int:
    from pypdf import PdfReader

    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(_pages(archive.read(name)) for name in archive.namelist())
    return len(PdfReader(io.BytesIO(content)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-school", action="store_true", help="skip the whole school")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.db import connection

    from dziennik.accounts.models import User
    from dziennik.printing import jobs, services
    from dziennik.printing.models import PrintJob
    from dziennik.schools.models import SchoolClass

    principal = User.objects.get(username="dyrektor")
    school_class = (
        SchoolClass.objects.filter(school_id=principal.school_id)
        .order_by("-school_year__start_date", "level", "name")
        .first()
    )
    students = school_class.enrolments.count()
    print(f"class {school_class.name} ({students} students), {connection.vendor}")
    cases = [("register", school_class), ("class_teacher", school_class)]
    if not args.no_school:
        cases.append(("school", None))
    made = []
    try:
        for kind, target in cases:
            started = time.perf_counter()
            # queued after the commit; the immediate task backend (local settings) runs it
            # there and then, a database backend waits for a worker: run it here then
            job, _ = jobs.job_start(
                actor=principal,
                kind=kind,
                school_year=school_class.school_year,
                school_class=target,
            )
            made.append(job.pk)
            services.job_run(job_id=job.pk)
            took = time.perf_counter() - started
            job.refresh_from_db()
            with job.file.open("rb") as handle:
                pages = _pages(handle.read())
            print(
                f"{kind:14} {took:7.1f} s  parts {job.parts_done}/{job.parts_total}"
                f"  {job.size / 1024:8.0f} KB  {pages} pages"
            )
    finally:
        for job in PrintJob.objects.filter(pk__in=made):
            if job.file:
                job.file.delete(save=False)
            job.delete()


if __name__ == "__main__":
    main()
