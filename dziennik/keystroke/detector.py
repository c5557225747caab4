"""Anomaly detectors for the rhythm of typing a password (KeyStroke), docs/keystroke.md.

The interface a benchmark or the login calls directly:

    model = train(genuine)        # genuine: (typings, columns) matrix of seconds
    scores = score(model, rows)   # one score per row; higher = less like the owner

Columns are the timing vector of one typing of the password, in the layout of the CMU
benchmark (Killourhy & Maxion, DSN 2009): for k keys, 3k − 2 columns
``H1, DD1.2, UD1.2, H2, DD2.3, UD2.3, …, Hk`` — hold time of each key, key-down to
key-down and key-up to key-down times (the last may be negative when keys overlap). A
matrix of another width is taken as it is, without the log transform of durations.

``train``/``score`` are our detector, built to be accurate with few enrolment typings:

1. holds and down-down times are log-transformed (typing times are multiplicative: a
   person's spread grows with the time itself), up-down times are kept as they are;
2. each column is centred on the owner's median and scaled by the owner's MAD (robust to
   the odd hesitant enrolment typing, where a mean and a deviation are not);
3. a typing's score is its mean distance to its ``NEIGHBOURS`` nearest enrolment typings
   in that scaled space (an owner types in a few slightly different "modes");
4. each column's contribution to a distance is capped at ``CAP`` scaled units, so one
   hesitation on one key cannot outweigh a rhythm that matches everywhere else;
5. up-down columns (the pause between releasing one key and pressing the next) weigh
   ``UP_DOWN_WEIGHT`` times the others: a down-down time is a hold plus that pause, so
   holds and down-down times partly repeat each other, while the pause is the rhythm's
   own measure;
6. a column typed *faster* than an enrolment typing counts less than one typed slower
   while the profile is young (``fast_weight``): people speed up as a password becomes
   familiar, and a profile of twenty typings has not seen that yet. The weight grows to
   1 as the profile reaches ``MATURE_TYPINGS``.

The constants were tuned once on the 26-subject development file, the same for every
person (no per-person tuning). ``scaled_manhattan_train``/``scaled_manhattan_score`` are
the paper's best detector with the same interface, for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEIGHBOURS = 5
CAP = 4.0
UP_DOWN_WEIGHT = 2.0
YOUNG_FAST_WEIGHT = 0.6
YOUNG_TYPINGS = 20
MATURE_TYPINGS = 200
SHORTEST_TIME = 0.001  # seconds; a duration below it (a clock glitch) is taken as this
TINY = 1e-6


@dataclass(frozen=True)
class Model:
    """What our detector keeps of an owner's enrolment typings (all in scaled space)."""

    center: np.ndarray
    scale: np.ndarray
    typings: np.ndarray
    log_columns: np.ndarray
    weights: np.ndarray
    fast_weight: float


@dataclass(frozen=True)
class ScaledManhattanModel:
    """The paper's scaled Manhattan detector: the mean and mean absolute deviation."""

    mean: np.ndarray
    deviation: np.ndarray


def log_columns(width: int) -> np.ndarray:
    """Which columns are holds and down-down times (log-transformed): True at H and DD.

    In the CMU layout (width 3k − 2) the columns repeat H, DD, UD; any other width gets
    no log transform.
    """
    mask = np.zeros(width, dtype=bool)
    if width % 3 == 1:
        position = np.arange(width) % 3
        mask[(position == 0) | (position == 1)] = True
    return mask


def column_weights(width: int) -> np.ndarray:
    """How much each column's distance counts: ``UP_DOWN_WEIGHT`` at UD, else 1.

    Only in the CMU layout (width 3k − 2); any other width weighs every column alike.
    """
    weights = np.ones(width)
    if width % 3 == 1:
        weights[np.arange(width) % 3 == 2] = UP_DOWN_WEIGHT
    return weights


