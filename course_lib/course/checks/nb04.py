"""Checks for notebook 04 (backpropagation): `dense_backward`, `sigmoid_backward`, `backprop_step`.

Each check runs the learner's function on several cases (a batch of one, zeros, saturated or large
values included) and recognizes the usual mistakes: a bias gradient summed to one number, a transposed
weight gradient, the sigmoid applied twice, a missing factor, a step uphill, weights updated too early.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, close, normal, sigmoid

# ------------------------------------------------------------------------------- dense_backward


def _dense_backward(x: np.ndarray, W: np.ndarray, grad_out: np.ndarray) -> tuple:
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)


DENSE_CASES = [
    Case("a square W (3, 3), batch of 5", (normal(4, (5, 3)), normal(5, (3, 3)), normal(6, (5, 3)))),
    Case("a batch of 4, W of shape (2, 3)", (normal(1, (4, 2)), normal(2, (2, 3)), normal(3, (4, 3)))),
    Case("a batch of one", (normal(7, (1, 3)), normal(8, (3, 2)), normal(9, (1, 2)))),
    Case("grad_out all zeros", (normal(10, (4, 2)), normal(11, (2, 3)), np.zeros((4, 3)))),
    Case("large values", (normal(12, (6, 4), 1e3), normal(13, (4, 2), 1e3), normal(14, (6, 2), 1e3))),
]

DENSE_MISTAKES = [
    Mistake("db must hold one number per output unit, shape (n_out,): sum grad_out over the batch axis "
            "only (axis=0), not over every entry.",
            lambda got, exp, case: np.ndim(got[2]) == 0 and np.isclose(got[2], exp[2].sum())),
    Mistake("db is a sum over the batch, not a mean: the loss already divided by the batch size when it "
            "produced grad_out, so dividing again makes the bias learn too slowly.",
            lambda got, exp, case: len(case.args[0]) > 1 and close(np.asarray(got[2]) * len(case.args[0]),
                                                                    exp[2], case)),
    Mistake("dW must have the shape of W, (n_in, n_out): it is x.T @ grad_out, not grad_out.T @ x.",
            lambda got, exp, case: close(np.transpose(got[1]), exp[1], case)),
    Mistake("dx sends the gradient back through W the other way round: grad_out @ W.T, not grad_out @ W.",
            lambda got, exp, case: close(got[0], case.args[2] @ case.args[1], case)),
    Mistake("return the three gradients in the order (dx, dW, db).",
            lambda got, exp, case: close(got[0], exp[1], case) or close(got[1], exp[0], case)),
]


def check_dense_backward(dense_backward: Callable) -> None:
    """dense_backward(x (B, n_in), W (n_in, n_out), grad_out (B, n_out)) -> (dx, dW, db)."""
    check("dense_backward", dense_backward, _dense_backward, DENSE_CASES, DENSE_MISTAKES)


# ----------------------------------------------------------------------------- sigmoid_backward


def _sigmoid_backward(s: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    return grad_out * s * (1 - s)


SIGMOID_CASES = [
    Case("a batch of 4 with 3 units", (sigmoid(normal(20, (4, 3))), normal(21, (4, 3)))),
    Case("a batch of one", (sigmoid(normal(22, (1, 5))), normal(23, (1, 5)))),
    Case("s = 0.5 everywhere (the steepest point)", (np.full((2, 3), 0.5), normal(24, (2, 3)))),
    Case("saturated units, s = 0 or 1", (np.array([[0.0, 1.0], [1.0, 0.0]]), np.ones((2, 2)))),
    Case("grad_out all zeros", (sigmoid(normal(25, (3, 2))), np.zeros((3, 2)))),
    Case("large grad_out", (sigmoid(normal(26, (3, 4))), normal(27, (3, 4), scale=1e4))),
]

SIGMOID_MISTAKES = [
    Mistake.returns("s is already the sigmoid's output σ(z), so the slope is s (1 − s): do not apply σ to s "
                    "again.", lambda s, g: _sigmoid_backward(sigmoid(s), g)),
    Mistake.returns("multiply by grad_out: the chain rule scales the local slope s (1 − s) by the gradient "
                    "that arrives from above.", lambda s, g: s * (1 - s)),
    Mistake.returns("the slope of σ is s (1 − s), both factors: check which one is missing.",
                    lambda s, g: g * s, lambda s, g: g * (1 - s)),
]


def check_sigmoid_backward(sigmoid_backward: Callable) -> None:
    """sigmoid_backward(s, grad_out) -> grad_in, all of one shape; s is the sigmoid's output."""
    check("sigmoid_backward", sigmoid_backward, _sigmoid_backward, SIGMOID_CASES, SIGMOID_MISTAKES)


