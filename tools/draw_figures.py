"""Draw the network diagrams notebook 02 shows, as SVG files under images/ (reproducible byte for byte).

    python tools/draw_figures.py [--out images]

Figures: 02_neuron.svg (one neuron: inputs, weights, sum, bias, activation), 02_network_2_3_1.svg (the
XOR network with the shape of every array) and 02_network_784_128_10.svg (the MNIST classifier, a few
units of each layer drawn and the rest elided). Matplotlib with the Agg backend; the SVG ids are salted
and the date left out, so running the script twice writes identical files.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[1]
NODE = {"boxstyle": "circle,pad=0.3", "fc": "#e8f0fe", "ec": "#4a6fa5", "lw": 1.5}
EDGE = {"arrowstyle": "-|>", "color": "#4a6fa5", "lw": 1.0, "shrinkA": 13, "shrinkB": 13}


def _node(ax: plt.Axes, x: float, y: float, text: str, color: str = "#e8f0fe") -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=11, bbox={**NODE, "fc": color})


def _edge(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float], label: str = "",
          width: float = 1.0) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={**EDGE, "lw": width})
    if label:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.12, label, ha="center", fontsize=10,
                color="#333333")


def draw_neuron() -> plt.Figure:
    """Inputs x₀, x₁, x₂ weighted by w₀, w₁, w₂, summed with the bias b into z, then a = f(z)."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    inputs = [(0.0, 1.4), (0.0, 0.7), (0.0, 0.0)]
    for i, (x, y) in enumerate(inputs):
        _node(ax, x, y, f"$x_{i}$", "#fff4d6")
        _edge(ax, (x, y), (2.2, 0.7), f"$w_{i}$")
    _node(ax, 2.2, 0.7, r"$\Sigma$")
    _node(ax, 2.2, -0.35, "$b$", "#fff4d6")
    _edge(ax, (2.2, -0.35), (2.2, 0.7))
    _node(ax, 3.7, 0.7, "$f$")
    _edge(ax, (2.2, 0.7), (3.7, 0.7), "$z$")
    _edge(ax, (3.7, 0.7), (5.0, 0.7), "$a$")
    ax.text(2.2, 1.75, r"$z = w_0 x_0 + w_1 x_1 + w_2 x_2 + b = w \cdot x + b$", ha="center", fontsize=11)
    ax.text(4.35, 0.25, "$a = f(z)$", ha="center", fontsize=11)
    ax.set(xlim=(-0.4, 5.2), ylim=(-0.7, 2.0))
    ax.axis("off")
    return fig


def _layers(ax: plt.Axes, shown: Sequence[int], totals: Sequence[str], names: Sequence[str],
            elided: Sequence[bool], weights: Sequence[str], spacing: float = 3.0) -> None:
    """Columns of units, every unit joined to every unit of the next column; '⋮' where units are elided.

    Above each column its name, below it its array's shape; between columns, below, the weights' shapes.
    """
    columns = []
    for c, count in enumerate(shown):
        gap = 0.55
        ys = [(count - 1) / 2 * gap - i * gap for i in range(count)]
        if elided[c]:
            ys = ys[: count // 2] + ys[count // 2 + 1:]
        columns.append([(c * spacing, y) for y in ys])
    for left, right in zip(columns, columns[1:], strict=False):
        for start in left:
            for end in right:
                ax.annotate("", xy=end, xytext=start, arrowprops={**EDGE, "lw": 0.4, "arrowstyle": "-"})
    for c, units in enumerate(columns):
        color = "#fff4d6" if c == 0 else "#e8f0fe"
        for x, y in units:
            ax.text(x, y, " ", ha="center", va="center", fontsize=9, bbox={**NODE, "fc": color})
        if elided[c]:
            ax.text(c * spacing, 0, "⋮", ha="center", va="center", fontsize=16)
    top = max(y for units in columns for _, y in units)
    for c in range(len(columns)):
        ax.text(c * spacing, top + 0.5, names[c], ha="center", fontsize=10)
        ax.text(c * spacing, -top - 0.7, totals[c], ha="center", fontsize=10, color="#4a6fa5")
    for c, label in enumerate(weights):
        ax.text((c + 0.5) * spacing, -top - 1.2, label, ha="center", fontsize=10)
    ax.set(xlim=(-1.6, (len(columns) - 1) * spacing + 1.6), ylim=(-top - 1.5, top + 0.9))
    ax.axis("off")


def draw_network_2_3_1() -> plt.Figure:
    """The [2, 3, 1] network of XOR, with the shape of every array for a batch of four points."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    _layers(ax, (2, 3, 1), ("X: (4, 2)", "H = σ(X W₁ + b₁): (4, 3)", "ŷ = σ(H W₂ + b₂): (4, 1)"),
            ("2 inputs", "3 hidden units", "1 output"), (False, False, False),
            ("W₁ (2, 3), b₁ (3,)", "W₂ (3, 1), b₂ (1,)"))
    return fig


def draw_network_784_128_10() -> plt.Figure:
    """The MNIST classifier 784-128-10: a few units of each layer drawn, the rest elided."""
    fig, ax = plt.subplots(figsize=(9, 4.8))
    shapes = ("X: (batch, 784)", "H = ReLU(X W₁ + b₁): (batch, 128)", "Z = H W₂ + b₂: (batch, 10)")
    _layers(ax, (9, 7, 10), shapes,
            ("784 pixels", "128 ReLU units", "10 logits → softmax"), (True, True, False),
            ("W₁ (784, 128), b₁ (128,)", "W₂ (128, 10), b₂ (10,)"), spacing=3.6)
    return fig


FIGURES: dict[str, Callable[[], plt.Figure]] = {
    "02_neuron.svg": draw_neuron,
    "02_network_2_3_1.svg": draw_network_2_3_1,
    "02_network_784_128_10.svg": draw_network_784_128_10,
}


def write_figures(out: Path) -> list[Path]:
    """Draw every figure of FIGURES into `out`; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with plt.rc_context({"svg.hashsalt": "course-figures", "svg.fonttype": "path"}):
        for name, draw in FIGURES.items():
            fig = draw()
            path = out / name
            fig.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})
            plt.close(fig)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "images", help="folder for the SVG files")
    args = parser.parse_args(argv)
    for path in write_figures(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
