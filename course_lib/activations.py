"""Activation functions and their derivatives, elementwise on arrays of any shape; and softmax.

Derived in notebook 02 (forward pass); the derivatives in notebook 03 (chain rule); GELU, the transformer's
activation, in notebook 12.
Every function keeps the input's dtype. `x` may have any shape; softmax works along the last axis and,
not being elementwise, has a Jacobian instead of a derivative (it is not in ACTIVATIONS).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from course_lib._validate import lookup

ActivationFn = Callable[[np.ndarray], np.ndarray]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{-x}), computed without overflow.

    Written as σ(x) = exp(−log(1 + e^{−x})): np.logaddexp(0, −x) = log(e^0 + e^{−x}) never overflows,
    and exp of a very negative number quietly underflows to 0. For x = −1000, 1 + e^{1000} would overflow.
    """
    return np.exp(-np.logaddexp(0, -x))


def sigmoid_prime(x: np.ndarray) -> np.ndarray:
    """σ'(x) = σ(x) (1 − σ(x))."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    """tanh(x) = (e^x − e^{-x}) / (e^x + e^{-x}) = 2σ(2x) − 1."""
    return np.tanh(x)


def tanh_prime(x: np.ndarray) -> np.ndarray:
    """tanh'(x) = 1 − tanh²(x)."""
    return 1 - np.tanh(x) ** 2


def relu(x: np.ndarray) -> np.ndarray:
    """relu(x) = max(0, x)."""
    return np.maximum(x, 0)


def relu_prime(x: np.ndarray) -> np.ndarray:
    """relu'(x) = 1 if x > 0 else 0 (we pick 0 at the kink x = 0)."""
    return (x > 0).astype(x.dtype)


GELU_C = math.sqrt(2 / math.pi)  # √(2/π), the tanh approximation's scale
GELU_A = 0.044715  # the tanh approximation's cubic coefficient


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    """tanh u with u = √(2/π) (x + 0.044715 x³): the one costly part of gelu and gelu' (x³ as x·x·x, which
    is far faster than x**3). The `GELU` layer computes it once in forward and passes it to both."""
    return np.tanh(GELU_C * (x + GELU_A * (x * x * x)))


def gelu(x: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    """gelu(x) ≈ x Φ(x), tanh approximation: gelu(x) = ½ x (1 + tanh u) with u = √(2/π) (x + 0.044715 x³).

    x Φ(x) weighs x by the probability that a standard normal falls below it: ≈ x for large x, ≈ 0 for very
    negative x, like relu, but smooth, with a small dip below 0 (minimum about −0.17 near x = −0.75).
    t: `gelu_tanh(x)` when already computed.
    """
    t = gelu_tanh(x) if t is None else t
    return 0.5 * x * (1 + t)


def gelu_prime(x: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    """gelu'(x) = ½ (1 + tanh u) + ½ x (1 − tanh² u) u',  with u' = √(2/π) (1 + 3 · 0.044715 x²).

    t: `gelu_tanh(x)` when already computed (the `GELU` layer keeps it from forward).
    """
    t = gelu_tanh(x) if t is None else t
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (GELU_C * (1 + 3 * GELU_A * (x * x)))


def softmax(x: np.ndarray) -> np.ndarray:
    """softmax(x)_i = e^{x_i} / Σ_j e^{x_j} along the last axis.

    Subtracting max_j x_j first changes nothing mathematically and keeps e^{...} ≤ 1 (no overflow).
    """
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jacobian(x: np.ndarray) -> np.ndarray:
    """The Jacobian of softmax: x (..., k) -> J (..., k, k) with J_ij = s_i (δ_ij − s_j).

    Softmax mixes its inputs, so its derivative is a matrix, not an elementwise function.
    Backpropagation never builds it: the vector-Jacobian product g·J = s ⊙ (g − Σ_j g_j s_j).
    """
    s = softmax(x)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


ACTIVATIONS: dict[str, tuple[ActivationFn, ActivationFn]] = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "gelu": (gelu, gelu_prime),
}


def get_activation(name: str) -> tuple[ActivationFn, ActivationFn]:
    """Return (f, f') for an elementwise activation's name, e.g. `f, df = get_activation("relu")`."""
    return lookup(ACTIVATIONS, name, "activation")
