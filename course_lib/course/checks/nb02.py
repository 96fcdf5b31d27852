"""Checks for notebook 02 (forward pass): two affine layers as one, a stable sigmoid, log-softmax.

Each check runs the learner's function on several cases (zeros, huge values, a batch of one, ...) with
NumPy's floating-point warnings turned into errors, so an overflow that would only print a warning is
caught and explained.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, normal
from course_lib.course.checks._core import sigmoid as _sigmoid


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


# ---------------------------------------------------------------- exercise 1: two affine layers are one


def _collapse(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray,
              b2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2): the one affine layer doing the work of two."""
    return W1 @ W2, b1 @ W2 + b2


def _affine_case(label: str, n_in: int, n_mid: int, n_out: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    shapes = ((n_in, n_mid), n_mid, (n_mid, n_out), n_out)
    return Case(label, tuple(normal(rng, shape) for shape in shapes))


COLLAPSE_CASES = [
    _affine_case("square layers, 3 → 3 → 3 (where W2 @ W1 and W2 @ b1 fit too)", 3, 3, 3, seed=1),
    _affine_case("3 → 5 → 2", 3, 5, 2, seed=0),
    Case("zero biases: only the weights combine",
         (np.eye(2), np.zeros(2), np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros(2))),
    _affine_case("one output, 4 → 6 → 1", 4, 6, 1, seed=2),
    Case("identity weights: the biases simply add",
         (np.eye(3), np.array([1.0, 2.0, 3.0]), np.eye(3), np.array([0.5, 0.5, 0.5]))),
]

COLLAPSE_MISTAKES = [
    Mistake.returns("the bias of the combined layer is not b2 alone: b1 also goes through the second layer's "
                    "weights. Expand (x W1 + b1) W2 + b2 and collect what does not multiply x.",
                    lambda W1, b1, W2, b2: (W1 @ W2, b2)),
    Mistake.returns("b1 + b2 forgets that b1 passes through W2 like everything else the first layer outputs: "
                    "expand (x W1 + b1) W2.", lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2)),
    Mistake.returns("b1 W2 is right, but the second layer still adds its own b2.",
                    lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2)),
    Mistake.returns("the order of the weights: x meets W1 first, so the combined weight is W1 @ W2 (shape "
                    "(n_in, n_out)), not W2 @ W1.",
                    lambda W1, b1, W2, b2: (W2 @ W1, b1 @ W2 + b2),
                    lambda W1, b1, W2, b2: (W2 @ W1, W2 @ b1 + b2)),
    Mistake.returns("with b1 a row (the batch convention), the bias passes through W2 as b1 @ W2, "
                    "not W2 @ b1.", lambda W1, b1, W2, b2: (W1 @ W2, W2 @ b1 + b2)),
    Mistake("the combined bias must have shape (n_out,), one number per output, and yours has another "
            "shape. A vector times a matrix (`@`) gives a vector; `*` is elementwise and broadcasts.",
            lambda got, exp, case: np.shape(got[1]) != np.shape(exp[1])),
    Mistake.returns("the second layer ADDS its bias: the combined bias is b1 W2 + b2, not b1 W2 − b2.",
                    lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2 - b2)),
]

COLLAPSE_HINTS = {"shape": "x meets W1 first, so the combined weight is W1 @ W2, of shape (n_in, n_out); b1 "
                           "(n_mid,) passes through W2 as b1 @ W2, like x @ W. Check each product's inner "
                           "sizes."}


def check_collapse_affine(collapse_affine: Callable) -> None:
    """Exercise 1: (W, b) with x W + b = (x W1 + b1) W2 + b2 for every x: W = W1 W2, b = b1 W2 + b2."""
    check("Exercise 1 (two affine layers as one)", _strict(collapse_affine, COLLAPSE_HINTS), _collapse,
          COLLAPSE_CASES, COLLAPSE_MISTAKES)


# ---------------------------------------------------------------- exercise 3: a stable sigmoid

