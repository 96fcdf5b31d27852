"""The notebook 05 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import math

import numpy as np
import pytest

from course_lib import init
from course_lib.course.checks import ExerciseError, compare
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
    (lambda n_in, n_out: math.sqrt(6) / n_in + n_out, "check the brackets"),
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
    (lambda n_in, n_out, rng: init.he_normal(n_in, n_out, np.random.default_rng(0)), "ignores the `rng`"),
    (normal_with(lambda n_in, n_out: 1.015 * np.sqrt(2 / n_in)), "off by a few percent"),
    (normal_with(lambda n_in, n_out: np.sqrt(2 / (n_in + 1))), "n_in \\+ 1"),
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


@pytest.mark.parametrize("seed", range(20))
def test_he_targets_are_what_the_course_lib_initializer_measures_for_any_seed(seed):
    for case in checks.HE_CASES:
        n_in, n_out, _ = case.args
        measured = checks._measured(init.he_normal)(n_in, n_out, seed)
        assert np.allclose(measured, checks._he_target(n_in, n_out, seed), rtol=0, atol=0.999)


def test_layer_stats_reference_is_mean_and_std_of_each_layer():
    layers = [np.array([[1.0, 3.0]], np.float32), np.zeros((2, 2), np.float32)]
    assert checks._layer_stats(layers).tolist() == [[2.0, 1.0], [0.0, 0.0]]


def bn_backward(g, x_hat, gamma, std):
    B = len(g)
    dbeta, dgamma = g.sum(axis=0), (g * x_hat).sum(axis=0)
    return gamma / std / B * (B * g - dbeta - x_hat * dgamma), dgamma, dbeta


def test_batchnorm_backward_right_answer_passes(capsys):
    checks.check_batchnorm_backward(bn_backward)
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda g, xh, gamma, std: (g * gamma / std, *bn_backward(g, xh, gamma, std)[1:]), "depend on every x"),
    (lambda g, xh, gamma, std: (gamma / std * (g - xh * (g * xh).mean(axis=0)),
                                *bn_backward(g, xh, gamma, std)[1:]), "through the mean"),
    (lambda g, xh, gamma, std: (gamma / std * (g - g.mean(axis=0)), *bn_backward(g, xh, gamma, std)[1:]),
     "through the variance"),
    (lambda g, xh, gamma, std: (bn_backward(g, xh, gamma, std)[0], (g * xh).mean(axis=0), g.mean(axis=0)),
     "sums over the batch"),
    (lambda g, xh, gamma, std: (bn_backward(g, xh, gamma, std)[0], g.sum(axis=0), g.sum(axis=0)),
     "what γ multiplied"),
    (lambda g, xh, gamma, std: bn_backward(g, xh, gamma, std)[::-1], r"order \(dx, dgamma, dbeta\)"),
])
def test_batchnorm_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_batchnorm_backward(wrong)


@pytest.mark.parametrize("seed", range(3))
def test_batchnorm_reference_agrees_with_the_course_lib_layer(seed):
    from course_lib.layers import BatchNorm

    rng = np.random.default_rng(seed)
    x, g, gamma = rng.standard_normal((9, 4)) * 3 + 1, rng.standard_normal((9, 4)), rng.uniform(0.5, 2, 4)
    layer = BatchNorm(4, dtype=np.float64)
    layer.params["gamma"][...] = gamma
    layer.forward(x)
    dx = layer.backward(g)
    std = np.sqrt(x.var(axis=0) + layer.eps)
    expected = checks._bn_backward(g, (x - x.mean(axis=0)) / std, gamma, std)
    assert compare((dx, layer.grads["gamma"], layer.grads["beta"]), expected, rtol=1e-10, atol=1e-12) is None


def he_clipped(n_in, n_out, rng):
    sigma = math.sqrt(2 / n_in)
    return np.clip(rng.standard_normal((n_in, n_out), dtype=np.float32) * sigma, -2 * sigma, 2 * sigma)


def stats_into_activations(activations):
    result = stats(activations)
    activations[0] -= activations[0].mean()
    return result


def bn_scaled(factor):
    def scaled(g, xh, gamma, std):
        dx, dgamma, dbeta = bn_backward(g, xh, gamma, std)
        return factor * dx, dgamma, dbeta
    return scaled


def bn_without_gamma(g, xh, gamma, std):
    dx, dgamma, dbeta = bn_backward(g, xh, gamma, std)
    return dx / gamma, dgamma, dbeta


def bn_in_place(g, xh, gamma, std):
    answer = bn_backward(g, xh, gamma, std)
    g *= gamma
    return answer


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_xavier_uniform_limit, lambda n_in, n_out: math.sqrt(6 / (n_in + n_out + 1)), None),
    (checks.check_xavier_uniform_limit, lambda n_in, n_out: math.sqrt(6 / n_in + n_out), None),
    (checks.check_xavier_uniform_limit, lambda n_in, n_out: math.sqrt(6 // (n_in + n_out)), None),
    (checks.check_he_normal, he_clipped, "clipped or truncated"),
    (checks.check_he_normal, lambda i, o, rng: init.he_normal(i, o, rng).astype(float), "float32"),
    (checks.check_he_normal, lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out), dtype=np.float32)
     * math.sqrt(2 / (n_in + 1)), "n_in \\+ 1"),
    (checks.check_layer_stats, stats_into_activations, "changed `activations` in place"),
    (checks.check_layer_stats, lambda acts: np.array([[a.mean(), a.std(axis=1).mean()] for a in acts]),
     None),
    (checks.check_layer_stats, lambda acts: [[float(a.mean()), float(a.std())] for a in acts], "NumPy array"),
    (checks.check_batchnorm_backward, bn_scaled(-1.0), "times ONE number"),
    (checks.check_batchnorm_backward, bn_scaled(2.0), "times ONE number"),
    (checks.check_batchnorm_backward, bn_without_gamma, "a number of that feature's own"),
    (checks.check_batchnorm_backward, bn_in_place, "changed `g` in place"),
])
def test_new_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    rejected(notebook_check, wrong, hint)


def test_batchnorm_messages_name_the_gradient_that_is_wrong():
    with pytest.raises(ExerciseError, match="`dgamma`: "):
        checks.check_batchnorm_backward(lambda g, xh, gamma, std: (bn_backward(g, xh, gamma, std)[0],
                                                                   g.sum(axis=0) * 2, g.sum(axis=0)))
