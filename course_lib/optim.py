"""Optimizers: they read each parameter's gradient from the model and update the parameter in place.

Derived in notebook 04 (gradient descent) and notebook 06 (momentum, Adam, learning-rate schedules).
An optimizer collects the model's `Param`s once; layers write gradients into those same arrays, so
`step()` builds nothing per step. `lr` is a plain attribute: a schedule may set it.

L2 weight decay (`weight_decay=λ`) adds λ·θ to the gradient of every parameter its layer declares
decayed (`Param.decay`: Dense's W, not b), i.e. it minimises L + (λ/2) Σ‖W‖². Biases are not decayed:
they do not make the function steeper, and shrinking them only adds bias. With Adam this is classic
L2 (coupled); `AdamW` decays the weights directly instead (decoupled), as notebook 06 measures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

import numpy as np

from course_lib._validate import lookup
from course_lib.layers import Param


class HasParameters(Protocol):
    def parameters(self) -> Iterable[Param]: ...


class Optimizer:
    """Base class: `step()` applies `_update(i, param, grad)` to every parameter."""

    def __init__(self, model: HasParameters, lr: float, weight_decay: float = 0.0) -> None:
        self.lr = lr
        self.weight_decay = weight_decay
        self.params = list(model.parameters())
        if not self.params:
            raise ValueError(f"{type(self).__name__}: the model has no parameters to optimize.")

    @property
    def grads(self) -> list[np.ndarray]:
        """The gradient arrays, in parameter order (refilled in place by every backward)."""
        return [p.grad for p in self.params]

    def step(self) -> None:
        """Update every parameter once from its current gradient (plus λθ where decay applies)."""
        decay = self.weight_decay
        for i, p in enumerate(self.params):
            self._update(i, p.value, p.grad + decay * p.value if decay and p.decay else p.grad)

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """Plain gradient descent: θ ← θ − η g."""

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        param -= self.lr * grad


class Momentum(Optimizer):
    """Classic (heavy-ball) momentum: v ← μ v − η g, θ ← θ + v. v starts at 0."""

    def __init__(
        self, model: HasParameters, lr: float, momentum: float = 0.9, weight_decay: float = 0.0
    ) -> None:
        super().__init__(model, lr, weight_decay)
        self.momentum = momentum
        self.velocity = [np.zeros_like(p.value) for p in self.params]

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        v = self.velocity[i]
        v *= self.momentum
        v -= self.lr * grad
        param += v


class Adam(Optimizer):
    """Adam: m ← β₁m + (1−β₁)g, s ← β₂s + (1−β₂)g², θ ← θ − η m̂ / (√ŝ + ε),

    with bias corrections m̂ = m / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ) at step t = 1, 2, ...
    """

    def __init__(
        self,
        model: HasParameters,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(model, lr, weight_decay)
        self.betas, self.eps, self.t = betas, eps, 0
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.s = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        self.t += 1
        super().step()

    def _update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        (b1, b2), m, s = self.betas, self.m[i], self.s[i]
        m *= b1
        m += (1 - b1) * grad
        s *= b2
        s += (1 - b2) * grad * grad
        m_hat = m / (1 - b1**self.t)
        s_hat = s / (1 - b2**self.t)
        param -= self.lr * m_hat / (np.sqrt(s_hat) + self.eps)


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): weight decay decoupled from Adam's gradient statistics.

    Adam's m and s see the loss gradient g alone; the decay shrinks the decayed parameters directly:
    θ ← θ (1 − η λ), then θ ← θ − η m̂ / (√ŝ + ε) (the order PyTorch's AdamW uses). With L2 inside Adam
    (`Adam(weight_decay=λ)`) the term λθ is divided by √ŝ like the gradient, so weights with large
    gradients are barely decayed; here every decayed weight shrinks by the same factor per step.
    """

    def __init__(
        self,
        model: HasParameters,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(model, lr, betas, eps, weight_decay)

    def step(self) -> None:
        self.t += 1
        shrink = 1 - self.lr * self.weight_decay
        for i, p in enumerate(self.params):
            if p.decay:
                p.value *= shrink
            self._update(i, p.value, p.grad)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "adam": Adam,
    "adamw": AdamW,
}


def get_optimizer(name: str, model: HasParameters, lr: float, **kwargs: float) -> Optimizer:
    """Build an optimizer by name, e.g. get_optimizer("momentum", model, lr=0.05, momentum=0.9)."""
    return lookup(OPTIMIZERS, name, "optimizer")(model, lr, **kwargs)


def clip_grad_norm(grads: Iterable[np.ndarray], max_norm: float) -> float:
    """Rescale gradients in place so their global norm ‖g‖ = √(Σ_i Σ g_i²) is at most max_norm.

    If ‖g‖ > max_norm every gradient is multiplied by max_norm / ‖g‖ (the direction is kept).
    Returns the norm before clipping.
    """
    grads = list(grads)
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    if norm > max_norm:
        scale = max_norm / norm
        for g in grads:
            g *= scale
    return norm
