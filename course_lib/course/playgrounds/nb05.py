"""Notebook 05 (initialization): a deep stack of layers, and what its starting weights do to the signal.

`deep_mlp` builds an MNIST classifier with `depth` hidden layers of equal width from any initializer;
`scaled_normal(gain)` is the initializer behind the notebook's slider, W ~ N(0, gain² / n_in), so that
gain 1 keeps a linear layer's variance and gain √2 is He's choice for ReLU. `record_forward` keeps every
layer's pre-activations and activations, `weight_grad_norms` measures ‖∂L/∂W‖ per Dense layer, and
`draw_histograms` / `show_deep_histograms` draw one histogram per hidden layer, which the widget calls.
Over training, `ScaleHistograms` is a `fit` callback that keeps, at chosen steps, a histogram of
log₁₀|a| for every activation layer (`draw_scale_histograms` draws them), and `depth_ratio` answers the
playground's question: how much the spread changes from the first hidden layer to the last, per gain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import DTypeLike

from course_lib.layers import Activation, Dense, Sequential, mlp
from course_lib.losses import softmax_cross_entropy

Initializer = Callable[..., np.ndarray]

#: Where each activation's histograms are drawn: tanh lives in (−1, 1), ReLU outputs are ≥ 0.
HIST_RANGE = {"tanh": (-1.0, 1.0), "relu": (0.0, 4.0)}


def scaled_normal(gain: float) -> Initializer:
    """An initializer f(n_in, n_out, rng, dtype) drawing W ~ N(0, gain² / n_in), shape (n_in, n_out).

    gain = 1 is LeCun's choice (Xavier's too when n_in = n_out); gain = √2 is He's.
    """
    if not gain > 0:
        raise ValueError(f"gain must be positive, got {gain}.")

    def init(n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32) -> np.ndarray:
        return rng.standard_normal((n_in, n_out), dtype=dtype) * np.asarray(gain / math.sqrt(n_in), dtype)

    init.__name__ = f"scaled_normal(gain={gain:g})"
    return init


def deep_mlp(
    init: str | Initializer,
    activation: str = "relu",
    depth: int = 8,
    width: int = 256,
    n_in: int = 784,
    n_out: int = 10,
    seed: int = 0,
    batchnorm: bool = False,
) -> Sequential:
    """Dense(n_in→width), act, then depth − 1 × [Dense(width→width), act], then Dense(width→n_out).

    Every Dense layer starts from `init` (a course_lib.init name or a callable); one Generator seeded
    with `seed` draws them all, in order. batchnorm=True puts a BatchNorm between each hidden Dense and its
    activation. Input x: (batch, n_in) -> logits (batch, n_out).
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1 hidden layer, got {depth}.")
    return mlp([n_in, *[width] * depth, n_out], activation, init=init, output_init=init, seed=seed,
               batchnorm=batchnorm)


