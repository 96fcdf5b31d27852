"""Layers as forward/backward pairs, and `Sequential` to chain them.

Derived in notebook 04 (backpropagation); `Dropout` in notebook 07. Every layer has
`forward(x, training=True) -> y`, which caches what backward needs, and
`backward(grad_out, input_grad=True) -> dL/dx`, which also fills `grads` (same keys as `params`).
Parameters and gradients are updated in place, never rebound, so optimizers can hold on to them.
`input_grad=False` lets the first layer skip dL/dx, which nobody needs for the data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import DTypeLike

from course_lib._validate import expect_batch, expect_float
from course_lib.activations import get_activation
from course_lib.init import get_init


class Layer:
    """Base class: no parameters; `cache` holds what forward saved for backward."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.cache: tuple | None = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def _cached(self, grad_out: np.ndarray, out_shape_of: int) -> tuple:
        """Return the cache after checking forward ran and grad_out has the shape of cache[out_shape_of]."""
        if self.cache is None:
            raise RuntimeError(
                f"{self}.backward called before forward: forward(x) caches what backward needs."
            )
        expected = self.cache[out_shape_of].shape
        if grad_out.shape != expected:
            raise ValueError(
                f"{self}.backward expected grad_out of shape {expected} (the shape forward returned), "
                f"got {grad_out.shape}."
            )
        return self.cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    """Fully connected layer: y = x @ W + b.

    Shapes: x (batch, n_in), W (n_in, n_out), b (n_out,), y (batch, n_out).
    Backward: dW = xᵀ @ dy, db = Σ_batch dy, dx = dy @ Wᵀ.
    `init` is a name from `course_lib.init` or a callable f(n_in, n_out, rng, dtype); b starts at 0.
    `rng` is a Generator or a seed. Input of another float dtype is cast to the weights' dtype.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        init: str | Callable[..., np.ndarray] = "xavier",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        self.n_in, self.n_out = n_in, n_out
        make = get_init(init) if isinstance(init, str) else init
        W = np.asarray(make(n_in, n_out, np.random.default_rng(rng), dtype), dtype=dtype)
        if W.shape != (n_in, n_out):
            raise ValueError(f"{self}: init returned W of shape {W.shape}, expected ({n_in}, {n_out}).")
        self.params = {"W": W, "b": np.zeros(n_out, dtype=dtype)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(n_out, dtype=dtype)}

    @property
    def W(self) -> np.ndarray:
        return self.params["W"]

    @property
    def b(self) -> np.ndarray:
        return self.params["b"]

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        expect_batch(x, self.n_in, repr(self))
        x = x.astype(self.params["W"].dtype, copy=False)
        y = x @ self.params["W"] + self.params["b"]
        self.cache = (x, y)
        return y

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        x, _ = self._cached(grad_out, 1)
        np.matmul(x.T, grad_out, out=self.grads["W"])
        grad_out.sum(axis=0, out=self.grads["b"])
        return grad_out @ self.params["W"].T if input_grad else None

    def __repr__(self) -> str:
        return f"Dense({self.n_in}→{self.n_out})"


class Activation(Layer):
    """Elementwise y = f(x) with f from `course_lib.activations`; backward: dx = dy ⊙ f'(x).

    Shapes: x, y, dy, dx all alike, any shape. Subclasses set `name`.
    """

    name: str

    def __init__(self, **kwargs: float) -> None:
        super().__init__()
        self.f, self.f_prime = get_activation(self.name)
        self.kwargs = kwargs

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        expect_float(x, repr(self))
        y = self.f(x, **self.kwargs)
        self.cache = (x, y)
        return y

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        x, _ = self._cached(grad_out, 1)
        return grad_out * self.f_prime(x, **self.kwargs) if input_grad else None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"{type(self).__name__}({args})"


class Sigmoid(Activation):
    """y = σ(x); backward reuses the output: dx = dy ⊙ y (1 − y)."""

    name = "sigmoid"

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        _, y = self._cached(grad_out, 1)
        return grad_out * y * (1 - y) if input_grad else None


class Tanh(Activation):
    """y = tanh(x); backward reuses the output: dx = dy ⊙ (1 − y²)."""

    name = "tanh"

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        _, y = self._cached(grad_out, 1)
        return grad_out * (1 - y * y) if input_grad else None


class ReLU(Activation):
    """y = max(0, x); dx = dy where x > 0, else 0."""

    name = "relu"


class LeakyReLU(Activation):
    """y = x if x > 0 else αx; dx = dy where x > 0, else α dy."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__(alpha=alpha)


