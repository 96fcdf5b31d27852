"""Exercise checks for notebook 03 (chain rule).

Each check runs the learner's function on several cases, edge cases included, and recognizes the
usual wrong answers to give a hint. Use: ``from course_lib.course.checks import nb03 as checks``.

The graph exercises (topological_order, backward) run on graphs of ``Node``s built here: objects with
the attributes of the notebook's engine (``data``, ``grad``, ``parents``, ``local_grads``, ``label``).
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, ExerciseError, Mistake, WrongAnswer, check, normal, softmax

# ---------- Exercise 1: numerical_gradient(f, point, h) ----------


def _numerical_gradient(f: Callable, point: np.ndarray, h: float) -> np.ndarray:
    grad = np.zeros(point.shape)
    for i in range(point.size):
        step = np.zeros(point.shape)
        step.flat[i] = h
        grad.flat[i] = (f(point + step) - f(point - step)) / (2 * h)
    return grad


def _one_sided(f: Callable, point: np.ndarray, h: float) -> np.ndarray:
    grad = np.zeros(point.shape)
    for i in range(point.size):
        step = np.zeros(point.shape)
        step.flat[i] = h
        grad.flat[i] = (f(point + step) - f(point)) / h
    return grad


def _all_at_once(f: Callable, point: np.ndarray, h: float) -> np.ndarray:
    return np.full(point.shape, (f(point + h) - f(point - h)) / (2 * h))


def _not_restored(f: Callable, point: np.ndarray, h: float) -> np.ndarray:
    x, grad = point.astype(float), np.zeros(point.shape)
    for i in range(x.size):
        x.flat[i] += h
        up = f(x)
        x.flat[i] -= 2 * h
        grad.flat[i] = (up - f(x)) / (2 * h)
    return grad


def _precedence(f: Callable, point: np.ndarray, h: float) -> np.ndarray:
    return _numerical_gradient(f, point, h) * h * h


def _sum_of_squares(x: np.ndarray) -> float:
    return float(np.sum(x * x))


def _product(x: np.ndarray) -> float:
    return float(np.prod(x))


def _mixed(x: np.ndarray) -> float:
    return float(np.sin(x[0]) * x[1] + np.exp(x[2]))


def _sines(x: np.ndarray) -> float:
    return float(np.sum(np.sin(x)))


_NUMERICAL_CASES = [
    Case("sum of squares at (1, −2, 3): the gradient is 2x",
         (_sum_of_squares, np.array([1.0, -2.0, 3.0]), 1e-5)),
    Case("a single coordinate", (np.sum, np.array([0.7]), 1e-6)),
    Case("sin(x₀)·x₁ + e^x₂, each coordinate different", (_mixed, np.array([0.5, -1.5, 0.2]), 1e-6)),
    Case("the product x₀x₁x₂x₃: every coordinate depends on the others",
         (_product, np.array([1.0, 2.0, -0.5, 3.0]), 1e-4)),
    Case("a large step h = 0.1 on the product", (_product, np.array([1.0, 2.0, -0.5]), 0.1)),
    Case("Σ sin(x) with a large step h = 0.5: on a curve the step shows in the answer",
         (_sines, np.array([0.3, -1.2, 2.0]), 0.5)),
]

_NUMERICAL_MISTAKES = [
    Mistake.returns("that is the forward difference (f(x + h eᵢ) − f(x)) / h. Step to both sides of "
                    "coordinate i: f(x + h eᵢ) − f(x − h eᵢ), over 2h.", _one_sided),
    Mistake.returns("your answer is twice too big: x + h eᵢ and x − h eᵢ are 2h apart, so divide by 2h.",
                    lambda f, x, h: 2 * _numerical_gradient(f, x, h)),
    Mistake("all your differences are 0: the two nudged points are the same array. `up = x` does not "
            "copy; write `up = x.copy()` (and the same for the point below).",
            lambda got, exp, case: not np.any(got) and np.any(exp)),
    Mistake.returns("check the brackets: `(a - b) / 2 * h` divides by 2 and then MULTIPLIES by h. "
                    "Write (a − b) / (2 * h).", _precedence),
    Mistake.returns("every coordinate got the same number: you nudged all coordinates at once (x + h). "
                    "Nudge one coordinate at a time: copy x, add h to entry i only.", _all_at_once),
    Mistake.returns("the later coordinates are off: after nudging entry i, put it back to its old value "
                    "before moving to entry i + 1 (or nudge a fresh copy each time).", _not_restored),
    Mistake.returns("your answer is what a tiny step gives, not the step h passed in (here h = 0.5, and on a "
                    "curve the two differ): nudge by the argument h.",
                    lambda f, x, h: _numerical_gradient(f, x, 1e-4)),
]


def check_numerical_gradient(function: Callable) -> None:
    """Check numerical_gradient(f, point, h): the centered difference along each coordinate of point (n,)."""
    check("Exercise 1 (numerical gradient)", function, _numerical_gradient, _NUMERICAL_CASES,
          _NUMERICAL_MISTAKES)


# ---------- Exercise 2: tanh_backward(x, grad_out) ----------


def _tanh_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    t = np.tanh(x)
    return grad_out * (1 - t * t)


_RNG = np.random.default_rng(3)
_TANH_CASES = [
    Case("a batch of 4 with 3 units", (normal(_RNG, (4, 3), scale=2), normal(_RNG, (4, 3)))),
    Case("x = 0, grad_out = 1 (the answer is 1 everywhere)", (np.zeros((2, 3)), np.ones((2, 3)))),
    Case("large |x| = 20, where tanh saturates",
         (np.array([[-20.0, 20.0, 0.5]]), np.array([[2.0, 3.0, 1.0]]))),
    Case("a batch of one, float32", (np.array([[0.3, -1.2, 2.5, 0.0]], dtype=np.float32),
                                     np.array([[1.0, -2.0, 0.5, 4.0]], dtype=np.float32))),
]

_TANH_MISTAKES = [
    Mistake.returns("you returned the local gradient tanh′(x) alone. Backward multiplies it by grad_out "
                    "(upstream gradient × local gradient).", lambda x, g: 1 - np.tanh(x) ** 2),
    Mistake.returns("you used 1 − x². The derivative is 1 − t² with t = tanh(x), the OUTPUT of tanh.",
                    lambda x, g: g * (1 - x * x)),
    Mistake.returns("that is the sigmoid's form t(1 − t). For tanh = 2σ(2x) − 1 the chain rule gives "
                    "4σ′(2x); write it with t = tanh(x) and simplify.",
                    lambda x, g: g * np.tanh(x) * (1 - np.tanh(x))),
    Mistake.returns("half the right answer: d/dx of σ(2x) is σ′(2x) · 2, the inner 2x contributes its own "
                    "factor 2, on top of the 2 in front of 2σ(2x).",
                    lambda x, g: _tanh_backward(x, g) / 2),
    Mistake.returns("the square is missing: tanh′(x) = 1 − tanh²(x), not 1 − tanh(x).",
                    lambda x, g: g * (1 - np.tanh(x))),
    Mistake.returns("the sign is off: tanh is increasing, so tanh′(x) = 1 − tanh²(x) is never negative.",
                    lambda x, g: -_tanh_backward(x, g)),
    Mistake.returns("1 + tanh²(x) grows with |x|, but tanh flattens there: its slope is 1 − tanh²(x).",
                    lambda x, g: g * (1 + np.tanh(x) ** 2)),
]


def check_tanh_backward(function: Callable) -> None:
    """Check tanh_backward(x, grad_out) = grad_out ⊙ (1 − tanh²(x)), shape of x."""
    check("Exercise 2 (tanh backward)", function, _tanh_backward, _TANH_CASES, _TANH_MISTAKES)


# ---------- graphs for Exercises 3 and 4 ----------


class Node:
    """A scalar with the fields of the notebook's engine; `local_grads[i]` is ∂self/∂parents[i].

    Hashable by identity (no __eq__), so it can be a dict key, like the notebook's Node.
    """

    def __init__(self, data: float, parents: tuple = (), local_grads: tuple = (), label: str = "",
                 op: str = "") -> None:
        self.data, self.grad = float(data), 0.0
        self.parents, self.local_grads, self.label, self.op = tuple(parents), tuple(local_grads), label, op

    def __repr__(self) -> str:
        return f"Node({self.label}={self.data:g})"


def _add(u: Node, v: Node, label: str) -> Node:
    return Node(u.data + v.data, (u, v), (1.0, 1.0), label, "+")


def _mul(u: Node, v: Node, label: str) -> Node:
    return Node(u.data * v.data, (u, v), (v.data, u.data), label, "×")


def _leaf_graph() -> list[Node]:
    return [Node(2.0, label="x")]


def _chain_graph() -> list[Node]:
    x = Node(0.5, label="x")
    s = Node(1 / (1 + math.exp(-0.5)), (x,), (0.0,), "s", "σ")
    s.local_grads = (s.data * (1 - s.data),)
    c = Node(3.0, label="c")
    return [x, s, c, _mul(s, c, "f")]


def _fork_graph() -> list[Node]:
    x, y = Node(3.0, label="x"), Node(-2.0, label="y")
    s = _add(x, y, "s")
    return [x, y, s, _mul(s, x, "f")]


def _diamond_graph() -> list[Node]:
    a = Node(1.5, label="a")
    b = _mul(a, a, "b")                      # a used twice by one node: both parents are a
    c = _add(a, Node(0.5, label="k"), "c")
    return [a, b, c.parents[1], c, _mul(b, c, "d")]


def _neuron_graph() -> list[Node]:
    w, x, bias, t = (Node(v, label=name) for v, name in ((0.8, "w"), (1.5, "x"), (-0.3, "b"), (1.0, "t")))
    u = _mul(w, x, "u")
    z = _add(u, bias, "z")
    s = 1 / (1 + math.exp(-z.data))
    a = Node(s, (z,), (s * (1 - s),), "a", "σ")
    e = Node(a.data - t.data, (a, t), (1.0, -1.0), "e", "−")
    return [w, x, bias, t, u, z, a, e, _mul(e, e, "L")]


def _reconverging_graph() -> list[Node]:
    x = Node(0.5, label="x")
    a = _mul(x, x, "a")
    b = _add(a, a, "b")
    c = _mul(b, b, "c")
    return [x, a, b, c, _mul(a, c, "r")]


class _Budget:
    """A count of the reads of `parents` on one graph: past ``limit``, the walk is stopped with a message."""

    def __init__(self, limit: int) -> None:
        self.reads, self.limit = 0, limit

    def spend(self, n_nodes: int) -> None:
        self.reads += 1
        if self.reads > self.limit:
            raise WrongAnswer(f"your function read the parents of this graph's {n_nodes} nodes more than "
                              f"{self.limit} times, and it was not done: it walks every path (2^40 here) "
                              f"instead of visiting each node once. Remember which nodes are visited, and "
                              f"pass gradients along the topological order, each node once.")


class _CountedNode(Node):
    """A Node whose `parents` reads are counted against its graph's budget."""

    budget: _Budget
    n_nodes: int

    @property
    def parents(self) -> tuple:
        self.budget.spend(self.n_nodes)
        return self._parents

    @parents.setter
    def parents(self, value: tuple) -> None:
        self._parents = value


