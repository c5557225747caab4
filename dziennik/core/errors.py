"""The page for a request the register cannot serve as asked (400).

A value out of range in the address (``core.params.InvalidParameter``) says what is
allowed; any other bad request gets a general sentence (Django's own reasons, such as a
forged host name, are not shown). The page is the register's layout, so the person can
go on; if even that cannot be rendered, a plain 400 still answers.
"""

from __future__ import annotations

import logging

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from .params import InvalidParameter

logger = logging.getLogger(__name__)


def bad_request(request, exception=None):
    """``handler400`` of ``config/urls.py``."""
    if isinstance(exception, InvalidParameter):
        message = exception.message
    else:
        message = _("The request could not be understood. Go back and try again.")
    try:
        return render(request, "core/bad_request.html", {"message": message}, status=400)
    except Exception:  # the error page must answer, whatever failed
        logger.exception("The 400 page could not be rendered")
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
