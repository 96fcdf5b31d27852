"""Notebook 02 (forward pass): one sigmoid neuron on 2-D points, and the line where it changes its mind.

A neuron with weights w = (w1, w2) and bias b computes a = σ(w1 x1 + w2 x2 + b). It answers "class 1"
where a > 0.5, that is where z = w1 x1 + w2 x2 + b > 0, so its decision boundary is the straight line
w1 x1 + w2 x2 + b = 0. The widget in the notebook only wires three sliders to `draw_neuron`.
"""

from __future__ import annotations

import itertools

import numpy as np

from course_lib.activations import sigmoid

Limits = tuple[float, float]


def neuron_output(points: np.ndarray, w1: float, w2: float, b: float) -> np.ndarray:
    """σ(points @ [w1, w2] + b). points: (n, 2) -> (n,) values in (0, 1), dtype of points."""
    w = np.array([w1, w2], dtype=points.dtype)
    return sigmoid(points @ w + points.dtype.type(b))


def grid_points(xlim: Limits = (-0.5, 1.5), ylim: Limits = (-0.5, 1.5),
                n: int = 101) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An n × n grid over xlim × ylim, flattened into a batch a network can take.

    Returns (xs (n,), ys (n,), points (n·n, 2)) float32. Point k is (xs[k % n], ys[k // n]), so outputs
    reshaped to (n, n) have the layout `ax.contourf(xs, ys, out)` expects: out[i, j] is at (xs[j], ys[i]).
    """
    xs = np.linspace(*xlim, n, dtype=np.float32)
    ys = np.linspace(*ylim, n, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1)


def neuron_grid(w1: float, w2: float, b: float, xlim: Limits = (-0.5, 1.5), ylim: Limits = (-0.5, 1.5),
                n: int = 101) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The neuron's output on an n × n grid: (xs (n,), ys (n,), out (n, n)), see `grid_points`."""
    xs, ys, points = grid_points(xlim, ylim, n)
    return xs, ys, neuron_output(points, w1, w2, b).reshape(n, n)


def decision_line(w1: float, w2: float, b: float, xlim: Limits = (-0.5, 1.5),
                  ylim: Limits = (-0.5, 1.5), n: int = 2) -> tuple[np.ndarray, np.ndarray] | None:
    """n points (x (n,), y (n,)) on the line w1 x + w2 y + b = 0, or None when w1 = w2 = 0 (no line).

    Solves for y when |w2| ≥ |w1| (x runs over xlim), else for x (y runs over ylim), so a steep
    line never divides by a tiny number.
    """
    if w1 == 0 and w2 == 0:
        return None
    if abs(w2) >= abs(w1):
        x = np.linspace(*xlim, n)
        return x, -(w1 * x + b) / w2
    y = np.linspace(*ylim, n)
    return -(w2 * y + b) / w1, y


def neuron_accuracy(points: np.ndarray, labels: np.ndarray, w1: float, w2: float, b: float) -> float:
    """Fraction of points the neuron classifies right (output > 0.5 means class 1). labels: (n,) or (n, 1)."""
    predicted = neuron_output(points, w1, w2, b) > 0.5
    return float(np.mean(predicted == (np.ravel(labels) > 0.5)))


def best_neuron_accuracy(points: np.ndarray, labels: np.ndarray, values: np.ndarray) -> float:
    """The best accuracy of any neuron whose w1, w2 and b all come from `values` (k,): a brute-force search.

    Tries all k³ neurons at once: z has shape (k³, n). Keep k ≤ ~50 (k³ · n numbers in memory).
    """
    wb = np.array(list(itertools.product(values, repeat=3)), dtype=np.float64)
    z = wb[:, :2] @ points.T.astype(np.float64) + wb[:, 2:]
    correct = (z > 0) == (np.ravel(labels) > 0.5)
    return float(correct.mean(axis=1).max())


def draw_neuron(ax, points: np.ndarray, labels: np.ndarray, w1: float, w2: float, b: float,
                xlim: Limits = (-0.5, 1.5), ylim: Limits = (-0.5, 1.5)) -> float:
    """Draw the neuron's output as a background, its decision line, and the points coloured by label.

    points: (n, 2), labels: (n,) or (n, 1) in {0, 1}. Returns the accuracy shown in the title.
    """
    xs, ys, out = neuron_grid(w1, w2, b, xlim, ylim)
    ax.contourf(xs, ys, out, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    line = decision_line(w1, w2, b, xlim, ylim)
    if line is not None:
        ax.plot(*line, color="black", linewidth=2, label="$z = 0$ (output 0.5)")
    is_one = np.ravel(labels) > 0.5
    ax.scatter(*points[~is_one].T, c="tab:blue", edgecolors="white", s=60, label="class 0")
    ax.scatter(*points[is_one].T, c="tab:red", edgecolors="white", s=60, marker="s", label="class 1")
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(loc="upper right", fontsize="small")
    accuracy = neuron_accuracy(points, labels, w1, w2, b)
    ax.set_title(f"$w_1$={w1:.2f}, $w_2$={w2:.2f}, $b$={b:.2f}: {accuracy:.0%} right")
    return accuracy
