"""Layers as forward/backward pairs, `Sequential` to chain them, and `mlp` to build the usual stack.

Derived in notebook 04 (backpropagation); `Dropout` in notebook 07. Every layer has
`forward(x, training=True) -> y`, which caches what backward needs and remembers y's shape, and
`backward(grad_out, input_grad=True) -> dL/dx`, which also fills `grads` (same keys as `params`).
`input_grad=False` skips dL/dx, which nobody needs for the data: `fit` passes it to the first layer.
Parameters and gradients are updated in place, never rebound, so optimizers can hold on to them.
A layer lists in `decayed` the parameters that L2 weight decay applies to (Dense: "W", not "b").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from course_lib import activations
from course_lib._validate import expect_batch, expect_float, lookup
from course_lib.init import get_init


@dataclass
class Param:
    """One parameter as optimizers, `save_params` and the diagnostics see it.

    name: "<layer>.<key>", e.g. "0.Dense.W"; value and grad: the layer's own arrays, same shape, updated
    in place (`p.value -= lr * p.grad` changes the layer); decay: whether L2 weight decay applies
    (declared by the layer in `Layer.decayed`).
    """

    name: str
    value: np.ndarray
    grad: np.ndarray
    decay: bool

    @property
    def layer(self) -> str:
        """The layer's name, e.g. "0.Dense" for "0.Dense.W"."""
        return self.name.rsplit(".", 1)[0]


class Layer:
    """Base class: no parameters. `cache` holds what forward saved for backward, `out_shape` y's shape."""

    decayed: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.cache: tuple | None = None
        self.out_shape: tuple[int, ...] | None = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def _remember(self, y: np.ndarray, *cache: np.ndarray) -> np.ndarray:
        """Keep what backward needs and y's shape; return y (the last line of every forward)."""
        self.cache, self.out_shape = cache, y.shape
        return y

    def _cached(self, grad_out: np.ndarray) -> tuple:
        """Return the cache after checking forward ran and grad_out has the shape forward returned."""
        if self.cache is None:
            raise RuntimeError(
                f"{self}.backward called before forward: forward(x) caches what backward needs."
            )
        if grad_out.shape != self.out_shape:
            raise ValueError(
                f"{self}.backward expected grad_out of shape {self.out_shape} (the shape forward returned), "
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

    decayed = ("W",)

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
        return self._remember(x @ self.params["W"] + self.params["b"], x)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        (x,) = self._cached(grad_out)
        np.matmul(x.T, grad_out, out=self.grads["W"])
        grad_out.sum(axis=0, out=self.grads["b"])
        return grad_out @ self.params["W"].T if input_grad else None

    def __repr__(self) -> str:
        return f"Dense({self.n_in}→{self.n_out})"


class Activation(Layer):
    """Elementwise y = f(x) with f, f' from `course_lib.activations`; backward: dx = dy ⊙ f'(x).

    Shapes: x, y, dy, dx all alike, any shape. Subclasses set `name`; `output` is the last forward's y
    (what the activation diagnostics look at).
    """

    name: str

    def __init__(self) -> None:
        super().__init__()
        self.f, self.f_prime = activations.get_activation(self.name)

    @property
    def output(self) -> np.ndarray:
        """y of the last forward, the shape of its input."""
        if self.cache is None:
            raise RuntimeError(f"{self}.output asked before forward: run forward(x) first.")
        return self.cache[1]

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        expect_float(x, repr(self))
        y = self.f(x)
        return self._remember(y, x, y)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        x, _ = self._cached(grad_out)
        return grad_out * self.f_prime(x) if input_grad else None


class Sigmoid(Activation):
    """y = σ(x); backward reuses the output: dx = dy ⊙ y (1 − y)."""

    name = "sigmoid"

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        _, y = self._cached(grad_out)
        return grad_out * y * (1 - y) if input_grad else None


class Tanh(Activation):
    """y = tanh(x); backward reuses the output: dx = dy ⊙ (1 − y²)."""

    name = "tanh"

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        _, y = self._cached(grad_out)
        return grad_out * (1 - y * y) if input_grad else None


class ReLU(Activation):
    """y = max(0, x); dx = dy where x > 0, else 0."""

    name = "relu"


class Softmax(Layer):
    """y = softmax(x) along the last axis. Not elementwise: each y_i depends on every x_j.

    Backward is the vector-Jacobian product dx = y ⊙ (dy − Σ_j dy_j y_j), never the (k, k) Jacobian.
    For classification prefer raw logits with `losses.softmax_cross_entropy`: simpler gradient, no log(0).
    """

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        expect_float(x, repr(self))
        y = activations.softmax(x)
        return self._remember(y, y)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        (y,) = self._cached(grad_out)
        return y * (grad_out - np.sum(grad_out * y, axis=-1, keepdims=True)) if input_grad else None


ACTIVATION_LAYERS: dict[str, type[Activation]] = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU)}