SIGMOID_CASES = [
    Case("zeros: σ(0) = 0.5", (np.zeros((2, 3), dtype=np.float32),)),
    Case("small values of both signs", (_f32([[-2.0, -0.5, 0.0, 0.5, 2.0]]),)),
    Case("a batch of one", (_f32([[3.0]]),)),
    Case("large positive and negative values", (_f32([[-1000.0, -100.0, -20.0, 20.0, 100.0, 1000.0]]),)),
    Case("float64 input", (np.linspace(-30, 30, 13).reshape(1, 13),)),
    # tiny answers need a relative tolerance: σ(−100) ≈ 3.7e-44 must not pass as "≈ 0"
    Case("very negative float64: σ(−100) ≈ 3.7e-44, σ(−700) ≈ 1e-304",
         (np.array([[-700.0, -300.0, -100.0, -40.0]]),), tolerance=(1e-6, 0.0)),
    Case("beyond e^709, float64's largest power of e: σ(−720) ≈ 2e-313 is still a float64 number",
         (np.array([[-720.0, -712.0, 712.0, 720.0]]),), tolerance=(1e-6, 0.0)),
]


def _zero_where_float64_holds_it(got: object, expected: object, case: Case) -> bool:
    """σ(x) came out as exactly 0 where the true value, though tiny, is a float64 number."""
    return bool(np.any((np.asarray(got) == 0) & (np.asarray(expected) > 0)))

SIGMOID_MISTAKES = [
    Mistake.returns("the sign of the exponent is flipped: σ(x) = 1 / (1 + e^{-x}) grows with x, so "
                    "σ(2) > 0.5.", lambda x: _sigmoid(-x)),
    Mistake.returns("for x < 0 you used the formula of x ≥ 0 with |x|: that gives σ(|x|) > 0.5 on the "
                    "negative side. Rewrite 1 / (1 + e^{−x}) for x < 0: multiply top and bottom by e^{x}.",
                    lambda x: _sigmoid(np.abs(x))),
    Mistake.returns("for x ≥ 0 you used the formula meant for x < 0: that gives σ(−|x|) < 0.5 everywhere. "
                    "Each sign needs its own form.", lambda x: _sigmoid(-np.abs(x))),
    Mistake.returns("clipping x before exponentiating changes the answer: σ(−100) ≈ 3.7e-44 is tiny but not "
                    "σ(−30) ≈ 9.4e-14. Rewrite the formula instead of clipping its input.",
                    *[lambda x, c=c: _sigmoid(np.clip(x, -c, c)) for c in (10, 20, 30, 50, 80, 88)]),
    Mistake.returns("that is e^{-x} or e^{x} alone: the sigmoid divides, 1 / (1 + e^{-x}).",
                    lambda x: np.exp(-x), np.exp),
    Mistake("the output must keep the input's shape: compute elementwise, without summing or reshaping.",
            lambda got, exp, case: np.size(got) != np.size(exp)),
    Mistake("your σ is exactly 0 where float64 still holds the answer (σ(−720) ≈ 2e-313): an intermediate "
            "left float64's range on the way (e^{720} is inf, and 1 / inf is 0). Hiding NumPy's warnings "
            "(np.errstate) hides the overflow, it does not prevent it: exponentiate only −|x|.",
            _zero_where_float64_holds_it),
]

SIGMOID_HINTS = {
    "overflow": "np.exp of a large number overflows (e^89 is already inf in float32). Only ever "
                "exponentiate −|x|, which is ≤ 0; write σ(x) for x < 0 in a form that uses e^{x} = e^{−|x|}. "
                "Careful: np.where(cond, a, b) computes both a and b on every element.",
    "invalid": "a value became nan (inf / inf or 0 · inf): exponentiate only −|x|, never ±x.",
    "divide": "a division by zero: with e = e^{−|x|} the denominators 1 + e are never 0.",
}


