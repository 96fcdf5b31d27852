"""Checks for notebook 05 (initialization): `xavier_uniform_limit`, `he_normal`, `layer_stats`.

Random weights cannot be compared number for number (two correct answers may draw differently from the
same rng), so `check_he_normal` compares what matters instead: for a fixed seed, the measured std and
mean against the target √(2 / n_in), the share of weights within one std (a normal has 68%, a uniform
58%), the shape, the dtype, and whether the same seed gives the same weights. The usual mistakes —
a forgotten or misplaced factor 2, n_out for n_in, a variance where a std belongs — each get a hint.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, close, normal, uniform

#: The share of a normal distribution within one standard deviation of its mean, erf(1/√2).
WITHIN_ONE_STD = math.erf(1 / math.sqrt(2))


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
]


def check_xavier_uniform_limit(xavier_uniform_limit: Callable[[int, int], float]) -> None:
    """Exercise 1: the limit a of U(−a, a) with Var = 2 / (n_in + n_out), a float."""
    check("Exercise 1 (Xavier uniform limit)", xavier_uniform_limit, _xavier_limit, XAVIER_CASES,
          XAVIER_MISTAKES)


# ------------------------------------------------------------------------------- exercise 2: he_normal

#: What `_measured` returns, in order (the check's messages refer to these positions).
HE_MEASURES = ("std / √(2/n_in)", "mean / √(2/n_in)", "share within ±√(2/n_in)", "shape ok", "float32",
               "same seed, same W")


def _measured(he_normal: Callable) -> Callable[[int, int, int], np.ndarray]:
    """Wrap the learner's initializer: (n_in, n_out, seed) -> the six measures of HE_MEASURES, shape (6,)."""

    @functools.wraps(he_normal)
    def measured(n_in: int, n_out: int, seed: int) -> np.ndarray:
        W = he_normal(n_in, n_out, np.random.default_rng(seed))
        again = he_normal(n_in, n_out, np.random.default_rng(seed))
        if W is None:
            return None
        values = np.asarray(W, dtype=np.float64)
        sigma = math.sqrt(2 / n_in)
        return np.array([
            values.std() / sigma,
            values.mean() / sigma,
            np.mean(np.abs(values) < sigma),
            float(np.shape(W) == (n_in, n_out)),
            float(getattr(W, "dtype", None) == np.float32),
            float(np.array_equal(np.asarray(W), np.asarray(again))),
        ])

    return measured


def _he_target(n_in: int, n_out: int, seed: int) -> np.ndarray:
    return np.array([1.0, 0.0, WITHIN_ONE_STD, 1.0, 1.0, 1.0])


HE_CASES = [
    Case("MNIST's first layer, 784 → 128, seed 0", (784, 128, 0)),
    Case("a square hidden layer, 256 → 256, seed 1", (256, 256, 1)),
    Case("fan-out larger than fan-in, 128 → 784, seed 2", (128, 784, 2)),
    Case("a single input, 1 → 50,000, seed 3", (1, 50_000, 3)),
    Case("a single output unit with a huge fan-in, 50,000 → 1, seed 4", (50_000, 1, 4)),
]


def _std_ratio_is(value: float) -> Callable[[np.ndarray, np.ndarray, Case], bool]:
    return lambda got, exp, case: abs(got[0] - value) < 0.03 * value


HE_MISTAKES = [
    Mistake("the std is √2 times too small: the factor 2 is missing. ReLU silences about half of its inputs, "
            "so He doubles the variance: Var(W) = 2 / n_in.",
            _std_ratio_is(math.sqrt(0.5))),
    Mistake("the std is √2 times too large: the 2 was used twice? Var(W) = 2 / n_in, std = √(2 / n_in).",
            _std_ratio_is(math.sqrt(2))),
    Mistake("you divided by n_out: He counts the inputs that feed each unit, Var(W) = 2 / n_in.",
            lambda got, exp, case: case.args[0] != case.args[1]
            and _std_ratio_is(math.sqrt(case.args[0] / case.args[1]))(got, exp, case)),
    Mistake("that is Xavier/Glorot's std √(2 / (n_in + n_out)); He's, made for ReLU, is √(2 / n_in).",
            lambda got, exp, case: _std_ratio_is(math.sqrt(case.args[0] / (case.args[0] + case.args[1])))(
                got, exp, case)),
    Mistake("2 / n_in is the VARIANCE; multiply standard-normal draws by its square root, √(2 / n_in).",
            lambda got, exp, case: _std_ratio_is(math.sqrt(2 / case.args[0]))(got, exp, case)),
    Mistake("the std is right but the shape of the distribution is not: a normal has 68% of its values "
            "within one std, yours has about 58%, like a uniform. Draw with rng.standard_normal or "
            "rng.normal.",
            lambda got, exp, case: abs(got[0] - 1) < 0.03 and abs(got[2] - 1 / math.sqrt(3)) < 0.02),
    Mistake("W must have shape (n_in, n_out): one row per input, one column per unit of the layer.",
            lambda got, exp, case: got[3] == 0),
    Mistake("the weights should be float32, the dtype the course trains in: pass dtype=np.float32 to "
            "rng.standard_normal, or convert with .astype(np.float32) (rng.normal always gives float64).",
            lambda got, exp, case: got[4] == 0),
    Mistake("two calls with the same seed gave different weights: draw from the `rng` argument "
            "(rng.standard_normal), not from np.random, so that a seed reproduces the network.",
            lambda got, exp, case: got[5] == 0),
]


def check_he_normal(he_normal: Callable[[int, int, np.random.Generator], np.ndarray]) -> None:
    """Exercise 2: he_normal(n_in, n_out, rng) -> W (n_in, n_out) float32, W ~ N(0, 2 / n_in).

    Compared for each case: the six measures of HE_MEASURES, in that order.
    """
    # random draws: the measured std, mean and share agree with their targets only to about 1%
    check("Exercise 2 (He normal; compared: " + ", ".join(HE_MEASURES) + ")", _measured(he_normal),
          _he_target, HE_CASES, HE_MISTAKES, rtol=0.02, atol=0.02)


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
    """Exercise 3: layer_stats(list of (batch, width_k) arrays) -> (n_layers, 2) array of [mean, std]."""
    check("Exercise 3 (layer statistics)", layer_stats, _layer_stats, STATS_CASES, STATS_MISTAKES)