def activation_layer(name: str) -> Activation:
    """A fresh activation layer by name, e.g. activation_layer("relu") -> ReLU()."""
    return lookup(ACTIVATION_LAYERS, name, "activation")()


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
        return self._remember(x * mask, mask)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        (mask,) = self._cached(grad_out)
        return grad_out * mask if input_grad else None

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class BatchNorm(Layer):
    """Batch normalization of x (batch, features), feature by feature (Ioffe & Szegedy, 2015).

    Derived in notebook 05. Training, over the batch axis (B rows):
        μ = mean_b x,  σ² = mean_b (x − μ)²  (biased: divides by B),  x̂ = (x − μ) / √(σ² + ε),
        y = γ ⊙ x̂ + β;
    and the running estimates used at inference, with PyTorch's conventions (momentum m = 0.1):
        running_mean ← (1 − m) running_mean + m μ,  running_var ← (1 − m) running_var + m σ² B / (B − 1)
    (unbiased variance in the running estimate). Inference: x̂ = (x − running_mean) / √(running_var + ε).
    Backward in training, with s = √(σ² + ε) and means over the batch:
        dβ = Σ_b dy,  dγ = Σ_b dy ⊙ x̂,  dx = (γ / s) ⊙ (dy − mean_b dy − x̂ ⊙ mean_b(dy ⊙ x̂));
    at inference the statistics are constants: dx = dy ⊙ γ / √(running_var + ε).
    Shapes: x, y, dy, dx (batch, features); γ ("gamma", starts at 1), β ("beta", starts at 0),
    running_mean (starts at 0) and running_var (starts at 1) are (features,). γ and β are not weight-decayed
    (`decayed = ()`): they only set each feature's scale and offset, and shrinking γ towards 0 would
    switch features off. The running statistics are not trained, so they are not in `params` (and
    `save_params` does not store them).
    """

    def __init__(self, features: int, momentum: float = 0.1, eps: float = 1e-5,
                 dtype: DTypeLike = np.float32) -> None:
        super().__init__()
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNorm momentum must be in [0, 1] (PyTorch's default is 0.1), "
                             f"got {momentum}.")
        self.features, self.momentum, self.eps = features, momentum, eps
        self.params = {"gamma": np.ones(features, dtype=dtype), "beta": np.zeros(features, dtype=dtype)}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        self.running_mean = np.zeros(features, dtype=dtype)
        self.running_var = np.ones(features, dtype=dtype)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        expect_batch(x, self.features, repr(self))
        x = x.astype(self.params["gamma"].dtype, copy=False)
        if training:
            if len(x) < 2:
                raise ValueError(f"{self} in training needs a batch of at least 2 rows to estimate a "
                                 f"variance, got x of shape {x.shape}. Use forward(x, training=False).")
            mean, var = x.mean(axis=0), x.var(axis=0)
            m = self.momentum
            self.running_mean[...] = (1 - m) * self.running_mean + m * mean
            self.running_var[...] = (1 - m) * self.running_var + m * var * (len(x) / (len(x) - 1))
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1 / np.sqrt(var + self.eps)
        x_hat = (x - mean) * inv_std
        return self._remember(self.params["gamma"] * x_hat + self.params["beta"], x_hat, inv_std,
                              np.array(training))

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        x_hat, inv_std, training = self._cached(grad_out)
        grad_out.sum(axis=0, out=self.grads["beta"])
        np.sum(grad_out * x_hat, axis=0, out=self.grads["gamma"])
        if not input_grad:
            return None
        scale = self.params["gamma"] * inv_std
        if not training:
            return grad_out * scale
        batch = len(grad_out)
        return scale * (grad_out - self.grads["beta"] / batch - x_hat * (self.grads["gamma"] / batch))

    def __repr__(self) -> str:
        return f"BatchNorm({self.features})"


