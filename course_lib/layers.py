"""Layers as forward/backward pairs, `Sequential` to chain them, and `mlp` to build the usual stack.

Derived in notebook 04 (backpropagation); `Dropout` in notebook 07; `Conv2D`, `MaxPool2D` and `Flatten`,
for images shaped (batch, channels, height, width) as in PyTorch, in notebook 09. Every layer has
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
from numpy.lib.stride_tricks import sliding_window_view
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
    """Base class: no parameters. `cache` holds what forward saved for backward, `out_shape` y's shape.

    `takes_ids` is True for a layer whose input is integer ids rather than floats (Part II's `Embedding`).
    """

    decayed: tuple[str, ...] = ()
    takes_ids: bool = False

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
    Any leading axes work alike (Part II): x (batch, time, n_in) -> y (batch, time, n_out) applies the same
    W at every step, as one matrix product of the rows x.reshape(-1, n_in). W and b, used at every step,
    collect a gradient from each (the fork rule of notebook 03): dW = x.reshape(-1, n_in)ᵀ @
    dy.reshape(-1, n_out), db = dy summed over every axis but the last, dx = dy @ Wᵀ.
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
        expect_batch(x, self.n_in, repr(self), leading_axes=True)
        rows = x.astype(self.params["W"].dtype, copy=False).reshape(-1, self.n_in)  # 2-D x: x itself
        y = rows @ self.params["W"] + self.params["b"]
        return self._remember(y.reshape(*x.shape[:-1], self.n_out), rows)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        (rows,) = self._cached(grad_out)
        dy = grad_out.reshape(-1, self.n_out)
        np.matmul(rows.T, dy, out=self.grads["W"])  # one product sums over every row: batch and time
        dy.sum(axis=0, out=self.grads["b"])
        return (dy @ self.params["W"].T).reshape(*grad_out.shape[:-1], self.n_in) if input_grad else None

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


class GELU(Activation):
    """y = gelu(x) = ½ x (1 + tanh u), u = √(2/π) (x + 0.044715 x³), the transformer's activation (notebook
    12); dx = dy ⊙ gelu'(x). Forward keeps tanh u, so backward computes no second tanh."""

    name = "gelu"

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        expect_float(x, repr(self))
        t = activations.gelu_tanh(x)
        y = activations.gelu(x, t)
        return self._remember(y, x, y, t)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        x, _, t = self._cached(grad_out)
        return grad_out * activations.gelu_prime(x, t) if input_grad else None


ACTIVATION_LAYERS: dict[str, type[Activation]] = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU, GELU)}


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


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Positions a window of `kernel` fits at along an axis of `size` padded by `padding` on both sides.

    out = ⌊(size + 2·padding − kernel) / stride⌋ + 1 (notebook 09): the last window must fit entirely.
    """
    return (size + 2 * padding - kernel) // stride + 1


def im2col(x: np.ndarray, kernel: tuple[int, int], stride: int = 1, padding: int = 0) -> np.ndarray:
    """Every window of the zero-padded images as one column: the convolution becomes one matrix product.

    x: (batch, C, H, W) -> cols (C·kh·kw, batch·H_out·W_out). Row (c, i, j) holds pixel (i, j) of every
    window on channel c; column (b, p, q) is the window whose top-left corner is (p·stride, q·stride)
    in image b. H_out, W_out from `conv_output_size`. The windows are a strided view of x
    (`sliding_window_view`, no copy); the reshape copies them once into this layout.
    """
    kh, kw = kernel
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    batch, channels, h_out, w_out = windows.shape[:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(channels * kh * kw, batch * h_out * w_out)


def col2im(cols: np.ndarray, x_shape: tuple[int, ...], kernel: tuple[int, int], stride: int = 1,
           padding: int = 0) -> np.ndarray:
    """The adjoint of `im2col`: add every column back onto the pixels its window covered.

    cols: (C·kh·kw, batch·H_out·W_out), x_shape: (batch, C, H, W) -> (batch, C, H, W). A pixel inside
    several windows receives the sum of their entries (overlapping windows accumulate), and the padding
    is cut off again. One strided slice addition per kernel offset (i, j): kh·kw additions in all.
    """
    (kh, kw), (batch, channels, height, width) = kernel, x_shape
    h_out, w_out = (conv_output_size(n, k, stride, padding) for n, k in ((height, kh), (width, kw)))
    patches = cols.reshape(channels, kh, kw, batch, h_out, w_out)
    padded = np.zeros((channels, batch, height + 2 * padding, width + 2 * padding), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            padded[:, :, i : i + stride * h_out : stride, j : j + stride * w_out : stride] += patches[:, i, j]
    return padded[:, :, padding : padding + height, padding : padding + width].transpose(1, 0, 2, 3)


def _expect_images(x: np.ndarray, channels: int | None, kernel: tuple[int, int], padding: int,
                   where: str) -> None:
    """Raise unless x is a float batch (batch, channels, H, W) whose padded images fit one window.

    channels=None accepts any number of channels.
    """
    expect_float(x, where)
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        if x.ndim == 2:
            hint = " Flat images? Reshape them first, e.g. x.reshape(-1, 1, 28, 28) for MNIST."
        elif x.ndim == 3 and channels in (None, x.shape[0]):
            hint = " Did you forget the batch axis? x[None]"
        elif x.ndim == 4 and x.shape[3] == channels:
            hint = " Channels last? These layers are NCHW, like PyTorch: x.transpose(0, 3, 1, 2)."
        else:
            hint = ""
        expected = f"(batch, {'channels' if channels is None else channels}, height, width)"
        raise ValueError(f"{where} expected x of shape {expected}, got {x.shape}.{hint}")
    if x.shape[0] == 0:
        raise ValueError(f"{where} got an empty batch: x has shape {x.shape}, at least one image is needed.")
    if x.shape[2] + 2 * padding < kernel[0] or x.shape[3] + 2 * padding < kernel[1]:
        raise ValueError(f"{where}: images of {x.shape[2]}×{x.shape[3]} pixels (padding {padding}) are "
                         f"smaller than the {kernel[0]}×{kernel[1]} window. Use a smaller kernel, more "
                         f"padding or fewer pooling layers before this one.")


def _pair(value: int | tuple[int, int], name: str, where: str) -> tuple[int, int]:
    """kernel_size 3 -> (3, 3); (3, 5) stays; anything but positive integers raises."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(n, int) and n >= 1 for n in pair):
        raise ValueError(f"{where}: {name} must be a positive integer or a pair of them, got {value!r}.")
    return pair


