"""Checks for notebook 05 (initialization): `xavier_uniform_limit`, `he_normal`, `batchnorm_backward`,
`layer_stats`.

Random weights cannot be compared number for number (two correct answers may draw differently from the
same rng), so `check_he_normal` compares what matters instead: for a fixed seed, the measured std, mean and
share of weights within one std (a normal has 68%, a uniform 58%) as z-scores, in standard errors of a
correct draw of that size, then the shape, the dtype, whether the same seed gives the same weights and
whether another seed gives other ones (an initializer that ignores its rng fails there). The usual
mistakes — a forgotten or misplaced factor 2, n_out for n_in, n_in + 1, a variance where a std belongs —
each get a hint. `check_batchnorm_backward` recognizes the paths through the batch mean and variance left
out, means where sums belong, and a wrong dγ.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, close, normal, uniform

#: The share of a normal distribution within one standard deviation of its mean, erf(1/√2).
WITHIN_ONE_STD = math.erf(1 / math.sqrt(2))
#: Where the tail measure starts, in std: just past 2, so that weights clipped at exactly ±2σ (rounded to
#: float32) count as inside.
TAIL = 2.05
#: The share of a normal distribution beyond TAIL standard deviations of its mean, 1 − erf(TAIL/√2).
BEYOND_TAIL = 1 - math.erf(TAIL / math.sqrt(2))


# ------------------------------------------------------------------------ exercise 1: xavier_uniform_limit


def _xavier_limit(n_in: int, n_out: int) -> float:
    return math.sqrt(6 / (n_in + n_out))


XAVIER_CASES = [
    Case("MNIST's first layer, 784 → 128", (784, 128)),
    Case("a square hidden layer, 256 → 256", (256, 256)),
    Case("one input, one output", (1, 1)),
    Case("fan-out larger than fan-in, 10 → 784", (10, 784)),
    Case("a very wide layer, 100,000 → 50,000", (100_000, 50_000)),
]


XAVIER_MISTAKES = [
    Mistake.returns("that is the standard deviation √(2 / (n_in + n_out)), not the limit a. A uniform on "
                    "[−a, a] has variance a² / 3; set a² / 3 equal to the variance Xavier wants and solve "
                    "for a.",
                    lambda n_in, n_out: math.sqrt(2 / (n_in + n_out))),
    Mistake.returns("the square root is missing: 6 / (n_in + n_out) is a², the limit is a.",
                    lambda n_in, n_out: 6 / (n_in + n_out)),
    Mistake.returns("only the 6 went under the square root: the limit is √(6 / (n_in + n_out)), the whole "
                    "fraction.", lambda n_in, n_out: math.sqrt(6) / (n_in + n_out)),
    Mistake.returns("that is He's (or LeCun's) uniform limit, which uses n_in alone. Xavier averages the two "
                    "fans: Var(W) = 2 / (n_in + n_out).",
                    lambda n_in, n_out: math.sqrt(6 / n_in), lambda n_in, n_out: math.sqrt(3 / n_in)),
    Mistake.returns("the factor 2 of Var(W) = 2 / (n_in + n_out) went missing: a² / 3 = 2 / (n_in + n_out) "
                    "gives a² = 6 / (n_in + n_out).", lambda n_in, n_out: math.sqrt(3 / (n_in + n_out))),
    Mistake.returns("check the brackets: √6 / n_in + n_out divides by n_in only, then adds n_out. The "
                    "limit is √(6 / (n_in + n_out)).", lambda n_in, n_out: math.sqrt(6) / n_in + n_out),
]


def check_xavier_uniform_limit(xavier_uniform_limit: Callable[[int, int], float]) -> None:
    """Exercise 1: the limit a of U(−a, a) with Var = 2 / (n_in + n_out), a float."""
    check("Exercise 1 (Xavier uniform limit)", xavier_uniform_limit, _xavier_limit, XAVIER_CASES,
          XAVIER_MISTAKES)


# ------------------------------------------------------------------------------- exercise 2: he_normal

#: What `_measured` returns, in order (the check's messages refer to these positions). The first three are
#: z-scores divided by 5: the measured value's distance from its target in standard errors of a correct
#: random draw of that size, over 5, so that ±1 is five standard errors; the last four are 1 (yes) or 0 (no).
HE_MEASURES = ("z(std) / 5", "z(mean) / 5", "z(share within ±√(2/n_in)) / 5", "shape ok", "float32",
               "same seed, same W", "another seed, other W", "z(share beyond ±2.05√(2/n_in)) / 5")

#: Five standard errors: a correct initializer falls outside with a probability below 10⁻⁶ per measure.
Z_LIMIT = 5.0


def _measured(he_normal: Callable) -> Callable[[int, int, int], np.ndarray]:
    """Wrap the learner's initializer: (n_in, n_out, seed) -> the eight measures of HE_MEASURES, shape (8,).

    For n draws from N(0, σ²) the sample std has standard error σ / √(2n), the mean σ / √n, and the share
    within ±σ √(p (1 − p) / n) with p = erf(1/√2): the z-scores are scale-free, whatever the layer's size.
    """

    @functools.wraps(he_normal)
    def measured(n_in: int, n_out: int, seed: int) -> np.ndarray:
        W = he_normal(n_in, n_out, np.random.default_rng(seed))
        again = he_normal(n_in, n_out, np.random.default_rng(seed))
        other = he_normal(n_in, n_out, np.random.default_rng(seed + 1000))
        if W is None:
            return None
        values = np.asarray(W, dtype=np.float64)
        n, sigma, p = values.size, math.sqrt(2 / n_in), WITHIN_ONE_STD
        return np.array([
            (values.std() / sigma - 1) * math.sqrt(2 * n) / Z_LIMIT,
            values.mean() / sigma * math.sqrt(n) / Z_LIMIT,
            (np.mean(np.abs(values) < sigma) - p) / math.sqrt(p * (1 - p) / n) / Z_LIMIT,
            float(np.shape(W) == (n_in, n_out)),
            float(getattr(W, "dtype", None) == np.float32),
            float(np.array_equal(np.asarray(W), np.asarray(again))),
            float(not np.array_equal(np.asarray(W), np.asarray(other))),
            (np.mean(np.abs(values) > TAIL * sigma) - BEYOND_TAIL)
            / math.sqrt(BEYOND_TAIL * (1 - BEYOND_TAIL) / n) / Z_LIMIT,
        ])

    return measured


def _he_target(n_in: int, n_out: int, seed: int) -> np.ndarray:
    return np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0])


HE_CASES = [
    Case("MNIST's first layer, 784 → 128, seed 0", (784, 128, 0)),
    Case("a square hidden layer, 256 → 256, seed 1", (256, 256, 1)),
    Case("fan-out larger than fan-in, 128 → 784, seed 2", (128, 784, 2)),
    Case("a single output unit with a huge fan-in, 50,000 → 1, seed 4", (50_000, 1, 4)),
    Case("a single input, 1 → 50,000, seed 3", (1, 50_000, 3)),
]


def _std_ratio(got: np.ndarray, case: Case) -> float:
    """The measured std / √(2/n_in), recovered from its z-score."""
    n_in, n_out, _ = case.args
    return 1 + got[0] * Z_LIMIT / math.sqrt(2 * n_in * n_out)


def _std_ratio_is(value: Callable[[int, int], float]) -> Callable[[np.ndarray, np.ndarray, Case], bool]:
    """A matcher: the std ratio is value(n_in, n_out), within 3%."""
    return lambda got, exp, case: abs(_std_ratio(got, case) - value(*case.args[:2])) < 0.03 * value(
        *case.args[:2])


HE_MISTAKES = [
    Mistake("with n_in = 1 your std is √(2/2) = 1 instead of √2: n_in + 1 (the bias counted as an input?) is "
            "invisible for wide layers but not here. He's variance counts the inputs only: 2 / n_in.",
            lambda got, exp, case: case.args[0] == 1 and _std_ratio_is(lambda i, o: math.sqrt(i / (i + 1)))(
                got, exp, case)),
    Mistake("the std is √2 times too small: the factor 2 is missing. ReLU silences about half of its inputs, "
            "so He doubles the variance: Var(W) = 2 / n_in.",
            lambda got, exp, case: case.args[0] > 1 and _std_ratio_is(lambda i, o: math.sqrt(0.5))(
                got, exp, case)),
    Mistake("the std is √2 times too large: the 2 was used twice? Var(W) = 2 / n_in, std = √(2 / n_in).",
            _std_ratio_is(lambda i, o: math.sqrt(2))),
    Mistake("you divided by n_out: He counts the inputs that feed each unit, Var(W) = 2 / n_in.",
            lambda got, exp, case: case.args[0] != case.args[1]
            and _std_ratio_is(lambda i, o: math.sqrt(i / o))(got, exp, case)),
    Mistake("that is Xavier/Glorot's std √(2 / (n_in + n_out)); He's, made for ReLU, is √(2 / n_in).",
            _std_ratio_is(lambda i, o: math.sqrt(i / (i + o)))),
    Mistake("2 / n_in is the VARIANCE; multiply standard-normal draws by its square root, √(2 / n_in).",
            _std_ratio_is(lambda i, o: math.sqrt(2 / i))),
    Mistake("fewer weights lie beyond 2.05 std than a normal puts there (4%; measure 7 is beyond five "
            "standard errors): the tails were cut off. Were the weights clipped or truncated? He's weights "
            "are drawn from the full normal.", lambda got, exp, case: got[7] < -1 and abs(got[2]) < 1),
    Mistake("the std is off by a few percent, more than random draws of this size explain (measure 0 is "
            "beyond five standard errors), while the distribution keeps a normal's shape: check the constant "
            "under the square root, 2 / n_in.",
            lambda got, exp, case: abs(got[0]) > 1 and abs(_std_ratio(got, case) - 1) < 0.1
            and abs(got[7]) < 1 and abs(got[2]) < 1),
    Mistake("the std is right but the shape of the distribution is not: a normal has 68% of its values "
            "within one std, yours has about 58%, like a uniform. Draw with rng.standard_normal or "
            "rng.normal.",
            lambda got, exp, case: abs(_std_ratio(got, case) - 1) < 0.03 and got[2] < -1),
    Mistake("W must have shape (n_in, n_out): one row per input, one column per unit of the layer.",
            lambda got, exp, case: got[3] == 0),
    Mistake("the weights should be float32, the dtype the course trains in: pass dtype=np.float32 to "
            "rng.standard_normal, or convert with .astype(np.float32) (rng.normal always gives float64).",
            lambda got, exp, case: got[4] == 0),
    Mistake("two calls with the same seed gave different weights: draw from the `rng` argument "
            "(rng.standard_normal), not from np.random, so that a seed reproduces the network.",
            lambda got, exp, case: got[5] == 0),
    Mistake("two different seeds gave the SAME weights: your function ignores the `rng` it is given (a "
            "generator of its own, with a fixed seed?). Draw from `rng`, so each seed gives its network.",
            lambda got, exp, case: got[6] == 0),
]


def check_he_normal(he_normal: Callable[[int, int, np.random.Generator], np.ndarray]) -> None:
    """Exercise 2: he_normal(n_in, n_out, rng) -> W (n_in, n_out) float32, W ~ N(0, 2 / n_in), drawn from rng.

    Compared for each case: the eight measures of HE_MEASURES, in that order.
    """
    # z-scores / 5 within 0.999 (just under five standard errors), and the 0/1 flags exactly: a flag off by
    # one is outside 0.999
    check("Exercise 2 (He normal; compared: " + ", ".join(HE_MEASURES) + ")", _measured(he_normal),
          _he_target, HE_CASES, HE_MISTAKES, rtol=0.0, atol=0.999)


# ------------------------------------------------------------------------------ exercise 3: layer_stats


def _layer_stats(activations: Sequence[np.ndarray]) -> np.ndarray:
    return np.array([[np.mean(a, dtype=np.float64), np.std(a, dtype=np.float64)] for a in activations])


def _layers(seed: int, batch: int, widths: Sequence[int], scale: float = 1.0, relu: bool = False) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for w in widths:
        a = (normal(rng, (batch, w)) + uniform(rng, w, 4) - 2) * scale
        out.append(np.maximum(a, 0).astype(np.float32) if relu else a.astype(np.float32))
    return out


STATS_CASES = [
    Case("three layers of widths 8, 5, 3, batch of 32", (_layers(0, 32, [8, 5, 3]),)),
    Case("a dead layer (all zeros) between two live ones",
         ([_layers(1, 6, [4])[0], np.zeros((6, 4), np.float32), _layers(2, 6, [4], relu=True)[0]],)),
    Case("a batch of one", (_layers(3, 1, [5, 5]),)),
    Case("exploding ReLU activations, values near 10⁶", (_layers(4, 16, [6, 6, 6], scale=1e6, relu=True),)),
    Case("a single layer", (_layers(5, 10, [7]),)),
]


def _col(got: object, j: int) -> np.ndarray:
    return np.asarray(got, dtype=float)[:, j]


def _column(j: int, wrong: Callable[[np.ndarray], float]) -> Callable[[object, object, Case], bool]:
    """A matcher: column j of the answer holds ``wrong(a)`` for each layer's activations a."""
    return lambda got, exp, case: close(_col(got, j), np.array([wrong(a) for a in case.args[0]]), case)


