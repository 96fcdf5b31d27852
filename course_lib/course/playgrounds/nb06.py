"""Notebook 06 playground: a learning-rate schedule designer, tried on two spirals.

`design_schedule` turns four knobs (kind, peak lr, final fraction, warm-up steps) into a schedule from
`course_lib.schedules`; `train_spirals` trains a small ReLU network with plain SGD under it (a fraction
of a second); `draw_design` draws the schedule, the loss and the decision boundary side by side. The
notebook's widget only wires sliders to `show_design`. Two more pieces of the notebook live here:
`noisy_descent`, gradient descent on a parabola with noisy gradients (why the rate must decay), and
`MomentumCycle`, a `fit` callback that cycles a Momentum optimizer's μ against one-cycle's learning rate.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from course_lib.layers import Sequential, mlp
from course_lib.metrics import accuracy
from course_lib.optim import SGD
from course_lib.plots import plot_decision_boundary
from course_lib.schedules import (
    Constant,
    Cosine,
    ExponentialDecay,
    LinearWarmup,
    OneCycle,
    Schedule,
    StepDecay,
    cosine_between,
)
from course_lib.toy_data import two_spirals
from course_lib.train import fit

KINDS = ("constant", "step", "exponential", "cosine", "one-cycle")

#: Steps of one toy run: 60 epochs of 10 mini-batches of 40 points.
TOTAL_STEPS = 600

#: Fixed axis ranges, so that one redraw compares with the next at a glance.
LR_LIMITS, LOSS_LIMITS = (1e-4, 10.0), (1e-3, 10.0)


def design_schedule(kind: str, peak_lr: float, final_fraction: float = 0.01, warmup_steps: int = 0,
                    total_steps: int = TOTAL_STEPS) -> Schedule:
    """A schedule that peaks at `peak_lr` and ends near `final_fraction · peak_lr` at `total_steps`.

    kind: one of KINDS. "step" divides the lr twice, at 1/3 and 2/3 of the decay, by the same factor;
    "exponential" and "cosine" decay smoothly. For "constant" final_fraction is ignored. A linear warm-up
    of `warmup_steps` comes first (the decay then takes the remaining steps); for "one-cycle" the warm-up
    is its own rising half-cosine from peak_lr / 25, and it always has at least one rising step.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown kind {kind!r}. Valid kinds: {', '.join(KINDS)}.")
    if not 0 < final_fraction <= 1:
        raise ValueError(f"final_fraction must be in (0, 1], got {final_fraction!r}.")
    if not 0 <= warmup_steps < total_steps:
        raise ValueError(f"warmup_steps must be in [0, {total_steps}), got {warmup_steps!r}.")
    if kind == "one-cycle":
        return OneCycle(peak_lr, total_steps, pct_start=max(warmup_steps, 1) / total_steps,
                        final_div_factor=1 / (25 * final_fraction))
    decay_steps = total_steps - warmup_steps
    decay: Schedule = {
        "constant": lambda: Constant(peak_lr),
        "step": lambda: StepDecay(peak_lr, math.ceil(decay_steps / 3), math.sqrt(final_fraction)),
        "exponential": lambda: ExponentialDecay(peak_lr, final_fraction, decay_steps),
        "cosine": lambda: Cosine(peak_lr, decay_steps, peak_lr * final_fraction),
    }[kind]()
    return LinearWarmup(decay, warmup_steps) if warmup_steps else decay


@functools.lru_cache(maxsize=1)
def spirals() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train (400, 2), y_train (400,), x_test (400, 2), y_test (400,)): two spirals, two noise seeds."""
    return (*two_spirals(400, seed=0), *two_spirals(400, seed=1))


@dataclass(frozen=True)
class ToyRun:
    """One training run on the spirals.

    lrs, losses: (steps_done,) the lr and the mini-batch loss of every step taken. A run that diverges
    stops at the first non-finite loss (kept as the last entry), with `diverged` set.
    """

    model: Sequential
    lrs: np.ndarray
    losses: np.ndarray
    train_accuracy: float
    test_accuracy: float
    diverged: bool


def train_spirals(schedule: Schedule, total_steps: int = TOTAL_STEPS, batch_size: int = 40,
                  hidden: int = 24, seed: int = 0) -> ToyRun:
    """Train a 2-hidden-hidden-2 ReLU network with plain SGD, lr = schedule(step) before each step.

    `fit` with mini-batches of `batch_size`, reshuffled every epoch; total_steps is rounded up to whole
    epochs of the 400 training points. Weights from mlp(seed=seed), shuffles from fit(seed=seed).
    """
    x, y, x_test, y_test = spirals()
    model = mlp([2, hidden, hidden, 2], "relu", seed=seed)
    epochs = -(-total_steps // -(-len(x) // batch_size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = fit(model, x, y, epochs=epochs, batch_size=batch_size, optimizer=SGD(model, schedule(0)),
                      schedule=schedule, seed=seed, quiet=True, on_divergence="stop")
        train_acc, test_acc = accuracy(model.predict(x), y), accuracy(model.predict(x_test), y_test)
    return ToyRun(model, np.array(history.batch_lr), np.array(history.batch_loss), train_acc, test_acc,
                  history.diverged)


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Mean of each run of `window` consecutive values: (n,) -> (n − window + 1,)."""
    values = np.asarray(values, dtype=np.float64)
    if not 1 <= window <= len(values):
        raise ValueError(f"window must be between 1 and len(values) = {len(values)}, got {window}.")
    return np.convolve(values, np.ones(window) / window, mode="valid")


