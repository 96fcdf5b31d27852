"""The notebook 03 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

from collections import defaultdict

import numpy as np
import pytest

from course_lib import activations, autograd, gradcheck, losses
from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb03 as checks


def softmax(z, shift=True):
    e = np.exp(z - z.max(axis=1, keepdims=True)) if shift else np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def right_sce_grad(logits, labels, rows=None):
    p = softmax(logits)
    p[np.arange(len(labels)) if rows is None else rows, labels] -= 1
    return p / len(labels)


def gradient(f, point, h, one_sided=False, divide=None, restore=True, copy=True, all_at_once=False):
    """A centered-difference gradient; the switches make the usual mistakes."""
    x = point.astype(float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        if all_at_once:
            up, down = x + h, x - h
        elif restore:
            up, down = (x.copy(), x.copy()) if copy else (x, x)
            up[i] += h
            down[i] -= h * (0 if one_sided else 1)
        else:
            x[i] += h
            value_up = f(x)
            x[i] -= 2 * h
            grad[i] = (value_up - f(x)) / (2 * h)
            continue
        difference = f(up) - f(down)
        grad[i] = divide(difference, h) if divide else difference / (h if one_sided else 2 * h)
    return grad


def visit_order(root, reverse=False, dedupe=True, deep=True):
    order, seen = [], set()

    def visit(node, depth=0):
        if dedupe and id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.parents if (deep or depth == 0) else ():
            visit(parent, depth + 1)
        order.append(node)

    visit(root)
    return order[::-1] if reverse else order


def backward(root, overwrite=False, seed=True, forward=False, chain=True, leaves=True):
    grads = {root: 1.0} if seed else {}
    order = visit_order(root)
    for node in order if forward else reversed(order):
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            share = grads[node] * local if chain else local
            if leaves or parent.parents:
                grads[parent] = share if overwrite else grads.get(parent, 0.0) + share
    return grads


def backward_with_defaults(root, forward=False):
    grads = defaultdict(float, {root: 1.0})
    order = visit_order(root)
    for node in order if forward else reversed(order):
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            grads[parent] += grads[node] * local
    return dict(grads)


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_numerical_gradient, gradient),
    (checks.check_tanh_backward, lambda x, g: g * (1 - np.tanh(x) ** 2)),
    (checks.check_tanh_backward, lambda x, g: g * 4 * activations.sigmoid_prime(2 * x)),
    (checks.check_topological_order, visit_order),
    (checks.check_topological_order, autograd.topological_order),
    (checks.check_backward, backward),
    (checks.check_backward, backward_with_defaults),
    (checks.check_softmax_cross_entropy_grad, right_sce_grad),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda f, x, h: gradient(f, x, h, one_sided=True), "forward difference"),
    (lambda f, x, h: gradient(f, x, h, divide=lambda d, h: d / h), "twice too big"),
    (lambda f, x, h: gradient(f, x, h, divide=lambda d, h: d / 2 * h), "brackets"),
    (lambda f, x, h: gradient(f, x, h, all_at_once=True), "one coordinate at a time"),
    (lambda f, x, h: gradient(f, x, h, restore=False), "put it back"),
    (lambda f, x, h: gradient(f, x, h, copy=False), r"x\.copy\(\)"),
])
def test_numerical_gradient_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_numerical_gradient(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x, g: 1 - np.tanh(x) ** 2, "multiplies it by grad_out"),
    (lambda x, g: g * (1 - x**2), "OUTPUT of tanh"),
    (lambda x, g: g * np.tanh(x) * (1 - np.tanh(x)), "sigmoid's form"),
    (lambda x, g: g * 2 * activations.sigmoid_prime(2 * x), "inner 2x"),
    (lambda x, g: g * (1 - np.tanh(x)), "square is missing"),
    (lambda x, g: -g * (1 - np.tanh(x) ** 2), "never negative"),
    (lambda x, g: g * (1 + np.tanh(x) ** 2), "1 \\+ tanh²\\(x\\) grows"),
])
def test_tanh_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_tanh_backward(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda root: visit_order(root, dedupe=False), "must be listed once"),
    (lambda root: visit_order(root, reverse=True), "exactly reversed"),
    (lambda root: visit_order(root, deep=False), "parents of the parents"),
    (lambda root: visit_order(root)[1:] + visit_order(root)[:1], "only after all of its parents"),
    (lambda root: None, "return"),
])
def test_topological_order_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_topological_order(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda root: backward(root, overwrite=True), "Shares from several uses ADD up"),
    (lambda root: backward(root, seed=False), r"start from \{root: 1.0\}"),
    (lambda root: backward(root, forward=True), "reversed topological order"),
    (lambda root: backward_with_defaults(root, forward=True), "the order is reversed"),
    (lambda root: backward(root, chain=False), "local gradient alone"),
    (lambda root: backward(root, leaves=False), "the leaves included"),
    (lambda root: {node: 0.0 for node in visit_order(root)}, "every gradient is 0"),
])
def test_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_backward(wrong)


def no_shift(logits, labels):
    with np.errstate(over="ignore", invalid="ignore"):
        p = softmax(logits, shift=False)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)


def global_max(logits, labels):
    with np.errstate(invalid="ignore"):
        e = np.exp(logits - logits.max())
        p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)


def long_road(logits, labels):
    """−onehot/p times the softmax Jacobian, row by row: divides by p."""
    p, onehot = softmax(logits), np.eye(logits.shape[1])[labels]
    with np.errstate(divide="ignore", invalid="ignore"):
        rows = [(-o / q) @ activations.softmax_jacobian(z) for o, q, z in zip(onehot, p, logits, strict=True)]
    return np.array(rows) / len(labels)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda z, y: right_sce_grad(z, y) * len(y), "forgot to divide by the batch size"),
    (lambda z, y: right_sce_grad(z, y) / z.shape[1], "not by batch × classes"),
    (lambda z, y: -right_sce_grad(z, y), "sign is flipped"),
    (lambda z, y: softmax(z) / len(y), "without subtracting the one-hot"),
    (lambda z, y: softmax(z), "without subtracting the one-hot"),
    (no_shift, "overflows"),
    (global_max, "each row's own max"),
    (long_road, "divides by p"),
    (lambda z, y: right_sce_grad(z, y, rows=slice(None)), "EVERY row"),
])
def test_softmax_cross_entropy_grad_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_softmax_cross_entropy_grad(wrong)


def fixed_step(f, point, h):
    return gradient(f, point, 1e-5)


def nudges_point(f, point, h):
    grad = np.zeros(point.shape)
    for i in range(point.size):
        point[i] += h
        up = f(point)
        point[i] -= 2 * h
        grad[i] = (up - f(point)) / (2 * h)
    return grad


def breadth_first(root):
    order, seen = [root], {id(root)}
    for node in order:
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                order.append(parent)
    return order[::-1]


def every_path(root):
    grads = defaultdict(float)

    def push(node, upstream):
        grads[node] += upstream
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            push(parent, upstream * local)

    push(root, 1.0)
    return dict(grads)


def bfs_backward(root):
    grads = defaultdict(float, {root: 1.0})
    for node in reversed(breadth_first(root)):
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            grads[parent] += grads[node] * local
    return dict(grads)


def keyed_by_id(root):
    return {id(node): grad for node, grad in backward(root).items()}


def plus_equals_without_start(root):
    grads = {root: 1.0}
    for node in reversed(visit_order(root)):
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            grads[parent] += grads[node] * local
    return grads


def tanh_into_grad_out(x, grad_out):
    grad_out *= 1 - np.tanh(x) ** 2
    return grad_out


def shift_logits_in_place(logits, labels):
    logits -= logits.max(axis=1, keepdims=True)
    return right_sce_grad(logits, labels)


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_numerical_gradient, fixed_step, "not the step h passed in"),
    (checks.check_numerical_gradient, nudges_point, "changed `point` in place"),
    (checks.check_numerical_gradient, lambda f, x, h: gradient(f, x, h)[::-1], None),
    (checks.check_numerical_gradient, lambda f, x, h: gradient(f, x, h).astype(int), None),
    (checks.check_tanh_backward, tanh_into_grad_out, "changed `grad_out` in place"),
    (checks.check_tanh_backward, lambda x, g: g * (1 - np.tanh(x)) ** 2, None),
    (checks.check_tanh_backward, lambda x, g: (g * (1 - np.tanh(x) ** 2)).tolist(), "expected a NumPy array"),
    (checks.check_topological_order, breadth_first, "breadth-first listing, reversed"),
    (checks.check_topological_order, lambda root: visit_order(root, dedupe=False), "every path|once"),
    (checks.check_topological_order, lambda root: set(visit_order(root)), "expected a list of nodes"),
    (checks.check_backward, bfs_backward, r"wrong on case 'r = a·c.*\n  `x`: expected 0.75, got 0.25"),
    (checks.check_backward, every_path, "walks every path"),
    (checks.check_backward, keyed_by_id, "not a node: the cells after"),
    (checks.check_backward, plus_equals_without_start, "reads the gradient.* Start each"),
    (checks.check_softmax_cross_entropy_grad, shift_logits_in_place, "changed `logits` in place"),
    (checks.check_softmax_cross_entropy_grad, lambda z, y: right_sce_grad(z, y) * len(y) / z.shape[1], None),
    (checks.check_softmax_cross_entropy_grad, lambda z, y: right_sce_grad(z, y, rows=y), None),
])
def test_new_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    rejected(notebook_check, wrong, hint)


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_numerical_gradient, lambda f, x, h: np.array(
        [(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])),
    (checks.check_tanh_backward, lambda x, g: g / np.cosh(x) ** 2),
    (checks.check_softmax_cross_entropy_grad, lambda z, y: (softmax(z) - np.eye(z.shape[1])[y]) / len(z)),
])
def test_textbook_equivalent_forms_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


def test_backward_messages_name_the_node_and_show_no_function_address():
    with pytest.raises(ExerciseError) as err:
        checks.check_backward(lambda root: backward(root, overwrite=True))
    assert "`x`: " in str(err.value) and " at 0x" not in str(err.value)


def test_checks_do_not_show_solution_code():
    with pytest.raises(ExerciseError, match="is wrong on case") as info:
        checks.check_softmax_cross_entropy_grad(lambda z, y: np.zeros_like(z))
    assert "def " not in str(info.value) and "return" not in str(info.value)


def library_gradient(f, point, h):
    """course_lib.gradcheck's centered difference along each coordinate of point."""
    x = point.astype(np.float64)
    return np.array([gradcheck.numerical_gradient(lambda: f(x), x, (i,), eps=h) for i in range(x.size)])


LIBRARY = [(checks._numerical_gradient, library_gradient, checks._NUMERICAL_CASES),
           (checks._tanh_backward, lambda x, g: g * activations.tanh_prime(x), checks._TANH_CASES),
           (checks._sce_grad, lambda z, y: losses.softmax_cross_entropy(z, y)[1], checks._SCE_CASES)]


@pytest.mark.parametrize(("reference", "library", "case"),
                         [(ref, library, case) for ref, library, cases in LIBRARY for case in cases])
def test_references_agree_with_course_lib(reference, library, case):
    assert np.allclose(reference(*case.args), library(*case.args), rtol=1e-5, atol=1e-7)


def test_backward_reference_agrees_with_the_autograd_engine_on_the_fork():
    x, y = autograd.Value(3.0), autograd.Value(-2.0)
    f = (x + y) * x
    f.backward()
    nodes = checks.GRAPHS["the fork f = (x + y)·x: x is used twice"]()
    grads = checks._backward(nodes[-1])
    assert [grads[n] for n in nodes] == [x.grad, y.grad, 3.0, 1.0]
