"""Checks for the exercises of notebook 07 (MNIST): softmax cross-entropy with its gradient, standardizing.

Each check runs the learner's function on several cases (a batch of one, logits a thousand apart, large
pixel values, ...) and recognizes the usual wrong answers: a forgotten 1/B, a flipped sign, an unshifted
exponential, statistics taken from the wrong data, a forgotten rescaling.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, integers, normal, uniform

# ---------------------------------------------------------------- exercise 1: softmax cross-entropy


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """log p = z − m − log Σ_k e^{z_k − m} per row, m = the row's max: never overflows, never log(0)."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _softmax_cross_entropy(z: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """(mean over the batch of −log p_y, (softmax(z) − onehot(y)) / B), computed stably."""
    log_p = _log_softmax(z.astype(np.float64))
    rows = np.arange(len(z))
    grad = np.exp(log_p)
    grad[rows, labels] -= 1
    return float(-log_p[rows, labels].mean()), (grad / len(z)).astype(z.dtype)


def _logits(seed: int, batch: int, classes: int = 10, scale: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return normal(rng, (batch, classes), scale, np.float32), integers(rng, (batch,), classes)


def _far_apart_rows() -> tuple[np.ndarray, np.ndarray]:
    """Two float64 rows whose logits lie about 1,500 apart: a max over the whole batch underflows one row."""
    z, labels = _logits(7, 2, 4)
    return z.astype(np.float64) + np.array([[1000.0], [-500.0]]), labels


def _near_1000() -> tuple[np.ndarray, np.ndarray]:
    """float64 logits around 1000: e^1000 overflows even in float64 (its limit is about e^709)."""
    z, labels = _logits(2, 4)
    return z.astype(np.float64) + 1000, labels


SOFTMAX_CE_CASES = [
    Case("6 images, 10 classes, logits of size about 3", _logits(0, 6)),
    Case("a batch of one", _logits(1, 1)),
    Case("logits near 1000 (e^1000 overflows)", _near_1000()),
    Case("two rows about 1,500 apart", _far_apart_rows()),
    Case("all-zero logits: every class equally likely", (np.zeros((3, 10), np.float32), np.array([0, 4, 9]))),
    Case("float32 logits 120 apart, the label on the low one: p_y ≈ e^-120, below float32's smallest number",
         (np.array([[0.0, 120.0, 60.0], [1.0, 2.0, 3.0]], np.float32), np.array([0, 2]))),
]


def _naive(z: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """The formula without any shift: overflows to inf/nan for large logits."""
    with np.errstate(all="ignore"):
        e = np.exp(z.astype(np.float64))
        p = e / e.sum(axis=1, keepdims=True)
        rows = np.arange(len(z))
        grad = p.copy()
        grad[rows, labels] -= 1
        return float(-np.log(p[rows, labels]).mean()), (grad / len(z)).astype(z.dtype)


def _without_batch_mean(z: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    loss, grad = _softmax_cross_entropy(z, labels)
    return loss * len(z), grad * len(z)


SOFTMAX_CE_MISTAKES = [
    Mistake.returns("the gradient has the wrong sign: ∂L/∂z = p − onehot(y) (probabilities minus the truth), "
                    "divided by the batch size.",
                    lambda z, y: (_softmax_cross_entropy(z, y)[0], -_softmax_cross_entropy(z, y)[1])),
    Mistake.returns("the gradient is not divided by the batch size B: the loss is a mean over the batch, so "
                    "its gradient is (p − onehot(y)) / B.",
                    lambda z, y: (_softmax_cross_entropy(z, y)[0], _softmax_cross_entropy(z, y)[1] * len(z))),
    Mistake.returns("the loss and the gradient are sums over the batch: divide both by B (the loss is the "
                    "MEAN of −log p_y).", _without_batch_mean),
    Mistake("nan or inf in your answer: e^z overflows for large logits. Subtract each row's maximum before "
            "exponentiating, z − z.max(axis=1, keepdims=True): it changes nothing mathematically.",
            lambda got, exp, case: case.label.startswith("logits near 1000") and not _finite(got)),
    Mistake("your loss is inf where p_y ≈ e^-120 is smaller than float32's smallest number (≈ e^-103): a "
            "probability formed first rounds to 0 there, and log(0) = −inf. Take the log analytically: "
            "log p_y = (z_y − m) − log Σ_k e^{z_k − m}, which never forms p_y.",
            lambda got, exp, case: case.label.startswith("float32 logits 120") and not _finite(got)),
    Mistake("one row broke while the others are right: subtract each ROW's maximum (axis=1, keepdims=True), "
            "not the maximum of the whole batch — rows far apart underflow to log(0).",
            lambda got, exp, case: case.label.startswith("two rows") and not _finite(got)),
]


def _finite(answer: object) -> bool:
    """True unless answer is a (loss, grad) pair holding a nan or an inf."""
    return not isinstance(answer, tuple) or len(answer) != 2 or bool(
        np.isfinite(answer[0]) and np.all(np.isfinite(answer[1])))


def check_softmax_cross_entropy(
    softmax_cross_entropy: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]],
) -> None:
    """Exercise 1: (logits (B, k), labels (B,)) -> (mean loss, dL/dlogits (B, k))."""
    check("Exercise 1 (softmax cross-entropy)", softmax_cross_entropy, _softmax_cross_entropy,
          SOFTMAX_CE_CASES, SOFTMAX_CE_MISTAKES)


# ---------------------------------------------------------------- exercise 2: standardize with training stats


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
    Mistake("all your standardized training values are ≥ 0, but standardized data has mean 0: "
            "standardizing means (x − mean) / std, not a scaling into [0, 1] (such as x / 255).",
            lambda got, exp, case: isinstance(got, tuple) and float(np.min(got[0])) >= 0),
    Mistake("this exercise asks for ONE mean and ONE standard deviation over all training pixels "
            "(x.mean(), x.std()), as course_lib does. Statistics per pixel (axis=0) are a legitimate "
            "alternative elsewhere (they need care for pixels that are always 0); per image (axis=1) would "
            "use each test image's own numbers.",
            lambda got, exp, case: any(np.allclose(np.mean(got[0], axis=axis), 0, atol=1e-4)
                                       for axis in (0, 1))),
]


def check_standardize(standardize: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]) -> None:
    """Exercise 2: (x_train, x_other) -> both standardized with the mean and std of all of x_train."""
    check("Exercise 2 (standardize)", standardize, _standardize, STANDARDIZE_CASES, STANDARDIZE_MISTAKES)
