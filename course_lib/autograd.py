"""A scalar automatic-differentiation engine: numbers that remember how they were made.

Built by the learner in notebook 03 (chain rule); notebook 04 applies the same rules a whole layer at a time.

Every `Value` keeps its number (`data`), the Values it was computed from (`parents`) and, for each
parent p, the local derivative ∂self/∂p (`local_grads`), evaluated during the forward computation.
`out.backward()` then fills `v.grad = ∂out/∂v` for every Value v that `out` depends on, by the chain rule:

    ∂out/∂p = Σ over the children c of p of ∂out/∂c · ∂c/∂p.

The sum is the fork rule: a Value used twice (f = (x + y)·x uses x twice) receives one contribution
per use, so its gradient is *accumulated* (`+=`), never overwritten. The children of a Value must be
finished before it passes the gradient on, so backward visits the graph in reverse topological order.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

Number = int | float


class Value:
    """A scalar in a computational graph: y = op(parents), with ∂y/∂parent stored for backward.

    Local rules (u, v Values, c a plain number):
      u + v:  ∂/∂u = 1, ∂/∂v = 1         (an addition passes the gradient through unchanged)
      u − v:  ∂/∂u = 1, ∂/∂v = −1        (−u alone: −1)
      u · v:  ∂/∂u = v, ∂/∂v = u         (a product sends each input the other input)
      u / v:  ∂/∂u = 1/v, ∂/∂v = −u/v²
      u ** c: ∂/∂u = c · u^(c−1)          (c a constant: the power rule)
      exp u:  e^u;  ln u: 1/u;  tanh u: 1 − tanh²u;  σ(u): σ(u)(1 − σ(u));  relu u: 1 if u > 0 else 0.
    """

    def __init__(self, data: Number, parents: Iterable[Value] = (), local_grads: Iterable[float] = (),
                 op: str = "", label: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.local_grads = tuple(float(g) for g in local_grads)
        if len(self.parents) != len(self.local_grads):
            raise ValueError(f"Value needs one local gradient per parent: got {len(self.parents)} parents "
                             f"and {len(self.local_grads)} local gradients.")
        self.op = op
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.6g}, grad={self.grad:.6g})"

    # ---------------------------------------------------------------- arithmetic

    def __add__(self, other: Value | Number) -> Value:
        other = as_value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other: Value | Number) -> Value:
        other = as_value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "×")

    def __pow__(self, exponent: Number) -> Value:
        if isinstance(exponent, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be a plain number, "
                            "e.g. v ** 2 or v ** -1 (for a variable exponent write (v.log() * w).exp()).")
        if self.data == 0 and exponent < 1:
            raise ZeroDivisionError(f"0 ** {exponent}: the power rule c·u^(c−1) is infinite at u = 0.")
        local = exponent * self.data ** (exponent - 1)
        return Value(self.data**exponent, (self,), (local,), f"**{exponent:g}")

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), (-1.0,), "−")

    def __sub__(self, other: Value | Number) -> Value:
        other = as_value(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "−")

    def __truediv__(self, other: Value | Number) -> Value:
        other = as_value(other)
        if other.data == 0:
            raise ZeroDivisionError(f"{self.data:g} / 0: a Value cannot be divided by zero.")
        locals_ = (1.0 / other.data, -self.data / other.data**2)
        return Value(self.data / other.data, (self, other), locals_, "/")

    def __radd__(self, other: Number) -> Value:
        return as_value(other) + self

    def __rmul__(self, other: Number) -> Value:
        return as_value(other) * self

    def __rsub__(self, other: Number) -> Value:
        return as_value(other) - self

    def __rtruediv__(self, other: Number) -> Value:
        return as_value(other) / self

    # ---------------------------------------------------------------- functions of one input

    def exp(self) -> Value:
        """e^u; its derivative is itself, so the local gradient is the output."""
        out = math.exp(self.data)
        return Value(out, (self,), (out,), "exp")

    def log(self) -> Value:
        """Natural logarithm ln u for u > 0; local gradient 1/u."""
        if self.data <= 0:
            raise ValueError(f"log of {self.data:g}: the natural logarithm needs a positive input.")
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "ln")

    def tanh(self) -> Value:
        """tanh u; local gradient 1 − tanh²u, computed from the output."""
        out = math.tanh(self.data)
        return Value(out, (self,), (1.0 - out * out,), "tanh")

    def sigmoid(self) -> Value:
        """σ(u) = 1 / (1 + e^{−u}) without overflow (only e^{−|u|} is computed); local gradient σ(1 − σ)."""
        e = math.exp(-abs(self.data))
        out = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return Value(out, (self,), (out * (1.0 - out),), "σ")

    def relu(self) -> Value:
        """max(0, u); local gradient 1 for u > 0 and 0 otherwise (0 at the kink u = 0, like course_lib)."""
        return Value(max(0.0, self.data), (self,), (1.0 if self.data > 0 else 0.0,), "relu")

    # ---------------------------------------------------------------- the backward pass

    def backward(self) -> None:
        """Set v.grad = ∂self/∂v for every Value v in self's graph (self.grad = 1).

        Every gradient in the graph is first reset to 0, so calling backward twice gives the same result.
        Then, children before parents (reverse topological order), each Value adds its share
        `grad · local_grad` to each of its parents: `parent.grad += ...`, so forks accumulate.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad += node.grad * local


def as_value(x: Value | Number) -> Value:
    """x itself if it is a Value, else a new leaf Value holding the number x."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(x)
    raise TypeError(f"A Value combines with Values and plain numbers, not with {type(x).__name__}: "
                    f"write Value(float(x)) if x holds a number.")


def topological_order(root: Value) -> list[Value]:
    """Every Value that `root` depends on, each listed once and after all of its parents; root last.

    Depth-first search with an explicit stack (no recursion limit on long chains): a Value is
    appended once all its parents are, and a `seen` set keeps a Value reached twice (a fork) single.
    """
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((parent, False) for parent in reversed(node.parents) if id(parent) not in seen)
    return order
