"""The consistency check of permission policies (``dziennik.core.policy``).

For every registered policy, every role of the test world (plus the world's other
users: secretary, group teachers, whoever a test added) and every object of the
policy's model, ``policy.allows(viewer, action, obj)`` (and ``check_pk`` where it
answers) must equal "the object is in ``policy.queryset(viewer, action)``". A fast path
(``check``, ``check_pk``) that drifts from the rule (``filter``) fails here.
"""

from __future__ import annotations

import importlib

from django.apps import apps

from dziennik.core.policy import registry
from dziennik.schools.viewer import ANONYMOUS, get_viewer


def load_policies() -> list[type]:
    """Every ``dziennik.<app>.permissions`` module imported, so every policy registered."""
    for config in apps.get_app_configs():
        if config.name.startswith("dziennik."):
            try:
                importlib.import_module(f"{config.name}.permissions")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.permissions":
                    raise
    return list(registry)


def disagreements(users) -> list[str]:
    """Where ``allows`` and ``queryset`` disagree, as readable lines (empty: none)."""
    problems = []
    viewers = [ANONYMOUS] + [get_viewer(u) for u in users if u is not None]
    for policy_class in load_policies():
        policy = policy_class()
        objects = list(policy.model._default_manager.all()[:200])
        for viewer in viewers:
            for action in policy.actions:
                allowed = set(policy.queryset(viewer, action).values_list("pk", flat=True))
                for obj in objects:
                    says = policy.allows(viewer, action, obj)
                    if says != (obj.pk in allowed):
                        problems.append(
                            f"{policy_class.__name__}.{action}: user {viewer.user_id} "
                            f"{obj._meta.label} {obj.pk}: allows={says}, "
                            f"in queryset={obj.pk in allowed}"
                        )
                    by_pk = policy.check_pk(viewer, action, obj.pk)
                    if by_pk is not None and by_pk != (obj.pk in allowed):
                        problems.append(
                            f"{policy_class.__name__}.{action}: user {viewer.user_id} "
                            f"{obj._meta.label} {obj.pk}: check_pk={by_pk}, "
                            f"in queryset={obj.pk in allowed}"
                        )
    return problems
