"""course_lib.autograd: every local rule and a small MLP of Values agree with finite differences."""

import math

import numpy as np
import pytest

from course_lib.autograd import Value, topological_order


def centered(f, point, index, h=1e-6):
    """(f(point + h e_i) − f(point − h e_i)) / 2h for a function of a list of floats."""
    up, down = list(point), list(point)
    up[index] += h
    down[index] -= h
    return (f(up) - f(down)) / (2 * h)


def gradients(f, point):
    """∂f/∂point[i] by the engine: f takes a list of Values and returns one Value."""
    leaves = [Value(p) for p in point]
    out = f(leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def number(f):
    """The same f on plain floats: wrap them, read .data."""
    return lambda point: f([Value(p) for p in point]).data


OPERATIONS = {
    "add": (lambda v: v[0] + v[1], [0.7, -1.3]),
    "subtract": (lambda v: v[0] - v[1], [0.7, -1.3]),
    "multiply": (lambda v: v[0] * v[1], [0.7, -1.3]),
    "divide": (lambda v: v[0] / v[1], [0.7, -1.3]),
    "number on the left": (lambda v: 2.0 - 3.0 / v[0] + 4 * v[0], [0.8]),
    "negate": (lambda v: -v[0], [0.4]),
    "square": (lambda v: v[0] ** 2, [-1.5]),
    "power -1.5": (lambda v: v[0] ** -1.5, [2.0]),
    "exp": (lambda v: v[0].exp(), [0.3]),
    "log": (lambda v: v[0].log(), [2.5]),
    "tanh": (lambda v: v[0].tanh(), [-0.6]),
    "sigmoid": (lambda v: v[0].sigmoid(), [1.2]),
    "sigmoid of a negative input": (lambda v: v[0].sigmoid(), [-3.0]),
    "relu, active": (lambda v: v[0].relu(), [0.9]),
    "relu, inactive": (lambda v: v[0].relu(), [-0.9]),
    "fork: (x + y)·x": (lambda v: (v[0] + v[1]) * v[0], [3.0, -2.0]),
    "x used three times": (lambda v: v[0] * v[0] * v[0] + v[0], [1.1]),
}


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_operation_matches_finite_differences(name):
    f, point = OPERATIONS[name]
    value, grads = gradients(f, point)
    assert value == pytest.approx(number(f)(point))
    for i, grad in enumerate(grads):
        assert grad == pytest.approx(centered(number(f), point, i), rel=1e-7, abs=1e-9), (name, i)


def test_a_value_used_twice_accumulates_both_contributions():
    x, y = Value(3.0), Value(-2.0)
    f = (x + y) * x                       # ∂f/∂x = (x + y) + x = 2x + y, ∂f/∂y = x
    f.backward()
    assert (f.data, x.grad, y.grad) == (3.0, 4.0, 3.0)


def test_backward_twice_gives_the_same_gradients():
    x = Value(0.5)
    f = (x * x).tanh()
    f.backward()
    first = x.grad
    f.backward()
    assert x.grad == first == pytest.approx(2 * 0.5 * (1 - math.tanh(0.25) ** 2))


def test_sigmoid_does_not_overflow_far_from_zero():
    assert Value(-1000.0).sigmoid().data == 0.0 and Value(1000.0).sigmoid().data == 1.0
    assert Value(-100.0).sigmoid().data == pytest.approx(math.exp(-100), rel=1e-12)


def test_topological_order_lists_each_value_once_after_its_parents():
    x, y = Value(1.0), Value(2.0)
    s = x + y
    f = s * x
    order = topological_order(f)
    assert len(order) == len({id(v) for v in order}) == 4 and order[-1] is f
    position = {id(v): i for i, v in enumerate(order)}
    assert all(position[id(p)] < position[id(v)] for v in order for p in v.parents)


def test_a_long_chain_needs_no_recursion():
    x = Value(0.1)
    out = x
    for _ in range(5000):
        out = out * 1.0 + 0.0
    out.backward()
    assert x.grad == 1.0


def mlp_loss(params, x_rows, targets, sizes=(2, 3, 1)):
    """Mean squared error of a tanh MLP (sigmoid output) whose weights are the flat list `params`."""
    it = iter(params)
    total = 0
    for x_row, target in zip(x_rows, targets, strict=True):
        activations = list(x_row)
        for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            last = layer == len(sizes) - 2
            layer_params = [[next(it) for _ in range(n_in + 1)] for _ in range(n_out)]
            zs = [sum((w * a for w, a in zip(ws[:-1], activations, strict=True)), ws[-1])
                  for ws in layer_params]
            activations = [z.sigmoid() if last else z.tanh() for z in zs]
        it = iter(params)
        total = total + (activations[0] - target) ** 2
    return total / len(targets)


def test_a_small_mlp_of_values_matches_finite_differences():
    rng = np.random.default_rng(0)
    n_params = 3 * (2 + 1) + 1 * (3 + 1)
    point = rng.normal(size=n_params).tolist()
    x_rows = rng.normal(size=(4, 2)).tolist()
    targets = [0.0, 1.0, 1.0, 0.0]

    def f(values):
        return mlp_loss(values, [[Value(v) for v in row] for row in x_rows], targets)

    _, grads = gradients(f, point)
    numeric = [centered(number(f), point, i) for i in range(n_params)]
    assert np.allclose(grads, numeric, rtol=1e-6, atol=1e-9)
    assert np.abs(grads).min() > 0                      # every weight matters: nothing trivially 0


@pytest.mark.parametrize(("build", "error", "words"), [
    (lambda: Value(-1.0).log(), ValueError, "positive input"),
    (lambda: Value(2.0) ** Value(3.0), TypeError, "plain number"),
    (lambda: Value(1.0) + "2", TypeError, "not with str"),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, "infinite at u = 0"),
    (lambda: Value(1.0) / 0, ZeroDivisionError, "cannot be divided by zero"),
    (lambda: Value(1.0, parents=(Value(2.0),)), ValueError, "one local gradient per parent"),
])
def test_bad_inputs_are_refused_with_a_clear_message(build, error, words):
    with pytest.raises(error, match=words):
        build()
