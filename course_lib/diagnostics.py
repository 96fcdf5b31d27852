"""Statistics over training, as `fit` callbacks: look inside the network while it learns.

Derived in notebook 05 (initialization) and used again in notebooks 06–07. Pass any of them to
`fit(..., callbacks=[...])`; each samples every `every` steps and records, per layer, one number per
sample in `values[layer]` (and `steps` says at which steps). Only full batches are sampled: the smaller
last batch of an epoch has noisier gradients and fewer rows, which would show up as spikes.
`course_lib.plots` draws each record with one line per layer over steps.

- `UpdateRatios`: std(η·∂L/∂W) / std(W) for every weight matrix: how big a step is relative to the
  weights it changes. Healthy training sits near 10⁻³ (log₁₀ ≈ −3); far below, the layer barely
  learns; far above, it is thrown around. This is the plain gradient step η·g: with momentum or Adam
  the applied update differs, but η·g still tracks the scale.
- `ActivationStats`: mean, standard deviation and the fraction of dead units (outputs exactly 0 for
  every sample of the batch, e.g. a ReLU whose input is negative everywhere) of every activation layer.
- `GradientNorms`: ‖∂L/∂θ‖ = √(Σ g²) over each layer's parameters (W and b together).
"""

from __future__ import annotations

import math

import numpy as np

from course_lib.layers import Activation, Sequential


class Sampler:
    """Base of the diagnostics: decides which steps to sample and keeps `steps` and `values`.

    `values[layer]` is a list with one entry per sampled step; `series(layer)` returns it as an array.
    """

    def __init__(self, every: int = 10) -> None:
        if every < 1:
            raise ValueError(f"{type(self).__name__}: every must be at least 1 step, got {every}.")
        self.every = every
        self.steps: list[int] = []
        self.values: dict[str, list[float]] = {}
        self._full_batch = 0

    def due(self, step: int, batch_size: int) -> bool:
        """True when step is a multiple of `every` and the batch is full (as large as any seen)."""
        self._full_batch = max(self._full_batch, batch_size)
        return step % self.every == 0 and batch_size == self._full_batch

    def record(self, step: int, values: dict[str, float]) -> None:
        self.steps.append(step)
        for layer, value in values.items():
            self.values.setdefault(layer, []).append(value)

    def series(self, layer: str) -> np.ndarray:
        """values[layer] as a float64 array (len(steps),)."""
        return np.asarray(self.values[layer], dtype=np.float64)


class UpdateRatios(Sampler):
    """values[layer] = std(lr · ∂L/∂W) / std(W) for each layer with a decayed weight matrix W."""

    def on_step(self, step: int, model: Sequential, loss: float, lr: float, batch_size: int) -> None:
        if self.due(step, batch_size):
            self.record(step, {p.layer: float(lr * p.grad.std() / p.value.std())
                               for p in model.parameters() if p.decay})


class GradientNorms(Sampler):
    """values[layer] = √(Σ g²) over all the layer's parameter gradients (W and b for Dense)."""

    def on_step(self, step: int, model: Sequential, loss: float, lr: float, batch_size: int) -> None:
        if not self.due(step, batch_size):
            return
        squares: dict[str, float] = {}
        for p in model.parameters():
            squares[p.layer] = squares.get(p.layer, 0.0) + float(np.vdot(p.grad, p.grad))
        self.record(step, {layer: math.sqrt(total) for layer, total in squares.items()})


class ActivationStats(Sampler):
    """Per activation layer, three records: `mean` (also `values`), `std` and `dead`.

    For outputs y: (batch, units): mean = ȳ and std = std(y) over all entries; dead = the fraction of
    units j with y[b, j] == 0 for every sample b of the batch.
    """

    def __init__(self, every: int = 10) -> None:
        super().__init__(every)
        self.mean = self.values
        self.std: dict[str, list[float]] = {}
        self.dead: dict[str, list[float]] = {}

    def on_step(self, step: int, model: Sequential, loss: float, lr: float, batch_size: int) -> None:
        if not self.due(step, batch_size):
            return
        layers = model.named_layers()
        outputs = {name: layer.output for name, layer in layers if isinstance(layer, Activation)}
        self.record(step, {name: float(y.mean()) for name, y in outputs.items()})
        for name, y in outputs.items():
            self.std.setdefault(name, []).append(float(y.std()))
            self.dead.setdefault(name, []).append(float(np.mean(~y.reshape(len(y), -1).any(axis=0))))
