"""What the benchmark measures. Each scenario logs in as a demo user and returns a
function that builds the n-th request (method, path, body, extra headers)."""

from __future__ import annotations

from run import Scenario, Session


def trivial(session: Session):
    def make(n: int):
        return "GET", "/healthz", None, {}

    return make


def home(session: Session):
    def make(n: int):
        return "GET", "/", None, {}

    return make


SCENARIOS = [
    Scenario("trivial", "rodzic", trivial),
    Scenario("parent_home", "rodzic", home),
]