def _ddof1_std(a: np.ndarray) -> float:
    return np.std(a, ddof=1) if a.size > 1 else np.nan


STATS_MISTAKES = [
    Mistake.returns("the result should have one ROW per layer and two columns (mean, std): shape "
                    "(n_layers, 2).", lambda activations: _layer_stats(activations).T),
    Mistake.returns("the columns are swapped: column 0 is the mean, column 1 the std.",
                    lambda activations: _layer_stats(activations)[:, ::-1]),
    Mistake("column 1 holds the variance: the std is its square root (np.std, not np.var).",
            _column(1, np.var)),
    Mistake("the std of each unit, averaged, is not the std of the layer: take one std over ALL the "
            "layer's values (np.std(a) without an axis).", _column(1, lambda a: np.std(a, axis=0).mean())),
    Mistake("that is the sample std with ddof=1 (NaN for a single value): use np.std's default, ddof=0.",
            lambda got, exp, case: _column(1, _ddof1_std)(got, exp, case) or np.isnan(_col(got, 1)).any()),
    Mistake("column 0 is the mean of the values themselves, signs included, not of their absolute values.",
            _column(0, lambda a: np.abs(a).mean())),
]


def check_layer_stats(layer_stats: Callable[[Sequence[np.ndarray]], np.ndarray]) -> None:
    """Exercise 4: layer_stats(list of (batch, width_k) arrays) -> (n_layers, 2) array of [mean, std]."""
    check("Exercise 4 (layer statistics)", layer_stats, _layer_stats, STATS_CASES, STATS_MISTAKES)


