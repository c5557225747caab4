"""The read log: staff opening a student's pages (docs/privacy.md).

The pages are other apps' (grades, attendance, behaviour, the student's personal data in
``schools``); they are below this app and know nothing of the log. The middleware looks
at the answered URL's name instead: a successful GET of one of ``STUDENT_PAGES`` by a
member of staff, about a student who is not their own child or themself, writes one
row per reader, student, kind of page and day with one ``INSERT … ON CONFLICT DO
NOTHING`` (``bulk_create(ignore_conflicts=True)``). It runs after the view, so a page
served from the page cache is logged too.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError

from . import services
from .models import StudentRead

logger = logging.getLogger("dziennik.privacy")

# URL name -> the kind of a student's page; the URL names the student as ``student_id``.
STUDENT_PAGES = {
    "grades:student_overview": StudentRead.Kind.GRADES,
    "grades:student": StudentRead.Kind.GRADES,
    "grades:student_need": StudentRead.Kind.GRADES,
    "grades:student_pdf": StudentRead.Kind.GRADES,
    "attendance:student": StudentRead.Kind.ATTENDANCE,
    "attendance:student_topics": StudentRead.Kind.ATTENDANCE,
    "attendance:student_pdf": StudentRead.Kind.ATTENDANCE,
    "behaviour:student": StudentRead.Kind.BEHAVIOUR,
    "schools:student_detail": StudentRead.Kind.PERSONAL,
}


class ReadLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "GET" and response.status_code == 200:
            match = request.resolver_match
            kind = STUDENT_PAGES.get(match.view_name) if match is not None else None
            if kind is not None:
                self._log(request, kind, match.kwargs.get("student_id"))
        return response

    @staticmethod
    def _log(request, kind: str, student_id) -> None:
        viewer = getattr(request, "viewer", None)
        if viewer is None or not viewer.is_authenticated or student_id is None:
            return
        try:
            services.read_record(viewer=viewer, student_id=int(student_id), kind=kind)
        except DatabaseError:
            # The page was shown; a log that could not be written must not take it away.
            logger.exception("The read of student %s could not be logged", student_id)
