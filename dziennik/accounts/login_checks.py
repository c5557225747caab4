"""Checks that apps above ``accounts`` add to the login, without the login importing them.

An installed ``dziennik.*`` app may have a module ``<app>/login_checks.py`` defining:

* ``login_unusual(user, typing, *, second_step_possible) -> bool`` – called after the
  right password, with the timing vector the page sent (``typing_capture.parse``: a list
  of seconds, or None). True asks for the login's second step. ``second_step_possible``
  says whether the person has a way to answer it (a second factor or an e-mail address):
  a check that finds the login unusual when it is not possible lets it through and
  records the event, it can never lock anybody out.
* ``login_keeps_typing(user) -> bool`` – whether the check needs the timings after the
  second step (KeyStroke: only for a person who turned it on). Without any such check
  the timings of a login going on to its second step are not kept at all.
* ``login_completed(user, typing, *, second_step) -> None`` – called once the login has
  succeeded, with the same timings; ``second_step`` is True when the person also passed
  the second step (a code, a recovery code, a code by e-mail).

KeyStroke (``dziennik.keystroke``) is the first such check. The login keeps the timings of
a login waiting for its second step in the session (``remember``/``take``) for at most
the five minutes the second step stays open: numbers only, never a character.
"""

from __future__ import annotations

import importlib
from functools import cache

from django.apps import apps

PENDING_KEY = "login_check_typing"


@cache
def _modules():
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dziennik."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.login_checks"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.login_checks":
                raise
    return [module for module in modules if module.__name__ != __name__]


def login_unusual(user, typing: list[float] | None, *, second_step_possible: bool) -> bool:
    """Whether any check asks for the second step of this login (all checks run)."""
    verdicts = [
        module.login_unusual(user, typing, second_step_possible=second_step_possible)
        for module in _modules()
        if hasattr(module, "login_unusual")
    ]
    return any(verdicts)


def login_completed(user, typing: list[float] | None, *, second_step: bool) -> None:
    for module in _modules():
        if hasattr(module, "login_completed"):
            module.login_completed(user, typing, second_step=second_step)


def remember(request, user, typing: list[float] | None) -> None:
    """Mark a login that goes on to its second step, with its timings if a check
    needs them."""
    wanted = typing is not None and any(
        module.login_keeps_typing(user)
        for module in _modules()
        if hasattr(module, "login_keeps_typing")
    )
    request.session[PENDING_KEY] = {"typing": typing if wanted else None}


def take(request) -> tuple[list[float] | None, bool]:
    """The remembered timings and whether the login went through a second step."""
    pending = request.session.pop(PENDING_KEY, None)
    if not isinstance(pending, dict):
        return None, False
    return pending.get("typing"), True
