"""Checks for notebook 04 (backpropagation): `sigmoid_backward`, `dense_backward`, `fixed_backward`,
`backprop_step`.

Each check runs the learner's function on several cases (a batch of one, zeros, saturated or large
values included) and recognizes the usual mistakes: a bias gradient summed to one number, a transposed
weight gradient, the sigmoid applied twice, a missing factor, a step uphill, weights updated too early,
and, for the find-the-bug exercise, each bug of the given backward pass left in. Answers with one entry
per layer are compared output layer first, the order in which backpropagation computes them, so that
a mistake is reported where it starts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, close, normal, sigmoid


def _output_first(function: Callable) -> Callable:
    """Wrap a function returning (W1-like, b1-like, W2-like, b2-like) to return them output layer first."""

    @functools.wraps(function)
    def reordered(*args, **kwargs):
        got = function(*args, **kwargs)
        return (got[2], got[3], got[0], got[1]) if isinstance(got, tuple) and len(got) == 4 else got

    return reordered


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
    Mistake("db must have the shape of b, (n_out,): `keepdims=True` leaves a batch axis of size 1; drop it.",
            lambda got, exp, case: np.shape(got[2]) == (1, *np.shape(exp[2]))),
    Mistake("db has one number per output unit: sum grad_out over the batch axis (axis=0); axis=1 adds up "
            "the units of each sample instead.",
            lambda got, exp, case: close(got[2], case.args[2].sum(axis=1), case)),
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
    Mistake.returns("s is already the sigmoid's output σ(z), not z: applying σ to it again computes the "
                    "slope at the wrong point. Express σ′(z) through σ(z) itself.",
                    lambda s, g: _sigmoid_backward(sigmoid(s), g)),
    Mistake.returns("your answer is the local slope alone: the chain rule also scales it by the gradient "
                    "that arrives from above, grad_out.", lambda s, g: s * (1 - s)),
    Mistake.returns("one factor of the slope is missing: differentiate σ(z) = 1 / (1 + e^{−z}) and write "
                    "e^{−z} in terms of σ(z); you should find two factors.",
                    lambda s, g: g * s, lambda s, g: g * (1 - s)),
    Mistake.returns("the sign is flipped: σ is increasing, so its slope is never negative. Check the order "
                    "of the two terms in your difference.",
                    lambda s, g: g * s * (s - 1)),
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


def _params(seed: int, n_hidden: int = 3, scale: float = 1.0, n_in: int = 2) -> tuple:
    rng = np.random.default_rng(seed)
    return tuple(normal(rng, shape, scale) for shape in ((n_in, n_hidden), n_hidden, (n_hidden, 1), 1))


_XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])

STEP_CASES = [
    Case("XOR, lr 0.5", (_params(30), _XOR_X, _XOR_Y, 0.5)),
    Case("a batch of one", (_params(31), _XOR_X[1:2], _XOR_Y[1:2], 0.5)),
    Case("lr 0: nothing may change", (_params(32), _XOR_X, _XOR_Y, 0.0)),
    Case("8 random points, 5 hidden units", (_params(33, n_hidden=5), normal(34, (8, 2)),
                                             (normal(35, (8, 1)) > 0).astype(float), 2.0)),
    Case("large weights (saturated sigmoids)", (_params(36, scale=10.0), _XOR_X, _XOR_Y, 0.5)),
    Case("3 input features, batch of 6", (_params(37, n_in=3), normal(38, (6, 3)),
                                          (normal(39, (6, 1)) > 0).astype(float), 1.0)),
]


def _wrong_step(**mistake: float | bool) -> Callable:
    """_backprop_step with one mistake switched on, answering output layer first like the check compares."""
    return _output_first(functools.partial(_backprop_step, **mistake))


STEP_MISTAKES = [
    Mistake("the bias gradients need one number per unit: sum the deltas over the batch axis only "
            "(axis=0). A bias gradient summed to a single number is the classic bug of this notebook.",
            lambda got, exp, case: np.ndim(got[3]) == 0
            or close(got, _wrong_step(bias_total=True)(*case.args), case)),
    Mistake.returns("this step goes uphill: gradient descent subtracts lr × gradient from each parameter.",
                    _wrong_step(sign=-1.0)),
    Mistake.returns("divide by the batch size: the loss is the mean over the batch, so "
                    "dL/dŷ = 2 (ŷ − y) / B.",
                    lambda params, x, y, lr: _wrong_step(loss_scale=len(x))(params, x, y, lr)),
    Mistake.returns("the derivative of (ŷ − y)² is 2 (ŷ − y): the factor 2 is missing.",
                    _wrong_step(loss_scale=0.5)),
    Mistake.returns("the loss is a mean over the B samples of the batch: divide by B = len(x), not by x.size "
                    "(which counts B × the number of features).",
                    lambda params, x, y, lr: _wrong_step(loss_scale=len(x) / x.size)(params, x, y, lr)),
    Mistake.returns("the hidden layer's error must travel back through W2 as it was in the forward pass. "
                    "Compute every gradient first, then update all the parameters.",
                    _wrong_step(stale=True)),
]


def check_backprop_step(backprop_step: Callable) -> None:
    """backprop_step((W1, b1, W2, b2), x (B, 2), y (B, 1), lr) -> the updated (W1, b1, W2, b2).

    Compared output layer first, (W2, b2, W1, b1): an error that starts at the output is reported there.
    """
    check("backprop_step (compared output layer first: item 0 = W2, 1 = b2, 2 = W1, 3 = b1)",
          _output_first(backprop_step), _output_first(_backprop_step), STEP_CASES, STEP_MISTAKES)


# ------------------------------------------------------------------------------- fixed_backward


def _tanh_backward(x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, grad_logits: np.ndarray,
                   *, slope_of_z: bool = False, bias_mean: bool = False) -> tuple:
    """Gradients of z = x W1 + b1, h = tanh(z), logits = h W2 + b2; the knobs put the given bugs back."""
    z = x @ W1 + b1
    h = np.tanh(z)
    dz = (grad_logits @ W2.T) * (1 - (z if slope_of_z else h) ** 2)
    db1 = dz.mean(axis=0) if bias_mean else dz.sum(axis=0)
    return x.T @ dz, db1, h.T @ grad_logits, grad_logits.sum(axis=0)


def _tanh_case(seed: int, batch: int, n_in: int, hidden: int, n_out: int, scale: float = 1.0) -> tuple:
    rng = np.random.default_rng(seed)
    return (normal(rng, (batch, n_in)), normal(rng, (n_in, hidden), scale), normal(rng, hidden),
            normal(rng, (hidden, n_out)), normal(rng, (batch, n_out)))


FIXED_CASES = [
    Case("a batch of 6, 3 inputs, 4 hidden units, 2 outputs", _tanh_case(40, 6, 3, 4, 2)),
    Case("a batch of one", _tanh_case(41, 1, 2, 3, 2)),
    Case("saturated hidden units (large W1)", _tanh_case(42, 5, 3, 4, 3, scale=5.0)),
    Case("a wide hidden layer, batch of 16", _tanh_case(43, 16, 4, 32, 5)),
]

def _with_slope(x, W1, b1, W2, grad_logits, slope: Callable[[np.ndarray], np.ndarray]) -> tuple:
    h = np.tanh(x @ W1 + b1)
    dz = (grad_logits @ W2.T) * slope(h)
    return x.T @ dz, dz.sum(axis=0), h.T @ grad_logits, grad_logits.sum(axis=0)


FIXED_MISTAKES = [
    Mistake.returns("nothing was fixed yet: run a per-layer gradient check (section 3) on the hidden layer "
                    "and on the bias, and look at what each line uses.",
                    _output_first(functools.partial(_tanh_backward, slope_of_z=True, bias_mean=True))),
    Mistake.returns("the slope of tanh is 1 − tanh(z)², written with the OUTPUT h = tanh(z): 1 − h², not "
                    "1 − z².", _output_first(functools.partial(_tanh_backward, slope_of_z=True))),
    Mistake.returns("db1 is a sum over the batch, like db2: each sample's error adds to the bias's gradient. "
                    "A mean divides by the batch size a second time.",
                    _output_first(functools.partial(_tanh_backward, bias_mean=True))),
    Mistake.returns("1 − h is not tanh's slope (nor h (1 − h), the sigmoid's): d tanh(z)/dz = 1 − h².",
                    _output_first(functools.partial(_with_slope, slope=lambda h: 1 - h)),
                    _output_first(functools.partial(_with_slope, slope=lambda h: h * (1 - h)))),
]


def check_fixed_backward(fixed_backward: Callable) -> None:
    """fixed_backward(x, W1, b1, W2, grad_logits) -> (dW1, db1, dW2, db2) of the two-layer tanh network.

    Compared output layer first, (dW2, db2, dW1, db1).
    """
    check("fixed_backward (compared output layer first: item 0 = dW2, 1 = db2, 2 = dW1, 3 = db1)",
          _output_first(fixed_backward), _output_first(_tanh_backward), FIXED_CASES, FIXED_MISTAKES)