def _ladder_graph(levels: int = 40) -> list[Node]:
    """x_(i+1) = x_i + x_i: 41 nodes, 2^40 paths from the root to x0; 30 reads of `parents` a node allowed."""
    nodes = [_CountedNode(1.0, label="x0")]
    for i in range(1, levels + 1):
        nodes.append(_CountedNode(nodes[-1].data * 2, (nodes[-1], nodes[-1]), (1.0, 1.0), f"x{i}", "+"))
    budget = _Budget(30 * len(nodes))
    for node in nodes:
        node.budget, node.n_nodes = budget, len(nodes)
    return nodes


def _long_chain_graph() -> list[Node]:
    nodes = [Node(1.0, label="x0")]
    for i in range(1, 200):
        nodes.append(Node(nodes[-1].data * 1.01, (nodes[-1],), (1.01,), f"x{i}", "×1.01"))
    return nodes


GRAPHS: dict[str, Callable[[], list[Node]]] = {
    "a single leaf x (the order is just [x])": _leaf_graph,
    "a chain x → σ → ×c": _chain_graph,
    "the fork f = (x + y)·x: x is used twice": _fork_graph,
    "b = a·a, c = a + k, d = b·c: a feeds three uses": _diamond_graph,
    "the neuron L = e·e, e = σ(w·x + b) − t": _neuron_graph,
    "a chain of 200 nodes": _long_chain_graph,
    "r = a·c with c = b·b, b = a + a, a = x·x: a reached directly and through b and c": _reconverging_graph,
    "a ladder of 40 levels, x_(i+1) = x_i + x_i: 2^40 paths, 41 nodes": _ladder_graph,
}


