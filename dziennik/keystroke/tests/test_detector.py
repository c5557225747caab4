"""The KeyStroke detectors and the equal-error rate, on data made by hand."""

from __future__ import annotations

import numpy as np
import pytest

from dziennik.keystroke import detector

WIDTH = 31  # a 10-key password (with Return: 11 keys) in the CMU layout


def _typings(rng, rhythm, count, spread=0.08):
    """Typings around a rhythm: multiplicative noise, as real typing times have."""
    noise = rng.lognormal(0.0, spread, size=(count, rhythm.size))
    return rhythm * noise


def _rhythm(rng):
    return rng.uniform(0.05, 0.4, size=WIDTH)


@pytest.mark.parametrize("enrolment", [10, 20, 200])
def test_our_detector_separates_a_synthetic_owner_from_impostors(enrolment):
    rng = np.random.default_rng(13)
    owner = _rhythm(rng)
    model = detector.train(_typings(rng, owner, enrolment))
    genuine = detector.score(model, _typings(rng, owner, 50))
    impostors = np.vstack([_typings(rng, _rhythm(rng), 5) for _ in range(20)])
    impostor = detector.score(model, impostors)
    assert detector.equal_error_rate(genuine, impostor) < 0.05
    assert np.median(impostor) > 2 * np.median(genuine)


def test_a_typing_slower_than_the_owner_scores_higher_than_the_owner_s_own():
    rng = np.random.default_rng(7)
    owner = _rhythm(rng)
    model = detector.train(_typings(rng, owner, 20))
    same, slow = owner[None, :], (owner * 1.6)[None, :]
    assert detector.score(model, slow)[0] > detector.score(model, same)[0] + 5


def test_our_detector_rejects_rows_of_another_width_and_bad_numbers():
    model = detector.train(np.full((3, 4), 0.1) + np.arange(3)[:, None] * 0.01)
    with pytest.raises(ValueError, match="number of columns"):
        detector.score(model, np.zeros((1, 5)))
    with pytest.raises(ValueError, match="finite"):
        detector.score(model, [[0.1, np.nan, 0.1, 0.1]])
    with pytest.raises(ValueError, match="at least two"):
        detector.train([[0.1, 0.1, 0.1, 0.1]])


def test_a_column_typed_identically_every_time_does_not_divide_by_zero():
    genuine = np.array([[0.1, 0.2, 0.05, 0.1], [0.1, 0.25, 0.06, 0.1], [0.1, 0.22, 0.07, 0.1]])
    scores = detector.score(detector.train(genuine), [[0.1, 0.2, 0.06, 0.3]])
    assert np.isfinite(scores).all()


def test_log_columns_follow_the_hold_down_down_up_down_layout():
    assert detector.log_columns(7).tolist() == [True, True, False, True, True, False, True]
    assert not detector.log_columns(6).any()


def test_up_down_pauses_weigh_more_in_the_cmu_layout_only():
    assert detector.column_weights(4).tolist() == [1.0, 1.0, 2.0, 1.0]
    assert detector.column_weights(6).tolist() == [1.0] * 6


def test_a_young_profile_forgives_speed_more_than_a_mature_one():
    assert detector.fast_weight(20) == pytest.approx(0.6)
    assert detector.fast_weight(110) == pytest.approx(0.8)
    assert detector.fast_weight(200) == detector.fast_weight(400) == 1.0


def test_scaled_manhattan_matches_a_score_computed_by_hand():
    genuine = [[1.0, 10.0], [3.0, 14.0]]
    # means 2 and 12; mean absolute deviations 1 and 2
    model = detector.scaled_manhattan_train(genuine)
    scores = detector.scaled_manhattan_score(model, [[2.0, 12.0], [5.0, 8.0]])
    # |5−2|/1 + |8−12|/2 = 3 + 2
    assert scores.tolist() == pytest.approx([0.0, 5.0])


@pytest.mark.parametrize(
    ("genuine", "impostor", "rate"),
    [
        ([1, 2, 3], [4, 5, 6], 0.0),  # separated: some threshold makes no error
        ([1, 2, 3, 4], [3.5, 5, 6, 7], 0.25),  # one of four on each side at 3.5
        ([0, 1, 2, 3], [2.5], 0.25),  # rates cross between thresholds 2 and 2.5
        ([4, 5, 6], [1, 2, 3], 1.0),  # the detector is exactly backwards
    ],
)
def test_equal_error_rate_on_hand_made_scores(genuine, impostor, rate):
    assert detector.equal_error_rate(genuine, impostor) == pytest.approx(rate)


def test_equal_error_rate_interpolates_between_thresholds():
    # At threshold 1: false alarms 1/2, misses 1/3 (gap 1/6); at 2: false alarms 0,
    # misses 2/3 (gap −2/3). The gap closes a fifth of the way: 1/2 − 1/10 = 1/3 + 1/15.
    assert detector.equal_error_rate([1, 2], [0.5, 2, 3]) == pytest.approx(0.4)


def test_equal_error_rate_needs_both_kinds_of_scores():
    with pytest.raises(ValueError, match="both"):
        detector.equal_error_rate([], [1.0])