def _as_matrix(rows) -> np.ndarray:
    matrix = np.asarray(rows, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise ValueError("expected a non-empty matrix: rows = typings, columns = times")
    if not np.isfinite(matrix).all():
        raise ValueError("timings must be finite numbers")
    return matrix


def _transform(matrix: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = matrix.copy()
    out[:, mask] = np.log(np.maximum(matrix[:, mask], SHORTEST_TIME))
    return out


def fast_weight(typings: int) -> float:
    """How much a faster-than-enrolment column counts, by the size of the profile."""
    grown = (typings - YOUNG_TYPINGS) / (MATURE_TYPINGS - YOUNG_TYPINGS)
    grown = min(1.0, max(0.0, grown))
    return YOUNG_FAST_WEIGHT + (1.0 - YOUNG_FAST_WEIGHT) * grown


def train(genuine) -> Model:
    """Learn an owner's rhythm from their genuine typings (at least 2 rows)."""
    matrix = _as_matrix(genuine)
    if matrix.shape[0] < 2:
        raise ValueError("training needs at least two typings")
    mask = log_columns(matrix.shape[1])
    data = _transform(matrix, mask)
    center = np.median(data, axis=0)
    scale = np.median(np.abs(data - center), axis=0) * 1.4826
    # A column the owner typed identically every time gets the smallest spread of the
    # others (or a tiny one), never a division by zero.
    positive = scale[scale > 0]
    floor = positive.min() if positive.size else TINY
    scale = np.where(scale > 0, scale, floor) + TINY
    return Model(
        center=center,
        scale=scale,
        typings=(data - center) / scale,
        log_columns=mask,
        weights=column_weights(matrix.shape[1]),
        fast_weight=fast_weight(matrix.shape[0]),
    )


def score(model: Model, rows) -> np.ndarray:
    """Anomaly score of each row: higher = less like the owner."""
    matrix = _as_matrix(rows)
    if matrix.shape[1] != model.center.shape[0]:
        raise ValueError("rows have a different number of columns than the model")
    scaled = (_transform(matrix, model.log_columns) - model.center) / model.scale
    difference = scaled[:, None, :] - model.typings[None, :, :]
    distance = np.where(difference < 0, -difference * model.fast_weight, difference)
    distances = (np.minimum(distance, CAP) * model.weights).sum(axis=2)
    neighbours = min(NEIGHBOURS, distances.shape[1])
    nearest = np.partition(distances, neighbours - 1, axis=1)[:, :neighbours]
    return nearest.mean(axis=1)


def scaled_manhattan_train(genuine) -> ScaledManhattanModel:
    """The paper's scaled Manhattan: per column mean and mean absolute deviation."""
    matrix = _as_matrix(genuine)
    mean = matrix.mean(axis=0)
    deviation = np.abs(matrix - mean).mean(axis=0)
    return ScaledManhattanModel(mean=mean, deviation=np.where(deviation > 0, deviation, TINY))


def scaled_manhattan_score(model: ScaledManhattanModel, rows) -> np.ndarray:
    """Sum over columns of |x − mean| / mean absolute deviation."""
    matrix = _as_matrix(rows)
    if matrix.shape[1] != model.mean.shape[0]:
        raise ValueError("rows have a different number of columns than the model")
    return (np.abs(matrix - model.mean) / model.deviation).sum(axis=1)


def equal_error_rate(genuine_scores, impostor_scores) -> float:
    """The rate where false alarms on genuine typings equal misses on impostors.

    A typing is flagged when its score is above the threshold. Thresholds run over every
    score seen; between the two neighbouring thresholds where the false-alarm rate falls
    below the miss rate, both rates are interpolated linearly to where they meet.
    """
    genuine = np.asarray(genuine_scores, dtype=float)
    impostor = np.asarray(impostor_scores, dtype=float)
    if genuine.size == 0 or impostor.size == 0:
        raise ValueError("both genuine and impostor scores are needed")
    thresholds = np.concatenate(([-np.inf], np.unique(np.concatenate((genuine, impostor)))))
    false_alarm = (genuine[None, :] > thresholds[:, None]).mean(axis=1)
    miss = (impostor[None, :] <= thresholds[:, None]).mean(axis=1)
    gap = false_alarm - miss
    crossing = int(np.argmax(gap <= 0))
    before, after = gap[crossing - 1], gap[crossing]
    weight = before / (before - after)
    return float(
        false_alarm[crossing - 1] + weight * (false_alarm[crossing] - false_alarm[crossing - 1])
    )
