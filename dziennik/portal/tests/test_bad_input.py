"""No server error under bad input: every URL, as every role, with generated bad input
(``testsupport/fuzz.py``), on SQLite and on PostgreSQL (CI runs both).

The walk prints its figures (requests, time, statuses) and, on failure, every request
that got a 500 with its role, URL, input and exception.
"""

import re
from pathlib import Path

from django.conf import settings

from testsupport.fuzz import QUERY_NAMES, BadInputWalk

PACKAGE = Path(settings.BASE_DIR) / "dziennik"
# How views read the address: request.GET.get("x"), request.GET["x"], or a reader of
# core.params given request.GET and the name.
READS = re.compile(r"""request\.GET(?:\.get\(|\[)"(\w+)"|\(request\.GET, "(\w+)\"""")


def test_no_server_error_under_bad_input(world, capsys):
    walk = BadInputWalk(world)
    walk.run()
    report = walk.report()
    with capsys.disabled():
        print("\n" + report.splitlines()[0])
    assert not walk.failures, report
    # the walk reached the pages, their forms and their refusals
    assert walk.figures.statuses.get(200, 0) > 500
    assert walk.figures.statuses.get(400, 0) > 500
    assert sum(len(t.post) for t in walk.targets.values()) > 150


def test_every_query_name_a_view_reads_is_walked():
    """A view that reads a new query-string name must give the walk that name
    (``QUERY_NAMES``), or the walk never sends it bad values."""
    walked = {name for names in QUERY_NAMES.values() for name in names}
    read = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for match in READS.finditer(path.read_text()):
            read.add(match.group(1) or match.group(2))
    assert read, "the pattern finds nothing: it is broken"
    assert read - walked == set()