def _graph_cases() -> list[Case]:
    return [Case(label, (build,), names=tuple(node.label for node in build()))
            for label, build in GRAPHS.items()]


# ---------- Exercise 3: topological_order(root) ----------


def _order_problem(order: object, nodes: list[Node]) -> str | None:
    """None when `order` lists each node of the graph once, parents before children, root last."""
    root = nodes[-1]
    if order is None:
        return "your function returned None. Did you forget the `return` statement?"
    if not isinstance(order, (list, tuple)):
        return f"expected a list of nodes, got {type(order).__name__}"
    ids = [id(node) for node in order]
    wanted = {id(node) for node in nodes}
    if len(ids) != len(set(ids)):
        twice = next(node for node in order if ids.count(id(node)) > 1)
        return (f"{twice!r} appears {ids.count(id(twice))} times. Hint: a node reached along two paths (a "
                f"fork) must be listed once: remember the nodes you have visited in a set.")
    if set(ids) - wanted:
        return "your list holds objects that are not nodes of this graph."
    missing = [node for node in nodes if id(node) not in set(ids)]
    if missing:
        return (f"{len(missing)} of the {len(nodes)} nodes are missing, e.g. {missing[0]!r}. Hint: visit the "
                f"parents of the parents too, all the way down to the leaves (recursion, or a stack).")
    position = {node_id: i for i, node_id in enumerate(ids)}
    late = [(node, p) for node in order for p in node.parents if position[id(p)] > position[id(node)]]
    if late:
        node, parent = late[0]
        ids_reversed = [id(n) for n in order[::-1]]
        if ids_reversed == [id(n) for n in _topological_order(root)]:
            hint = ("your list is exactly reversed: append a node AFTER its parents (visit the parents "
                    "first, then append), so the root comes last.")
        elif ids_reversed == [id(n) for n in _breadth_first(root)]:
            hint = ("your list is a breadth-first listing, reversed: a node reached by a short path and by a "
                    "long one is listed by the short one, too early. Visit depth-first: append a node after "
                    "visiting all its parents.")
        else:
            hint = "append a node only after all of its parents have been appended."
        return f"{parent!r} comes after {node!r}, which was computed from it. Hint: {hint}"
    return None


