"""The notebook 05 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import math

import numpy as np
import pytest

from course_lib import init
from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb05 as checks


def stats(activations):
    return np.array([[a.mean(), a.std()] for a in activations])


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_xavier_uniform_limit, lambda n_in, n_out: math.sqrt(6 / (n_in + n_out))),
    (checks.check_xavier_uniform_limit, lambda n_in, n_out: np.sqrt(np.float64(6) / (n_in + n_out))),
    (checks.check_he_normal, init.he_normal),
    (checks.check_he_normal, lambda n_in, n_out, rng: rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out))
     .astype(np.float32)),
    (checks.check_layer_stats, stats),
    (checks.check_layer_stats, lambda acts: np.array([[np.mean(a), np.sqrt(np.mean((a - a.mean()) ** 2))]
                                                      for a in acts])),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda n_in, n_out: math.sqrt(2 / (n_in + n_out)), "that is the standard deviation"),
    (lambda n_in, n_out: 6 / (n_in + n_out), "square root is missing"),
    (lambda n_in, n_out: math.sqrt(6) / (n_in + n_out), "only the 6 went under"),
    (lambda n_in, n_out: math.sqrt(6 / n_in), "uses n_in alone"),
    (lambda n_in, n_out: math.sqrt(3 / n_in), "uses n_in alone"),
    (lambda n_in, n_out: math.sqrt(3 / (n_in + n_out)), "factor 2 .* went missing"),
])
def test_xavier_uniform_limit_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_xavier_uniform_limit(wrong)


def normal_with(std_of, shape_of=lambda n_in, n_out: (n_in, n_out), dtype=np.float32):
    def he(n_in, n_out, rng):
        std = np.float32(std_of(n_in, n_out))
        return (rng.standard_normal(shape_of(n_in, n_out), dtype=np.float32) * std).astype(dtype)

    return he


def he_uniform(n_in, n_out, rng):
    return (rng.uniform(-1, 1, (n_in, n_out)) * np.sqrt(6 / n_in)).astype(np.float32)


@pytest.mark.parametrize(("wrong", "hint"), [
    (normal_with(lambda n_in, n_out: np.sqrt(1 / n_in)), "factor 2 is missing"),
    (normal_with(lambda n_in, n_out: np.sqrt(2 / n_out)), "divided by n_out"),
    (normal_with(lambda n_in, n_out: np.sqrt(2 / (n_in + n_out))), "Xavier/Glorot"),
    (normal_with(lambda n_in, n_out: 2 / n_in), "VARIANCE"),
    (normal_with(lambda n_in, n_out: 2 / np.sqrt(n_in)), "too large"),
    (normal_with(lambda n_in, n_out: np.sqrt(2 / n_in), shape_of=lambda n_in, n_out: (n_out, n_in)),
     r"shape \(n_in, n_out\)"),
    (normal_with(lambda n_in, n_out: np.sqrt(2 / n_in), dtype=np.float64), "float32"),
    (he_uniform, "like a uniform"),
    (lambda n_in, n_out, rng: init.he_normal(n_in, n_out, np.random.default_rng()), "same seed"),
])
def test_he_normal_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_he_normal(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda acts: stats(acts).T, "one ROW per layer"),
    (lambda acts: stats(acts)[:, ::-1], "columns are swapped"),
    (lambda acts: np.array([[a.mean(), a.var()] for a in acts]), "holds the variance"),
    (lambda acts: np.array([[a.mean(), a.std(axis=0).mean()] for a in acts]), "std of each unit"),
    (lambda acts: np.array([[a.mean(), a.std(ddof=1)] for a in acts]), "ddof=1"),
    (lambda acts: np.array([[np.abs(a).mean(), a.std()] for a in acts]), "absolute values"),
])
def test_layer_stats_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_layer_stats(wrong)


@pytest.mark.parametrize("case", [c for c in checks.XAVIER_CASES if 1000 <= math.prod(c.args) <= 10**6],
                         ids=lambda case: case.label)
def test_xavier_limit_reference_bounds_the_course_lib_xavier_uniform_draws(case):
    W = init.xavier_uniform(*case.args, np.random.default_rng(0), dtype=np.float64)
    limit = checks._xavier_limit(*case.args)
    assert np.abs(W).max() <= limit
    assert np.isclose(W.var(), limit**2 / 3, rtol=0.2)


def test_he_targets_are_what_the_course_lib_initializer_measures():
    measured = checks._measured(init.he_normal)(784, 128, 0)
    assert np.allclose(measured, checks._he_target(784, 128, 0), rtol=0.02, atol=0.02)


def test_layer_stats_reference_is_mean_and_std_of_each_layer():
    layers = [np.array([[1.0, 3.0]], np.float32), np.zeros((2, 2), np.float32)]
    assert checks._layer_stats(layers).tolist() == [[2.0, 1.0], [0.0, 0.0]]
