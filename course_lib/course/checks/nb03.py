"""Exercise checks for notebook 03 (chain rule).

Each check runs the learner's function on several cases, edge cases included, and recognizes the
usual wrong answers to give a hint. Use: ``from course_lib.course.checks import nb03 as checks``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, normal, sigmoid, softmax

# ---------- centered_difference(f, x, h) ----------


def _centered(f: Callable, x: float | np.ndarray, h: float) -> float | np.ndarray:
    return (f(x + h) - f(x - h)) / (2 * h)


def _square(x: np.ndarray) -> np.ndarray:
    return x * x


_CENTERED_CASES = [
    Case("sin at x = 1, h = 1e-5", (np.sin, 1.0, 1e-5)),
    Case("x² at x = 0 (a forward difference gives h here, not 0)", (_square, 0.0, 1e-3)),
    Case("exp at x = 0 with a large step h = 0.5", (np.exp, 0.0, 0.5)),
    Case("tanh on an array of five points", (np.tanh, np.linspace(-2.0, 2.0, 5), 1e-4)),
    Case("a large x = 1000 for sin, h = 1e-3", (np.sin, 1000.0, 1e-3)),
]


_CENTERED_MISTAKES = [
    Mistake.returns("this is the forward difference (f(x + h) − f(x)) / h. Step to both sides: "
                    "f(x + h) − f(x − h).", lambda f, x, h: (f(x + h) - f(x)) / h),
    Mistake.returns("this is the backward difference (f(x) − f(x − h)) / h. Use both neighbours, x + h and "
                    "x − h.", lambda f, x, h: (f(x) - f(x - h)) / h),
    Mistake.returns("your answer is twice too big: the two points x − h and x + h are 2h apart, so divide by "
                    "2h.", lambda f, x, h: 2 * _centered(f, x, h)),
    Mistake.returns("your answer has the wrong sign: subtract f(x − h) from f(x + h), not the other way "
                    "round.", lambda f, x, h: -_centered(f, x, h)),
    Mistake.returns("check the brackets: `a - b / 2 * h` divides only b, and multiplies by h. "
                    "Write (a − b) / (2 * h).", lambda f, x, h: f(x + h) - f(x - h) / 2 * h),
]


def check_centered_difference(function: Callable) -> None:
    """Check centered_difference(f, x, h) ≈ (f(x + h) − f(x − h)) / 2h, for scalar and array x."""
    check("Exercise 1 (centered difference)", function, _centered, _CENTERED_CASES, _CENTERED_MISTAKES)


# ---------- sigmoid_backward(x, grad_out) ----------


def _sigmoid_prime(x: np.ndarray) -> np.ndarray:
    s = sigmoid(x)
    return s * (1 - s)


def _sigmoid_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    return grad_out * _sigmoid_prime(x)


_RNG = np.random.default_rng(3)
_SIGMOID_CASES = [
    Case("a batch of 4 with 3 units", (normal(_RNG, (4, 3), scale=2), normal(_RNG, (4, 3)))),
    Case("x = 0, grad_out = 1 (the answer is 0.25 everywhere)", (np.zeros((2, 3)), np.ones((2, 3)))),
    Case("large |x| = 50, where σ saturates", (np.array([[-50.0, 50.0, 0.5]]), np.array([[2.0, 3.0, 1.0]]))),
    Case("a batch of one, float32", (np.array([[0.3, -1.2, 2.5, 0.0]], dtype=np.float32),
                                     np.array([[1.0, -2.0, 0.5, 4.0]], dtype=np.float32))),
]

_SIGMOID_MISTAKES = [
    Mistake.returns("you returned the local gradient σ′(x) alone. Backward must multiply it by grad_out "
                    "(the chain rule: upstream gradient × local gradient).", lambda x, g: _sigmoid_prime(x)),
    Mistake.returns("you used x (1 − x). The formula is s (1 − s) with s = σ(x), the sigmoid's OUTPUT.",
                    lambda x, g: g * x * (1 - x)),
    Mistake.returns("you multiplied grad_out by σ(x) itself. The derivative of σ is σ(x) (1 − σ(x)).",
                    lambda x, g: g * sigmoid(x)),
    Mistake.returns("the sign is off: σ′(x) = σ(x) (1 − σ(x)) is never negative.",
                    lambda x, g: -_sigmoid_backward(x, g)),
]


def check_sigmoid_backward(function: Callable) -> None:
    """Check sigmoid_backward(x, grad_out) = grad_out ⊙ σ(x)(1 − σ(x)), shape of x."""
    check("Exercise 2 (sigmoid backward)", function, _sigmoid_backward, _SIGMOID_CASES, _SIGMOID_MISTAKES)


# ---------- softmax_cross_entropy_grad(logits, labels) ----------


def _sce_grad(logits: np.ndarray, labels: np.ndarray, all_rows: bool = False) -> np.ndarray:
    """(softmax(logits) − onehot(labels)) / batch; ``all_rows`` subtracts at every label in every row."""
    subtract = np.zeros(logits.shape)
    subtract[slice(None) if all_rows else np.arange(len(labels)), labels] = 1
    return (softmax(logits) - subtract) / len(logits)


_RNG = np.random.default_rng(4)
_SCE_CASES = [
    Case("a batch of 3 with 4 classes", (normal(_RNG, (3, 4)), np.array([0, 3, 1]))),
    Case("a batch of one", (np.array([[2.0, -1.0, 0.5]]), np.array([2]))),
    Case("all-zero logits (softmax is uniform)", (np.zeros((2, 5)), np.array([4, 0]))),
    Case("large logits around 1000 (needs the max subtracted)",
         (np.array([[1000.0, 990.0, 1001.0], [-1000.0, 0.0, 1000.0]]), np.array([1, 2]))),
    Case("float32 logits, batch of 6", (normal(_RNG, (6, 3), scale=3).astype(np.float32),
                                        np.array([0, 1, 2, 2, 1, 0]))),
]

_SCE_MISTAKES = [
    Mistake("you got NaN: e^1000 overflows. Subtract each row's max from the logits before exp "
            "(it changes nothing mathematically).",
            lambda got, exp, case: np.isnan(np.asarray(got, dtype=float)).any()),
    Mistake.returns("the loss is the MEAN over the batch, so the gradient is (p − onehot) / batch. "
                    "You forgot to divide by the batch size.", lambda z, y: _sce_grad(z, y) * len(z)),
    Mistake.returns("divide by the batch size only, not by batch × classes: the loss averages over samples, "
                    "and each sample's loss already sums over its classes.",
                    lambda z, y: _sce_grad(z, y) / z.shape[1]),
    Mistake.returns("the sign is flipped: the gradient is p − onehot (raise the wrong classes' logits' "
                    "gradient), not onehot − p.", lambda z, y: -_sce_grad(z, y)),
    Mistake.returns("you returned the softmax probabilities without subtracting the one-hot labels.",
                    lambda z, y: softmax(z) / len(z), lambda z, y: softmax(z)),
    Mistake.returns("`p[:, labels] -= 1` subtracts 1 in EVERY row at every label's column. Pair each row "
                    "with its own label: p[np.arange(batch), labels] -= 1.",
                    lambda z, y: _sce_grad(z, y, all_rows=True)),
]


def check_softmax_cross_entropy_grad(function: Callable) -> None:
    """Check softmax_cross_entropy_grad(logits, labels) = (softmax(logits) − onehot(labels)) / batch."""
    check("Exercise 3 (softmax cross-entropy gradient)", function, _sce_grad, _SCE_CASES, _SCE_MISTAKES)
