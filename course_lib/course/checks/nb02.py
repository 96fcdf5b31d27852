"""Checks for the exercises of notebook 02 (forward pass): dense forward, stable sigmoid, stable softmax.

Each check runs the learner's function on several cases (zeros, huge values, a batch of one, ...) with
NumPy's floating-point warnings turned into errors, so an overflow that would only print a warning is
caught and explained.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, close, normal
from course_lib.course.checks._core import sigmoid as _sigmoid
from course_lib.course.checks._core import softmax as _softmax


def _strict(function: Callable, hints: dict[str, str]) -> Callable:
    """Run `function` with over/invalid floating-point warnings raised as errors, adding a hint.

    `hints` maps a word of NumPy's message (e.g. "overflow", "invalid") to a sentence for the learner;
    the same for a ValueError (a shape mismatch) under the key "shape".
    """

    @functools.wraps(function)
    def strict(*args, **kwargs):
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                return function(*args, **kwargs)
        except FloatingPointError as err:
            hint = next((text for word, text in hints.items() if word in str(err)), "")
            raise FloatingPointError(f"{err}. Hint: {hint}" if hint else str(err)) from None
        except ValueError as err:
            if "shape" not in hints:
                raise
            raise ValueError(f"{err}. Hint: {hints['shape']}") from None

    return strict


def _f32(rows: list) -> np.ndarray:
    return np.array(rows, dtype=np.float32)


# ---------------------------------------------------------------- exercise 2: a stable sigmoid

SIGMOID_CASES = [
    Case("zeros: σ(0) = 0.5", (np.zeros((2, 3), dtype=np.float32),)),
    Case("small values of both signs", (_f32([[-2.0, -0.5, 0.0, 0.5, 2.0]]),)),
    Case("a batch of one", (_f32([[3.0]]),)),
    Case("large positive and negative values", (_f32([[-1000.0, -100.0, -20.0, 20.0, 100.0, 1000.0]]),)),
    Case("float64 input", (np.linspace(-30, 30, 13).reshape(1, 13),)),
]

SIGMOID_MISTAKES = [
    Mistake.returns("the sign of the exponent is flipped: σ(x) = 1 / (1 + e^{-x}) grows with x, so "
                    "σ(2) > 0.5.", lambda x: _sigmoid(-x)),
    Mistake.returns("that is e^{-x} or e^{x} alone: the sigmoid divides, 1 / (1 + e^{-x}).",
                    lambda x: np.exp(-x), np.exp),
    Mistake("the output must keep the input's shape: compute elementwise, without summing or reshaping.",
            lambda got, exp, case: np.size(got) != np.size(exp)),
]

SIGMOID_HINTS = {
    "overflow": "np.exp of a large number overflows (e^89 is already inf in float32). Only ever "
                "exponentiate −|x|, which is ≤ 0; write σ(x) for x < 0 in a form that uses e^{x} = e^{−|x|}. "
                "Careful: np.where(cond, a, b) computes both a and b on every element.",
    "invalid": "a value became nan (inf / inf or 0 · inf): exponentiate only −|x|, never ±x.",
    "divide": "a division by zero: with e = e^{−|x|} the denominators 1 + e are never 0.",
}


def check_sigmoid(sigmoid: Callable[[np.ndarray], np.ndarray]) -> None:
    """Exercise 2: σ(x) elementwise, exact and without overflow for |x| up to 1000."""
    check("Exercise 2 (stable sigmoid)", _strict(sigmoid, SIGMOID_HINTS), _sigmoid, SIGMOID_CASES,
          SIGMOID_MISTAKES)


# ---------------------------------------------------------------- exercise 1: a dense layer's forward pass


def _dense(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return x @ W + b


def _dense_case(label: str, batch: int, n_in: int, n_out: int, seed: int, scale: float = 1.0) -> Case:
    rng = np.random.default_rng(seed)
    shapes = ((batch, n_in), (n_in, n_out), n_out)
    x, W, b = (normal(rng, shape, dtype=np.float32) for shape in shapes)
    return Case(label, (x * np.float32(scale), W, b))


DENSE_CASES = [
    _dense_case("a batch of 4, 3 inputs → 2 outputs", 4, 3, 2, seed=0),
    _dense_case("a batch of one", 1, 5, 3, seed=1),
    Case("zero input: the output is the bias", (np.zeros((3, 4), np.float32), np.ones((4, 2), np.float32),
                                                _f32([0.5, -1.0]))),
    _dense_case("square W (4 → 4)", 6, 4, 4, seed=2),
    _dense_case("MNIST-sized: 784 → 128, batch of 8", 8, 784, 128, seed=3, scale=0.1),
]

DENSE_MISTAKES = [
    Mistake.returns("the bias is missing: after the product, add b (shape (n_out,), broadcast over the "
                    "batch).", lambda x, W, b: x @ W),
    Mistake.returns("you returned (n_out, batch): in the batch convention each ROW is a sample, so the "
                    "result is (batch, n_out). Multiply x by W in that order rather than transposing.",
                    lambda x, W, b: (x @ W + b).T),
    Mistake.returns("that is x @ Wᵀ + b, the column convention's W: here W has shape (n_in, n_out) and the "
                    "product is x @ W.", lambda x, W, b: x @ W.T + b),
    Mistake.returns("the bias was added twice: z = x @ W + b adds b once.", lambda x, W, b: x @ W + 2 * b),
]

DENSE_HINTS = {"shape": "x has shape (batch, n_in) and W (n_in, n_out): the product whose inner sizes "
                        "match is x @ W, giving (batch, n_out). `*` is elementwise, not a matrix product."}


def check_dense_forward(dense_forward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> None:
    """Exercise 1: z = x @ W + b with x (batch, n_in), W (n_in, n_out), b (n_out,) -> z (batch, n_out)."""
    # float32 sums of up to 784 products: another summation order (a loop, another BLAS) differs by ~1e-5
    check("Exercise 1 (dense forward)", _strict(dense_forward, DENSE_HINTS), _dense, DENSE_CASES,
          DENSE_MISTAKES, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- exercise 3: a stable softmax over rows

SOFTMAX_CASES = [
    Case("small logits, 2 samples × 3 classes", (_f32([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]]),)),
    Case("zeros: every class equally likely", (np.zeros((3, 4), dtype=np.float32),)),
    Case("a batch of one, 10 classes", (np.linspace(-2, 2, 10, dtype=np.float32).reshape(1, 10),)),
    Case("large logits", (_f32([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]]),)),
    Case("rows on very different scales", (_f32([[1000.0, 999.0], [0.0, 1.0], [-1000.0, -1002.0]]),)),
    Case("square logits (3 × 3)", (_f32([[1.0, 0.0, 0.0], [0.0, 3.0, 0.0], [2.0, 2.0, 4.0]]),)),
]


def _sums_to_one_over(got: object, axis: int) -> bool:
    got = np.asarray(got, dtype=float)
    return got.ndim == 2 and bool(np.allclose(got.sum(axis=axis), 1, atol=1e-5))


SOFTMAX_MISTAKES = [
    Mistake("each ROW is one sample and must sum to 1: sum the exponentials along axis=1 (keepdims=True), "
            "not axis=0 and not over the whole array.",
            lambda got, exp, case: (_sums_to_one_over(got, 0) and not _sums_to_one_over(got, 1))
            or close(np.sum(got), 1.0, case)),
    Mistake.returns("subtract each row's own maximum (max along axis=1, keepdims=True), not the maximum of "
                    "each column: a constant shift leaves a row's softmax unchanged only if the whole row "
                    "gets it.", lambda z: _softmax(z - z.max(axis=0))),
    Mistake("the rows add up to 1 but the values are off: is it e^{z} you normalize (and not z itself)?",
            lambda got, exp, case: _sums_to_one_over(got, 1)),
]

SOFTMAX_HINTS = {
    "overflow": "np.exp(1000) is inf. Subtract each row's maximum before np.exp: "
                "softmax(z − c) = softmax(z), and then every exponent is ≤ 0.",
    "invalid": "a row turned into 0/0 or inf/inf: all of its exponentials under- or overflowed. Subtract "
               "each row's OWN maximum (axis=1, keepdims=True), so the largest exponent in every row is 0.",
    "divide": "a row's exponentials summed to 0: subtract each row's own maximum so one of them is e^0 = 1.",
    "shape": "z.max(axis=1) has shape (batch,), which does not broadcast against (batch, k): keep the "
             "axis with keepdims=True, giving (batch, 1).",
}


def check_softmax(softmax: Callable[[np.ndarray], np.ndarray]) -> None:
    """Exercise 3: softmax along each row of z (batch, k), without overflow for logits up to ±1000."""
    check("Exercise 3 (stable softmax)", _strict(softmax, SOFTMAX_HINTS), _softmax, SOFTMAX_CASES,
          SOFTMAX_MISTAKES)