class Conv2D(Layer):
    """2-D convolution (cross-correlation, as in PyTorch) of a batch of images, NCHW.

    Derived in notebook 09. y[b, o, p, q] = bias[o] + Σ_{c,i,j} W[o, c, i, j] · x_pad[b, c, p·s + i, q·s + j],
    with x_pad the input zero-padded by `padding` on every side and s the stride.
    Shapes: x (batch, C_in, H, W), W (C_out, C_in, kh, kw), bias (C_out,), y (batch, C_out, H_out, W_out),
    H_out = ⌊(H + 2·padding − kh) / s⌋ + 1 (`conv_output_size`), likewise W_out.
    Forward as one matrix product: y = W₂ @ cols with W₂ = W reshaped (C_out, C_in·kh·kw) and
    cols = im2col(x) (C_in·kh·kw, batch·H_out·W_out). Backward, with dY = dL/dy laid out like W₂ @ cols:
    dW₂ = dY @ colsᵀ, dbias = Σ_{b,p,q} dy, dx = col2im(W₂ᵀ @ dY): every window sends its share of the
    gradient back to the pixels it covered. `init` (default "he") as for Dense, with fan-in C_in·kh·kw.
    """

    decayed = ("W",)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int = 1,
        padding: int = 0,
        init: str | Callable[..., np.ndarray] = "he",
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel = _pair(kernel_size, "kernel_size", "Conv2D")
        self.stride, self.padding = stride, padding
        if not (isinstance(stride, int) and stride >= 1 and isinstance(padding, int) and padding >= 0):
            raise ValueError(f"{self}: stride must be an integer ≥ 1 and padding an integer ≥ 0, "
                             f"got stride={stride!r}, padding={padding!r}.")
        fan_in = in_channels * self.kernel[0] * self.kernel[1]
        make = get_init(init) if isinstance(init, str) else init
        W = np.asarray(make(fan_in, out_channels, np.random.default_rng(rng), dtype), dtype=dtype)
        if W.shape != (fan_in, out_channels):
            raise ValueError(f"{self}: init returned W of shape {W.shape}, "
                             f"expected ({fan_in}, {out_channels}).")
        W = np.ascontiguousarray(W.T).reshape(out_channels, in_channels, *self.kernel)
        self.params = {"W": W, "b": np.zeros(out_channels, dtype=dtype)}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        _expect_images(x, self.in_channels, self.kernel, self.padding, repr(self))
        W, b = self.params["W"], self.params["b"]
        x = x.astype(W.dtype, copy=False)
        cols = im2col(x, self.kernel, self.stride, self.padding)
        h_out, w_out = (conv_output_size(n, k, self.stride, self.padding)
                        for n, k in zip(x.shape[2:], self.kernel, strict=True))
        y = W.reshape(self.out_channels, -1) @ cols + b[:, None]
        y = y.reshape(self.out_channels, len(x), h_out, w_out).transpose(1, 0, 2, 3)
        return self._remember(y, cols, np.array(x.shape))

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        cols, x_shape = self._cached(grad_out)
        W2 = self.params["W"].reshape(self.out_channels, -1)
        dY = grad_out.transpose(1, 0, 2, 3).reshape(self.out_channels, -1)
        np.matmul(dY, cols.T, out=self.grads["W"].reshape(W2.shape))
        dY.sum(axis=1, out=self.grads["b"])
        if not input_grad:
            return None
        return col2im(W2.T @ dY, tuple(x_shape), self.kernel, self.stride, self.padding)

    def __repr__(self) -> str:
        (kh, kw), options = self.kernel, ""
        options += f", stride={self.stride}" if self.stride != 1 else ""
        options += f", padding={self.padding}" if self.padding else ""
        return f"Conv2D({self.in_channels}→{self.out_channels}, {kh}×{kw}{options})"


