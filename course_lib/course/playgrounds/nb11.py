"""Notebook 11 playground: pick the recurrent matrix's spectral radius ρ and the sequence length, see the
gradient vanish (ρ < 1), survive (ρ = 1) or explode (ρ > 1) on its way back through time.

`gradient_norms` measures ‖∂L/∂h_t‖ at every step of an Elman RNN whose W_h is ρ times an orthogonal matrix,
for a loss at the last step only; `draw_gradient_norms` plots the norms of several ρ against the distance from
the loss on a log scale; `show` draws the chosen ρ next to ρ = 1 and says in one line how far the gradient
grew or shrank. The notebook's widget only wires a ρ slider and a length slider to `show`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from course_lib.losses import PAD
from course_lib.recurrent import RNN, orthogonal


def gradient_norms(rho: float, length: int, hidden: int = 32, input_scale: float = 1e-4,
                   seed: int = 0) -> np.ndarray:
    """‖∂L/∂h_t‖ for t = 0 … length − 1, (length,), for a gradient that enters at the last step only.

    An RNN(hidden → hidden) in float64 with W_h = ρ·Q, Q orthogonal (`orthogonal`), reads one sequence x
    of shape (1, length, hidden) drawn N(0, input_scale²); the gradient at the last state is a random unit
    vector.
    Q, x and that vector come, in this order, from np.random.default_rng(seed); W_x from RNN(rng=seed).

    Why ρᵏ: with small inputs the states stay small, tanh' = 1 − h² ≈ 1, and each step back multiplies the
    gradient by W_hᵀ = ρ Qᵀ, which scales every vector's norm by exactly ρ (Q keeps norms). At distance k from
    the loss the norm is therefore ρᵏ times the one at the loss: notebook 05's variance argument, applied step
    after step instead of layer after layer. Larger inputs (or ρ > 1 over many steps) grow the states, tanh'
    drops below 1, and the norms fall below ρᵏ.
    """
    if not rho > 0:
        raise ValueError(f"gradient_norms needs a spectral radius rho > 0 (W_h = rho · an orthogonal "
                         f"matrix), got rho={rho!r}.")
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"gradient_norms needs a sequence length of at least 1 step, got length={length!r}.")
    rng = np.random.default_rng(seed)
    rnn = RNN(hidden, hidden, rng=seed, dtype=np.float64)
    rnn.params["W_h"][...] = rho * orthogonal(hidden, rng, dtype=np.float64)
    x = rng.normal(0.0, input_scale, (1, length, hidden))
    rnn.forward(x)
    grad_out = np.zeros((1, length, hidden))
    direction = rng.standard_normal(hidden)
    grad_out[0, -1] = direction / np.linalg.norm(direction)
    rnn.backward(grad_out, input_grad=False)
    return np.linalg.norm(rnn.state_grads[0], axis=1)


def draw_gradient_norms(ax: Axes, norms_by_rho: dict[float, np.ndarray]) -> None:
    """One line per ρ: ‖∂L/∂h_t‖ against the distance from the loss, k = length − 1 − t, on a log y axis."""
    for rho, norms in norms_by_rho.items():
        distance = len(norms) - 1 - np.arange(len(norms))
        ax.plot(distance, norms, marker=".", label=f"ρ = {rho:.2f}")
    ax.set_yscale("log")
    ax.set_xlabel("distance from the loss, k = length − 1 − t (steps)")
    ax.set_ylabel("gradient norm ‖∂L/∂h_t‖")
    ax.set_title("the gradient on its way back through time: ρᵏ times the one at the loss", fontsize=9)
    ax.legend()


def show(ax: Axes, rho: float, length: int) -> str:
    """Draw the norms for rho (and for ρ = 1, for reference, if rho ≠ 1); return one line on how they
    changed."""
    norms = {rho: gradient_norms(rho, length)}
    if rho != 1:
        norms[1.0] = gradient_norms(1.0, length)
    draw_gradient_norms(ax, norms)
    ratio = norms[rho][0] / norms[rho][-1]
    return (f"ρ = {rho:.2f}: the gradient {length - 1} steps from the loss is {ratio:.1e} times the one at "
            f"the loss")


def first_symbol_data(sizes: tuple[int, ...], length: int, n_symbols: int, seed: int
                      ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Data sets of the first-symbol task, one (ids, targets) per size, from np.random.default_rng(seed).

    ids (n, length) int64, symbols drawn uniformly from 1 … n_symbols; targets (n, length) int64, PAD except
    the last column, which holds ids[:, 0]. Notebook 11's experiments draw their data here, so that their
    numbers do not depend on how a learner's `first_symbol_task` consumes its generator.
    """
    rng = np.random.default_rng(seed)
    data = []
    for n in sizes:
        ids = rng.integers(1, n_symbols + 1, (n, length))
        targets = np.full((n, length), PAD, dtype=np.int64)
        targets[:, -1] = ids[:, 0]
        data.append((ids, targets))
    return data
