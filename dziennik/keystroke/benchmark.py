"""The CMU keystroke benchmark's protocol (Killourhy & Maxion, DSN 2009), docs/keystroke.md.

For each subject in turn as the owner: train on their first ``N`` typings, score their
last ``GENUINE_TEST`` typings as genuine and the first ``IMPOSTOR_TYPINGS`` typings of
every other subject as impostors, and compute the equal-error rate. The mean and the
standard deviation over subjects are reported.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dziennik.keystroke import detector

GENUINE_TEST = 200
IMPOSTOR_TYPINGS = 5
FIRST_TIMING_COLUMN = 3  # subject, sessionIndex, rep, then the timings

Detector = tuple[Callable, Callable]
DETECTORS: dict[str, Detector] = {
    "ours": (detector.train, detector.score),
    "scaled_manhattan": (detector.scaled_manhattan_train, detector.scaled_manhattan_score),
}


class BenchmarkError(ValueError):
    """The data set or the enrolment size does not fit the protocol."""


@dataclass(frozen=True)
class Result:
    detector: str
    rates: dict[str, float]  # subject → equal-error rate

    @property
    def mean(self) -> float:
        return float(np.mean(list(self.rates.values())))

    @property
    def sd(self) -> float:
        values = list(self.rates.values())
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def _parse_row(row: list[str], line: int) -> tuple[str, int, int, list[float]]:
    try:
        return row[0], int(row[1]), int(row[2]), [float(v) for v in row[FIRST_TIMING_COLUMN:]]
    except (ValueError, IndexError) as exc:
        raise BenchmarkError(f"line {line}: not a subject, session, rep and timings") from exc


def load(path: Path) -> dict[str, np.ndarray]:
    """Each subject's typings in the order typed (session, then rep), one row each."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise BenchmarkError(f"cannot read {path}: {exc}") from exc
    if len(rows) < 2 or len(rows[0]) <= FIRST_TIMING_COLUMN:
        raise BenchmarkError(f"{path} has no header with timing columns, or no rows")
    width = len(rows[0]) - FIRST_TIMING_COLUMN
    typings: dict[str, list[tuple[int, int, list[float]]]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        subject, session, rep, times = _parse_row(row, line)
        if len(times) != width:
            raise BenchmarkError(f"line {line}: {len(times)} timings, the header has {width}")
        typings.setdefault(subject, []).append((session, rep, times))
    return {
        subject: np.array([times for _, _, times in sorted(rows, key=lambda t: t[:2])])
        for subject, rows in sorted(typings.items())
    }


def check(subjects: dict[str, np.ndarray], train_reps: int) -> None:
    """Refuse an enrolment size or a data set the protocol cannot run on."""
    if len(subjects) < 2:
        raise BenchmarkError("the protocol needs at least two subjects")
    if train_reps < 2:
        raise BenchmarkError("N must be at least 2 typings")
    for subject, typings in subjects.items():
        if len(typings) < train_reps + GENUINE_TEST:
            raise BenchmarkError(
                f"subject {subject} has {len(typings)} typings: too few to train on "
                f"{train_reps} and test on a separate last {GENUINE_TEST}"
            )


def evaluate(subjects: dict[str, np.ndarray], train_reps: int, name: str) -> Result:
    """Run one detector through the protocol; the equal-error rate of each subject."""
    check(subjects, train_reps)
    train, score = DETECTORS[name]
    rates = {}
    for owner, typings in subjects.items():
        model = train(typings[:train_reps])
        genuine = score(model, typings[-GENUINE_TEST:])
        others = [t[:IMPOSTOR_TYPINGS] for s, t in subjects.items() if s != owner]
        impostor = score(model, np.vstack(others))
        rates[owner] = detector.equal_error_rate(genuine, impostor)
    return Result(detector=name, rates=rates)


def operating_points(
    subjects: dict[str, np.ndarray], train_reps: int, thresholds
) -> list[tuple[float, float, float]]:
    """How one threshold for everyone would do (``keystroke.services.DEFAULT_THRESHOLD``):
    for each threshold on our detector's score per column (the score divided by the sum
    of the column weights, so passwords of any length compare), the share of genuine
    test typings flagged (false alarms: the owner asked for the second step) and of
    impostor typings let through (misses), pooled over every owner, under the same
    protocol as ``evaluate``."""
    check(subjects, train_reps)
    genuine, impostor = [], []
    for owner, typings in subjects.items():
        model = detector.train(typings[:train_reps])
        width = model.weights.sum()
        genuine.append(detector.score(model, typings[-GENUINE_TEST:]) / width)
        others = [t[:IMPOSTOR_TYPINGS] for s, t in subjects.items() if s != owner]
        impostor.append(detector.score(model, np.vstack(others)) / width)
    genuine_all, impostor_all = np.concatenate(genuine), np.concatenate(impostor)
    return [
        (float(t), float((genuine_all > t).mean()), float((impostor_all <= t).mean()))
        for t in thresholds
    ]


def summary_line(ours: Result, baseline: Result, train_reps: int) -> str:
    """The one closing line the issue asks for."""
    return (
        f"EER ours={ours.mean:.4f} sd={ours.sd:.4f} scaled_manhattan={baseline.mean:.4f} "
        f"train_reps={train_reps} subjects={len(ours.rates)}"
    )
