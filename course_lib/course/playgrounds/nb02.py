"""Notebook 02 (forward pass): one sigmoid neuron on 2-D points, and a hidden layer of three that solves XOR.

A neuron with weights w = (w1, w2) and bias b computes a = σ(w1 x1 + w2 x2 + b) (w₀, w₁, x₀, x₁ in the
notebook). It answers "class 1" where a > 0.5, that is where z = w1 x1 + w2 x2 + b > 0, so its decision
boundary is the straight line w1 x1 + w2 x2 + b = 0, perpendicular to w; z grows in the direction of w
(the arrow in the drawing).
`xor_network` builds a [2, 3, 1] network whose hidden units draw three lines and whose output fires where
all three fire: a band with one end closed. The notebook's widgets only wire sliders to `draw_neuron`
and `draw_hidden_layer`.
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
        foot, tip = weight_arrow(w1, w2, b)
        ax.annotate("", xy=tip, xytext=foot, arrowprops={"arrowstyle": "->", "lw": 2, "color": "darkgreen"})
        ax.text(*tip, " $w$", color="darkgreen", fontsize=11)
    is_one = np.ravel(labels) > 0.5
    ax.scatter(*points[~is_one].T, c="tab:blue", edgecolors="white", s=60, label="class 0")
    ax.scatter(*points[is_one].T, c="tab:red", edgecolors="white", s=60, marker="s", label="class 1")
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_0$", ylabel="$x_1$", aspect="equal")
    ax.legend(loc="upper right", fontsize="small")
    accuracy = neuron_accuracy(points, labels, w1, w2, b)
    ax.set_title(f"$w_0$={w1:.2f}, $w_1$={w2:.2f}, $b$={b:.2f}: {accuracy:.0%} right")
    return accuracy


def weight_arrow(w1: float, w2: float, b: float, length: float = 0.4) -> tuple[np.ndarray, np.ndarray]:
    """(foot, tip) of an arrow along w = (w1, w2) starting on the line w·x + b = 0 (its point nearest 0).

    The foot is −b w / |w|²; the tip is `length` further along w / |w|. Raises for w = 0 (no line).
    """
    w = np.array([w1, w2], dtype=np.float64)
    norm2 = float(w @ w)
    if norm2 == 0:
        raise ValueError("weight_arrow needs w ≠ (0, 0): with zero weights the neuron draws no line.")
    foot = -b * w / norm2
    return foot, foot + length * w / np.sqrt(norm2)


HIDDEN_UNITS: tuple[tuple[str, tuple[float, float]], ...] = (
    ("OR: x₀ + x₁ > c₀", (1.0, 1.0)),
    ("NAND: x₀ + x₁ < c₁", (-1.0, -1.0)),
    ("x₀ − x₁ < c₂", (-1.0, 1.0)),
)
"""Each hidden unit of `xor_network`: its name and the direction n_j (2,) in which it fires."""

XOR_OFFSETS = (0.5, 1.5, 1.2)
"""The thresholds c₀, c₁, c₂ of the three hidden units that solve XOR (the widget's starting point)."""


def xor_network(offsets: tuple[float, float, float] = XOR_OFFSETS,
                sharpness: float = 20.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weights (W1 (2, 3), b1 (3,), W2 (3, 1), b2 (1,)) float32 of a [2, 3, 1] sigmoid network.

    Hidden unit j fires (output near 1) on one side of its line: unit 0 where x₀ + x₁ > c₀, unit 1 where
    x₀ + x₁ < c₁, unit 2 where x₀ − x₁ < c₂.
    Its weights are sharpness · n_j and its bias makes z_j = 0 on its line. The output is an AND of the
    three: σ(sharpness · (h₀ + h₁ + h₂ − 2.5)).
    """
    directions = np.array([n for _, n in HIDDEN_UNITS], dtype=np.float64).T          # (2, 3)
    thresholds = np.array([offsets[0], -offsets[1], -offsets[2]], dtype=np.float64)  # n_j · x > this
    W1 = sharpness * directions
    b1 = -sharpness * thresholds
    W2 = np.full((3, 1), sharpness)
    b2 = np.array([-2.5 * sharpness])
    return tuple(a.astype(np.float32) for a in (W1, b1, W2, b2))


def xor_forward(points: np.ndarray, offsets: tuple[float, float, float] = XOR_OFFSETS
                ) -> tuple[np.ndarray, np.ndarray]:
    """(H (n, 3), output (n,)) of `xor_network(offsets)` on points (n, 2)."""
    W1, b1, W2, b2 = xor_network(offsets)
    hidden = sigmoid(points.astype(np.float32) @ W1 + b1)
    return hidden, sigmoid(hidden @ W2 + b2).ravel()


def draw_hidden_layer(ax, points: np.ndarray, labels: np.ndarray,
                      offsets: tuple[float, float, float] = XOR_OFFSETS,
                      xlim: Limits = (-0.5, 1.5), ylim: Limits = (-0.5, 1.5)) -> float:
    """Draw the three hidden units' lines and the network's output over the plane; return the accuracy.

    points: (n, 2), labels: (n,) or (n, 1) in {0, 1}; the accuracy counts output > 0.5 as class 1.
    """
    xs, ys, grid = grid_points(xlim, ylim)
    _, out = xor_forward(grid, offsets)
    ax.contourf(xs, ys, out.reshape(len(ys), len(xs)), levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    W1, b1, _, _ = xor_network(offsets)
    for j, (name, _) in enumerate(HIDDEN_UNITS):
        line = decision_line(float(W1[0, j]), float(W1[1, j]), float(b1[j]), xlim, ylim)
        ax.plot(*line, linewidth=2.5, label=f"unit {j}, {name.split(':')[0]}: c = {offsets[j]:.2f}")
    is_one = np.ravel(labels) > 0.5
    ax.scatter(*points[~is_one].T, c="tab:blue", edgecolors="white", s=80, zorder=3)
    ax.scatter(*points[is_one].T, c="tab:red", edgecolors="white", s=80, marker="s", zorder=3)
    accuracy = float(np.mean((xor_forward(points, offsets)[1] > 0.5) == is_one))
    ax.set(xlim=xlim, ylim=ylim, xlabel="$x_0$", ylabel="$x_1$", aspect="equal",
           title=f"three hidden lines, output = all three fire: {accuracy:.0%} right")
    ax.legend(loc="lower left", fontsize="small")
    return accuracy
