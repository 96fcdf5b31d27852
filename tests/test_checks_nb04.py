"""The notebook 04 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import numpy as np
import pytest

from course_lib import activations
from course_lib.course.checks import ExerciseError, compare
from course_lib.course.checks import nb04 as checks
from course_lib.layers import Dense
from course_lib.network import Network
from course_lib.toy_data import xor


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def in_place_dense_backward(x, W, g):
    dx, dW, db = g @ W.T, x.T @ g, g.sum(axis=0)
    g *= 0
    return dx, dW, db


def make_step(*, sign=1.0, divide=True, two=2.0, stale=False, bias_axis=0):
    """A backprop_step written the right way by default; each keyword reproduces one mistake."""
    def backprop_step(params, x, y, lr):
        W1, b1, W2, b2 = params
        h = sigmoid(x @ W1 + b1)
        out = sigmoid(h @ W2 + b2)
        d2 = two * (out - y) / (len(x) if divide else 1) * out * (1 - out)
        dW2, db2 = h.T @ d2, d2.sum(axis=bias_axis)
        if stale:
            W2 = W2 - sign * lr * dW2
        d1 = (d2 @ W2.T) * h * (1 - h)
        dW1, db1 = x.T @ d1, d1.sum(axis=bias_axis)
        if stale:
            return W1 - sign * lr * dW1, b1 - sign * lr * db1, W2, b2 - sign * lr * db2
        return tuple(p - sign * lr * g for p, g in zip(params, (dW1, db1, dW2, db2), strict=True))
    return backprop_step


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_dense_backward, lambda x, W, g: (g @ W.T, x.T @ g, g.sum(axis=0))),
    (checks.check_sigmoid_backward, lambda s, g: g * s * (1 - s)),
    (checks.check_backprop_step, make_step()),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x, W, g: (g @ W.T, x.T @ g, g.sum()), "one number per output unit"),
    (lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0)), "not a mean"),
    (lambda x, W, g: (g @ W.T, g.T @ x, g.sum(axis=0)), r"x.T @ grad_out, not grad_out.T @ x"),
    (lambda x, W, g: (g @ W, x.T @ g, g.sum(axis=0)), r"grad_out @ W.T, not grad_out @ W"),
    (lambda x, W, g: (x.T @ g, g @ W.T, g.sum(axis=0)), r"order \(dx, dW, db\)"),
    (lambda x, W, g: (g @ W.T, x.T @ g, g.sum(axis=0, keepdims=True)), "keepdims=True` leaves"),
    (lambda x, W, g: (g @ W.T, x.T @ g, g.sum(axis=1)), "axis=1 adds up"),
])
def test_dense_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_dense_backward(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda s, g: g * sigmoid(s) * (1 - sigmoid(s)), "applying σ to it again"),
    (lambda s, g: s * (1 - s), "also scales it by the gradient"),
    (lambda s, g: g * s, "one factor of the slope is missing"),
    (lambda s, g: g * (1 - s), "one factor of the slope is missing"),
    (lambda s, g: g * s * (s - 1), "sign is flipped"),
])
def test_sigmoid_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_sigmoid_backward(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (make_step(bias_axis=None), "summed to a single number"),
    (make_step(sign=-1.0), "uphill"),
    (make_step(divide=False), "divide by the batch size"),
    (make_step(two=1.0), "factor 2 is missing"),
    (make_step(stale=True), "as it was in the forward pass"),
])
def test_backprop_step_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_backprop_step(wrong)


def test_sigmoid_backward_hints_do_not_state_the_formula():
    for mistake in checks.SIGMOID_MISTAKES:
        assert "s (1 − s)" not in mistake.hint and "s(1 - s)" not in mistake.hint


def step_in_place(params, x, y, lr):
    new = make_step()(params, x, y, lr)
    for old, updated in zip(params, new, strict=True):
        old -= old - updated
    return params


def fixed_in_place(x, W1, b1, W2, grad_logits):
    h = np.tanh(x @ W1 + b1)
    grad_logits /= 1.0
    dz = (grad_logits @ W2.T) * (1 - h**2)
    x *= 1.0
    W1 += 0.0
    grad_logits *= 2
    return x.T @ dz, dz.sum(axis=0), h.T @ (grad_logits / 2), (grad_logits / 2).sum(axis=0)


def fixed(x, W1, b1, W2, g, axis=0, slope=lambda h: 1 - h**2):
    h = np.tanh(x @ W1 + b1)
    dz = (g @ W2.T) * slope(h)
    return x.T @ dz, dz.sum(axis=axis), h.T @ g, g.sum(axis=0)


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_dense_backward, in_place_dense_backward, "changed `g` in place"),
    (checks.check_dense_backward, lambda x, W, g: (g @ W.T, x.T @ g / len(x), g.sum(axis=0)), None),
    (checks.check_dense_backward, lambda x, W, g: (g @ W.T, x.T @ g, list(g.sum(axis=0))), "NumPy array"),
    (checks.check_dense_backward, lambda x, W, g: (W @ g.T, x.T @ g, g.sum(axis=0)), "expected shape"),
    (checks.check_sigmoid_backward, lambda s, g: g.__imul__(s * (1 - s)), "changed `g` in place"),
    (checks.check_sigmoid_backward, lambda s, g: g.mean() * s * (1 - s), None),
    (checks.check_sigmoid_backward, lambda s, g: (g * s * (1 - s)).T, "expected shape"),
    (checks.check_backprop_step, step_in_place, "changed `params` in place"),
    (checks.check_backprop_step, lambda p, x, y, lr: make_step()(p, x, y, lr / x.shape[1]), "not by x.size"),
    (checks.check_backprop_step, lambda p, x, y, lr: make_step(divide=False)(p, x, y, lr / x.size),
     "not by x.size"),
    (checks.check_backprop_step, lambda p, x, y, lr: list(make_step()(p, x, y, lr)), "expected a tuple"),
    (checks.check_fixed_backward, fixed_in_place, "changed `(x|W1|grad_logits)` in place"),
    (checks.check_fixed_backward, lambda *args: fixed(*args, axis=1), None),
    (checks.check_fixed_backward, lambda *args: fixed(*args, slope=lambda h: 1 - np.abs(h)), None),
    (checks.check_fixed_backward, lambda *args: fixed(*args)[::-1], None),
])
def test_new_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    rejected(notebook_check, wrong, hint)


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_dense_backward, lambda x, W, g: (np.einsum("bo,io->bi", g, W), np.einsum("bi,bo->io", x, g),
                                                   np.ones(len(g)) @ g)),
    (checks.check_sigmoid_backward, lambda s, g: g * (s - s * s)),
    (checks.check_fixed_backward, lambda *a: fixed(*a, slope=lambda h: 1 / np.cosh(np.arctanh(h)) ** 2)),
])
def test_textbook_equivalent_forms_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


def dense_layer_backward(x, W, grad_out):
    layer = Dense(*W.shape, init=lambda *_: W, dtype=np.float64)
    layer.forward(x)
    return layer.backward(grad_out), layer.grads["W"].copy(), layer.grads["b"].copy()


@pytest.mark.parametrize("case", checks.DENSE_CASES, ids=lambda case: case.label)
def test_dense_backward_reference_agrees_with_the_course_lib_dense_layer(case):
    mine, library = checks._dense_backward(*case.args), dense_layer_backward(*case.args)
    assert compare(mine, library, rtol=1e-12, atol=1e-9) is None


def test_sigmoid_backward_reference_agrees_with_course_lib():
    z, grad_out = np.linspace(-40, 40, 81), np.linspace(-2, 2, 81)
    expected = grad_out * activations.sigmoid_prime(z)
    mine = checks._sigmoid_backward(activations.sigmoid(z), grad_out)
    assert np.allclose(mine, expected, rtol=1e-12, atol=0)


def test_backprop_step_reference_matches_one_step_of_the_library_network():
    x, y = xor()
    net = Network([2, 3, 1], activation="sigmoid", learning_rate=0.5, seed=3, dtype=np.float64)
    before = tuple(p.value.copy() for p in net.parameters())
    net.back_propagate(x, y)
    after = checks._backprop_step(before, x.astype(float), y.astype(float), 0.5)
    for mine, library in zip(after, net.parameters(), strict=True):
        assert np.allclose(mine, library.value, rtol=1e-12, atol=1e-14)


def tanh_backward(x, W1, b1, W2, g, *, slope=lambda z, h: 1 - h**2, bias=lambda dz: dz.sum(axis=0)):
    """The two-layer tanh backward pass written out; slope and bias put a mistake in."""
    z = x @ W1 + b1
    h = np.tanh(z)
    dz = (g @ W2.T) * slope(z, h)
    return x.T @ dz, bias(dz), h.T @ g, g.sum(axis=0)


def test_fixed_backward_right_answer_passes(capsys):
    checks.check_fixed_backward(tanh_backward)
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda *a: tanh_backward(*a, slope=lambda z, h: 1 - z**2, bias=lambda dz: dz.mean(axis=0)),
     "nothing was fixed yet"),
    (lambda *a: tanh_backward(*a, slope=lambda z, h: 1 - z**2), "OUTPUT h"),
    (lambda *a: tanh_backward(*a, bias=lambda dz: dz.mean(axis=0)), "db1 is a sum over the batch"),
    (lambda *a: tanh_backward(*a, slope=lambda z, h: 1 - h), "not tanh's slope"),
    (lambda *a: tanh_backward(*a, slope=lambda z, h: h * (1 - h)), "not tanh's slope"),
])
def test_fixed_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_fixed_backward(wrong)


def test_fixed_backward_reference_agrees_with_course_lib_layers():
    from course_lib import layers

    x, W1, b1, W2, g = checks.FIXED_CASES[0].args
    model = layers.Sequential(layers.Dense(*W1.shape, dtype=np.float64), layers.Tanh(),
                              layers.Dense(*W2.shape, dtype=np.float64))
    model.layers[0].W[...], model.layers[0].b[...], model.layers[2].W[...] = W1, b1, W2
    model.forward(x)
    model.backward(g)
    expected = (model.layers[0].grads["W"], model.layers[0].grads["b"], model.layers[2].grads["W"],
                model.layers[2].grads["b"])
    assert compare(checks._tanh_backward(x, W1, b1, W2, g), expected, rtol=1e-12, atol=1e-12) is None


def test_backprop_step_reports_an_output_layer_error_at_the_output_layer():
    def wrong_output_bias(params, x, y, lr):
        W1, b1, W2, b2 = make_step()(params, x, y, lr)
        return W1, b1, W2, b2 + 1.0

    with pytest.raises(ExerciseError) as error:
        checks.check_backprop_step(wrong_output_bias)
    assert "item 1 of the returned tuple" in str(error.value) and "1 = b2" in str(error.value)
