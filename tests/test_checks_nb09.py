"""Notebook 09's checks (output size, a loop convolution, max-pool backward): right answers pass, every usual
wrong answer gets its own hint, and the references agree with course_lib."""

import numpy as np
import pytest

from course_lib.course.checks import ExerciseError, compare
from course_lib.course.checks import nb09 as checks
from course_lib.layers import Conv2D, MaxPool2D, conv_output_size


def output_size(size, kernel, stride=1, padding=0):
    return (size + 2 * padding - kernel) // stride + 1


@pytest.mark.parametrize("right", [output_size, conv_output_size,
                                   lambda n, k, s=1, p=0: int(np.floor((n + 2 * p - k) / s)) + 1])
def test_output_size_right_answers_pass(right, capsys):
    checks.check_conv_output_size(right)
    assert "passes all 9 cases" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1, "round down with floor division"),
    (lambda n, k, s=1, p=0: (n + 2 * p - k) // s, r"the first position \(at 0\) needs a \+ 1"),
    (lambda n, k, s=1, p=0: (n + p - k) // s + 1, "BOTH sides"),
    (lambda n, k, s=1, p=0: n + 2 * p - k + 1, "the stride is ignored"),
    (lambda n, k, s=1, p=0: int(np.ceil((n + 2 * p - k) / s)) + 1, "rounded up"),
    (lambda n, k, s=1, p=0: round((n + 2 * p - k) / s) + 1, "rounded to the nearest whole number|rounded up"),
    (lambda n, k, s=1, p=0: (n + 2 * p - k + 1) // s, r"not \(… \+ 1\) // stride"),
    (lambda n, k, s=1, p=0: None, "Did you forget the `return`"),
])
def test_output_size_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_conv_output_size(wrong)


def conv_loops(x, W, b, stride=1, padding=0):
    """A right answer the way a learner writes it: pad, then four loops over outputs, one sum per window."""
    x = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    c_out, _, kh, kw = W.shape
    h_out, w_out = output_size(x.shape[1], kh, stride), output_size(x.shape[2], kw, stride)
    y = np.zeros((c_out, h_out, w_out))
    for o in range(c_out):
        for p in range(h_out):
            for q in range(w_out):
                window = x[:, p * stride : p * stride + kh, q * stride : q * stride + kw]
                y[o, p, q] = np.sum(W[o] * window) + b[o]
    return y


def conv_by_library(x, W, b, stride=1, padding=0):
    layer = Conv2D(W.shape[1], W.shape[0], W.shape[2:], stride=stride, padding=padding, dtype=np.float64)
    layer.params["W"][...], layer.params["b"][...] = W, b
    return layer.forward(x[None])[0]


@pytest.mark.parametrize("right", [conv_loops, conv_by_library])
def test_conv_loops_right_answers_pass(right, capsys):
    checks.check_conv2d_loops(right)
    assert "passes all 7 cases" in capsys.readouterr().out


def flipped(x, W, b, stride=1, padding=0):
    return conv_loops(x, W[:, :, ::-1, ::-1], b, stride, padding)


def not_strided(x, W, b, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    kh, kw = W.shape[2:]
    h_out, w_out = output_size(xp.shape[1], kh, stride), output_size(xp.shape[2], kw, stride)
    return np.array([[[np.sum(W[o] * xp[:, p : p + kh, q : q + kw]) + b[o] for q in range(w_out)]
                      for p in range(h_out)] for o in range(len(W))])


@pytest.mark.parametrize(("wrong", "hint"), [
    (flipped, "the kernel is flipped"),
    (lambda x, W, b, stride=1, padding=0: conv_loops(x, W, 0 * b, stride, padding), "the bias is missing"),
    (lambda x, W, b, stride=1, padding=0: conv_loops(x, W, b, stride, 0), "the padding is ignored"),
    (lambda x, W, b, stride=1, padding=0: conv_loops(x, W, b, 1, padding), "the stride is ignored"),
    (not_strided, r"corner is at \(p·stride, q·stride\)"),
])
def test_conv_loops_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_conv2d_loops(wrong)


def maxpool_backward(x, grad_out, k):
    """A right answer with loops: find each window's first maximum, put the gradient there."""
    dx = np.zeros_like(x)
    for c in range(x.shape[0]):
        for p in range(x.shape[1] // k):
            for q in range(x.shape[2] // k):
                i, j = divmod(int(np.argmax(x[c, p * k : p * k + k, q * k : q * k + k])), k)
                dx[c, p * k + i, q * k + j] = grad_out[c, p, q]
    return dx


def maxpool_by_library(x, grad_out, k):
    pool = MaxPool2D(k)
    pool.forward(x[None])
    return pool.backward(grad_out[None])[0]


@pytest.mark.parametrize("right", [maxpool_backward, maxpool_by_library])
def test_maxpool_backward_right_answers_pass(right, capsys):
    checks.check_maxpool_backward(right)
    assert "passes all 5 cases" in capsys.readouterr().out


def spread(share):
    def backward(x, grad_out, k):
        dx = np.zeros_like(x)
        for p in range(x.shape[1] // k):
            for q in range(x.shape[2] // k):
                dx[:, p * k : p * k + k, q * k : q * k + k] = share(grad_out[:, p, q], k)[:, None, None]
        return dx
    return backward


def every_tie(x, grad_out, k):
    dx = np.zeros_like(x)
    for p in range(x.shape[1] // k):
        for q in range(x.shape[2] // k):
            window = x[:, p * k : p * k + k, q * k : q * k + k]
            winners = window == window.max(axis=(1, 2), keepdims=True)
            dx[:, p * k : p * k + k, q * k : q * k + k] = winners * grad_out[:, p, q, None, None]
    return dx


def swapped(x, grad_out, k):
    dx = np.zeros_like(x)
    for c in range(x.shape[0]):
        for p in range(x.shape[1] // k):
            for q in range(x.shape[2] // k):
                j, i = divmod(int(np.argmax(x[c, p * k : p * k + k, q * k : q * k + k])), k)
                dx[c, p * k + i, q * k + j] = grad_out[c, p, q]
    return dx


def corner_forgotten(x, grad_out, k):
    dx = np.zeros_like(x)
    for c in range(x.shape[0]):
        for p in range(x.shape[1] // k):
            for q in range(x.shape[2] // k):
                i, j = divmod(int(np.argmax(x[c, p * k : p * k + k, q * k : q * k + k])), k)
                dx[c, i, j] = grad_out[c, p, q]
    return dx


def corner_forgotten_adding(x, grad_out, k):
    dx = np.zeros_like(x)
    for c in range(x.shape[0]):
        for p in range(x.shape[1] // k):
            for q in range(x.shape[2] // k):
                i, j = divmod(int(np.argmax(x[c, p * k : p * k + k, q * k : q * k + k])), k)
                dx[c, i, j] += grad_out[c, p, q]
    return dx


def cropped(x, grad_out, k):
    return maxpool_backward(x, grad_out, k)[:, : x.shape[1] // k * k, : x.shape[2] // k * k]


@pytest.mark.parametrize(("wrong", "hint"), [
    (spread(lambda g, k: g / (k * k)), "average pooling's backward"),
    (spread(lambda g, k: g), "every pixel of the window gets the whole gradient"),
    (lambda x, g, k: maxpool_backward(x, np.ones_like(g), k), "the gradient itself is missing"),
    (every_tie, "with tied maxima route the gradient to ONE pixel"),
    (swapped, "row and column are swapped"),
    (corner_forgotten, "add the window's corner"),
    (corner_forgotten_adding, "add the window's corner"),
    (cropped, "dx must have the shape of x"),
])
def test_maxpool_backward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_maxpool_backward(wrong)


LIBRARY = [
    (checks._output_size, conv_output_size, checks.OUTPUT_SIZE_CASES),
    (checks._conv_loops, conv_by_library, checks.CONV_CASES),
    (checks._maxpool_backward, maxpool_by_library, checks.POOL_CASES),
]


@pytest.mark.parametrize(("reference", "library", "case"),
                         [(ref, library, case) for ref, library, cases in LIBRARY for case in cases])
def test_references_agree_with_course_lib(reference, library, case):
    assert compare(reference(*case.args, **case.kwargs), library(*case.args, **case.kwargs)) is None


def conv_pads_in_place(x, W, b, stride=1, padding=0):
    y = conv_loops(x, W, b, stride, padding)
    x *= 0
    return y


def pool_in_place(x, grad_out, k):
    dx = maxpool_backward(x, grad_out, k)
    grad_out[...] = 0
    return dx


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_conv_output_size, lambda n, k, s=1, p=0: (n + 2 * p - k) // s + 1.0, "expected integers"),
    (checks.check_conv_output_size, lambda n, k, s=1, p=0: (n + p - k) // s + 1, "BOTH sides"),
    (checks.check_conv_output_size, lambda n, k, s=1, p=0: (n + 2 * p - k) // s + (s == 1), None),
    (checks.check_conv2d_loops, conv_pads_in_place, "changed `x` in place"),
    (checks.check_conv2d_loops, lambda x, W, b, **options: conv_loops(x, W, b, **options)[:, :-1],
     "expected shape"),
    (checks.check_conv2d_loops, lambda x, W, b, **options: conv_loops(x, W, b, **options).tolist(),
     "NumPy array"),
    (checks.check_maxpool_backward, pool_in_place, "changed `grad_out` in place"),
    (checks.check_maxpool_backward, lambda x, g, k: maxpool_backward(x, g, k) * k * k, None),
    (checks.check_maxpool_backward, lambda x, g, k: maxpool_backward(x, g, k)[:, ::-1], None),
])
def test_new_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    rejected(notebook_check, wrong, hint)
