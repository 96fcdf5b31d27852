"""Checks for the exercises of notebook 08 (regularization, diagnostics, calibration).

Inverted dropout, the expected calibration error, and the confusion matrix. Each check runs the learner's
function on several cases (zeros, large values, a batch of one, ...) and recognizes the usual wrong answers:
a forgotten rescaling, bins that are not weighted by their size, a matrix read the wrong way round.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, integers, normal, softmax, uniform

# ---------------------------------------------------------------- exercise 1: inverted dropout, forward


def _dropout(x: np.ndarray, keep: np.ndarray, p: float) -> np.ndarray:
    return x * keep / (1 - p)


def _dropout_case(label: str, shape: tuple[int, int], p: float, seed: int, scale: float = 1.0) -> Case:
    rng = np.random.default_rng(seed)
    return Case(label, (normal(rng, shape, scale, np.float32), uniform(rng, shape) >= p, p))


DROPOUT_CASES = [
    _dropout_case("p = 0.5 on a batch of 4 × 6", (4, 6), 0.5, seed=0),
    _dropout_case("p = 0.2, a batch of one", (1, 8), 0.2, seed=1),
    Case("p = 0: nothing is dropped", (np.arange(6, dtype=np.float32).reshape(2, 3), np.ones((2, 3), bool),
                                        0.0)),
    Case("zero input", (np.zeros((3, 4), np.float32), uniform(2, (3, 4)) >= 0.3, 0.3)),
    _dropout_case("large activations, p = 0.9", (3, 5), 0.9, seed=3, scale=1e4),
]

DROPOUT_MISTAKES = [
    Mistake.returns("the kept units must be scaled up by 1 / (1 − p), so that the expected value of every "
                    "unit stays the same and nothing needs to change at test time.",
                    lambda x, keep, p: x * keep),
    Mistake.returns("that scales by 1 / p or by (1 − p): inverted dropout divides the kept units by the "
                    "probability of KEEPING them, 1 − p.",
                    lambda x, keep, p: x * keep / p, lambda x, keep, p: x * keep * (1 - p)),
    Mistake.returns("the mask is inverted: `keep` is True for the units that SURVIVE; zero the others.",
                    lambda x, keep, p: x * ~keep / (1 - p)),
]


def check_dropout_forward(dropout_forward: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> None:
    """Exercise 1: y = x ⊙ keep / (1 − p) for x (batch, n), keep (batch, n) bool, 0 ≤ p < 1."""
    check("Exercise 1 (inverted dropout)", dropout_forward, _dropout, DROPOUT_CASES, DROPOUT_MISTAKES)


# ---------------------------------------------------------------- exercise 2: expected calibration error


def _bin_stats(confidence: np.ndarray, correct: np.ndarray, n_bins: int) -> tuple[np.ndarray, ...]:
    """Per bin b/M ≤ c < (b+1)/M (c = 1 in the last): counts, summed confidence, summed correctness."""
    bins = np.minimum(np.floor(confidence * n_bins).astype(int), n_bins - 1)
    return tuple(np.bincount(bins, weights, n_bins) for weights in (None, confidence, correct))


def _ece(probs: np.ndarray, labels: np.ndarray, n_bins: int) -> float:
    """Σ_b (n_b / N)·|acc_b − conf_b| = Σ_b |Σ correct − Σ conf| / N over the bins, in float64."""
    probs = probs.astype(np.float64)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    _, conf_sum, correct_sum = _bin_stats(probs.max(axis=1), correct, n_bins)
    return float(np.sum(np.abs(correct_sum - conf_sum)) / len(probs))


def _calibration_case(label: str, seed: int, n: int, k: int, n_bins: int, dtype: type = np.float64) -> Case:
    """Softmax of random logits; right answers where the network is unsure, wrong ones where it is sure.

    So the low bins are under-confident and the high bins over-confident: signs matter, bins matter.
    """
    rng = np.random.default_rng(seed)
    probs = softmax(normal(rng, (n, k), 2.0)).astype(dtype)
    answer, sure = probs.argmax(axis=1), probs.max(axis=1) > np.median(probs.max(axis=1))
    labels = np.where(sure & (uniform(rng, n) < 0.7), (answer + 1) % k, answer)
    return Case(label, (probs, labels, n_bins))


def _one_hot_case() -> Case:
    probs = np.eye(4)[[0, 1, 2, 3, 0, 1]]
    return Case("fully sure (confidence exactly 1): 4 of 6 right", (probs, np.array([0, 1, 2, 3, 1, 0]), 5))


ECE_CASES = [
    _calibration_case("40 predictions, 4 classes, 10 bins", seed=0, n=40, k=4, n_bins=10),
    _calibration_case("float32 probabilities, 200 predictions, 10 classes, 15 bins", seed=1, n=200, k=10,
                      n_bins=15, dtype=np.float32),
    _calibration_case("a single bin", seed=2, n=30, k=3, n_bins=1),
    _calibration_case("a batch of one", seed=3, n=1, k=5, n_bins=10),
    _one_hot_case(),
]


def _per_bin(probs: np.ndarray, labels: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """(|acc_b − conf_b| of the non-empty bins, their counts): the pieces most wrong answers misuse."""
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    counts, conf_sum, correct_sum = _bin_stats(probs.max(axis=1).astype(np.float64), correct, n_bins)
    used = counts > 0
    return np.abs(correct_sum[used] - conf_sum[used]) / counts[used], counts[used]


def _true_class_confidence(probs: np.ndarray, labels: np.ndarray, n_bins: int) -> float:
    p_true = probs[np.arange(len(probs)), labels].astype(np.float64)
    _, conf_sum, correct_sum = _bin_stats(p_true, (probs.argmax(axis=1) == labels).astype(float), n_bins)
    return float(np.sum(np.abs(correct_sum - conf_sum)) / len(probs))


def _unclamped(probs: np.ndarray, labels: np.ndarray, n_bins: int) -> float:
    """The ECE with the predictions of confidence exactly 1 left out (bin n_bins, one past the last)."""
    confidence = probs.max(axis=1).astype(np.float64)
    inside = confidence < 1
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    _, conf_sum, correct_sum = _bin_stats(confidence[inside], correct[inside], n_bins)
    return float(np.sum(np.abs(correct_sum - conf_sum)) / len(probs))


def _signed(probs: np.ndarray, labels: np.ndarray, n_bins: int) -> float:
    return float(np.mean((probs.argmax(axis=1) == labels) - probs.max(axis=1).astype(np.float64)))


ECE_MISTAKES = [
    Mistake.returns("the predictions with confidence exactly 1 fall in no bin: floor(1 · n_bins) = n_bins is "
                    "one past the last bin (n_bins − 1). Put them in the last bin.", _unclamped),
    Mistake.returns("weight each bin by its share of the predictions, n_b / N: a bin with 2 predictions must "
                    "count less than one with 2,000. (Averaging the bins' gaps, or dividing by n_bins, "
                    "treats them all alike.)",
                    lambda p, y, m: float(np.mean(_per_bin(p, y, m)[0])),
                    lambda p, y, m: float(np.sum(_per_bin(p, y, m)[0]) / m)),
    Mistake.returns("take the absolute value of each bin's gap |acc_b − conf_b| BEFORE summing: otherwise "
                    "the over-confident bins and the under-confident ones cancel out.",
                    _signed, lambda p, y, m: abs(_signed(p, y, m))),
    Mistake.returns("the confidence is the probability of the PREDICTED class, the largest one, "
                    "probs.max(axis=1) — not the probability of the true label.", _true_class_confidence),
    Mistake.returns("compare averages per bin: mean |correct − confidence| over single predictions is "
                    "another quantity (a right answer with confidence 0.9 would count as 0.1 off).",
                    lambda p, y, m: float(np.mean(np.abs((p.argmax(axis=1) == y) - p.max(axis=1))))),
]


def check_expected_calibration_error(
        expected_calibration_error: Callable[[np.ndarray, np.ndarray, int], float]) -> None:
    """Exercise 2: ECE = Σ_b (n_b / N)·|acc_b − conf_b| over bins b/M ≤ confidence < (b+1)/M."""
    check("Exercise 2 (expected calibration error)", expected_calibration_error, _ece, ECE_CASES,
          ECE_MISTAKES)


# ---------------------------------------------------------------- exercise 3: confusion matrix


def _confusion(predicted: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


CONFUSION_CASES = [
    Case("3 classes, a few mistakes", (np.array([0, 2, 1, 1, 2, 0]), np.array([0, 1, 1, 2, 2, 0]), 3)),
    Case("a batch of one", (np.array([3]), np.array([1]), 4)),
    Case("everything right", (np.arange(5), np.arange(5), 5)),
    Case("a class that never occurs", (np.array([0, 0, 2]), np.array([2, 0, 0]), 4)),
    Case("10 digits, 200 random guesses", (integers(0, 200, 10), integers(1, 200, 10), 10)),
]

CONFUSION_MISTAKES = [
    Mistake.returns("rows and columns are swapped: row i is the TRUE class, column j the PREDICTED one, "
                    "so C[labels[k], predicted[k]] += 1.", lambda p, y, k: _confusion(p, y, k).T),
    Mistake.returns("each sample must be counted once: `C[a, b] += 1` with index ARRAYS counts repeated "
                    "pairs only once. Loop over the samples, or use np.add.at.",
                    lambda p, y, k: np.minimum(_confusion(p, y, k), 1)),
    Mistake("the matrix must be n_classes × n_classes, even when some class never appears.",
            lambda got, exp, case: np.ndim(got) == 2 and np.shape(got) != np.shape(exp)),
    Mistake("your matrix counts a different number of samples than there are: every sample adds exactly 1 "
            "to one cell, so the counts must add up to len(labels). Check the range of your loop.",
            lambda got, exp, case: np.shape(got) == np.shape(exp) and np.sum(got) != np.sum(exp)),
]


def check_confusion_matrix(confusion_matrix: Callable[[np.ndarray, np.ndarray, int], np.ndarray]) -> None:
    """Exercise 3: C (k, k) with C[i, j] = number of samples of true class i predicted as j."""
    check("Exercise 3 (confusion matrix)", confusion_matrix, _confusion, CONFUSION_CASES, CONFUSION_MISTAKES)