def draw_design(axes, kind: str, peak_lr: float, final_fraction: float = 0.01, warmup_steps: int = 0,
                seed: int = 0) -> ToyRun:
    """Draw on three axes: the schedule, the smoothed training loss, the boundary on the test spirals."""
    lr_ax, loss_ax, boundary_ax = axes
    schedule = design_schedule(kind, peak_lr, final_fraction, warmup_steps)
    run = train_spirals(schedule, seed=seed)
    steps = np.arange(TOTAL_STEPS)
    lr_ax.plot(steps, [schedule(int(s)) for s in steps], color="C0")
    lr_ax.set(xlabel="step", ylabel="learning rate (log scale)", yscale="log", ylim=LR_LIMITS,
              title=f"{kind}, peak {peak_lr:g}")
    finite = run.losses[np.isfinite(run.losses)]
    window = min(20, len(finite)) or 1
    if len(finite):
        loss_ax.plot(np.arange(len(finite)), finite, color="0.8", linewidth=0.8)
        loss_ax.plot(np.arange(window - 1, len(finite)), moving_average(finite, window), color="C1")
    loss_ax.set(xlabel="step", ylabel="cross-entropy (log scale)", yscale="log", xlim=(0, TOTAL_STEPS),
                ylim=LOSS_LIMITS,
                title="diverged" if run.diverged else f"last 20 steps: {finite[-window:].mean():.3f}")
    _, _, x_test, y_test = spirals()
    with np.errstate(all="ignore"):
        plot_decision_boundary(run.model, x_test, y_test, ax=boundary_ax, resolution=120, padding=0.2)
    boundary_ax.set(aspect="equal", title=f"test accuracy {run.test_accuracy:.0%}")
    return run


def show_design(kind: str, peak_lr: float, final_fraction: float = 0.01, warmup_steps: int = 0,
                seed: int = 0) -> tuple[plt.Figure, ToyRun]:
    """A new 1 × 3 figure filled by `draw_design`; returns (figure, run)."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    run = draw_design(axes, kind, peak_lr, final_fraction, warmup_steps, seed)
    fig.tight_layout()
    return fig, run


def noisy_descent(lam: float, noise: float, schedule: Schedule, steps: int, chains: int = 2000,
                  w0: float = 1.0, seed: int = 0) -> np.ndarray:
    """SGD on L(w) = λw²/2 with noisy gradients g = λw + noise·ξ, ξ ~ N(0, 1), for many independent chains.

    w_{t+1} = w_t − η_t g_t with η_t = schedule(t). Returns (steps + 1, chains) float64, row 0 = w0.
    With a constant η the spread settles at Var(w) = η noise² / (λ (2 − ηλ)): it never reaches 0.
    """
    rng = np.random.default_rng(seed)
    w = np.full(chains, float(w0))
    path = [w.copy()]
    for t in range(steps):
        w = w - schedule(t) * (lam * w + noise * rng.standard_normal(chains))
        path.append(w.copy())
    return np.array(path)


def stationary_variance(lam: float, noise: float, lr: float) -> float:
    """Var(w) where constant-rate noisy descent settles: the fixed point of v = (1 − ηλ)² v + η² noise²."""
    return lr * noise**2 / (lam * (2 - lr * lam))


@dataclass
class MomentumCycle:
    """`fit` callback: sets `optimizer.momentum` before each step, cycling it against a one-cycle lr.

    High (0.95) while the lr is low, falling along a half cosine to low (0.85) at the lr's peak
    (pct_start · total_steps), then back to high at total_steps: Smith's one-cycle with cyclical momentum.
    """

    optimizer: object
    total_steps: int
    pct_start: float = 0.3
    high: float = 0.95
    low: float = 0.85

    def momentum(self, step: int) -> float:
        peak = self.pct_start * self.total_steps
        if step < peak:
            start, end, fraction = self.high, self.low, step / peak
        else:
            start, end = self.low, self.high
            fraction = min((step - peak) / (self.total_steps - peak), 1.0)
        return cosine_between(start, end, fraction)

    def on_step(self, step: int, model: Sequential, loss: float, lr: float, batch_size: int) -> None:
        self.optimizer.momentum = self.momentum(step)
