"""KeyStroke plugged into the login through ``accounts.login_checks`` (the login sits
below this app and does not import it)."""

from __future__ import annotations

from . import services


def login_unusual(user, typing, *, second_step_possible: bool) -> bool:
    return services.login_check(user, typing, second_step_possible=second_step_possible)


def login_keeps_typing(user) -> bool:
    return services.has_profile(user)


def login_completed(user, typing, *, second_step: bool) -> None:
    services.login_learn(user, typing, second_step=second_step)