# --------------------------------------------------------------------------- BatchNorm backward


def _bn_backward(grad_out: np.ndarray, x_hat: np.ndarray, gamma: np.ndarray, std: np.ndarray,
                 *, mean_term: bool = True, var_term: bool = True, reduce: str = "sum") -> tuple:
    """(dx, dgamma, dbeta) of y = γ x̂ + β, x̂ = (x − μ) / std over the batch; knobs reproduce mistakes."""
    total = np.sum if reduce == "sum" else np.mean
    dbeta, dgamma = total(grad_out, axis=0), total(grad_out * x_hat, axis=0)
    inner = grad_out.copy()
    if mean_term:
        inner -= grad_out.mean(axis=0)
    if var_term:
        inner -= x_hat * (grad_out * x_hat).mean(axis=0)
    return gamma / std * inner, dgamma, dbeta


def _bn_case(seed: int, batch: int, features: int, scale: float = 1.0, shift: float = 0.0) -> tuple:
    rng = np.random.default_rng(seed)
    x = normal(rng, (batch, features), scale) + shift
    std = np.sqrt(x.var(axis=0) + 1e-5)
    return (normal(rng, (batch, features)), (x - x.mean(axis=0)) / std, uniform(rng, features, 2) - 0.5, std)


BN_NAMES = ("dx", "dgamma", "dbeta")
BN_CASES = [
    Case("a batch of 8 with 3 features", _bn_case(50, 8, 3), names=BN_NAMES),
    Case("a batch of two, the smallest BatchNorm can train on", _bn_case(51, 2, 4), names=BN_NAMES),
    Case("inputs with a large spread and offset (std ≈ 100)", _bn_case(52, 16, 5, scale=100.0, shift=40.0),
         names=BN_NAMES),
    Case("a wide layer, batch of 64", _bn_case(53, 64, 32), names=BN_NAMES),
]