class Softmax(Activation):
    """y = softmax(x) along the last axis; backward is the vector-Jacobian product dx = y ⊙ (dy − Σ dy ⊙ y).

    For classification prefer raw logits with `losses.softmax_cross_entropy`: simpler gradient, no log(0).
    """

    name = "softmax"

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        _, y = self._cached(grad_out, 1)
        return y * (grad_out - np.sum(grad_out * y, axis=-1, keepdims=True)) if input_grad else None


ACTIVATION_LAYERS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Softmax)
}


def activation_layer(name: str) -> Activation:
    """A fresh activation layer by name, e.g. activation_layer("relu") -> ReLU()."""
    try:
        return ACTIVATION_LAYERS[name]()
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}. Valid names: {', '.join(ACTIVATION_LAYERS)}."
        ) from None


class Dropout(Layer):
    """Inverted dropout: in training y = x ⊙ m / (1 − p) with m_i ~ Bernoulli(1 − p); at test time y = x.

    Dividing by 1 − p keeps E[y] = x, so nothing changes at test time. Backward: dx = dy ⊙ m / (1 − p).
    Shapes: x, y any shape, alike.
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"Dropout probability p must be in [0, 1), got {p}.")
        self.p = p
        self.rng = np.random.default_rng(rng)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        expect_float(x, repr(self))
        if training and self.p > 0:
            mask = (self.rng.random(x.shape, dtype=x.dtype) >= self.p).astype(x.dtype) * (1 / (1 - self.p))
        else:
            mask = np.ones_like(x)
        self.cache = (mask,)
        return x * mask

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        (mask,) = self._cached(grad_out, 0)
        return grad_out * mask if input_grad else None

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class Sequential:
    """Layers applied in order: forward left to right, backward right to left (the chain rule).

    Layer names are "<index>.<Class>", e.g. "0.Dense"; `parameters()` yields
    (layer_name, key, param, grad) for every parameter, the handle optimizers and `save_params` use.
    """

    def __init__(self, *layers: Layer) -> None:
        if not layers:
            raise ValueError("Sequential needs at least one layer, e.g. Sequential(Dense(2, 1)).")
        self.layers = list(layers)
        self.names = [f"{i}.{type(layer).__name__}" for i, layer in enumerate(layers)]

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x: (batch, n_in) -> output (batch, n_out)."""
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, grad_out: np.ndarray, input_grad: bool = False) -> np.ndarray | None:
        """grad_out: dL/doutput (batch, n_out); fills every layer's grads. Returns dL/dx if input_grad."""
        for layer in self.layers[:0:-1]:
            grad_out = layer.backward(grad_out)
        return self.layers[0].backward(grad_out, input_grad)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Forward in evaluation mode (dropout off): x (batch, n_in) -> (batch, n_out)."""
        return self.forward(x, training=False)

    def parameters(self) -> Iterator[tuple[str, str, np.ndarray, np.ndarray]]:
        """Yield (layer_name, key, param, grad), e.g. ("0.Dense", "W", W, dW)."""
        for name, layer in zip(self.names, self.layers, strict=True):
            for key, param in layer.params.items():
                yield name, key, param, layer.grads[key]

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(map(repr, self.layers)) + ")"