def _breadth_first(root: Node) -> list[Node]:
    """The nodes level by level from the root, each once: what a breadth-first walk lists."""
    listed, seen = [root], {id(root)}
    for node in listed:
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                listed.append(parent)
    return listed


def _topological_order(root: Node) -> list[Node]:
    order: list[Node] = []
    seen: set[int] = set()

    def visit(node: Node) -> None:
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def check_topological_order(function: Callable) -> None:
    """Check topological_order(root): every node of root's graph once, each after its parents, root last."""
    exercise, name = "Exercise 3 (topological order)", getattr(function, "__name__", "your function")
    for label, build in GRAPHS.items():
        nodes = build()
        try:
            order = function(nodes[-1])
        except NotImplementedError:
            raise ExerciseError(f"{exercise}: `{name}` is not written yet. Replace the placeholder "
                                f"with your code, then run this cell again.") from None
        except WrongAnswer as err:
            raise ExerciseError(f"{exercise}: `{name}` is wrong on graph '{label}'\n  {err}") from None
        except Exception as err:
            raise ExerciseError(f"{exercise}: `{name}` raised {type(err).__name__}: {err}\n"
                                f"  on graph '{label}'") from err
        problem = _order_problem(order, nodes)
        if problem:
            raise ExerciseError(f"{exercise}: `{name}` is wrong on graph '{label}'\n  {problem}")
    print(f"✓ {exercise}: `{name}` passes all {len(GRAPHS)} graphs.")


