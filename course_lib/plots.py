"""Plots the notebooks use. Every function takes `ax=None` (a new figure when None) and returns the axes.

Curves from notebooks 05–07 (`History`), statistics over training from `course_lib.diagnostics`
(one line per layer over steps), decision boundaries from 02–04, digits and the confusion matrix
from 07. Matplotlib only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from course_lib.diagnostics import ActivationStats, GradientNorms, UpdateRatios
from course_lib.layers import Activation, Sequential
from course_lib.metrics import predicted_labels
from course_lib.train import History


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.subplots()[1]


def _epochs(values: list[float]) -> np.ndarray:
    return np.arange(1, len(values) + 1)


def plot_loss(history: History, ax: Axes | None = None, log: bool = False) -> Axes:
    """Training (and validation, if recorded) loss per epoch."""
    ax = _axes(ax)
    ax.plot(_epochs(history.loss), history.loss, marker=".", label="train")
    if history.val_loss:
        ax.plot(_epochs(history.val_loss), history.val_loss, marker=".", label="validation")
    ax.set(xlabel="epoch", ylabel="loss", yscale="log" if log else "linear")
    ax.legend()
    return ax


def plot_accuracy(history: History, ax: Axes | None = None) -> Axes:
    """Training (and validation, if recorded) accuracy per epoch."""
    ax = _axes(ax)
    ax.plot(_epochs(history.accuracy), history.accuracy, marker=".", label="train")
    if history.val_accuracy:
        ax.plot(_epochs(history.val_accuracy), history.val_accuracy, marker=".", label="validation")
    ax.set(xlabel="epoch", ylabel="accuracy")
    ax.legend()
    return ax


def plot_decision_boundary(
    model: Sequential | Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    ax: Axes | None = None,
    resolution: int = 200,
    padding: float = 0.5,
) -> Axes:
    """Colour the plane by the predicted class and draw the points. x: (n, 2), y: (n,) or (n, 1) labels.

    `model` is anything with `predict` (a Sequential) or a function, e.g. `net.feed_forward`.
    """
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D points x of shape (n, 2), got {x.shape}.")
    predict = model if callable(model) else model.predict
    lo, hi = x.min(axis=0) - padding, x.max(axis=0) + padding
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([g0.ravel(), g1.ravel()], axis=1).astype(np.float32)
    classes = predicted_labels(predict(grid)).reshape(g0.shape)
    ax = _axes(ax)
    ax.contourf(g0, g1, classes, alpha=0.3, cmap="coolwarm", levels=np.arange(classes.max() + 2) - 0.5)
    ax.scatter(x[:, 0], x[:, 1], c=np.ravel(y), cmap="coolwarm", edgecolors="k", s=20)
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    return ax


def plot_digits(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    preds: np.ndarray | None = None,
    ncols: int = 10,
    ax: Axes | None = None,
) -> Axes:
    """Tile images (n, 784) or (n, 28, 28) into one grid; caption "label" or "label→pred" (red if wrong)."""
    images = images.reshape(len(images), 28, 28)
    nrows = -(-len(images) // ncols)
    mosaic = np.zeros((nrows * 28, ncols * 28), dtype=np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        mosaic[r * 28 : (r + 1) * 28, c * 28 : (c + 1) * 28] = image
    ax = _axes(ax)
    ax.imshow(mosaic, cmap="gray_r")
    ax.set_axis_off()
    for i in range(len(images) if labels is not None else 0):
        r, c = divmod(i, ncols)
        wrong = preds is not None and preds[i] != labels[i]
        text = f"{labels[i]}→{preds[i]}" if preds is not None else f"{labels[i]}"
        ax.text(c * 28 + 1, r * 28 + 7, text, fontsize=8, color="red" if wrong else "tab:blue")
    return ax


def plot_confusion_matrix(
    cm: np.ndarray, ax: Axes | None = None, class_names: list[str] | None = None
) -> Axes:
    """Show counts cm (k, k), rows = true class, columns = predicted class, each count written in."""
    ax = _axes(ax)
    ax.imshow(cm, cmap="Blues")
    names = class_names or [str(i) for i in range(len(cm))]
    ax.set(xticks=range(len(cm)), yticks=range(len(cm)), xticklabels=names, yticklabels=names)
    ax.set(xlabel="predicted", ylabel="true")
    for (i, j), count in np.ndenumerate(cm):
        ax.text(
            j,
            i,
            str(count),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if count > cm.max() / 2 else "k",
        )
    return ax


def plot_per_layer(
    steps: list[int], values: Mapping[str, list[float]], ax: Axes | None = None, ylabel: str = "",
    log: bool = True,
) -> Axes:
    """One line per layer: values[layer] (one per step in `steps`) against the step."""
    ax = _axes(ax)
    for layer, series in values.items():
        ax.plot(steps, series, label=layer)
    ax.set(xlabel="step", ylabel=ylabel, yscale="log" if log else "linear")
    ax.legend(fontsize=8)
    return ax


def plot_update_ratios(ratios: UpdateRatios, ax: Axes | None = None) -> Axes:
    """std(η·∂L/∂W) / std(W) per layer over steps, log scale, with the healthy 10⁻³ marked."""
    ax = plot_per_layer(ratios.steps, ratios.values, ax, "update : data ratio, std(η·g) / std(W)")
    ax.axhline(1e-3, color="k", linestyle="--", linewidth=1, label="10⁻³")
    ax.legend(fontsize=8)
    return ax


def plot_gradient_norms(norms: GradientNorms, ax: Axes | None = None) -> Axes:
    """‖∂L/∂θ‖ per layer (W and b together) over steps, log scale."""
    return plot_per_layer(norms.steps, norms.values, ax, "gradient norm of the layer (W and b)")


def plot_activation_stats(stats: ActivationStats, stat: str = "std", ax: Axes | None = None) -> Axes:
    """One activation statistic per layer over steps: stat is "mean", "std" or "dead" (fraction of units)."""
    series = {"mean": stats.mean, "std": stats.std, "dead": stats.dead}.get(stat)
    if series is None:
        raise ValueError(f"plot_activation_stats: stat must be 'mean', 'std' or 'dead', got {stat!r}.")
    labels = {"mean": "mean activation", "std": "activation std", "dead": "fraction of dead units"}
    return plot_per_layer(stats.steps, series, ax, labels[stat], log=False)


def plot_activation_histograms(
    model: Sequential, x: np.ndarray, ax: Axes | None = None, bins: int = 50
) -> Axes:
    """Histogram of every activation layer's outputs on x (evaluation mode), one outline per layer."""
    ax = _axes(ax)
    h = x
    for name, layer in zip(model.names, model.layers, strict=True):
        h = layer.forward(h, training=False)
        if isinstance(layer, Activation):
            ax.hist(h.ravel(), bins=bins, histtype="step", density=True, label=name)
    ax.set(xlabel="activation value", ylabel="density")
    ax.legend()
    return ax


