"""The learning-rate range test: train briefly while the rate grows, and read a good rate off the loss.

Derived in notebook 06 (learning-rate schedules) and used again in notebook 07. Two ramps, for step
t = 0 … n − 1 from lr_lo to lr_hi:
- "linear", η_t = lr_lo + (lr_hi − lr_lo) · t / (n − 1): Leslie Smith's range test (2015, 2017);
- "exponential", η_t = lr_lo · (lr_hi / lr_lo)^(t / (n − 1)): the ramp of fastai's `lr_find`, which gives
  every factor of ten the same number of steps (read on a log axis).
The mini-batch losses are smoothed by a bias-corrected exponential moving average,
a_t = β a_{t−1} + (1 − β) loss_t, smoothed_t = a_t / (1 − β^{t+1}) (β = 0.98 by default, as in fastai),
which lags behind by about 1 / (1 − β) steps. The test stops once the smoothed loss exceeds `stop_factor`
times its lowest value.

`lr_find` probes a deep copy of the model: the model passed in is left unchanged, ready for real training.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from course_lib.layers import Sequential
from course_lib.optim import Optimizer
from course_lib.train import fit

RAMPS = ("exponential", "linear")


def ramp(kind: str, lr_lo: float, lr_hi: float, steps: int) -> np.ndarray:
    """The learning rate of each of `steps` steps, (steps,) float64, from lr_lo to lr_hi inclusive."""
    if kind not in RAMPS:
        raise ValueError(f"Unknown ramp {kind!r}: use 'exponential' (fastai's lr_find) "
                         "or 'linear' (Smith's).")
    if not 0 < lr_lo < lr_hi:
        raise ValueError(f"lr_find needs 0 < lr_lo < lr_hi, got lr_lo={lr_lo}, lr_hi={lr_hi}.")
    if steps < 2:
        raise ValueError(f"lr_find needs at least 2 steps, got {steps}.")
    fraction = np.arange(steps) / (steps - 1)
    if kind == "linear":
        return lr_lo + (lr_hi - lr_lo) * fraction
    return lr_lo * (lr_hi / lr_lo) ** fraction


def smooth(losses: np.ndarray, beta: float = 0.98) -> np.ndarray:
    """Bias-corrected exponential moving average of losses (n,) -> (n,): a_t / (1 − β^{t+1})."""
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}.")
    out, average = np.empty(len(losses)), 0.0
    for t, loss in enumerate(np.asarray(losses, dtype=np.float64)):
        average = beta * average + (1 - beta) * loss
        out[t] = average / (1 - beta ** (t + 1))
    return out


@dataclass(frozen=True)
class LRFinderResult:
    """What the range test measured, one entry per step taken (it may stop before the ramp's end).

    lrs, losses, smoothed: (steps_taken,); `suggestion` is the rate where the smoothed loss falls fastest
    per factor of learning rate (the most negative slope of smoothed loss against log η, before its
    minimum, skipping the average's first ⌈1 / (1 − β)⌉ steps); `lr_min` is the rate at the smoothed
    minimum; `ramp` names the ramp used.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float
    lr_min: float
    ramp: str


def suggest(lrs: np.ndarray, smoothed: np.ndarray, skip: int = 0) -> tuple[float, float]:
    """(steepest, lowest) learning rates read off smoothed losses (n,) at lrs (n,).

    steepest: where d smoothed / d log η is most negative, between step `skip` and the minimum (the first
    steps of a moving average have not settled yet); lowest: where smoothed is smallest.
    """
    bottom = int(np.argmin(smoothed))
    if bottom < skip + 2:
        raise ValueError(f"lr_find: the smoothed loss was lowest at step {bottom}, too early to read a "
                         "slope. Start the ramp at a smaller lr_lo or take more steps.")
    slope = np.gradient(smoothed[skip : bottom + 1], np.log(lrs[skip : bottom + 1]))
    return float(lrs[skip + int(np.argmin(slope))]), float(lrs[bottom])


def lr_find(
    model: Sequential,
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr_lo: float = 1e-5,
    lr_hi: float = 10.0,
    steps: int = 200,
    batch_size: int = 64,
    kind: str = "exponential",
    optimizer: str | Callable[[Sequential], Optimizer] = "sgd",
    beta: float = 0.98,
    stop_factor: float = 4.0,
    loss: str = "softmax_cross_entropy",
    seed: int = 0,
) -> LRFinderResult:
    """Range test on a copy of `model`: `steps` mini-batch steps of x (n, n_in), y (n,) under the ramp.

    optimizer: a name for `fit` ("sgd", "momentum", "adam", "adamw") or a function model -> Optimizer
    (it receives the copy). Data are reshuffled each epoch if steps · batch_size exceeds len(x).
    Stops at the first step where the smoothed loss exceeds stop_factor × its lowest value so far (or is
    not finite); that step is kept.
    """
    lrs = ramp(kind, lr_lo, lr_hi, steps)
    probe = copy.deepcopy(model)
    opt = optimizer if isinstance(optimizer, str) else optimizer(probe)
    epochs = math.ceil(steps * batch_size / len(x))
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        history = fit(probe, x, y, epochs=epochs, batch_size=batch_size, optimizer=opt, loss=loss,
                      schedule=lambda step: float(lrs[min(step, steps - 1)]), seed=seed, quiet=True,
                      on_divergence="stop")
    losses = np.asarray(history.batch_loss[:steps], dtype=np.float64)
    smoothed = smooth(np.where(np.isfinite(losses), losses, np.inf), beta)
    blown = ~(smoothed <= stop_factor * np.minimum.accumulate(smoothed))
    taken = int(np.argmax(blown)) + 1 if blown.any() else len(losses)
    lrs, losses, smoothed = lrs[:taken], losses[:taken], smoothed[:taken]
    steepest, lowest = suggest(lrs, smoothed, skip=math.ceil(1 / (1 - beta)))
    return LRFinderResult(lrs, losses, smoothed, steepest, lowest, kind)
