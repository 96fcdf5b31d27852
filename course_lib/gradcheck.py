"""Gradient checking: compare backpropagated gradients with centered finite differences.

Derived in notebook 03 (chain rule, float64 vs float32) and used on whole networks in notebook 04.
For a scalar function f and a small ε,
    ∂f/∂θ_i ≈ (f(θ + ε e_i) − f(θ − ε e_i)) / (2ε),  error O(ε²),
and the agreement is measured by the relative error |a − n| / max(|a| + |n|, tiny).
Checks run in float64: in float32 the rounding error of f swamps the O(ε²) term.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from course_lib.layers import Layer, Sequential
from course_lib.losses import LossFn, get_loss

TINY = 1e-12


@dataclass(frozen=True)
class Entry:
    """One checked number: which array, where, both gradients and their relative error."""

    name: str
    index: tuple[int, ...]
    analytic: float
    numeric: float
    rel_error: float


@dataclass
class GradCheckReport:
    """All checked entries; `passed` when every relative error is below `tol`."""

    entries: list[Entry]
    tol: float

    @property
    def max_rel_error(self) -> float:
        return max(e.rel_error for e in self.entries)

    @property
    def passed(self) -> bool:
        return self.max_rel_error < self.tol

    def worst(self, k: int = 5) -> list[Entry]:
        return sorted(self.entries, key=lambda e: e.rel_error, reverse=True)[:k]

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [
            f"Gradient check {verdict}: max relative error {self.max_rel_error:.2e} "
            f"(tolerance {self.tol:.0e}), {len(self.entries)} entries checked. Worst entries:",
            f"  {'name':<14} {'index':<12} {'analytic':>13} {'numeric':>13} {'rel error':>10}",
        ]
        lines += [
            f"  {e.name:<14} {str(e.index):<12} {e.analytic:>13.6g} {e.numeric:>13.6g} {e.rel_error:>10.2e}"
            for e in self.worst()
        ]
        return "\n".join(lines)


def rel_error(analytic: np.ndarray, numeric: np.ndarray, tiny: float = TINY) -> np.ndarray:
    """|a − n| / max(|a| + |n|, tiny), elementwise; 0 where both are exactly 0."""
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), tiny)


def numerical_gradient(
    f: Callable[[], float], x: np.ndarray, index: tuple[int, ...], eps: float = 1e-6
) -> float:
    """Centered difference of f() with respect to x[index]; x is nudged in place and restored."""
    old = x[index]
    x[index] = old + eps
    f_plus = f()
    x[index] = old - eps
    f_minus = f()
    x[index] = old
    return (f_plus - f_minus) / (2 * eps)


def _expect_float64(arrays: dict[str, np.ndarray], where: str) -> None:
    for name, a in arrays.items():
        if a.dtype != np.float64:
            raise TypeError(
                f"{where} needs float64 arrays, but {name} is {a.dtype}: float32 finite differences mislead. "
                "Build layers with dtype=np.float64 and pass x.astype(np.float64)."
            )


def _check_arrays(
    f: Callable[[], float],
    arrays: dict[str, tuple[np.ndarray, np.ndarray]],
    eps: float,
    max_entries: int,
    seed: int,
) -> list[Entry]:
    """Compare analytic gradients with numeric ones for up to max_entries random entries per array."""
    rng = np.random.default_rng(seed)
    entries = []
    for name, (x, analytic) in arrays.items():
        flat = np.arange(x.size) if x.size <= max_entries else rng.choice(x.size, max_entries, replace=False)
        for i in flat:
            index = tuple(int(k) for k in np.unravel_index(i, x.shape))
            a, n = float(analytic[index]), numerical_gradient(f, x, index, eps)
            entries.append(Entry(name, index, a, n, float(rel_error(a, n))))
    return entries


def check_layer(
    layer: Layer,
    x: np.ndarray,
    *,
    tol: float = 1e-6,
    eps: float = 1e-6,
    max_entries: int = 200,
    seed: int = 0,
) -> GradCheckReport:
    """Check a layer's dx and parameter gradients on f = Σ forward(x) ⊙ R for a fixed random R.

    x: (batch, ...) float64, params float64. dL/dy = R, so backward(R) must give ∂f/∂x and ∂f/∂θ.
    A layer that reads integer ids (`takes_ids`, e.g. Embedding) has no ∂f/∂x: its parameters are checked.
    Layers that draw random numbers in forward (Dropout) cannot be checked this way.
    """
    x = x.copy()
    inputs = {} if layer.takes_ids else {"x": x}
    _expect_float64(inputs | layer.params, "check_layer")
    upstream = np.random.default_rng(seed).standard_normal(layer.forward(x).shape)
    dx = layer.backward(upstream)
    arrays = {name: (x, dx) for name in inputs}
    arrays |= {k: (p, layer.grads[k].copy()) for k, p in layer.params.items()}

    def f() -> float:
        return float(np.sum(layer.forward(x) * upstream))

    return GradCheckReport(_check_arrays(f, arrays, eps, max_entries, seed), tol)


def check_loss(
    loss_fn: LossFn | str, pred: np.ndarray, target: np.ndarray, *, tol: float = 1e-6, eps: float = 1e-6
) -> GradCheckReport:
    """Check the gradient a loss returns against finite differences of its value. pred: float64."""
    loss_fn = get_loss(loss_fn)
    pred = pred.copy()
    _expect_float64({"pred": pred}, "check_loss")
    arrays = {"pred": (pred, loss_fn(pred, target)[1])}
    return GradCheckReport(_check_arrays(lambda: loss_fn(pred, target)[0], arrays, eps, pred.size, 0), tol)


def check_model(
    model: Sequential,
    loss: LossFn | str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    tol: float = 1e-6,
    eps: float = 1e-6,
    max_entries: int = 200,
    seed: int = 0,
) -> GradCheckReport:
    """Check every parameter gradient of a whole model under a loss. x: (batch, n_in) float64, or integer
    ids for a model that reads ids (`takes_ids`)."""
    loss_fn = get_loss(loss)
    params = list(model.parameters())
    _expect_float64(({} if model.takes_ids else {"x": x}) | {p.name: p.value for p in params}, "check_model")
    model.backward(loss_fn(model.forward(x), y)[1])
    arrays = {p.name: (p.value, p.grad.copy()) for p in params}

    def f() -> float:
        return loss_fn(model.forward(x), y)[0]

    return GradCheckReport(_check_arrays(f, arrays, eps, max_entries, seed), tol)