# ---------- Exercise 4: backward(root) -> {node: gradient} ----------


def _backward(root: Node, overwrite: bool = False, seed: float = 1.0, forward_order: bool = False,
              times_upstream: bool = True) -> dict[Node, float]:
    """{node: ∂root/∂node} for every node of root's graph; the switches make the usual wrong answers."""
    order = _topological_order(root)
    grads = {root: seed}
    for node in order if forward_order else reversed(order):
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            share = grads.get(node, 0.0) * local if times_upstream else local
            grads[parent] = share if overwrite else grads.get(parent, 0.0) + share
    return grads


def _key_error_hint(err: KeyError) -> str:
    """What a KeyError inside the learner's backward says, from the line that raised it."""
    line = (traceback.extract_tb(err.__traceback__)[-1].line or "").strip()
    if "+=" in line:
        return (f"`{line}` reads the gradient stored for {err.args[0]!r} before adding to it, and the first "
                f"share that reaches a node finds nothing there yet. Start each node at 0: "
                f"grads.get(parent, 0.0) + share, or a collections.defaultdict(float).")
    return (f"{err.args[0]!r}'s gradient was read before any share reached it: every node's children must "
            f"hand over their shares first, which the reversed topological order guarantees.")


def _grads_in_building_order(backward: Callable[[Node], object]) -> Callable:
    """Build the graph, call `backward` on its root, return its gradients in building order (nan: missing).

    A KeyError (a gradient read before any share reached it) becomes an error with a hint; a dict keyed
    by something else than the nodes is a wrong answer.
    """
    def run(build: Callable[[], list[Node]]) -> object:
        nodes = build()
        try:
            grads = backward(nodes[-1])
        except KeyError as err:
            raise KeyError(_key_error_hint(err)) from None
        if not isinstance(grads, dict):
            return grads
        stranger = next((key for key in grads if not isinstance(key, Node)), None)
        if stranger is not None:
            raise WrongAnswer(f"your dict has a key {stranger!r} of type {type(stranger).__name__}, not a "
                              f"node: the cells after this one look a gradient up by its node, grads[node].")
        return tuple(float(grads.get(node, np.nan)) for node in nodes)

    run.__name__ = getattr(backward, "__name__", "backward")
    return run


_BACKWARD_MISTAKES = [
    Mistake.returns("a node used twice got only one share: `grads[parent] = ...` overwrites the share from "
                    "its other use. Shares from several uses ADD up: add to what the parent already has "
                    "(starting from 0).",
                    _grads_in_building_order(lambda root: _backward(root, overwrite=True))),
    Mistake("the root has no gradient in your dict: start from {root: 1.0}, since ∂root/∂root = 1.",
            lambda got, exp, case: bool(np.isnan(np.asarray(got, dtype=float)[-1]))),
    Mistake("some nodes have no gradient in your dict: every node of the graph needs one, the leaves "
            "included.", lambda got, exp, case: bool(np.isnan(np.asarray(got, dtype=float)).any())),
    Mistake("every gradient is 0: start the backward pass with ∂root/∂root = 1.",
            lambda got, exp, case: not np.any(got) and np.any(exp)),
    Mistake.returns("the order is reversed: walk from the root towards the leaves, `reversed(order)`, so "
                    "that a node's gradient is complete before it is passed on to its parents.",
                    _grads_in_building_order(lambda root: _backward(root, forward_order=True))),
    Mistake.returns("you passed on the local gradient alone: the chain rule multiplies it by the gradient "
                    "that arrived at the node.",
                    _grads_in_building_order(lambda root: _backward(root, times_upstream=False))),
]


def check_backward(function: Callable) -> None:
    """Check backward(root) -> {node: ∂root/∂node} for every node of root's graph, forks accumulated."""
    check("Exercise 4 (backward)", _grads_in_building_order(function), _grads_in_building_order(_backward),
          _graph_cases(), _BACKWARD_MISTAKES)


