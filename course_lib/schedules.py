"""Learning-rate schedules: small callables, `lr = schedule(step)` with step = 0, 1, 2, ...

Derived in notebook 06 (learning-rate schedules). `fit` calls the schedule before every
optimizer step and writes the result into `optimizer.lr`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Schedule = Callable[[int], float]


def cosine_between(start: float, end: float, fraction: float) -> float:
    """Half a cosine from `start` (fraction 0) to `end` (fraction 1)."""
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


@dataclass(frozen=True)
class Constant:
    """η(t) = lr."""

    lr: float

    def __call__(self, step: int) -> float:
        return self.lr


@dataclass(frozen=True)
class StepDecay:
    """η(t) = lr · γ^⌊t / step_size⌋: drop by a factor γ every step_size steps."""

    lr: float
    step_size: int
    gamma: float = 0.1

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** (step // self.step_size)


@dataclass(frozen=True)
class ExponentialDecay:
    """η(t) = lr · rate^(t / decay_steps): smooth decay, by `rate` every decay_steps steps."""

    lr: float
    rate: float
    decay_steps: int = 1

    def __call__(self, step: int) -> float:
        return self.lr * self.rate ** (step / self.decay_steps)


@dataclass(frozen=True)
class LinearDecay:
    """η(t) = lr + (final_lr − lr) · min(t / total_steps, 1): a straight line, then flat."""

    lr: float
    total_steps: int
    final_lr: float = 0.0

    def __call__(self, step: int) -> float:
        return self.lr + (self.final_lr - self.lr) * min(step / self.total_steps, 1.0)


@dataclass(frozen=True)
class Cosine:
    """η(t) = min_lr + (lr − min_lr) · (1 + cos(π · min(t, T) / T)) / 2 with T = total_steps."""

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __call__(self, step: int) -> float:
        return cosine_between(self.lr, self.min_lr, min(step / self.total_steps, 1.0))


@dataclass(frozen=True)
class LinearWarmup:
    """Ramp up linearly for warmup_steps, then follow `schedule` (which starts at its own step 0).

    η(t) = schedule(0) · (t + 1) / warmup_steps for t < warmup_steps, else schedule(t − warmup_steps).
    """

    schedule: Schedule
    warmup_steps: int

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.schedule(0) * (step + 1) / self.warmup_steps
        return self.schedule(step - self.warmup_steps)


@dataclass(frozen=True)
class OneCycle:
    """One-cycle (Smith 2018, cosine form as in PyTorch's OneCycleLR).

    Rises from max_lr / div_factor to max_lr over the first pct_start · total_steps steps, then falls
    to max_lr / (div_factor · final_div_factor) at total_steps, both along half cosines.
    """

    max_lr: float
    total_steps: int
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4

    def __call__(self, step: int) -> float:
        start = self.max_lr / self.div_factor
        peak_step = self.pct_start * self.total_steps
        if step < peak_step:
            return cosine_between(start, self.max_lr, step / peak_step)
        fraction = min((step - peak_step) / (self.total_steps - peak_step), 1.0)
        return cosine_between(self.max_lr, start / self.final_div_factor, fraction)