class Sequential(Layer):
    """Layers applied in order: forward left to right, backward right to left (the chain rule).

    Layer names are "<index>.<Class>", e.g. "0.Dense"; `parameters()` yields a `Param` for every
    parameter ("0.Dense.W", ...), the handle optimizers, `save_params` and the diagnostics use.
    """

    def __init__(self, *layers: Layer) -> None:
        super().__init__()
        if not layers:
            raise ValueError("Sequential needs at least one layer, e.g. Sequential(Dense(2, 1)).")
        self.layers = list(layers)
        self.names = [f"{i}.{type(layer).__name__}" for i, layer in enumerate(layers)]

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x: (batch, n_in) -> output (batch, n_out)."""
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """grad_out: dL/doutput (batch, n_out); fills every layer's grads. Returns dL/dx if input_grad."""
        for layer in self.layers[:0:-1]:
            grad_out = layer.backward(grad_out)
        return self.layers[0].backward(grad_out, input_grad)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Forward in evaluation mode (dropout off): x (batch, n_in) -> (batch, n_out)."""
        return self.forward(x, training=False)

    def named_layers(self) -> Iterator[tuple[str, Layer]]:
        """Yield (name, layer), e.g. ("0.Dense", Dense(784→128))."""
        yield from zip(self.names, self.layers, strict=True)

    def parameters(self) -> Iterator[Param]:
        """Yield one `Param` per parameter, layer by layer, e.g. Param("0.Dense.W", W, dW, decay=True)."""
        for name, layer in self.named_layers():
            for key, value in layer.params.items():
                yield Param(f"{name}.{key}", value, layer.grads[key], key in layer.decayed)

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(map(repr, self.layers)) + ")"


def mlp(
    sizes: Sequence[int],
    activation: str = "relu",
    init: str | Callable[..., np.ndarray] | None = None,
    seed: int | np.random.Generator | None = 0,
    dropout: float = 0.0,
    dtype: DTypeLike = np.float32,
    output_init: str | Callable[..., np.ndarray] = "xavier",
    output_activation: str | None = None,
    batchnorm: bool = False,
) -> Sequential:
    """The multilayer perceptron sizes[0] → sizes[1] → … → sizes[-1]: Dense, activation, [Dropout], …, Dense.

    Every hidden Dense is followed by `activation` (and by Dropout(p=dropout) when dropout > 0); the last
    Dense gives raw outputs (logits) unless `output_activation` names an activation to put after it.
    init: the hidden layers' initializer (a name from `course_lib.init` or a callable); None picks the one
    derived in notebook 05 for the activation: "he" for relu, "xavier" for sigmoid and tanh.
    output_init: the last layer's. batchnorm=True puts a BatchNorm(features) between every hidden Dense
    and its activation (notebook 05). All weights and dropout masks come from one Generator,
    np.random.default_rng(seed), drawn layer by layer: the same seed gives the same network, bit for bit.
    """
    if len(sizes) < 2:
        raise ValueError(f"mlp needs an input and an output size at least, e.g. [784, 10]; got {sizes}.")
    lookup(ACTIVATION_LAYERS, activation, "activation")
    hidden_init = init if init is not None else ("he" if activation == "relu" else "xavier")
    rng = np.random.default_rng(seed)
    last = len(sizes) - 2
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layer_init = output_init if i == last else hidden_init
        layers.append(Dense(n_in, n_out, init=layer_init, rng=rng, dtype=dtype))
        if i < last:
            if batchnorm:
                layers.append(BatchNorm(n_out, dtype=dtype))
            layers.append(activation_layer(activation))
            if dropout > 0:
                layers.append(Dropout(dropout, rng=rng))
    if output_activation is not None:
        layers.append(activation_layer(output_activation))
    return Sequential(*layers)