# ---------- Exercise 5: softmax_cross_entropy_grad(logits, labels) ----------


def _sce_grad(logits: np.ndarray, labels: np.ndarray, all_rows: bool = False) -> np.ndarray:
    """(softmax(logits) − onehot(labels)) / batch; ``all_rows`` subtracts at every label in every row."""
    subtract = np.zeros(logits.shape)
    subtract[slice(None) if all_rows else np.arange(len(labels)), labels] = 1
    return (softmax(logits) - subtract) / len(logits)


def _global_max(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max())
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)


def _nan_only_where_a_probability_is_zero(got: object, expected: object, case: Case) -> bool:
    """The long road, −onehot/p times the Jacobian: nan exactly in the rows where some p underflows to 0."""
    nan_rows = np.isnan(np.asarray(got, dtype=float)).any(axis=1)
    zero_rows = (softmax(case.args[0]) == 0).any(axis=1)
    return bool(nan_rows.any()) and bool(np.array_equal(nan_rows, nan_rows & zero_rows))


_RNG = np.random.default_rng(4)
_SCE_CASES = [
    Case("a batch of 3 with 4 classes", (normal(_RNG, (3, 4)), np.array([0, 3, 1]))),
    Case("a batch of one", (np.array([[2.0, -1.0, 0.5]]), np.array([2]))),
    Case("all-zero logits (softmax is uniform)", (np.zeros((2, 5)), np.array([4, 0]))),
    Case("large logits around 1000 (needs the max subtracted)",
         (np.array([[1000.0, 990.0, 1001.0], [-1000.0, 0.0, 1000.0]]), np.array([1, 2]))),
    Case("rows on very different scales (each row needs its OWN max)",
         (np.array([[1000.0, 999.0, 998.0], [-5.0, 0.0, 5.0]]), np.array([0, 2]))),
    Case("float32 logits, batch of 6", (normal(_RNG, (6, 3), scale=3).astype(np.float32),
                                        np.array([0, 1, 2, 2, 1, 0]))),
]

_SCE_MISTAKES = [
    Mistake.returns("you subtracted ONE maximum over the whole batch: a row far below it underflows to "
                    "0/0. Subtract each row's own max (axis=1, keepdims=True).", _global_max),
    Mistake("nan where a probability underflowed to 0: the long road divides by p (−onehot / p). "
            "Differentiate L = −z_c + ln Σ e^{z_j} directly instead: no division by p is needed.",
            _nan_only_where_a_probability_is_zero),
    Mistake("you got NaN: e^1000 overflows. Subtract each row's max from the logits before exp "
            "(it changes nothing mathematically).",
            lambda got, exp, case: np.isnan(np.asarray(got, dtype=float)).any()),
    Mistake.returns("the loss is the MEAN over the batch, so the gradient is (p − onehot) / batch. "
                    "You forgot to divide by the batch size.", lambda z, y: _sce_grad(z, y) * len(z)),
    Mistake.returns("divide by the batch size only, not by batch × classes: the loss averages over samples, "
                    "and each sample's loss already sums over its classes.",
                    lambda z, y: _sce_grad(z, y) / z.shape[1]),
    Mistake.returns("the sign is flipped: the gradient is p − onehot, not onehot − p (raising the true "
                    "class's logit LOWERS the loss).", lambda z, y: -_sce_grad(z, y)),
    Mistake.returns("you returned the softmax probabilities without subtracting the one-hot labels: the "
                    "−z_c term of the loss contributes −1 at the true class.",
                    lambda z, y: softmax(z) / len(z), lambda z, y: softmax(z)),
    Mistake.returns("`p[:, labels] -= 1` subtracts 1 in EVERY row at every label's column. Pair each row "
                    "with its own label: p[np.arange(batch), labels] -= 1.",
                    lambda z, y: _sce_grad(z, y, all_rows=True)),
]


def check_softmax_cross_entropy_grad(function: Callable) -> None:
    """Check softmax_cross_entropy_grad(logits, labels) = (softmax(logits) − onehot(labels)) / batch."""
    check("Exercise 5 (softmax cross-entropy gradient)", function, _sce_grad, _SCE_CASES, _SCE_MISTAKES)

