"""Tests for course_lib.course.checks.nb04: right answers pass, usual wrong answers get their hint."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb04 as checks


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ------------------------------------------------------------------------------- dense_backward


def test_dense_backward_correct_answer_passes(capsys):
    checks.check_dense_backward(lambda x, W, g: (g @ W.T, x.T @ g, g.sum(axis=0)))
    assert "passes all 5 cases" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x, W, g: (g @ W.T, x.T @ g, g.sum()), "one number per output unit"),
    (lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0)), "not a mean"),
    (lambda x, W, g: (g @ W.T, g.T @ x, g.sum(axis=0)), r"x.T @ grad_out, not grad_out.T @ x"),
    (lambda x, W, g: (g @ W, x.T @ g, g.sum(axis=0)), r"grad_out @ W.T, not grad_out @ W"),
    (lambda x, W, g: (x.T @ g, g @ W.T, g.sum(axis=0)), r"order \(dx, dW, db\)"),
    (lambda x, W, g: None, "forget the `return`"),
])
def test_dense_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_dense_backward(wrong)


def test_dense_backward_placeholder_says_not_written_yet():
    def dense_backward(x, W, grad_out):
        raise NotImplementedError("write dense_backward")
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_dense_backward(dense_backward)


def test_dense_backward_modifying_inputs_in_place_does_not_fool_the_check(capsys):
    def dense_backward(x, W, g):
        dx, dW, db = g @ W.T, x.T @ g, g.sum(axis=0)
        g *= 0
        return dx, dW, db
    checks.check_dense_backward(dense_backward)
    assert "passes" in capsys.readouterr().out


# ----------------------------------------------------------------------------- sigmoid_backward


def test_sigmoid_backward_correct_answer_passes(capsys):
    checks.check_sigmoid_backward(lambda s, g: g * s * (1 - s))
    assert "passes all 6 cases" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda s, g: g * sigmoid(s) * (1 - sigmoid(s)), "do not apply σ to s again"),
    (lambda s, g: s * (1 - s), "multiply by grad_out"),
    (lambda s, g: g * s, "both factors"),
    (lambda s, g: g * (1 - s), "both factors"),
])
def test_sigmoid_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_sigmoid_backward(wrong)


def test_sigmoid_backward_placeholder_says_not_written_yet():
    def sigmoid_backward(s, grad_out):
        raise NotImplementedError
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_sigmoid_backward(sigmoid_backward)


# -------------------------------------------------------------------------------- backprop_step


def make_step(*, sign=1.0, divide=True, two=2.0, stale=False, bias_axis=0):
    """A backprop_step written the right way by default; each keyword reproduces one mistake."""
    def backprop_step(params, x, y, lr):
        W1, b1, W2, b2 = params
        h = sigmoid(x @ W1 + b1)
        out = sigmoid(h @ W2 + b2)
        d2 = two * (out - y) / (len(x) if divide else 1) * out * (1 - out)
        dW2, db2 = h.T @ d2, d2.sum(axis=bias_axis)
        if stale:
            W2 = W2 - sign * lr * dW2
        d1 = (d2 @ W2.T) * h * (1 - h)
        dW1, db1 = x.T @ d1, d1.sum(axis=bias_axis)
        if stale:
            return W1 - sign * lr * dW1, b1 - sign * lr * db1, W2, b2 - sign * lr * db2
        return tuple(p - sign * lr * g for p, g in zip(params, (dW1, db1, dW2, db2), strict=True))
    return backprop_step


def test_backprop_step_correct_answer_passes(capsys):
    checks.check_backprop_step(make_step())
    assert "passes all 5 cases" in capsys.readouterr().out


def test_backprop_step_matches_one_step_of_the_library_network():
    from course_lib.toy_data import xor
    from course_lib.network import Network

    x, y = xor()
    net = Network([2, 3, 1], activation="sigmoid", learning_rate=0.5, seed=3, dtype=np.float64)
    before = tuple(p.copy() for _, _, p, _ in net.parameters())
    net.back_propagate(x, y)
    after = checks._reference_step(before, x.astype(float), y.astype(float), 0.5)
    for mine, library in zip(after, (p for _, _, p, _ in net.parameters()), strict=True):
        assert np.allclose(mine, library, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("wrong", "hint"), [
    (make_step(bias_axis=None), "summed to a single number"),
    (make_step(sign=-1.0), "uphill"),
    (make_step(divide=False), "divide by the batch size"),
    (make_step(two=1.0), "factor 2 is missing"),
    (make_step(stale=True), "as it was in the forward pass"),
])
def test_backprop_step_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_backprop_step(wrong)


def test_backprop_step_placeholder_says_not_written_yet():
    def backprop_step(params, x, y, lr):
        raise NotImplementedError
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_backprop_step(backprop_step)