def check_sigmoid(sigmoid: Callable[[np.ndarray], np.ndarray]) -> None:
    """Exercise 3: σ(x) elementwise, exact (to a relative 1e-6 even for σ(−700)) and without overflow."""
    check("Exercise 3 (stable sigmoid)", _strict(sigmoid, SIGMOID_HINTS), _sigmoid, SIGMOID_CASES,
          SIGMOID_MISTAKES)


# ---------------------------------------------------------------- exercise 2: log-softmax over rows


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """ln softmax(z) row by row: z − m − ln Σ_j e^{z_j − m}, m the row's maximum (no probability formed)."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


LOG_SOFTMAX_CASES = [
    Case("small logits, 2 samples × 3 classes", (_f32([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]]),)),
    Case("zeros: every class gets ln(1/4)", (np.zeros((3, 4), dtype=np.float32),)),
    Case("a batch of one, 10 classes", (np.linspace(-2, 2, 10, dtype=np.float32).reshape(1, 10),)),
    Case("large logits", (_f32([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]]),)),
    Case("a row spanning 200: its probabilities underflow", (_f32([[0.0, 100.0, 200.0], [3.0, 1.0, 2.0]]),)),
    Case("rows on very different scales", (_f32([[1000.0, 999.0], [0.0, 1.0], [-1000.0, -1002.0]]),)),
    Case("square logits (3 × 3)", (_f32([[1.0, 0.0, 0.0], [0.0, 3.0, 0.0], [2.0, 2.0, 4.0]]),)),
    Case("float64, a row spanning 2000", (np.array([[-1000.0, 0.0, 1000.0]]),)),
]

LOG_SOFTMAX_MISTAKES = [
    Mistake.returns("that is z − max: the shift alone. ln p_i still needs − ln Σ_j e^{z_j − max}.",
                    lambda z: z - z.max(axis=1, keepdims=True)),
    Mistake.returns("you subtracted ln Σ e^{z − max} but not the max itself: ln p_i = (z_i − m) − "
                    "ln Σ_j e^{z_j − m}.", lambda z: _log_softmax(z) + z.max(axis=1, keepdims=True)),
    Mistake.returns("the sum must run along each ROW (axis=1, keepdims=True): every sample has its own "
                    "normalizer.",
                    lambda z: z - z.max() - np.log(np.exp(z - z.max()).sum(axis=0, keepdims=True))),
    Mistake.returns("that is the softmax itself, not its logarithm.", lambda z: np.exp(_log_softmax(z))),
    Mistake.returns("the sign is flipped: ln p_i ≤ 0, so the answer is z_i − m − ln Σ e^{z_j − m}, "
                    "never > 0.",
                    lambda z: -_log_softmax(z)),
]

LOG_SOFTMAX_HINTS = {
    "overflow": "np.exp of a large logit overflows (e^89 is inf in float32). Subtract each row's MAXIMUM "
                "(not its minimum, not its mean) before np.exp: then every exponent is ≤ 0.",
    "divide": "np.log of 0: what you took the log of underflowed to 0. Either a probability (softmax formed "
              "first: simplify ln(e^{z_i − m} / Σ_j e^{z_j − m}) by hand, so only ln of the sum is taken) or "
              "a row's sum Σ_j e^{z_j − m} (with m each row's OWN maximum, axis=1, that sum is ≥ 1).",
    "invalid": "a row became nan (0/0 or inf − inf): subtract each row's OWN maximum (axis=1, "
               "keepdims=True), so the largest exponent in every row is 0.",
    "shape": "z.max(axis=1) has shape (batch,), which does not broadcast against (batch, k): keep the "
             "axis with keepdims=True, giving (batch, 1).",
}


def check_log_softmax(log_softmax: Callable[[np.ndarray], np.ndarray]) -> None:
    """Exercise 2: ln softmax along each row of z (batch, k), finite for logits up to ±1000."""
    check("Exercise 2 (log-softmax)", _strict(log_softmax, LOG_SOFTMAX_HINTS), _log_softmax,
          LOG_SOFTMAX_CASES, LOG_SOFTMAX_MISTAKES)
