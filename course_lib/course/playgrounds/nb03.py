"""Notebook 03 (chain rule): computational graphs of `Value`s, drawn with their values and gradients.

`neuron_graph` builds the graph of one sigmoid neuron's squared error, L = (σ(w·x + b) − t)², with every
leaf (x, w, b, t) a node; `fork_graph` builds f = (x + y)·x, where x is used twice. `leaf_differences`
estimates ∂L/∂leaf by centered differences, the referee for the engine's gradients. `draw_graph` draws
any graph: a box per Value (its name, value, gradient and, if given, the finite-difference estimate),
an arrow per use, labelled with the value that flows forward and the gradient share that flows back.
The graph widget of the notebook only wires four sliders to `draw_neuron_graph`.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np

from course_lib.autograd import Value, topological_order

LEAVES = ("x", "w", "b", "t")


def _named(value: Value, label: str) -> Value:
    value.label = label
    return value


def neuron_graph(x: float, w: float, b: float, t: float) -> dict[str, Value]:
    """The graph of L = (σ(w·x + b) − t)², after L.backward(). Keys: x, w, b, t, u, z, a, e, L.

    u = w·x, z = u + b, a = σ(z), e = a − t, L = e²; each node's .grad is ∂L/∂node.
    """
    leaves = {name: Value(v, label=name) for name, v in zip(LEAVES, (x, w, b, t), strict=True)}
    u = _named(leaves["w"] * leaves["x"], "u")
    z = _named(u + leaves["b"], "z")
    a = _named(z.sigmoid(), "a")
    e = _named(a - leaves["t"], "e")
    loss = _named(e**2, "L")
    loss.backward()
    return {**leaves, "u": u, "z": z, "a": a, "e": e, "L": loss}


def fork_graph(x: float, y: float) -> dict[str, Value]:
    """The graph of f = (x + y)·x after f.backward(): x feeds both the sum s and the product f.

    ∂f/∂x = (x + y) + x, one term per use of x; ∂f/∂y = x. Keys: x, y, s, f.
    """
    vx, vy = Value(x, label="x"), Value(y, label="y")
    s = _named(vx + vy, "s")
    f = _named(s * vx, "f")
    f.backward()
    return {"x": vx, "y": vy, "s": s, "f": f}


def centered_difference(f: Callable[[float], float], at: float, h: float = 1e-6) -> float:
    """(f(at + h) − f(at − h)) / 2h, in float64."""
    return (f(at + h) - f(at - h)) / (2 * h)


def leaf_differences(build: Callable[..., dict[str, Value]], root: str, **leaves: float) -> dict[str, float]:
    """Centered differences of graph[root].data with respect to each leaf given as a keyword.

    `build(**leaves)` must return a dict of Values with key `root`; e.g.
    leaf_differences(neuron_graph, "L", x=1.5, w=0.8, b=-0.3, t=1.0) -> {"x": ..., "w": ..., ...}.
    """
    def output(name: str) -> Callable[[float], float]:
        return lambda v: build(**{**leaves, name: v})[root].data

    return {name: centered_difference(output(name), value) for name, value in leaves.items()}


def layout(root: Value) -> dict[int, tuple[float, float]]:
    """(column, row) per Value id, for drawing the graph of `root` left to right.

    An operation's column is the longest path to it from a leaf; a leaf sits one column before its
    first use. Within a column, Values keep their topological order, spread around row 0.
    """
    order = topological_order(root)
    column: dict[int, int] = {}
    for node in order:
        if node.parents:
            column[id(node)] = 1 + max(column.get(id(p), 0) for p in node.parents)
    for node in order:
        for parent in node.parents:
            if not parent.parents:
                column[id(parent)] = min(column.get(id(parent), column[id(node)]), column[id(node)] - 1)
    column.setdefault(id(root), 0)
    positions = {}
    for c in set(column.values()):
        members = [node for node in order if column[id(node)] == c]
        for i, node in enumerate(members):
            positions[id(node)] = (float(c), (len(members) - 1) / 2 - i)
    return positions


def _node_text(node: Value, numeric: dict[str, float] | None) -> str:
    lines = [node.label or node.op, f"value {node.data:.4f}", f"grad {node.grad:.4f}"]
    if numeric is not None and node.label in numeric:
        lines.append(f"f.d. {numeric[node.label]:.4f}")
    return "\n".join(lines)


def draw_graph(ax: plt.Axes, root: Value, numeric: dict[str, float] | None = None) -> None:
    """Draw the graph of `root` (after root.backward()) left to right on ax.

    Box: a Value's name, value, gradient ∂root/∂value, and its finite-difference estimate when
    `numeric` maps its label to one. Arrow parent → child, with the child's operation: the value
    flowing forward (black, above) and the parent's share of the gradient, child.grad × local (red, below).
    A Value used twice has two outgoing arrows (two bent ones when both go to the same node, as in e·e);
    its gradient is the sum of their red numbers.
    """
    positions = layout(root)
    xs, ys = zip(*positions.values(), strict=True)
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)       # limits first: the bent arrows' labels need transData
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")
    for node in topological_order(root):
        x1, y1 = positions[id(node)]
        for use, (parent, local) in enumerate(zip(node.parents, node.local_grads, strict=True)):
            x0, y0 = positions[id(parent)]
            repeat = node.parents[:use].count(parent)  # u·u: the second use of u bends below the first
            bend = -0.3 if x1 - x0 > 1 else 1.0 * repeat  # an edge over a column bends above the boxes
            ax.annotate("", xy=(x1 - 0.28, y1), xytext=(x0 + 0.28, y0),
                        arrowprops={"arrowstyle": "->", "color": "#4a6fa5", "lw": 1.2,
                                    "connectionstyle": f"arc3,rad={bend}"})
            mx, my = _arc_middle(ax, (x0 + 0.28, y0), (x1 - 0.28, y1), bend)
            ax.text(mx, my + 0.07, f"{node.op}  {parent.data:.3f}", ha="center", fontsize=7)
            ax.text(mx, my - 0.13, f"{node.grad * local:.3f}", ha="center", fontsize=7, color="tab:red")
        is_leaf = not node.parents
        ax.text(x1, y1, _node_text(node, numeric), ha="center", va="center", fontsize=7.5,
                bbox={"boxstyle": "round,pad=0.35", "fc": "#fff4d6" if is_leaf else "#e8f0fe",
                      "ec": "#4a6fa5"})


def _arc_middle(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float],
                rad: float) -> tuple[float, float]:
    """Data coordinates of the middle of matplotlib's arc3 curve from start to end (bent in display space).

    arc3 puts its control point at mid + rad·(dy, −dx) in display units; a quadratic Bézier's middle is
    halfway between the chord's middle and that control point.
    """
    (sx, sy), (ex, ey) = ax.transData.transform([start, end])
    dx, dy = ex - sx, ey - sy
    middle = ((sx + ex) / 2 + rad * dy / 2, (sy + ey) / 2 - rad * dx / 2)
    x, y = ax.transData.inverted().transform(middle)
    return float(x), float(y)


def draw_neuron_graph(x: float, w: float, b: float, t: float) -> dict[str, float]:
    """The widget's picture: the neuron's graph with engine gradients and finite differences.

    Returns {"L", and "dL/d<leaf>" and "fd <leaf>" for each leaf} (floats) for the printed summary.
    """
    graph = neuron_graph(x, w, b, t)
    numeric = leaf_differences(neuron_graph, "L", x=x, w=w, b=b, t=t)
    fig, ax = plt.subplots(figsize=(11, 4.2))
    draw_graph(ax, graph["L"], numeric)
    ax.set_title(f"L = (σ(w·x + b) − t)² = {graph['L'].data:.4f}: black, values forward; red, gradients "
                 f"back; 'f.d.' the finite-difference referee", fontsize=9)
    summary = {"L": graph["L"].data}
    for name in LEAVES:
        summary[f"dL/d{name}"] = graph[name].grad
        summary[f"fd {name}"] = numeric[name]
    return summary


def gradient_agreement(summary: dict[str, float]) -> float:
    """Largest |engine gradient − finite difference| over the leaves of a `draw_neuron_graph` summary."""
    return float(max(np.abs(summary[f"dL/d{n}"] - summary[f"fd {n}"]) for n in LEAVES))
