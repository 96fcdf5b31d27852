"""Calibration metrics (notebook 08): reliability bins, expected calibration error, the diagram."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import metrics, plots


def test_reliability_bins_count_average_and_score_each_bin():
    probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.3, 0.7], [0.55, 0.45]])
    labels = np.array([0, 1, 1, 1])
    counts, confidence, accuracy = metrics.reliability_bins(probs, labels, n_bins=2)
    assert counts.tolist() == [0, 4]
    assert np.isnan(confidence[0]) and np.isnan(accuracy[0])
    assert np.isclose(confidence[1], (0.95 + 0.9 + 0.7 + 0.55) / 4) and accuracy[1] == 0.5


def test_confidence_of_exactly_one_goes_to_the_last_bin_and_edges_open_the_next():
    probs = np.array([[1.0, 0.0], [0.5, 0.5], [0.75, 0.25]])
    counts, _, _ = metrics.reliability_bins(probs, np.array([0, 0, 0]), n_bins=4)
    assert counts.tolist() == [0, 0, 1, 2]


def test_ece_is_the_count_weighted_mean_of_the_bin_gaps():
    probs = np.array([[0.95, 0.05]] * 8 + [[0.6, 0.4]] * 2)
    labels = np.array([0] * 8 + [1, 1])
    # bin [0.9, 1): 8 predictions, all right, conf 0.95 → gap 0.05; bin [0.6, 0.7): 2, none right → 0.6
    expected = 0.8 * 0.05 + 0.2 * 0.6
    assert np.isclose(metrics.expected_calibration_error(probs, labels, 10), expected)


def test_a_calibrated_network_has_a_small_ece_and_an_overconfident_one_a_large_one():
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.5, 1.0, 20_000)
    probs = np.stack([confidence, 1 - confidence], axis=1)
    calibrated = np.where(rng.random(20_000) < confidence, 0, 1)
    assert metrics.expected_calibration_error(probs, calibrated, 10) < 0.01
    always_wrong = np.ones(20_000, dtype=np.int64)
    assert np.isclose(metrics.expected_calibration_error(probs, always_wrong, 10), confidence.mean())


def test_ece_of_float32_probabilities_matches_float64():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((500, 10)) * 3
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = rng.integers(0, 10, 500)
    assert np.isclose(metrics.expected_calibration_error(probs.astype(np.float32), labels),
                      metrics.expected_calibration_error(probs, labels), atol=1e-5)


@pytest.mark.parametrize(("probs", "labels", "n_bins", "words"), [
    (np.array([0.2, 0.8]), np.array([1]), 10, r"shape \(batch, n_classes\)"),
    (np.array([[2.0, -1.0]]), np.array([0]), 10, "not logits"),
    (np.array([[0.2, 0.8]]), np.array([0.0]), 10, "integer"),
    (np.array([[0.2, 0.8]]), np.array([0]), 0, "n_bins must be a whole number"),
])
def test_bad_inputs_are_rejected_with_a_clear_message(probs, labels, n_bins, words):
    with pytest.raises((ValueError, TypeError), match=words):
        metrics.expected_calibration_error(probs, labels, n_bins)


def test_reliability_diagram_draws_one_bar_pair_per_used_bin_and_names_the_ece():
    probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.3, 0.7], [0.55, 0.45]])
    ax = plots.plot_reliability_diagram(probs, np.array([0, 1, 1, 1]), n_bins=10)
    assert len(ax.patches) == 2 * 3
    assert "ECE = " in ax.get_title() and ax.get_xlim() == (0, 1)
    plt.close(ax.figure)
