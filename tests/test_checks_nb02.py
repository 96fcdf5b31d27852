"""The notebook 02 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import numpy as np
import pytest

from course_lib import activations
from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb02 as checks
from course_lib.layers import Dense


def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def stable_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_sigmoid, stable_sigmoid),
    (checks.check_dense_forward, lambda x, W, b: x @ W + b),
    (checks.check_softmax, stable_softmax),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


def where_both(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def reciprocal_of_zero(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), 1 / (1 + 1 / e))


def zero_over_zero(x):
    top = np.exp(x - np.abs(x))
    return top / (top + np.exp(-np.abs(x)))


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x: 1 / (1 + np.exp(-x)), "overflow.*Only ever exponentiate"),
    (where_both, "computes both a and b"),
    (lambda x: stable_sigmoid(-x), "sign of the exponent is flipped"),
    (lambda x: np.exp(-x), "e\\^{-x} or e\\^{x} alone"),
    (lambda x: stable_sigmoid(x).sum(), "must keep the input's shape"),
    (reciprocal_of_zero, "a division by zero"),
    (zero_over_zero, "a value became nan"),
])
def test_sigmoid_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_sigmoid(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x, W, b: x @ W, "bias is missing"),
    (lambda x, W, b: W @ x + b, "inner sizes match is x @ W"),
    (lambda x, W, b: x @ W.T + b, "inner sizes match is x @ W"),
    (lambda x, W, b: W.T @ x.T + b[:, None], r"returned \(n_out, batch\)"),
    (lambda x, W, b: x @ W + 2 * b, "bias was added twice"),
])
def test_dense_forward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_dense_forward(wrong)


def naive(z):
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def shifted(z, axis=1, keepdims=True, reciprocal=False):
    e = np.exp(z - z.max(axis=axis, keepdims=keepdims))
    total = e.sum(axis=1, keepdims=keepdims)
    return e * (1 / total) if reciprocal else e / total


def columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def normalized_logits(z):
    z = z - z.max(axis=1, keepdims=True)
    return z / z.sum(axis=1, keepdims=True)


@pytest.mark.parametrize(("wrong", "hint"), [
    (naive, "Subtract each row's maximum before np.exp"),
    (lambda z: shifted(z, axis=None), "each row's OWN maximum"),
    (lambda z: shifted(z, axis=None, reciprocal=True), "a row's exponentials summed to 0"),
    (lambda z: shifted(z, axis=0), "not the maximum of each column"),
    (columns, "each ROW is one sample"),
    (lambda z: shifted(z, keepdims=False), "keepdims=True"),
    (normalized_logits, "is it e\\^{z} you normalize"),
])
def test_softmax_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_softmax(wrong)


def dense_layer(x, W, b):
    layer = Dense(*W.shape, init=lambda *_: W)
    layer.b[...] = b
    return layer.forward(x)


LIBRARY = [(checks._dense, dense_layer, checks.DENSE_CASES),
           (checks._sigmoid, activations.sigmoid, checks.SIGMOID_CASES),
           (checks._softmax, activations.softmax, checks.SOFTMAX_CASES)]


@pytest.mark.parametrize(("reference", "library", "case"),
                         [(ref, library, case) for ref, library, cases in LIBRARY for case in cases])
def test_references_agree_with_course_lib(reference, library, case):
    assert np.allclose(reference(*case.args), library(*case.args), rtol=1e-5, atol=1e-5)
