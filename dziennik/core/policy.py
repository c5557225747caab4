"""Permission policies: one place per model for "who may do what".

A policy answers two questions from the same rule, so that reads and writes cannot
drift apart:

* **which rows** may this viewer see, or act on (``policy.queryset(viewer, action)``,
  or the ``Q`` of ``policy.filter(viewer, action)`` to combine with other filters);
* **may this viewer do X to this object** (``policy.allows(viewer, action, obj)``;
  ``policy.require(...)`` raises the same ``Http404`` as a missing object).

A subclass writes ``filter`` (the rule as a ``Q``) and, where a page needs to decide
without a query, ``check`` (the same rule in Python, or ``None`` to ask the database).
The test ``testsupport.policies`` proves for every registered policy, every role of the
test world and every object that ``allows`` agrees with ``queryset``, so a fast path that
drifts from the rule fails the suite.

Ideas from Wagtail's permission policies (``user_has_permission_for_instance`` and
``instances_user_has_permission_for``) and NetBox's ``RestrictedQuerySet.restrict``.
The viewer is ``dziennik.schools.viewer.Viewer``; ``core`` sees it only as an object
with the attributes a policy reads, so it imports no domain app.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.http import Http404

NOTHING = Q(pk__in=[])

# Every policy class, for the consistency test (``testsupport.policies``).
registry: list[type[Policy]] = []


class Policy:
    """The rules of one model. Subclasses set ``model`` and ``actions`` and write
    ``filter``; an action not in ``actions`` is a programming error (``ValueError``)."""

    model: ClassVar[type[models.Model]]
    actions: ClassVar[tuple[str, ...]] = ("view",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "model" in cls.__dict__:
            registry.append(cls)

    # --- the rule -----------------------------------------------------------------
    def filter(self, viewer: Any, action: str = "view") -> Q:
        """The rows of ``model`` that ``viewer`` may ``action``, as a ``Q``."""
        raise NotImplementedError

    def check(self, viewer: Any, action: str, obj: models.Model) -> bool | None:
        """The same rule for one object without a query, or ``None`` when it needs one."""
        return None

    def check_pk(self, viewer: Any, action: str, pk: Any) -> bool | None:
        """The same rule from the object's primary key alone (no object, no query), or
        ``None`` when it needs the database."""
        return None

    # --- derived answers ----------------------------------------------------------
    def _action(self, action: str) -> str:
        if action not in self.actions:
            raise ValueError(f"{type(self).__name__} has no action {action!r}")
        return action

    def queryset(self, viewer: Any, action: str = "view") -> models.QuerySet:
        q = self.filter(viewer, self._action(action))
        return self.model._default_manager.filter(q)

    def allows(self, viewer: Any, action: str, obj: models.Model) -> bool:
        if obj is None or getattr(viewer, "user_id", None) is None:
            return False
        fast = self.check(viewer, self._action(action), obj)
        if fast is not None:
            return fast
        return self.queryset(viewer, action).filter(pk=obj.pk).exists()

    def require(self, viewer: Any, action: str, obj: models.Model) -> None:
        """``Http404`` unless ``viewer`` may ``action`` the object: a forbidden object
        answers exactly like a missing one."""
        if not self.allows(viewer, action, obj):
            raise Http404

    def require_pk(self, viewer: Any, pk: Any, action: str = "view") -> None:
        """``Http404`` unless ``viewer`` may ``action`` the object ``pk`` (missing and
        forbidden alike), without loading it: ``check_pk``, else one ``EXISTS`` query.
        For a page that must authorize before anything else (``core.cache.PageCache``)."""
        if getattr(viewer, "user_id", None) is None:
            raise Http404
        allowed = self.check_pk(viewer, self._action(action), pk)
        if allowed is None:
            allowed = self.queryset(viewer, action).filter(pk=pk).exists()
        if not allowed:
            raise Http404

    def get(
        self, viewer: Any, pk: Any, action: str = "view", queryset: models.QuerySet | None = None
    ) -> models.Model:
        """One object by primary key among those ``viewer`` may ``action``, or ``Http404``
        (missing and forbidden alike). ``queryset`` adds joins or ordering."""
        base = self.model._default_manager.all() if queryset is None else queryset
        found = next(
            iter(base.filter(self.filter(viewer, self._action(action)), pk=pk).order_by()[:1]),
            None,
        )
        if found is None:
            raise Http404
        return found
