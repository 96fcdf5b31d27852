"""Exercise checks for notebook 03 (chain rule).

Each check runs the learner's function on several cases, edge cases included, and recognizes the
usual wrong answers to give a hint. Use: ``from course_lib.course.checks import nb03 as checks``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.activations import sigmoid, sigmoid_prime
from course_lib.course.checks._core import Case, Mistake, check
from course_lib.losses import softmax_cross_entropy

# ---------- centered_difference(f, x, h) ----------


def _centered(f: Callable, x: float | np.ndarray, h: float) -> float | np.ndarray:
    return (f(x + h) - f(x - h)) / (2 * h)


def _near(got: object, value: object) -> bool:
    got, value = np.asarray(got, dtype=float), np.asarray(value, dtype=float)
    return bool(np.allclose(got, value, rtol=1e-6, atol=1e-9))


def _square(x: np.ndarray) -> np.ndarray:
    return x * x


_CENTERED_CASES = [
    Case("sin at x = 1, h = 1e-5", (np.sin, 1.0, 1e-5)),
    Case("x² at x = 0 (a forward difference gives h here, not 0)", (_square, 0.0, 1e-3)),
    Case("exp at x = 0 with a large step h = 0.5", (np.exp, 0.0, 0.5)),
    Case("tanh on an array of five points", (np.tanh, np.linspace(-2.0, 2.0, 5), 1e-4)),
    Case("a large x = 1000 for sin, h = 1e-3", (np.sin, 1000.0, 1e-3)),
]

def _forward(f: Callable, x: float | np.ndarray, h: float) -> float | np.ndarray:
    return (f(x + h) - f(x)) / h


def _backward(f: Callable, x: float | np.ndarray, h: float) -> float | np.ndarray:
    return (f(x) - f(x - h)) / h


def _unbracketed(f: Callable, x: float | np.ndarray, h: float) -> float | np.ndarray:
    return f(x + h) - f(x - h) / 2 * h


_CENTERED_MISTAKES = [
    Mistake("this is the forward difference (f(x + h) − f(x)) / h. Step to both sides: "
            "f(x + h) − f(x − h).",
            lambda got, exp, case: _near(got, _forward(*case.args))),
    Mistake("this is the backward difference (f(x) − f(x − h)) / h. Use both neighbours, x + h and x − h.",
            lambda got, exp, case: _near(got, _backward(*case.args))),
    Mistake("your answer is twice too big: the two points x − h and x + h are 2h apart, so divide by 2h.",
            lambda got, exp, case: _near(got, 2 * np.asarray(exp))),
    Mistake("your answer has the wrong sign: subtract f(x − h) from f(x + h), not the other way round.",
            lambda got, exp, case: _near(got, -np.asarray(exp))),
    Mistake("check the brackets: `a - b / 2 * h` divides only b, and multiplies by h. "
            "Write (a − b) / (2 * h).",
            lambda got, exp, case: _near(got, _unbracketed(*case.args))),
]


def check_centered_difference(function: Callable) -> None:
    """Check centered_difference(f, x, h) ≈ (f(x + h) − f(x − h)) / 2h, for scalar and array x."""
    check("Exercise 1 (centered difference)", function, _centered, _CENTERED_CASES, _CENTERED_MISTAKES,
          rtol=1e-6, atol=1e-9)


# ---------- sigmoid_backward(x, grad_out) ----------


def _sigmoid_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    return grad_out * sigmoid_prime(x)


def _sigmoid_cases() -> list[Case]:
    rng = np.random.default_rng(3)
    x = rng.normal(0, 2, size=(4, 3))
    return [
        Case("a batch of 4 with 3 units", (x, rng.normal(size=(4, 3)))),
        Case("x = 0, grad_out = 1 (the answer is 0.25 everywhere)", (np.zeros((2, 3)), np.ones((2, 3)))),
        Case("large |x| = 50, where σ saturates",
             (np.array([[-50.0, 50.0, 0.5]]), np.array([[2.0, 3.0, 1.0]]))),
        Case("a batch of one, float32", (np.array([[0.3, -1.2, 2.5, 0.0]], dtype=np.float32),
                                         np.array([[1.0, -2.0, 0.5, 4.0]], dtype=np.float32))),
    ]


_SIGMOID_MISTAKES = [
    Mistake("you returned the local gradient σ′(x) alone. Backward must multiply it by grad_out "
            "(the chain rule: upstream gradient × local gradient).",
            lambda got, exp, case: _near(got, sigmoid_prime(case.args[0]))),
    Mistake("you used x (1 − x). The formula is s (1 − s) with s = σ(x), the sigmoid's OUTPUT.",
            lambda got, exp, case: _near(got, case.args[1] * case.args[0] * (1 - case.args[0]))),
    Mistake("you multiplied grad_out by σ(x) itself. The derivative of σ is σ(x) (1 − σ(x)).",
            lambda got, exp, case: _near(got, case.args[1] * sigmoid(case.args[0]))),
    Mistake("the sign is off: σ′(x) = σ(x) (1 − σ(x)) is never negative.",
            lambda got, exp, case: _near(got, -np.asarray(exp))),
]


def check_sigmoid_backward(function: Callable) -> None:
    """Check sigmoid_backward(x, grad_out) = grad_out ⊙ σ(x)(1 − σ(x)), shape of x."""
    check("Exercise 2 (sigmoid backward)", function, _sigmoid_backward, _sigmoid_cases(), _SIGMOID_MISTAKES,
          rtol=1e-5, atol=1e-7)


# ---------- softmax_cross_entropy_grad(logits, labels) ----------


def _sce_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return softmax_cross_entropy(logits, labels)[1]


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _label_columns(case: Case) -> np.ndarray:
    """What `p[:, labels] -= 1` subtracts: 1 in every row, at each column that appears in labels."""
    logits, labels = case.args
    columns = np.zeros(logits.shape)
    columns[:, labels] = 1
    return columns


def _has_nan(got: object) -> bool:
    return bool(np.isnan(np.asarray(got, dtype=float)).any())


def _sce_cases() -> list[Case]:
    rng = np.random.default_rng(4)
    return [
        Case("a batch of 3 with 4 classes", (rng.normal(size=(3, 4)), np.array([0, 3, 1]))),
        Case("a batch of one", (np.array([[2.0, -1.0, 0.5]]), np.array([2]))),
        Case("all-zero logits (softmax is uniform)", (np.zeros((2, 5)), np.array([4, 0]))),
        Case("large logits around 1000 (needs the max subtracted)",
             (np.array([[1000.0, 990.0, 1001.0], [-1000.0, 0.0, 1000.0]]), np.array([1, 2]))),
        Case("float32 logits, batch of 6", (rng.normal(0, 3, size=(6, 3)).astype(np.float32),
                                            np.array([0, 1, 2, 2, 1, 0]))),
    ]


_SCE_MISTAKES = [
    Mistake("you got NaN: e^1000 overflows. Subtract each row's max from the logits before exp "
            "(it changes nothing mathematically).",
            lambda got, exp, case: _has_nan(got)),
    Mistake("the loss is the MEAN over the batch, so the gradient is (p − onehot) / batch. "
            "You forgot to divide by the batch size.",
            lambda got, exp, case: _near(got, np.asarray(exp) * len(case.args[0]))),
    Mistake("divide by the batch size only, not by batch × classes: the loss averages over samples, "
            "and each sample's loss already sums over its classes.",
            lambda got, exp, case: _near(got, np.asarray(exp) / case.args[0].shape[1])),
    Mistake("the sign is flipped: the gradient is p − onehot (raise the wrong classes' logits' gradient), "
            "not onehot − p.",
            lambda got, exp, case: _near(got, -np.asarray(exp))),
    Mistake("you returned the softmax probabilities without subtracting the one-hot labels.",
            lambda got, exp, case: _near(got, _softmax(case.args[0]) / len(case.args[0]))
            or _near(got, _softmax(case.args[0]))),
    Mistake("`p[:, labels] -= 1` subtracts 1 in EVERY row at every label's column. Pair each row with its "
            "own label: p[np.arange(batch), labels] -= 1.",
            lambda got, exp, case: _near(got, (_softmax(case.args[0]) - _label_columns(case))
                                         / len(case.args[0]))),
]


def check_softmax_cross_entropy_grad(function: Callable) -> None:
    """Check softmax_cross_entropy_grad(logits, labels) = (softmax(logits) − onehot(labels)) / batch."""
    check("Exercise 3 (softmax cross-entropy gradient)", function, _sce_grad, _sce_cases(), _SCE_MISTAKES,
          rtol=1e-4, atol=1e-6)