def _only_dx_wrong(got: object, exp: tuple, case: Case) -> bool:
    return close(got[1:], exp[1:], case) and np.shape(got[0]) == np.shape(exp[0])


def _dx_ratio(per_feature: bool) -> Callable[[object, tuple, Case], bool]:
    """A matcher: only dx is wrong, and it is the right dx times one number (per feature, or overall)."""
    def matches(got: object, exp: tuple, case: Case) -> bool:
        dx, right = np.asarray(got[0], dtype=float), exp[0]
        ratio = np.sum(dx * right, axis=0 if per_feature else None) / np.sum(right * right,
                                                                              axis=0 if per_feature else None)
        return _only_dx_wrong(got, exp, case) and close(dx, ratio * right, case)
    return matches


def _dx_off_by_a_constant_per_feature(got: object, exp: tuple, case: Case) -> bool:
    """Only dx is wrong, and dx − the right dx is the same in every row of a feature."""
    difference = np.asarray(got[0], dtype=float) - exp[0]
    return _only_dx_wrong(got, exp, case) and close(difference, np.broadcast_to(difference.mean(axis=0),
                                                                               difference.shape), case)


BN_MISTAKES = [
    Mistake.returns("μ and σ are computed from the batch, so they depend on every x too: dx needs two more "
                    "terms than dy γ / std (differentiate through the mean and the variance).",
                    lambda g, xh, gamma, std: (g * gamma / std, *_bn_backward(g, xh, gamma, std)[1:])),
    Mistake.returns("the path through the mean is missing: μ moves with every x_b, which subtracts the batch "
                    "mean of dy.", functools.partial(_bn_backward, mean_term=False)),
    Mistake.returns("the path through the variance is missing: σ² moves with every x_b, which subtracts "
                    "x̂ · mean_b(dy ⊙ x̂).", functools.partial(_bn_backward, var_term=False)),
    Mistake.returns("dγ and dβ are sums over the batch, like a Dense bias: each sample adds its share. A "
                    "mean divides by the batch size a second time.",
                    functools.partial(_bn_backward, reduce="mean")),
    Mistake.returns("dγ multiplies dy by what γ multiplied in the forward pass, x̂: Σ_b dy ⊙ x̂.",
                    lambda g, xh, gamma, std: (_bn_backward(g, xh, gamma, std)[0], g.sum(axis=0),
                                               g.sum(axis=0))),
    Mistake.returns("return the three gradients in the order (dx, dgamma, dbeta).",
                    lambda g, xh, gamma, std: _bn_backward(g, xh, gamma, std)[::-1],
                    lambda g, xh, gamma, std: tuple(_bn_backward(g, xh, gamma, std)[i] for i in (0, 2, 1))),
    Mistake("dγ and dβ are right; dx has the right sign pattern but is the right dx times ONE number, the "
            "same for every entry: a constant factor (or the sign) is off.", _dx_ratio(per_feature=False)),
    Mistake("dγ and dβ are right; in each feature, dx is the right one times a number of that feature's "
            "own: a per-feature factor is off (compare the numbers with γ and 1/std).",
            _dx_ratio(per_feature=True)),
    Mistake("dγ and dβ are right; dx differs from the right one by a number per feature, the same for every "
            "sample: a term that is constant over the batch (the path through the mean) is off.",
            _dx_off_by_a_constant_per_feature),
]


def check_batchnorm_backward(batchnorm_backward: Callable) -> None:
    """batchnorm_backward(grad_out (B, F), x_hat (B, F), gamma (F,), std (F,)) -> (dx, dgamma, dbeta)."""
    check("Exercise 3 (BatchNorm backward)", batchnorm_backward, _bn_backward, BN_CASES, BN_MISTAKES)
