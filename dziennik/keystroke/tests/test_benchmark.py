"""The benchmark command on a slice of the shared CMU data set (../shared/data/keystroke/)."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from dziennik.keystroke import benchmark

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "keystroke" / "cmu-dev-subjects.csv"
SUMMARY = re.compile(
    r"^EER ours=(\d\.\d{4}) sd=(\d\.\d{4}) scaled_manhattan=(\d\.\d{4}) "
    r"train_reps=(\d+) subjects=(\d+)$"
)


@pytest.fixture(scope="module")
def slice_csv(tmp_path_factory):
    """The header and the typings of the first four subjects, in a file of their own."""
    assert DATA.exists(), f"the shared CMU data set is missing: {DATA}"
    lines = DATA.read_text().splitlines()
    subjects = sorted({line.split(",")[0] for line in lines[1:]})[:4]
    kept = [lines[0]] + [line for line in lines[1:] if line.split(",")[0] in subjects]
    path = tmp_path_factory.mktemp("keystroke") / "slice.csv"
    path.write_text("\n".join(kept) + "\n")
    return path


def _run(*args) -> str:
    out = StringIO()
    call_command("keystroke_benchmark", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("train_reps", [20, 200])
def test_the_command_ends_with_the_one_summary_line(slice_csv, train_reps):
    output = _run(str(slice_csv), str(train_reps))
    lines = output.strip().splitlines()
    match = SUMMARY.match(lines[-1])
    assert match, lines[-1]
    ours, _sd, baseline, reps, subjects = match.groups()
    assert (int(reps), int(subjects)) == (train_reps, 4)
    assert float(ours) < float(baseline)
    assert sum(1 for line in lines if line.startswith("EER ")) == 1


def test_the_protocol_trains_on_the_first_typings_and_tests_on_the_last(slice_csv):
    subjects = benchmark.load(slice_csv)
    assert [len(t) for t in subjects.values()] == [400] * 4
    first = next(iter(subjects.values()))
    rows = [line.split(",") for line in slice_csv.read_text().splitlines()[1:401]]
    by_order = sorted(rows, key=lambda r: (int(r[1]), int(r[2])))
    assert first[0].tolist() == [float(v) for v in by_order[0][3:]]
    assert first[-1].tolist() == [float(v) for v in by_order[-1][3:]]
    result = benchmark.evaluate(subjects, 200, "scaled_manhattan")
    assert set(result.rates) == set(subjects)
    assert all(0 <= rate <= 1 for rate in result.rates.values())


def test_the_command_refuses_bad_input_clearly(slice_csv, tmp_path):
    with pytest.raises(CommandError, match="too few"):
        _run(str(slice_csv), "201")
    with pytest.raises(CommandError, match="at least 2"):
        _run(str(slice_csv), "1")
    with pytest.raises(CommandError, match="cannot read"):
        _run(str(tmp_path / "missing.csv"), "20")
    broken = tmp_path / "broken.csv"
    broken.write_text(slice_csv.read_text().replace("s002,1,1,", "s002,one,1,", 1))
    with pytest.raises(CommandError, match="line 2"):
        _run(str(broken), "20")


def test_operating_points_trade_false_alarms_for_misses(slice_csv):
    output = _run(str(slice_csv), "20", "--operating-points")
    lines = output.strip().splitlines()
    assert SUMMARY.match(lines[-1])  # still the closing line
    points = [
        tuple(float(v) for v in re.findall(r"\d\.\d+", line))
        for line in lines
        if line.startswith("threshold ")
    ]
    assert [p[0] for p in points] == [1.0, 1.2, 1.4, 1.5, 1.6, 1.8, 2.0]
    false_alarms = [p[1] for p in points]
    misses = [p[2] for p in points]
    assert false_alarms == sorted(false_alarms, reverse=True) and false_alarms[0] > 0
    assert misses == sorted(misses) and misses[-1] > misses[0]