# -------------------------------------------------------------------------------- backprop_step


def _backprop_step(params: tuple, x: np.ndarray, y: np.ndarray, lr: float, *, sign: float = 1.0,
          loss_scale: float = 1.0, stale: bool = False, bias_total: bool = False) -> tuple:
    """One gradient step on L = mean over the batch of Σ (ŷ − y)², with knobs that reproduce mistakes."""
    W1, b1, W2, b2 = params
    h = sigmoid(x @ W1 + b1)
    out = sigmoid(h @ W2 + b2)
    d2 = loss_scale * 2 * (out - y) / len(x) * out * (1 - out)
    dW2, db2 = h.T @ d2, d2.sum(axis=0)
    W2_back = W2 - sign * lr * dW2 if stale else W2
    d1 = (d2 @ W2_back.T) * h * (1 - h)
    dW1, db1 = x.T @ d1, (d1.sum() if bias_total else d1.sum(axis=0))
    return tuple(p - sign * lr * g for p, g in zip(params, (dW1, db1, dW2, db2), strict=True))


def _params(seed: int, n_hidden: int = 3, scale: float = 1.0) -> tuple:
    rng = np.random.default_rng(seed)
    return tuple(normal(rng, shape, scale) for shape in ((2, n_hidden), n_hidden, (n_hidden, 1), 1))


_XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])

STEP_CASES = [
    Case("XOR, lr 0.5", (_params(30), _XOR_X, _XOR_Y, 0.5)),
    Case("a batch of one", (_params(31), _XOR_X[1:2], _XOR_Y[1:2], 0.5)),
    Case("lr 0: nothing may change", (_params(32), _XOR_X, _XOR_Y, 0.0)),
    Case("8 random points, 5 hidden units", (_params(33, n_hidden=5), normal(34, (8, 2)),
                                             (normal(35, (8, 1)) > 0).astype(float), 2.0)),
    Case("large weights (saturated sigmoids)", (_params(36, scale=10.0), _XOR_X, _XOR_Y, 0.5)),
]


STEP_MISTAKES = [
    Mistake("the bias gradients need one number per unit: sum the deltas over the batch axis only "
            "(axis=0). A bias gradient summed to a single number is the classic bug of this notebook.",
            lambda got, exp, case: np.ndim(got[1]) == 0
            or close(got, _backprop_step(*case.args, bias_total=True), case)),
    Mistake.returns("this step goes uphill: gradient descent subtracts lr × gradient from each parameter.",
                    partial(_backprop_step, sign=-1.0)),
    Mistake.returns("divide by the batch size: the loss is the mean over the batch, so "
                    "dL/dŷ = 2 (ŷ − y) / B.",
                    lambda params, x, y, lr: _backprop_step(params, x, y, lr, loss_scale=len(x))),
    Mistake.returns("the derivative of (ŷ − y)² is 2 (ŷ − y): the factor 2 is missing.",
                    partial(_backprop_step, loss_scale=0.5)),
    Mistake.returns("the hidden layer's error must travel back through W2 as it was in the forward pass. "
                    "Compute every gradient first, then update all the parameters.",
                    partial(_backprop_step, stale=True)),
]


def check_backprop_step(backprop_step: Callable) -> None:
    """backprop_step((W1, b1, W2, b2), x (B, 2), y (B, 1), lr) -> the updated (W1, b1, W2, b2)."""
    check("backprop_step", backprop_step, _backprop_step, STEP_CASES, STEP_MISTAKES)