def record_forward(model: Sequential, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Run x (batch, n_in) through the model in evaluation mode, keeping what every hidden layer computes.

    Returns (pre, post): pre[k] is the k-th Dense layer's output z (batch, width) that feeds an
    activation, post[k] is that activation's output (batch, width). The final logits are left out.
    """
    pre, post = [], []
    h = x
    for layer in model.layers:
        out = layer.forward(h, training=False)
        if isinstance(layer, Activation):
            pre.append(h)
            post.append(out)
        h = out
    return pre, post


def weight_grad_norms(model: Sequential, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """One forward and backward pass with softmax cross-entropy; returns ‖∂L/∂W‖ of every Dense layer.

    x: (batch, n_in), labels: (batch,) ints. Result: (n_dense,) float64, first layer first.
    """
    _, grad = softmax_cross_entropy(model.forward(x), labels)
    model.backward(grad)
    return np.array([np.linalg.norm(layer.grads["W"]) for layer in model.layers if isinstance(layer, Dense)],
                    dtype=np.float64)


def draw_histograms(axes: Sequence[Axes], activations: Sequence[np.ndarray], activation: str,
                    bins: int = 40) -> None:
    """One histogram per hidden layer, on a fixed range so that shrinking or swelling shows.

    activations: one array per layer (any shape); axes: at least as many as layers. Values outside
    the range are piled into the edge bins; exact zeros of a ReLU are left out of the picture (their
    share is written in the panel). Each title gives the layer and the std of ALL its values.
    """
    lo, hi = HIST_RANGE[activation]
    for k, (ax, a) in enumerate(zip(axes, activations, strict=False)):
        values = np.asarray(a, dtype=np.float64).ravel()
        shown = values[values != 0] if activation == "relu" else values
        ax.hist(np.clip(shown, lo, hi), bins=bins, range=(lo, hi), color="tab:blue")
        ax.set_title(f"layer {k + 1}\nstd {values.std():.2g}", fontsize=9)
        ax.set(xlim=(lo, hi), yticks=[])
        if activation == "relu":
            ax.text(0.95, 0.9, f"{np.mean(values == 0):.0%} = 0", transform=ax.transAxes,
                    ha="right", fontsize=8, color="0.3")


def show_deep_histograms(gain: float, activation: str, x: np.ndarray, depth: int = 8,
                         width: int = 256, seed: int = 0) -> Figure:
    """Build deep_mlp(scaled_normal(gain), activation), run x (batch, n_in) and draw a row of histograms.

    The figure title reports the weight std of the hidden layers, gain / √width.
    """
    model = deep_mlp(scaled_normal(gain), activation, depth=depth, width=width, n_in=x.shape[1], seed=seed)
    _, post = record_forward(model, x)
    fig, axes = plt.subplots(1, depth, figsize=(1.9 * depth, 2.4), sharey=False)
    draw_histograms(np.atleast_1d(axes), post, activation)
    std = gain / math.sqrt(width)
    fig.suptitle(f"{activation}, gain {gain:.3g}: hidden weights drawn with std {std:.3g}", y=1.02)
    fig.tight_layout()
    return fig


#: Bins of log₁₀|a| for `ScaleHistograms`: from 10⁻¹² (a collapsed signal) to 10³ (an exploding one).
SCALE_BINS = np.linspace(-12, 3, 61)


class ScaleHistograms:
    """`fit` callback: at each step of `steps`, the histogram of log₁₀|a| over the nonzero outputs a of every
    activation layer (exact zeros of a ReLU are left out).

    counts[step]: (n_activation_layers, len(bins) − 1) ints, layer 1 first; values below the first bin or
    above the last are counted in the edge bins.
    """

    def __init__(self, steps: Sequence[int], bins: np.ndarray = SCALE_BINS) -> None:
        self.steps, self.bins = sorted(set(steps)), np.asarray(bins, dtype=np.float64)
        self.counts: dict[int, np.ndarray] = {}

    def on_step(self, step: int, model: Sequential, loss: float, lr: float, batch_size: int) -> None:
        if step not in self.steps:
            return
        rows = []
        for _, layer in model.named_layers():
            if isinstance(layer, Activation):
                a = np.abs(np.asarray(layer.output, dtype=np.float64))
                logs = np.clip(np.log10(a[a > 0]), self.bins[0], self.bins[-1])
                rows.append(np.histogram(logs, self.bins)[0])
        self.counts[step] = np.array(rows)


def draw_scale_histograms(ax: Axes, record: ScaleHistograms, layer: int) -> Axes:
    """One outline per recorded step: the histogram of log₁₀|a| of hidden layer `layer` (0 = first)."""
    centres = (record.bins[1:] + record.bins[:-1]) / 2
    for k, step in enumerate(record.steps):
        if step in record.counts:
            counts = record.counts[step][layer]
            colour = plt.cm.viridis(k / max(len(record.steps) - 1, 1))
            ax.plot(centres, counts / max(counts.sum(), 1), color=colour, label=f"step {step}")
    ax.set(xlabel="log₁₀|activation|", ylabel="share of values", xlim=(record.bins[0], record.bins[-1]))
    return ax


def depth_ratio(gain: float, activation: str, x: np.ndarray, depth: int = 8, width: int = 256,
                seed: int = 0) -> float:
    """std of the last hidden layer's outputs / std of the first's, for deep_mlp(scaled_normal(gain)) on x."""
    model = deep_mlp(scaled_normal(gain), activation, depth=depth, width=width, n_in=x.shape[1], seed=seed)
    _, post = record_forward(model, x)
    return float(post[-1].std() / post[0].std())