class MaxPool2D(Layer):
    """Max pooling, NCHW: each channel's largest value in every kernel × kernel window (stride defaults to
    the kernel: windows side by side).

    Derived in notebook 09. y[b, c, p, q] = max_{i,j} x[b, c, p·s + i, q·s + j]; the output size is
    `conv_output_size(H, kernel, s)` (rows and columns no window reaches are dropped, as in PyTorch).
    Backward routes: each dy goes to the one input that won its window (the first of equal maxima),
    every other input gets 0; a pixel that wins several overlapping windows adds up their gradients.
    Shapes: x, dx (batch, C, H, W); y, dy (batch, C, H_out, W_out). No parameters.
    """

    def __init__(self, kernel_size: int, stride: int | None = None) -> None:
        super().__init__()
        self.kernel = kernel_size
        self.stride = kernel_size if stride is None else stride
        if not all(isinstance(n, int) and n >= 1 for n in (self.kernel, self.stride)):
            raise ValueError(f"MaxPool2D: kernel_size and stride must be positive integers, "
                             f"got kernel_size={kernel_size!r}, stride={stride!r}.")

    def _offsets(self, shape: tuple[int, ...]) -> list[tuple[slice, slice]]:
        """For every kernel offset (i, j), row-major, the slices of x it contributes to the windows."""
        k, s = self.kernel, self.stride
        h_out, w_out = (conv_output_size(n, k, s) for n in shape[2:])
        return [(slice(i, i + s * h_out, s), slice(j, j + s * w_out, s)) for i in range(k) for j in range(k)]

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        _expect_images(x, None, (self.kernel, self.kernel), 0, repr(self))
        (rows, columns), *others = self._offsets(x.shape)
        y = x[:, :, rows, columns].copy()
        index = np.min_scalar_type(self.kernel ** 2 - 1).type  # the smallest unsigned int for k·k offsets
        winner = np.zeros(y.shape, dtype=index)
        for offset, (rows, columns) in enumerate(others, start=1):
            candidate = x[:, :, rows, columns]
            better = candidate > y
            np.maximum(y, candidate, out=y)
            winner += better * (index(offset) - winner)  # = offset where better (unsigned ints wrap back)
        return self._remember(y, winner, np.array(x.shape))

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        winner, x_shape = self._cached(grad_out)
        if not input_grad:
            return None
        dx = np.zeros(tuple(x_shape), dtype=grad_out.dtype)
        for offset, (rows, columns) in enumerate(self._offsets(tuple(x_shape))):
            dx[:, :, rows, columns] += grad_out * (winner == offset)
        return dx

    def __repr__(self) -> str:
        stride = f", stride={self.stride}" if self.stride != self.kernel else ""
        return f"MaxPool2D({self.kernel}{stride})"


class Flatten(Layer):
    """(batch, C, H, W) -> (batch, C·H·W), channel by channel, row by row (as PyTorch's Flatten and
    x.reshape(batch, -1)); backward reshapes dy back to x's shape. Put it between the last Conv2D or
    MaxPool2D and the first Dense. No parameters."""

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        expect_float(x, repr(self))
        if x.ndim < 2:
            raise ValueError(f"{self} expected a batch, x of shape (batch, ...), got {x.shape}.")
        return self._remember(x.reshape(len(x), -1), np.array(x.shape))

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        (x_shape,) = self._cached(grad_out)
        return grad_out.reshape(tuple(x_shape)) if input_grad else None


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

    @property
    def takes_ids(self) -> bool:
        """True when the first layer reads integer ids (an `Embedding`): then x is ids, not floats."""
        return self.layers[0].takes_ids

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
