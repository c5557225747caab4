"""Evaluate the KeyStroke detector on the CMU keystroke benchmark (docs/keystroke.md).

    manage.py keystroke_benchmark ../shared/data/keystroke/cmu-dev-subjects.csv 200

Prints each subject's equal-error rate for our detector and the paper's scaled
Manhattan, their mean and sd, and ends with exactly one line:
``EER ours=<mean> sd=<sd> scaled_manhattan=<mean> train_reps=<n> subjects=<m>``.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dziennik.keystroke.benchmark import (
    BenchmarkError,
    evaluate,
    load,
    operating_points,
    summary_line,
)

THRESHOLDS = (1.0, 1.2, 1.4, 1.5, 1.6, 1.8, 2.0)


class Command(BaseCommand):
    help = "Evaluate the KeyStroke detector on the CMU keystroke benchmark (EER per subject)."

    def add_arguments(self, parser):
        parser.add_argument("csv", type=Path, help="the CMU benchmark CSV (one row per typing)")
        parser.add_argument("train_reps", type=int, help="N: the owner's first N typings train")
        parser.add_argument(
            "--operating-points",
            action="store_true",
            help="also: false alarms and misses of one threshold for everyone (per column)",
        )

    def handle(self, *args, csv: Path, train_reps: int, **options):
        try:
            subjects = load(csv)
            ours = evaluate(subjects, train_reps, "ours")
            baseline = evaluate(subjects, train_reps, "scaled_manhattan")
            wanted = options["operating_points"]
            points = operating_points(subjects, train_reps, THRESHOLDS) if wanted else []
        except BenchmarkError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("subject  ours    scaled_manhattan")
        for subject, rate in ours.rates.items():
            self.stdout.write(f"{subject:8} {rate:.4f}  {baseline.rates[subject]:.4f}")
        self.stdout.write(
            f"mean     {ours.mean:.4f}  {baseline.mean:.4f}\n"
            f"sd       {ours.sd:.4f}  {baseline.sd:.4f}"
        )
        for threshold, false_alarms, misses in points:
            self.stdout.write(
                f"threshold {threshold:.2f}  false alarms {false_alarms:.3f}  misses {misses:.3f}"
            )
        self.stdout.write(summary_line(ours, baseline, train_reps))
