"""Notebook 03 (chain rule): the tangent-line playground and the computational-graph picture.

`COMPOSITES` holds a few functions built from two or three simple pieces, each with its derivative
written out by the chain rule. `tangent_report` computes value and slope (by hand and numerically)
at a point, `plot_tangent` draws the function with its tangent line there, and `draw_chain` draws a
chain of nodes with forward values above and backward gradients below.
All functions work on float64 scalars or arrays of any shape (elementwise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_lib.activations import sigmoid, tanh

Fn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Composite:
    """f(x) built from simple pieces, its derivative `df` by the chain rule, and that rule in words."""

    f: Fn
    df: Fn
    rule: str


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


COMPOSITES: dict[str, Composite] = {
    "sin(x²)": Composite(
        lambda x: np.sin(x**2),
        lambda x: np.cos(x**2) * 2 * x,
        "outer sin → cos(x²), times inner x² → 2x",
    ),
    "σ(3x − 1)": Composite(
        lambda x: sigmoid(3 * x - 1),
        lambda x: sigmoid(3 * x - 1) * (1 - sigmoid(3 * x - 1)) * 3,
        "outer σ → σ(1 − σ), times inner 3x − 1 → 3",
    ),
    "tanh(x)²": Composite(
        lambda x: tanh(x) ** 2,
        lambda x: 2 * tanh(x) * (1 - tanh(x) ** 2),
        "outer u² → 2u, times inner tanh → 1 − tanh²",
    ),
    "exp(−x²/2)": Composite(
        lambda x: np.exp(-(x**2) / 2),
        lambda x: np.exp(-(x**2) / 2) * -x,
        "outer exp → exp, times inner −x²/2 → −x",
    ),
    "log(1 + eˣ)": Composite(
        _softplus,
        lambda x: np.exp(x - _softplus(x)),
        "outer log → 1/(1 + eˣ), times inner 1 + eˣ → eˣ: the result is σ(x)",
    ),
}


def numeric_slope(f: Fn, x: float | np.ndarray, h: float = 1e-5) -> float | np.ndarray:
    """Centered difference (f(x + h) − f(x − h)) / 2h; x scalar or array (elementwise)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def tangent_report(name: str, x: float, h: float = 1e-5) -> dict[str, float]:
    """Value and slope of COMPOSITES[name] at scalar x, by the chain rule and by a centered difference.

    Returns {"value", "analytic", "numeric", "abs_error"} as Python floats (computed in float64).
    """
    if name not in COMPOSITES:
        raise ValueError(f"Unknown composite {name!r}. Valid names: {', '.join(COMPOSITES)}.")
    c = COMPOSITES[name]
    x64 = np.float64(x)
    analytic = float(c.df(x64))
    numeric = float(numeric_slope(c.f, x64, h))
    return {"value": float(c.f(x64)), "analytic": analytic, "numeric": numeric,
            "abs_error": abs(analytic - numeric)}


def plot_tangent(name: str, x: float, x_range: tuple[float, float] = (-3.0, 3.0),
                 ax: plt.Axes | None = None) -> Figure:
    """Draw COMPOSITES[name] on x_range with its tangent line at x; the title shows both slopes."""
    report = tangent_report(name, x)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    grid = np.linspace(*x_range, 400)
    f = COMPOSITES[name].f
    ax.plot(grid, f(grid), lw=2, label=f"f(x) = {name}")
    near = grid[np.abs(grid - x) <= 1.0]
    ax.plot(near, report["value"] + report["analytic"] * (near - x), "--", lw=2, color="tab:orange",
            label="tangent line")
    ax.plot([x], [report["value"]], "o", color="black")
    span = f(grid).max() - f(grid).min()
    ax.set_ylim(f(grid).min() - 0.3 * span - 0.1, f(grid).max() + 0.3 * span + 0.1)
    ax.set_xlabel("x")
    ax.set_title(f"x = {x:.2f}   f = {report['value']:.4f}   f′ by hand = {report['analytic']:.6f}"
                 f"   numeric = {report['numeric']:.6f}", fontsize=9)
    ax.text(0.02, 0.03, "chain rule: " + COMPOSITES[name].rule, transform=ax.transAxes, fontsize=8)
    ax.legend(loc="best", fontsize=8)
    return ax.figure


def draw_chain(labels: Sequence[str], values: Sequence[float], grads: Sequence[float],
               local_grads: Sequence[str]) -> Figure:
    """Draw a chain of n nodes left to right: value above each box, ∂L/∂node below, local gradients on arrows.

    labels, values, grads: n items each; local_grads: n − 1 strings, one per arrow (edge i → i + 1).
    """
    n = len(labels)
    if not len(values) == len(grads) == n or len(local_grads) != n - 1:
        raise ValueError(f"draw_chain needs n labels, values, grads and n − 1 local_grads; got "
                         f"{n}, {len(values)}, {len(grads)}, {len(local_grads)}.")
    fig, ax = plt.subplots(figsize=(2.3 * n, 2.6))
    for i, (label, value, grad) in enumerate(zip(labels, values, grads, strict=True)):
        ax.text(i, 0, label, ha="center", va="center", fontsize=11,
                bbox={"boxstyle": "round,pad=0.5", "fc": "#e8f0fe", "ec": "#4a6fa5"})
        ax.text(i, 0.45, f"value {value:.4f}", ha="center", fontsize=9)
        ax.text(i, -0.5, f"∂L/∂· = {grad:.4f}", ha="center", fontsize=9, color="tab:red")
    for i, local in enumerate(local_grads):
        ax.annotate("", xy=(i + 0.62, 0), xytext=(i + 0.38, 0),
                    arrowprops={"arrowstyle": "->", "color": "#4a6fa5"})
        ax.text(i + 0.5, -0.2, local, ha="center", fontsize=8, color="tab:red")
    ax.text(-0.45, 0.8, "forward: values flow right →", fontsize=9)
    ax.text(-0.45, -0.85, "backward: gradients flow left ←, multiplied by each local gradient",
            fontsize=9, color="tab:red")
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(-1, 1)
    ax.axis("off")
    return fig
