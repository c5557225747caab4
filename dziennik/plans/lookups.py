"""The one lookup every viewer-aware read and locked write of plans repeats: a row by its
id within the viewer's scope, or 404 (missing and forbidden answer the same)."""

from __future__ import annotations

from django.db.models import Manager, Model, QuerySet
from django.http import Http404


def one_of[T: Model](queryset: QuerySet[T] | Manager[T], **lookup) -> T:
    """The row of ``queryset`` matching ``lookup`` (its id and the scope it must be in:
    the viewer's school, say); ``Http404`` when there is none. One query."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found
