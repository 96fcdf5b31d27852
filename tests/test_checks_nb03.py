"""Tests for course_lib.course.checks.nb03: right answers pass, usual wrong answers get their hint."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.activations import sigmoid
from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb03 as checks


def test_centered_difference_correct_answer_passes(capsys):
    checks.check_centered_difference(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda f, x, h: (f(x + h) - f(x)) / h, "forward difference"),
    (lambda f, x, h: (f(x) - f(x - h)) / h, "backward difference"),
    (lambda f, x, h: (f(x + h) - f(x - h)) / h, "twice too big"),
    (lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h), "wrong sign"),
    (lambda f, x, h: f(x + h) - f(x - h) / 2 * h, "brackets"),
])
def test_centered_difference_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_centered_difference(wrong)


def test_centered_difference_placeholder_says_not_written_yet():
    def centered_difference(f, x, h):
        raise NotImplementedError("write the centered difference")
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_centered_difference(centered_difference)


def test_sigmoid_backward_correct_answer_passes(capsys):
    def sigmoid_backward(x, grad_out):
        s = 1 / (1 + np.exp(-x))
        return grad_out * s * (1 - s)
    checks.check_sigmoid_backward(sigmoid_backward)
    assert "passes all 4 cases" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x, g: sigmoid(x) * (1 - sigmoid(x)), "multiply it by grad_out"),
    (lambda x, g: g * x * (1 - x), "OUTPUT"),
    (lambda x, g: g * sigmoid(x), r"derivative of σ is σ\(x\) \(1 − σ\(x\)\)"),
    (lambda x, g: -g * sigmoid(x) * (1 - sigmoid(x)), "never negative"),
])
def test_sigmoid_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_sigmoid_backward(wrong)


def test_sigmoid_backward_placeholder_says_not_written_yet():
    def sigmoid_backward(x, grad_out):
        raise NotImplementedError
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_sigmoid_backward(sigmoid_backward)


def _softmax(z, shift=True):
    e = np.exp(z - z.max(axis=1, keepdims=True)) if shift else np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _right(logits, labels):
    p = _softmax(logits)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)


def test_softmax_cross_entropy_grad_correct_answer_passes(capsys):
    checks.check_softmax_cross_entropy_grad(_right)
    assert "passes all 5 cases" in capsys.readouterr().out


def _no_shift(logits, labels):
    with np.errstate(over="ignore", invalid="ignore"):
        p = _softmax(logits, shift=False)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)


def _all_rows(logits, labels):
    p = _softmax(logits)
    p[:, labels] -= 1
    return p / len(labels)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda z, y: _right(z, y) * len(y), "forgot to divide by the batch size"),
    (lambda z, y: _right(z, y) / z.shape[1], "not by batch × classes"),
    (lambda z, y: -_right(z, y), "sign is flipped"),
    (lambda z, y: _softmax(z) / len(y), "without subtracting the one-hot"),
    (_no_shift, "overflows"),
    (_all_rows, "EVERY row"),
])
def test_softmax_cross_entropy_grad_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_softmax_cross_entropy_grad(wrong)


def test_softmax_cross_entropy_grad_placeholder_says_not_written_yet():
    def softmax_cross_entropy_grad(logits, labels):
        raise NotImplementedError
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_softmax_cross_entropy_grad(softmax_cross_entropy_grad)


def test_checks_do_not_show_solution_code():
    with pytest.raises(ExerciseError) as info:
        checks.check_softmax_cross_entropy_grad(lambda z, y: np.zeros_like(z))
    assert "def " not in str(info.value) and "return" not in str(info.value)
