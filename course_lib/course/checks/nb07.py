"""Checks for the exercises of notebook 07 (MNIST): standardizing inputs, inverted dropout, confusion matrix.

Each check runs the learner's function on several cases (zeros, large values, a batch of one, ...) and
recognizes the usual wrong answers: statistics taken from the wrong data, a forgotten rescaling, a matrix
read the wrong way round.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, integers, normal, uniform

# ---------------------------------------------------------------- exercise 1: standardize with training stats


def _standardize(x_train: np.ndarray, x_other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both sets standardized with the mean and std of all of x_train, computed in float64."""
    mean, std = x_train.mean(dtype=np.float64), x_train.std(dtype=np.float64)
    return (x_train - mean) / std, (x_other - mean) / std


def _pixels(seed: int, n: int, m: int, high: float = 255.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return uniform(rng, (n, 6), high, np.float32), uniform(rng, (m, 6), high * 0.5, np.float32)


STANDARDIZE_CASES = [
    Case("pixels in [0, 255], 5 training rows, 3 other rows", _pixels(0, 5, 3)),
    Case("the other set is a single row", _pixels(1, 4, 1)),
    Case("the other set is all zeros", (_pixels(2, 6, 2)[0], np.zeros((2, 6), np.float32))),
    Case("large values (around a million)", (_pixels(3, 5, 2, 1e6)[0], _pixels(4, 5, 2, 1e6)[1])),
    Case("MNIST-shaped: 20 images of 784 pixels", (integers(5, (20, 784), 256).astype(np.float32),
                                                    integers(6, (7, 784), 256).astype(np.float32))),
]

STANDARDIZE_MISTAKES = [
    Mistake.returns("the second set was standardized with ITS OWN mean and std. Use the training set's "
                    "numbers for both: the test set must go through exactly the transformation the network "
                    "was trained with.", lambda a, b: (_standardize(a, b)[0], _standardize(b, b)[0])),
    Mistake.returns("that divides by the variance: divide by the standard deviation, x.std() (its square "
                    "root).", lambda a, b: ((a - a.mean()) / a.var(), (b - a.mean()) / a.var())),
    Mistake.returns("subtract the mean AND divide by the standard deviation: the result should have mean 0 "
                    "and standard deviation 1 on the training set.",
                    lambda a, b: (a - a.mean(), b - a.mean()), lambda a, b: (a / a.std(), b / a.std())),
    Mistake("that is min-max scaling to [0, 1] (e.g. x / 255): standardizing means (x − mean) / std.",
            lambda got, exp, case: isinstance(got, tuple) and float(np.min(got[0])) >= 0),
    Mistake("use ONE mean and ONE standard deviation over all training pixels (x.mean(), x.std()), "
            "not one per pixel (axis=0) or per image (axis=1).",
            lambda got, exp, case: any(np.allclose(np.mean(got[0], axis=axis), 0, atol=1e-4)
                                       for axis in (0, 1))),
]


def check_standardize(standardize: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]) -> None:
    """Exercise 1: (x_train, x_other) -> both standardized with the mean and std of all of x_train."""
    check("Exercise 1 (standardize)", standardize, _standardize, STANDARDIZE_CASES, STANDARDIZE_MISTAKES)


# ---------------------------------------------------------------- exercise 2: inverted dropout, forward


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
    """Exercise 2: y = x ⊙ keep / (1 − p) for x (batch, n), keep (batch, n) bool, 0 ≤ p < 1."""
    check("Exercise 2 (inverted dropout)", dropout_forward, _dropout, DROPOUT_CASES, DROPOUT_MISTAKES)


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
    Mistake("rows and columns are swapped: row i is the TRUE class, column j the PREDICTED one, "
            "so C[labels[k], predicted[k]] += 1.",
            lambda got, exp, case: np.shape(got) == np.shape(exp) and np.array_equal(np.transpose(got), exp)),
    Mistake("each sample must be counted once: `C[a, b] += 1` with index ARRAYS counts repeated pairs only "
            "once. Loop over the samples, or use np.add.at.",
            lambda got, exp, case: np.shape(got) == np.shape(exp)
            and np.array_equal(np.minimum(exp, 1), got)),
    Mistake("the matrix must be n_classes × n_classes, even when some class never appears.",
            lambda got, exp, case: np.ndim(got) == 2 and np.shape(got) != np.shape(exp)),
]


def check_confusion_matrix(confusion_matrix: Callable[[np.ndarray, np.ndarray, int], np.ndarray]) -> None:
    """Exercise 3: C (k, k) with C[i, j] = number of samples of true class i predicted as j."""
    check("Exercise 3 (confusion matrix)", confusion_matrix, _confusion, CONFUSION_CASES, CONFUSION_MISTAKES)
