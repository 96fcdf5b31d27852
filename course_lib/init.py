"""Weight initializers: each f(n_in, n_out, rng, dtype) returns W of shape (n_in, n_out).

Derived in notebook 05 (initialization). The idea: pick Var(W) so that the variance of the
signal stays about constant from layer to layer (forward) and of the gradient (backward).
A uniform U(−a, a) has variance a²/3; that is how the `limit` of each uniform variant is found.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from numpy.typing import DTypeLike

from course_lib._validate import lookup

Initializer = Callable[..., np.ndarray]


def zeros(n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32) -> np.ndarray:
    """W = 0. Every unit then computes the same thing forever: the symmetry never breaks."""
    return np.zeros((n_in, n_out), dtype=dtype)


def normal(
    n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32, std: float = 0.01
) -> np.ndarray:
    """W ~ N(0, std²), a fixed scale whatever the layer width."""
    return rng.standard_normal((n_in, n_out), dtype=dtype) * std


def uniform(
    n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32, limit: float = 0.05
) -> np.ndarray:
    """W ~ U(−limit, limit), variance limit²/3."""
    return (rng.random((n_in, n_out), dtype=dtype) * 2 - 1) * limit


def xavier_uniform(
    n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32
) -> np.ndarray:
    """Glorot/Xavier uniform: Var(W) = 2 / (n_in + n_out), so limit = √(6 / (n_in + n_out)).

    Suited to tanh and sigmoid layers.
    """
    return uniform(n_in, n_out, rng, dtype, limit=math.sqrt(6 / (n_in + n_out)))


def xavier_normal(
    n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32
) -> np.ndarray:
    """Glorot/Xavier normal: W ~ N(0, 2 / (n_in + n_out))."""
    return normal(n_in, n_out, rng, dtype, std=math.sqrt(2 / (n_in + n_out)))


def he_normal(n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32) -> np.ndarray:
    """He/Kaiming normal: W ~ N(0, 2 / n_in). ReLU zeroes half the signal; the 2 makes up for it."""
    return normal(n_in, n_out, rng, dtype, std=math.sqrt(2 / n_in))


INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros,
    "normal": normal,
    "uniform": uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "xavier": xavier_uniform,
    "glorot": xavier_uniform,
    "he_normal": he_normal,
    "he": he_normal,
    "kaiming": he_normal,
}


def get_init(name: str, **kwargs: float) -> Initializer:
    """Return an initializer by name; kwargs fix its extra arguments, e.g. get_init("normal", std=0.1)."""
    f = lookup(INITIALIZERS, name, "init")
    return functools.partial(f, **kwargs) if kwargs else f