def plot_reliability_diagram(probs: np.ndarray, labels: np.ndarray, n_bins: int = 10,
                             ax: Axes | None = None) -> Axes:
    """Reliability diagram (notebook 08): accuracy against confidence, one bar per confidence bin.

    probs (batch, k) class probabilities, labels (batch,). Bar b spans the bin [b/M, (b+1)/M) and rises
    to the bin's accuracy; a red outline marks its mean confidence, so the space between the two is the
    bin's calibration gap. The diagonal is perfect calibration; the title gives the ECE.
    """
    from course_lib.metrics import expected_calibration_error, reliability_bins

    counts, confidence, accuracy_per_bin = reliability_bins(probs, labels, n_bins)
    used = counts > 0
    left = np.arange(n_bins)[used] / n_bins
    ax = _axes(ax)
    ax.bar(left, accuracy_per_bin[used], width=1 / n_bins, align="edge", edgecolor="k", label="accuracy")
    ax.bar(left, confidence[used], width=1 / n_bins, align="edge", fill=False, edgecolor="tab:red",
           linewidth=1.5, label="mean confidence")
    ax.plot([0, 1], [0, 1], color="gray", linestyle="--", label="perfectly calibrated")
    ece = expected_calibration_error(probs, labels, n_bins)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence (largest probability)", ylabel="accuracy",
           title=f"{n_bins} bins, ECE = {ece:.4f}")
    ax.legend(loc="upper left", fontsize=8)
    return ax
