"""The notebook 05 checks accept right answers and explain the usual wrong ones."""

import math

import numpy as np
import pytest

from course_lib import init
from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb05 as checks


def not_written(*args):
    raise NotImplementedError("Exercise: write this function.")


# ---------------------------------------------------------------- xavier_uniform_limit


def test_xavier_limit_check_accepts_the_right_limit(capsys):
    checks.check_xavier_uniform_limit(lambda n_in, n_out: math.sqrt(6 / (n_in + n_out)))
    assert "passes all" in capsys.readouterr().out


def test_xavier_limit_check_accepts_numpy_scalars(capsys):
    checks.check_xavier_uniform_limit(lambda n_in, n_out: np.sqrt(np.float64(6) / (n_in + n_out)))
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda n_in, n_out: math.sqrt(2 / (n_in + n_out)), "that is the standard deviation"),
        (lambda n_in, n_out: 6 / (n_in + n_out), "square root is missing"),
        (lambda n_in, n_out: math.sqrt(6) / (n_in + n_out), "only the 6 went under"),
        (lambda n_in, n_out: math.sqrt(6 / n_in), "uses n_in alone"),
        (lambda n_in, n_out: math.sqrt(3 / (n_in + n_out)), "factor 2 .* went missing"),
    ],
)
def test_xavier_limit_check_recognizes_the_usual_mistakes(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_xavier_uniform_limit(wrong)


def test_xavier_limit_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_xavier_uniform_limit(not_written)


# ---------------------------------------------------------------- he_normal


def test_he_normal_check_accepts_the_library_initializer(capsys):
    checks.check_he_normal(init.he_normal)
    assert "passes all" in capsys.readouterr().out


def test_he_normal_check_accepts_rng_normal_cast_to_float32(capsys):
    checks.check_he_normal(
        lambda n_in, n_out, rng: rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out)).astype(np.float32))
    assert "passes all" in capsys.readouterr().out


def _normal(std_of, shape_of=lambda n_in, n_out: (n_in, n_out), dtype=np.float32):
    def he(n_in, n_out, rng):
        std = np.float32(std_of(n_in, n_out))
        return (rng.standard_normal(shape_of(n_in, n_out), dtype=np.float32) * std).astype(dtype)

    return he


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_normal(lambda n_in, n_out: np.sqrt(1 / n_in)), "factor 2 is missing"),
        (_normal(lambda n_in, n_out: np.sqrt(2 / n_out)), "divided by n_out"),
        (_normal(lambda n_in, n_out: np.sqrt(2 / (n_in + n_out))), "Xavier/Glorot"),
        (_normal(lambda n_in, n_out: 2 / n_in), "VARIANCE"),
        (_normal(lambda n_in, n_out: 2 / np.sqrt(n_in)), "too large"),
        (_normal(lambda n_in, n_out: np.sqrt(2 / n_in), shape_of=lambda n_in, n_out: (n_out, n_in)),
         r"shape \(n_in, n_out\)"),
        (_normal(lambda n_in, n_out: np.sqrt(2 / n_in), dtype=np.float64), "float32"),
        (lambda n_in, n_out, rng: init.he_uniform(n_in, n_out, rng), "like a uniform"),
        (lambda n_in, n_out, rng: init.he_normal(n_in, n_out, np.random.default_rng()), "same seed"),
    ],
)
def test_he_normal_check_recognizes_the_usual_mistakes(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_he_normal(wrong)


def test_he_normal_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_he_normal(not_written)


def test_he_normal_check_notices_a_missing_return():
    with pytest.raises(ExerciseError, match="return"):
        checks.check_he_normal(lambda n_in, n_out, rng: None)


# ---------------------------------------------------------------- layer_stats


def stats(activations):
    return np.array([[a.mean(), a.std()] for a in activations])


def test_layer_stats_check_accepts_mean_and_std_per_layer(capsys):
    checks.check_layer_stats(stats)
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda acts: stats(acts).T, "one ROW per layer"),
        (lambda acts: stats(acts)[:, ::-1], "columns are swapped"),
        (lambda acts: np.array([[a.mean(), a.var()] for a in acts]), "holds the variance"),
        (lambda acts: np.array([[a.mean(), a.std(axis=0).mean()] for a in acts]), "std of each unit"),
        (lambda acts: np.array([[a.mean(), a.std(ddof=1)] for a in acts]), "ddof=1"),
        (lambda acts: np.array([[np.abs(a).mean(), a.std()] for a in acts]), "absolute values"),
    ],
)
def test_layer_stats_check_recognizes_the_usual_mistakes(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_layer_stats(wrong)


def test_layer_stats_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_layer_stats(not_written)
