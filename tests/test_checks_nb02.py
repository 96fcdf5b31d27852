"""The notebook 02 checks accept right answers and explain the usual wrong ones."""

import numpy as np
import pytest

from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb02 as checks


def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def stable_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def not_written(*args):
    raise NotImplementedError("Exercise: write this function.")


# ---------------------------------------------------------------- sigmoid


def test_sigmoid_check_accepts_a_stable_sigmoid(capsys):
    checks.check_sigmoid(stable_sigmoid)
    assert "passes all" in capsys.readouterr().out


def test_sigmoid_check_catches_the_overflowing_textbook_formula():
    with pytest.raises(ExerciseError, match="overflow.*Only ever exponentiate"):
        checks.check_sigmoid(lambda x: 1 / (1 + np.exp(-x)))


def test_sigmoid_check_catches_np_where_that_evaluates_both_branches():
    def where_both(x):
        return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))

    with pytest.raises(ExerciseError, match="computes both a and b"):
        checks.check_sigmoid(where_both)


def test_sigmoid_check_catches_a_flipped_sign():
    with pytest.raises(ExerciseError, match="sign of the exponent is flipped"):
        checks.check_sigmoid(lambda x: stable_sigmoid(-x))


def test_sigmoid_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_sigmoid(not_written)


# ---------------------------------------------------------------- dense forward


def test_dense_check_accepts_x_at_w_plus_b(capsys):
    checks.check_dense_forward(lambda x, W, b: x @ W + b)
    assert "passes all" in capsys.readouterr().out


def test_dense_check_catches_a_missing_bias():
    with pytest.raises(ExerciseError, match="bias is missing"):
        checks.check_dense_forward(lambda x, W, b: x @ W)


def test_dense_check_catches_the_column_convention_product():
    with pytest.raises(ExerciseError, match="inner sizes match is x @ W"):
        checks.check_dense_forward(lambda x, W, b: W @ x + b)


def test_dense_check_catches_a_transposed_result():
    with pytest.raises(ExerciseError, match=r"returned \(n_out, batch\)"):
        checks.check_dense_forward(lambda x, W, b: W.T @ x.T + b[:, None])


def test_dense_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_dense_forward(not_written)


# ---------------------------------------------------------------- softmax


def test_softmax_check_accepts_a_row_wise_stable_softmax(capsys):
    checks.check_softmax(stable_softmax)
    assert "passes all" in capsys.readouterr().out


def test_softmax_check_catches_the_naive_formula():
    def naive(z):
        return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)

    with pytest.raises(ExerciseError, match="Subtract each row's maximum before np.exp"):
        checks.check_softmax(naive)


def test_softmax_check_catches_a_single_global_maximum():
    def global_max(z):
        e = np.exp(z - z.max())
        return e / e.sum(axis=1, keepdims=True)

    with pytest.raises(ExerciseError, match="each row's OWN maximum"):
        checks.check_softmax(global_max)


def test_softmax_check_catches_normalizing_over_columns():
    def columns(z):
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    with pytest.raises(ExerciseError, match="each ROW is one sample"):
        checks.check_softmax(columns)


def test_softmax_check_catches_a_forgotten_keepdims():
    def no_keepdims(z):
        e = np.exp(z - z.max(axis=1))
        return e / e.sum(axis=1)

    with pytest.raises(ExerciseError, match="keepdims=True"):
        checks.check_softmax(no_keepdims)


def test_softmax_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_softmax(not_written)
