"""The notebook 03 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import numpy as np
import pytest

from course_lib import activations, gradcheck, losses
from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb03 as checks


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(z, shift=True):
    e = np.exp(z - z.max(axis=1, keepdims=True)) if shift else np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def right_sce_grad(logits, labels, rows=None):
    p = softmax(logits)
    p[np.arange(len(labels)) if rows is None else rows, labels] -= 1
    return p / len(labels)


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_centered_difference, lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h)),
    (checks.check_centered_difference, lambda f, x, h: (f(x + h) - f(x - h)) / 2 / h),
    (checks.check_sigmoid_backward, lambda x, g: g * sigmoid(x) * (1 - sigmoid(x))),
    (checks.check_softmax_cross_entropy_grad, right_sce_grad),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
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


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x, g: sigmoid(x) * (1 - sigmoid(x)), "multiply it by grad_out"),
    (lambda x, g: g * x * (1 - x), "OUTPUT"),
    (lambda x, g: g * sigmoid(x), r"derivative of σ is σ\(x\) \(1 − σ\(x\)\)"),
    (lambda x, g: -g * sigmoid(x) * (1 - sigmoid(x)), "never negative"),
])
def test_sigmoid_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_sigmoid_backward(wrong)


def no_shift(logits, labels):
    with np.errstate(over="ignore", invalid="ignore"):
        p = softmax(logits, shift=False)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda z, y: right_sce_grad(z, y) * len(y), "forgot to divide by the batch size"),
    (lambda z, y: right_sce_grad(z, y) / z.shape[1], "not by batch × classes"),
    (lambda z, y: -right_sce_grad(z, y), "sign is flipped"),
    (lambda z, y: softmax(z) / len(y), "without subtracting the one-hot"),
    (lambda z, y: softmax(z), "without subtracting the one-hot"),
    (no_shift, "overflows"),
    (lambda z, y: right_sce_grad(z, y, rows=slice(None)), "EVERY row"),
])
def test_softmax_cross_entropy_grad_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_softmax_cross_entropy_grad(wrong)


def test_checks_do_not_show_solution_code():
    with pytest.raises(ExerciseError, match="is wrong on case") as info:
        checks.check_softmax_cross_entropy_grad(lambda z, y: np.zeros_like(z))
    assert "def " not in str(info.value) and "return" not in str(info.value)


def library_centered(f, x, h):
    """The course_lib numerical gradient of f at each point of x, with step h."""
    points = np.atleast_1d(np.asarray(x, dtype=np.float64))
    gradient = [gradcheck.numerical_gradient(lambda i=i: float(f(points[i])), points, (i,), eps=h)
                for i in range(len(points))]
    return np.reshape(gradient, np.shape(x))


LIBRARY = [(checks._centered, library_centered, checks._CENTERED_CASES),
           (checks._sigmoid_backward, lambda x, g: g * activations.sigmoid_prime(x), checks._SIGMOID_CASES),
           (checks._sce_grad, lambda z, y: losses.softmax_cross_entropy(z, y)[1], checks._SCE_CASES)]


@pytest.mark.parametrize(("reference", "library", "case"),
                         [(ref, library, case) for ref, library, cases in LIBRARY for case in cases])
def test_references_agree_with_course_lib(reference, library, case):
    assert np.allclose(reference(*case.args), library(*case.args), rtol=1e-5, atol=1e-7)
