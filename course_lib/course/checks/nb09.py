"""Checks for the exercises of notebook 09 (convolutions): the output size, a convolution with loops, and
max-pool's backward.

Each check runs the learner's function on named cases (strides that leave pixels over, padding, a 1×1
kernel, a window the size of the image, tied maxima, ...) and recognizes the usual wrong answers: a
forgotten +1 or 2·padding, rounding up, a flipped kernel, a forgotten bias, windows that do not move by
the stride, a gradient spread over the window instead of routed to its maximum.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, normal

# ---------------------------------------------------------------- exercise 1: the output size


def _output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """The number of window positions p ≥ 0 with p·stride + kernel ≤ size + 2·padding, counted directly."""
    return sum(1 for start in range(0, size + 2 * padding, stride) if start + kernel <= size + 2 * padding)


OUTPUT_SIZE_CASES = [
    Case("28 pixels, 5×5 kernel", (28, 5)),
    Case("28 pixels, 5×5 kernel, padding 2 ('same' size)", (28, 5, 1, 2)),
    Case("7 pixels, 3×3 kernel, stride 2 (fits exactly)", (7, 3, 2)),
    Case("8 pixels, 3×3 kernel, stride 2 (one pixel left over)", (8, 3, 2)),
    Case("a kernel as large as the image", (5, 5)),
    Case("10 pixels, kernel 3, stride 3, padding 1", (10, 3, 3, 1)),
    Case("2×2 pooling of 14 pixels", (14, 2, 2)),
    Case("10 pixels, kernel 2, stride 3: two pixels left over", (10, 2, 3)),
    Case("10 pixels, kernel 3, stride 2: one pixel left over", (10, 3, 2)),
]

OUTPUT_SIZE_MISTAKES = [
    Mistake.returns("`/` gives a float, even when the ratio is whole, and a window that does not fit "
                    "entirely is not a position: round down with floor division, //.",
                    lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1),
    Mistake.returns("divide only the room left after the first window by the stride, then add 1 for that "
                    "first window: (size + 2·padding − kernel) // stride + 1, not (… + 1) // stride.",
                    lambda n, k, s=1, p=0: (n + 2 * p - k + 1) // s),
    Mistake.returns("one short: (size + 2·padding − kernel) // stride counts the steps between positions; "
                    "the first position (at 0) needs a + 1.", lambda n, k, s=1, p=0: (n + 2 * p - k) // s),
    Mistake.returns("padding is added on BOTH sides of the image: size + 2·padding pixels.",
                    lambda n, k, s=1, p=0: (n + p - k) // s + 1),
    Mistake.returns("the stride is ignored: windows move `stride` pixels at a time, so divide the room left "
                    "after the first window, (size + 2·padding − kernel), by the stride.",
                    lambda n, k, s=1, p=0: n + 2 * p - k + 1),
    Mistake.returns("rounded up: a last window that would stick out of the (padded) image does not count; "
                    "round down (//).", lambda n, k, s=1, p=0: -(-(n + 2 * p - k) // s) + 1),
    Mistake.returns("rounded to the nearest whole number: a last window that would stick out of the "
                    "(padded) image does not count, however close it comes; round down (//).",
                    lambda n, k, s=1, p=0: round((n + 2 * p - k) / s) + 1),
]


def check_conv_output_size(conv_output_size: Callable[..., int]) -> None:
    """Exercise 1: (size, kernel, stride=1, padding=0) -> how many window positions fit along the axis."""
    check("Exercise 1 (output size)", conv_output_size, _output_size, OUTPUT_SIZE_CASES, OUTPUT_SIZE_MISTAKES)


# ---------------------------------------------------------------- exercise 2: a convolution with loops


def _conv_loops(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """y[o, p, q] = b[o] + Σ_{c,i,j} W[o, c, i, j] x_pad[c, p·stride + i, q·stride + j], an einsum of windows.

    x (C_in, H, W), W (C_out, C_in, kh, kw), b (C_out,) -> y (C_out, H_out, W_out), in float64.
    """
    kh, kw = W.shape[2:]
    padded = np.pad(np.asarray(x, np.float64), ((0, 0), (padding, padding), (padding, padding)))
    h_out, w_out = (_output_size(n, k, stride, padding) for n, k in ((x.shape[1], kh), (x.shape[2], kw)))
    windows = np.array([[padded[:, p * stride : p * stride + kh, q * stride : q * stride + kw]
                         for q in range(w_out)] for p in range(h_out)])  # (H_out, W_out, C_in, kh, kw)
    return np.einsum("pqcij,ocij->opq", windows, W) + b[:, None, None]


def _conv_case(seed: int, c_in: int, c_out: int, size: tuple[int, int], kernel: tuple[int, int],
               **options: int) -> tuple[tuple, dict]:
    rng = np.random.default_rng(seed)
    return (normal(rng, (c_in, *size)), normal(rng, (c_out, c_in, *kernel)), normal(rng, (c_out,))), options


def _case(label: str, seed: int, *shape_args, **options: int) -> Case:
    args, kwargs = _conv_case(seed, *shape_args, **options)
    return Case(label, args, kwargs)


CONV_CASES = [
    _case("one channel, 5×5 image, 3×3 kernel", 0, 1, 1, (5, 5), (3, 3)),
    _case("2 channels in, 3 out, a 6×7 image and a 3×2 kernel", 1, 2, 3, (6, 7), (3, 2)),
    _case("stride 2 on a 7×7 image", 2, 1, 2, (7, 7), (3, 3), stride=2),
    _case("padding 1 (same size)", 3, 2, 2, (5, 6), (3, 3), padding=1),
    _case("stride 2 and padding 2, one pixel left over", 4, 1, 1, (6, 6), (3, 3), stride=2, padding=2),
    _case("a 1×1 kernel mixes channels only", 5, 3, 2, (4, 4), (1, 1)),
    _case("a kernel the size of the image: one output pixel", 6, 2, 1, (3, 4), (3, 4)),
]


def _flipped(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    return _conv_loops(x, W[:, :, ::-1, ::-1], b, stride, padding)


def _windows_not_strided(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1,
                         padding: int = 0) -> np.ndarray:
    """The right output size, but output (p, q) reads the window at (p, q) instead of (p·stride, q·stride)."""
    sizes = zip(x.shape[1:], W.shape[2:], strict=True)
    h_out, w_out = (_output_size(n, k, stride, padding) for n, k in sizes)
    return _conv_loops(x, W, b, 1, padding)[:, :h_out, :w_out]


CONV_MISTAKES = [
    Mistake.returns("the kernel is flipped: that is the convolution of signal processing. Deep learning's "
                    "'convolution' (and PyTorch's) slides W as it is: Σ W[o, c, i, j] · x[c, p + i, q + j].",
                    _flipped),
    Mistake.returns("the bias is missing: add b[o] to every pixel of output channel o.",
                    lambda x, W, b, stride=1, padding=0: _conv_loops(x, W, 0 * b, stride, padding)),
    Mistake.returns("the padding is ignored: pad the image with `padding` zeros on every side first, e.g. "
                    "np.pad(x, ((0, 0), (padding, padding), (padding, padding))).",
                    lambda x, W, b, stride=1, padding=0: _conv_loops(x, W, b, stride, 0)),
    Mistake.returns("the stride is ignored: windows must move `stride` pixels at a time (use your "
                    "conv_output_size for the output's height and width).",
                    lambda x, W, b, stride=1, padding=0: _conv_loops(x, W, b, 1, padding)),
    Mistake.returns("output (p, q) must read the window whose corner is at (p·stride, q·stride), not (p, q).",
                    _windows_not_strided),
]


def check_conv2d_loops(conv2d_loops: Callable[..., np.ndarray]) -> None:
    """Exercise 2: (x (C_in, H, W), W (C_out, C_in, kh, kw), b (C_out,), stride, padding) -> y.

    y: (C_out, H_out, W_out).
    """
    check("Exercise 2 (a convolution with loops)", conv2d_loops, _conv_loops, CONV_CASES, CONV_MISTAKES)


# ---------------------------------------------------------------- exercise 3: max-pool backward


def _windows(x: np.ndarray, k: int) -> np.ndarray:
    """x (C, H, W) -> its k×k windows side by side, (C, H_out, W_out, k·k); leftover rows/columns dropped."""
    c, h_out, w_out = x.shape[0], x.shape[1] // k, x.shape[2] // k
    cropped = x[:, : h_out * k, : w_out * k]
    return cropped.reshape(c, h_out, k, w_out, k).transpose(0, 1, 3, 2, 4).reshape(c, h_out, w_out, k * k)


def _unwindow(per_window: np.ndarray, shape: tuple[int, ...], k: int) -> np.ndarray:
    """The inverse of `_windows`: (C, H_out, W_out, k·k) -> (C, H, W), zeros where no window reaches."""
    c, h_out, w_out = per_window.shape[:3]
    out = np.zeros(shape, dtype=per_window.dtype)
    blocks = per_window.reshape(c, h_out, w_out, k, k).transpose(0, 1, 3, 2, 4)
    out[:, : h_out * k, : w_out * k] = blocks.reshape(c, h_out * k, w_out * k)
    return out


def _maxpool_backward(x: np.ndarray, grad_out: np.ndarray, k: int) -> np.ndarray:
    """dx (C, H, W): grad_out[c, p, q] at the first maximum (argmax order) of window (p, q), 0 elsewhere."""
    windows = _windows(x, k)
    routed = np.zeros_like(windows, dtype=grad_out.dtype)
    np.put_along_axis(routed, windows.argmax(axis=-1)[..., None], grad_out[..., None], axis=-1)
    return _unwindow(routed, x.shape, k)


def _pool_case(label: str, seed: int, shape: tuple[int, int, int], k: int) -> Case:
    rng = np.random.default_rng(seed)
    x = np.round(normal(rng, shape), 1)
    return Case(label, (x, normal(rng, (shape[0], shape[1] // k, shape[2] // k)), k))


def _tied() -> Case:
    x = np.array([[[1.0, 3.0, 0.0, 0.0], [3.0, 2.0, 0.0, 0.0]]])  # left window: two 3s; right: all zero
    return Case("windows with tied maxima (route to the first, as np.argmax picks)",
                (x, np.array([[[5.0, 7.0]]]), 2))


POOL_CASES = [
    _pool_case("one channel, 4×4, 2×2 windows", 0, (1, 4, 4), 2),
    _pool_case("3 channels, 6×4, 2×2 windows", 1, (3, 6, 4), 2),
    _pool_case("5×7 image: the last row and column are in no window", 2, (2, 5, 7), 2),
    _pool_case("3×3 windows on a 6×6 image", 3, (1, 6, 6), 3),
    _tied(),
]


def _spread(share: Callable[[np.ndarray, np.ndarray, int], np.ndarray]) -> Callable[..., np.ndarray]:
    """A wrong backward that gives every pixel of window (p, q) share(grad_out, windows, k)."""
    def backward(x: np.ndarray, grad_out: np.ndarray, k: int) -> np.ndarray:
        windows = _windows(x, k)
        return _unwindow(np.broadcast_to(share(grad_out, windows, k), windows.shape), x.shape, k)
    return backward


def _all_ties(x: np.ndarray, grad_out: np.ndarray, k: int) -> np.ndarray:
    windows = _windows(x, k)
    return _unwindow((windows == windows.max(axis=-1, keepdims=True)) * grad_out[..., None], x.shape, k)


def _mask_only(x: np.ndarray, grad_out: np.ndarray, k: int) -> np.ndarray:
    return _maxpool_backward(x, np.ones_like(grad_out), k)


def _swapped(x: np.ndarray, grad_out: np.ndarray, k: int) -> np.ndarray:
    """Row and column of the winner swapped inside its window (j, i = divmod(...))."""
    windows = _windows(x, k)
    winner = windows.argmax(axis=-1)
    swapped = (winner % k) * k + winner // k
    routed = np.zeros_like(windows, dtype=grad_out.dtype)
    np.put_along_axis(routed, swapped[..., None], grad_out[..., None], axis=-1)
    return _unwindow(routed, x.shape, k)


def _corner_forgotten(accumulate: bool) -> Callable[..., np.ndarray]:
    """The winner's (i, j) inside its window used as its place in the image: dx[c, i, j], not
    dx[c, p·k + i, q·k + j]; windows visited row by row, each writing over (or adding to) the last."""
    def backward(x: np.ndarray, grad_out: np.ndarray, k: int) -> np.ndarray:
        winner = _windows(x, k).argmax(axis=-1)
        dx = np.zeros(x.shape, dtype=grad_out.dtype)
        for c, p, q in np.ndindex(winner.shape):
            i, j = divmod(int(winner[c, p, q]), k)
            dx[c, i, j] = dx[c, i, j] + grad_out[c, p, q] if accumulate else grad_out[c, p, q]
        return dx
    return backward


POOL_MISTAKES = [
    Mistake.returns("the gradient is spread evenly over the window: that is average pooling's backward. "
                    "Max pooling's output is ONE input pixel: all of grad_out goes there, 0 to the others.",
                    _spread(lambda g, w, k: g[..., None] / (k * k))),
    Mistake.returns("every pixel of the window gets the whole gradient: only the maximum influenced the "
                    "output, so only it gets grad_out; the others get 0.",
                    _spread(lambda g, w, k: g[..., None])),
    Mistake.returns("only the window's winners are marked, the gradient itself is missing: multiply by "
                    "grad_out[c, p, q].", _mask_only),
    Mistake.returns("with tied maxima route the gradient to ONE pixel, the first (np.argmax's choice, and "
                    "PyTorch's): otherwise the gradient is counted several times.", _all_ties),
    Mistake.returns("row and column are swapped: inside a k×k window, flat index n is row n // k, column "
                    "n % k (i, j = divmod(n, k)).", _swapped),
    *(Mistake.returns("the winner's place inside its window is used as its place in the image: add the "
                      "window's corner, dx[c, p·k + i, q·k + j].", _corner_forgotten(accumulate))
      for accumulate in (False, True)),
    Mistake("dx must have the shape of x: pixels in no window (rows or columns left over) get gradient 0.",
            lambda got, expected, case: np.shape(got) != np.shape(expected) and np.ndim(got) == 3),
]


def check_maxpool_backward(maxpool_backward: Callable[[np.ndarray, np.ndarray, int], np.ndarray]) -> None:
    """Exercise 3: (x (C, H, W), grad_out (C, H // k, W // k), k) -> dx (C, H, W)."""
    check("Exercise 3 (max-pool backward)", maxpool_backward, _maxpool_backward, POOL_CASES, POOL_MISTAKES)
