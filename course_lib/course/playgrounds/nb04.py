"""Notebook 04 playground: scrub through the training of the [2, 3, 1] XOR network.

`train_snapshots` trains `course_lib.network.Network` on XOR and keeps copies of its parameters at
chosen epochs (any seed, hidden width and learning rate); `draw_boundary` shades what one snapshot
predicts over the plane; `show_snapshot` draws a snapshot next to the loss curve, which is what the
notebook's epoch slider calls.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from course_lib.activations import sigmoid
from course_lib.network import Network
from course_lib.toy_data import xor

Params = list[np.ndarray]

#: Epochs the slider offers: dense where the boundary changes fastest (the first 3,000), sparse after.
SLIDER_EPOCHS = (0, 25, 50, *range(100, 3000, 100), *range(3000, 10_001, 500))


@dataclass(frozen=True)
class Snapshots:
    """A training run kept at a few epochs.

    epochs: (k,) sorted ints, the number of gradient steps taken before each snapshot (0 = the start).
    params: k lists [W1 (2, 3), b1 (3,), W2 (3, 1), b2 (1,)], copies of the weights at those epochs.
    losses: (n_epochs,) the loss of every epoch, measured before that epoch's step.
    """

    epochs: np.ndarray
    params: list[Params]
    losses: np.ndarray

    def index_of(self, epoch: int) -> int:
        """Index of the snapshot taken at the epoch closest to `epoch`."""
        return int(np.argmin(np.abs(self.epochs - epoch)))


def train_snapshots(
    snapshot_epochs: Sequence[int],
    seed: int = 0,
    learning_rate: float = 0.5,
    hidden: int = 3,
) -> Snapshots:
    """Train Network([2, hidden, 1], sigmoid) on XOR by full-batch gradient descent, with snapshots.

    Runs max(snapshot_epochs) epochs; a snapshot at epoch e holds the parameters after e steps.
    Returns a `Snapshots` whose `losses` has shape (max(snapshot_epochs),).
    """
    epochs = np.unique(np.asarray(snapshot_epochs, dtype=int))
    if epochs.size == 0 or epochs[0] < 0:
        raise ValueError(f"snapshot_epochs must be non-negative epoch numbers, got {list(snapshot_epochs)}.")
    x, y = xor()
    net = Network([2, hidden, 1], activation="sigmoid", learning_rate=learning_rate, seed=seed)
    wanted = set(epochs.tolist())
    params: list[Params] = []

    class KeepSnapshots:
        def on_epoch(self, epoch: int, history: object) -> None:
            if epoch + 1 in wanted:
                params.append([p.value.copy() for p in net.parameters()])

    if 0 in wanted:
        KeepSnapshots().on_epoch(-1, None)
    losses = net.train(x, y, int(epochs[-1]), callbacks=[KeepSnapshots()])
    return Snapshots(epochs, params, losses)


#: Learning rates the widget offers: 0.5 is the classic run; 0.1 crawls, 2 and 8 cut the plateau short.
LEARNING_RATES = (0.1, 0.5, 2.0, 8.0)


@functools.lru_cache(maxsize=32)
def slider_run(seed: int = 0, hidden: int = 3, learning_rate: float = 0.5) -> Snapshots:
    """`train_snapshots(SLIDER_EPOCHS, seed, learning_rate, hidden)`, remembered: going back is instant."""
    return train_snapshots(SLIDER_EPOCHS, seed=seed, learning_rate=learning_rate, hidden=hidden)


def predict(params: Params, points: np.ndarray) -> np.ndarray:
    """Forward pass of a sigmoid network given [W1, b1, W2, b2, ...]: points (n, 2) -> outputs (n, n_out)."""
    out = points
    for W, b in zip(params[::2], params[1::2], strict=True):
        out = sigmoid(out @ W + b)
    return out


def boundary_grid(params: Params, resolution: int = 101, lim: tuple[float, float] = (-0.5, 1.5)):
    """The network's output on a square grid: returns gx, gy, out, each (resolution, resolution)."""
    axis = np.linspace(*lim, resolution, dtype=np.float32)
    gx, gy = np.meshgrid(axis, axis)
    out = predict(params, np.column_stack([gx.ravel(), gy.ravel()]))
    return gx, gy, out.reshape(gx.shape)


def draw_boundary(ax: plt.Axes, params: Params, title: str | None = None, resolution: int = 101) -> plt.Axes:
    """Shade the output of `params` over [-0.5, 1.5]², draw the 0.5 contour and the four XOR points.

    Points are coloured by their target (0 blue, 1 red); the network's outputs are written next to them.
    """
    gx, gy, out = boundary_grid(params, resolution)
    ax.contourf(gx, gy, out, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.75)
    if out.min() < 0.5 < out.max():
        ax.contour(gx, gy, out, levels=[0.5], colors="k", linewidths=1.5)
    x, y = xor()
    ax.scatter(x[:, 0], x[:, 1], c=y[:, 0], cmap="RdBu_r", vmin=0, vmax=1, s=90, edgecolors="k", zorder=3)
    for (px, py), o in zip(x, predict(params, x)[:, 0], strict=True):
        ax.annotate(f"{o:.2f}", (px, py), xytext=(7, 7), textcoords="offset points", fontsize=9)
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), aspect="equal", xlabel="$x_1$", ylabel="$x_2$")
    if title:
        ax.set_title(title)
    return ax


def show_snapshot(run: Snapshots, epoch: int) -> plt.Figure:
    """Figure for the slider: the boundary at the snapshot nearest `epoch`, and the loss curve up to it."""
    i = run.index_of(epoch)
    e = int(run.epochs[i])
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    draw_boundary(left, run.params[i], title=f"after {e:,} epochs")
    right.semilogy(np.arange(len(run.losses)), run.losses, color="0.75")
    right.semilogy(np.arange(e), run.losses[:e], color="C0")
    right.axvline(e, color="C3", linestyle="--")
    right.set(xlabel="epoch", ylabel="MSE loss (log scale)", title="loss so far")
    fig.tight_layout()
    return fig
