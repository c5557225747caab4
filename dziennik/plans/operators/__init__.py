"""Online payment operators: one adapter per operator behind ``base.Operator``.

``operator_for(school_id)`` returns the configured adapter (``PAYMENT_OPERATOR`` in the
settings, read from the environment; a school may have its own credentials in
``PAYMENT_OPERATOR_SCHOOLS``). Adding an operator means a module with a class that
implements ``base.Operator`` and its dotted path in ``PAYMENT_OPERATOR["backend"]``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Operator, OperatorError


def operator_for(school_id: int) -> Operator:
    """The adapter for ``school_id``: the school's own credentials when it has them,
    else the site's. ``OperatorError`` when no operator is configured."""
    config = dict(getattr(settings, "PAYMENT_OPERATOR", {}) or {})
    config.update(getattr(settings, "PAYMENT_OPERATOR_SCHOOLS", {}).get(school_id, {}))
    if not config.get("backend") or not config.get("url"):
        raise OperatorError("no online payment operator is configured")
    backend = import_string(config.pop("backend"))
    return backend(**config)
