"""The notebook 08 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import numpy as np
import pytest

from course_lib import metrics
from course_lib.course.checks import ExerciseError, compare
from course_lib.course.checks import nb08 as checks
from course_lib.layers import Dropout


def confusion(predicted, labels, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(labels, predicted, strict=True):
        counts[t, p] += 1
    return counts


def ece_by_loop(probs, labels, n_bins):
    """ECE written the long way: one bin after the other, edges from np.linspace."""
    confidence, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    edges, total = np.linspace(0, 1, n_bins + 1), 0.0
    for b in range(n_bins):
        inside = (confidence >= edges[b]) & ((confidence < edges[b + 1]) | (b == n_bins - 1))
        if inside.any():
            total += inside.sum() * abs(correct[inside].mean() - confidence[inside].mean())
    return total / len(probs)


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_dropout_forward, lambda x, keep, p: x * keep / (1 - p)),
    (checks.check_dropout_forward, lambda x, keep, p: np.where(keep, x / (1 - p), 0)),
    (checks.check_expected_calibration_error, ece_by_loop),
    (checks.check_expected_calibration_error, metrics.expected_calibration_error),
    (checks.check_confusion_matrix, confusion),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x, keep, p: x * keep, r"scaled up by 1 / \(1 − p\)"),
    (lambda x, keep, p: x * keep / p if p else x, "probability of KEEPING"),
    (lambda x, keep, p: x * keep * (1 - p), "probability of KEEPING"),
    (lambda x, keep, p: x * ~keep / (1 - p), "mask is inverted"),
])
def test_dropout_forward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_dropout_forward(wrong)


def bin_gaps(probs, labels, n_bins):
    """|acc_b − conf_b| of every non-empty bin."""
    confidence, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    return np.array([abs(correct[bins == b].mean() - confidence[bins == b].mean()) for b in np.unique(bins)])


def signed_gaps(probs, labels, n_bins):
    confidence, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    return sum(np.sum(correct[bins == b]) - np.sum(confidence[bins == b]) for b in range(n_bins)) / len(probs)


def true_class_probability(probs, labels, n_bins):
    p_true, correct = probs[np.arange(len(probs)), labels], probs.argmax(axis=1) == labels
    bins = np.minimum((p_true * n_bins).astype(int), n_bins - 1)
    gaps = [abs(np.sum(correct[bins == b]) - np.sum(p_true[bins == b])) for b in range(n_bins)]
    return sum(gaps) / len(probs)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda p, y, m: bin_gaps(p, y, m).mean(), "share of the predictions"),
    (lambda p, y, m: bin_gaps(p, y, m).sum() / m, "share of the predictions"),
    (signed_gaps, "absolute value of each bin's gap"),
    (lambda p, y, m: abs(signed_gaps(p, y, m)), "absolute value of each bin's gap"),
    (true_class_probability, "PREDICTED class"),
    (lambda p, y, m: np.mean(np.abs((p.argmax(1) == y) - p.max(1))), "compare averages per bin"),
])
def test_expected_calibration_error_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_expected_calibration_error(wrong)


def fancy_index_increment(p, t, k):
    counts = np.zeros((k, k), dtype=int)
    counts[t, p] += 1
    return counts


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda p, t, k: confusion(t, p, k), "rows and columns are swapped"),
    (fancy_index_increment, "np.add.at"),
    (lambda p, t, k: confusion(p, t, max(p.max(), t.max()) + 1), "n_classes × n_classes"),
])
def test_confusion_matrix_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_confusion_matrix(wrong)


@pytest.mark.parametrize("case", checks.ECE_CASES, ids=lambda case: case.label)
def test_ece_reference_agrees_with_course_lib_metrics(case):
    library = metrics.expected_calibration_error(*case.args)
    assert compare(checks._ece(*case.args), library, 1e-6, 1e-9) is None


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9])
def test_dropout_reference_is_what_the_course_lib_dropout_layer_does_with_its_mask(p):
    x = np.random.default_rng(0).standard_normal((50, 40)).astype(np.float32) + 5
    y = Dropout(p, rng=1).forward(x, training=True)
    assert np.allclose(checks._dropout(x, y != 0, p), y, rtol=1e-6, atol=0)


@pytest.mark.parametrize("case", checks.CONFUSION_CASES, ids=lambda case: case.label)
def test_confusion_reference_agrees_with_course_lib_metrics(case):
    predicted, labels, n_classes = case.args
    scores = np.eye(n_classes)[predicted]
    assert np.array_equal(checks._confusion(*case.args), metrics.confusion_matrix(scores, labels, n_classes))


def ece_without_clamp(probs, labels, n_bins):
    """The notebook's loop without np.minimum: confidence 1 lands in bin n_bins, which no pass visits."""
    confidence = probs.max(axis=1).astype(np.float64)
    correct = probs.argmax(axis=1) == labels
    bins = (confidence * n_bins).astype(int)
    total = 0.0
    for b in range(n_bins):
        inside = bins == b
        if inside.any():
            total += inside.sum() * abs(correct[inside].mean() - confidence[inside].mean())
    return total / len(probs)


def confusion_off_by_one(predicted, labels, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=int)
    for k in range(len(labels) - 1):
        counts[labels[k], predicted[k]] += 1
    return counts


def dropout_in_place(x, keep, p):
    x *= keep
    x /= 1 - p
    return x


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_dropout_forward, dropout_in_place, "changed `x` in place"),
    (checks.check_dropout_forward, lambda x, keep, p: x * keep.astype(float) / (1 - p), "stay float32"),
    (checks.check_dropout_forward, lambda x, keep, p: x * keep / (1 - p) if x.shape[0] > 1 else x, None),
    (checks.check_expected_calibration_error, ece_without_clamp, "confidence exactly 1 fall in no bin"),
    (checks.check_expected_calibration_error, lambda p, y, m: ece_by_loop(p, y, m + 1), None),
    (checks.check_expected_calibration_error, lambda p, y, m: ece_by_loop(p, y, m) * len(p), None),
    (checks.check_confusion_matrix, confusion_off_by_one, "add up to len\\(labels\\)"),
    (checks.check_confusion_matrix, lambda p, y, k: confusion(p, y, k).astype(float), "expected integers"),
    (checks.check_confusion_matrix, lambda p, y, k: confusion(p, y, k).tolist(), "NumPy array"),
    (checks.check_confusion_matrix, lambda p, y, k: confusion(p, y, k) / len(y), "expected integers"),
])
def test_new_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    rejected(notebook_check, wrong, hint)
