"""Widget logic for notebook 01 (matrices): which shape does A @ B or A + B give, or which error?

Shapes are tuples of one or two sizes: ``(rows, cols)`` for a matrix, ``(n,)`` for a 1-D vector.
The error texts are NumPy's own (the functions trigger them on empty arrays, which costs nothing),
followed by a plain-words reading of the message.
"""

from __future__ import annotations

import numpy as np

Shape = tuple[int, ...]

SIZES: tuple[int, ...] = (1, 3, 10, 28, 32, 784)
"""Sizes offered by the widget's dropdowns: a batch of one, small toys, MNIST's 28, 32 and 784."""

OPERATIONS: tuple[str, ...] = ("@", "+")


def make_shape(rows: int, cols: int | None) -> Shape:
    """The shape ``(rows, cols)``, or the 1-D shape ``(rows,)`` when ``cols`` is None."""
    return (rows,) if cols is None else (rows, cols)


def _expect_shape(shape: Shape, name: str) -> None:
    if len(shape) not in (1, 2) or any(not isinstance(s, int) or s < 1 for s in shape):
        raise ValueError(f"{name} must be a 1-D shape (n,) or a 2-D shape (rows, cols) of positive "
                         f"integers, got {shape!r}.")


def _numpy_error(a_shape: Shape, b_shape: Shape, op: str) -> str:
    """NumPy's own message for ``A op B`` (raised before any arithmetic, so nothing is computed)."""
    a, b = np.empty(a_shape, dtype=np.float32), np.empty(b_shape, dtype=np.float32)
    try:
        _ = a @ b if op == "@" else a + b
    except ValueError as err:
        return f"ValueError: {err}"
    raise AssertionError(f"expected NumPy to reject {a_shape} {op} {b_shape}")  # the rules below say so


def _fix_hint(a_shape: Shape, b_shape: Shape) -> str:
    """Suggest a transpose that would make the product valid, when one does."""
    if len(b_shape) == 2 and a_shape[-1] == b_shape[1]:
        return f"B.T has shape {b_shape[::-1]}, so A @ B.T would work and give {a_shape[:-1] + b_shape[:1]}."
    if len(a_shape) == 2 and a_shape[0] == b_shape[0]:
        out = a_shape[1:] + b_shape[1:]
        return f"A.T has shape {a_shape[::-1]}, so A.T @ B would work and give {out}."
    return "No transpose fixes this one: check where each array came from."


def product_shape(a_shape: Shape, b_shape: Shape) -> str:
    """Describe ``A @ B`` for A of shape ``a_shape`` and B of shape ``b_shape`` (each 1-D or 2-D).

    Valid product: the result's shape and why, e.g. ``(32, 784) @ (784, 10)`` gives ``(32, 10)``.
    Invalid: NumPy's ValueError text, then how to read it and, if a transpose would fix it, which.
    """
    _expect_shape(a_shape, "a_shape")
    _expect_shape(b_shape, "b_shape")
    a_inner = a_shape[-1]
    b_inner = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    head = f"A {a_shape} @ B {b_shape}"
    if a_inner != b_inner:
        return (f"{head} → {_numpy_error(a_shape, b_shape, '@')}\n"
                f"How to read it: 'operand 1' is B (A is operand 0). B's 'core dimension 0' is the size "
                f"it must share with A's last axis: B brings {b_inner}, A has {a_inner}.\n"
                f"{_fix_hint(a_shape, b_shape)}")
    out = a_shape[:-1] + b_shape[1:]
    notes = [f"the shared size {a_inner} is summed over and disappears"]
    if len(a_shape) == 1:
        notes.append("1-D A acts as one row, and that row axis is dropped again")
    if len(b_shape) == 1:
        notes.append("1-D B acts as one column, and that column axis is dropped again")
    return f"{head} → result of shape {out}: " + "; ".join(notes) + "."


def _axis_hint(a_shape: Shape, b_shape: Shape) -> str:
    """Suggest a new axis of size 1 (``v[:, None]``) on a 1-D operand when that makes A + B valid."""
    for name, vector, other in (("B", b_shape, a_shape), ("A", a_shape, b_shape)):
        column = vector + (1,)
        if len(vector) == 1 and _broadcasts(column, other):
            return (f"{name}[:, None] has shape {column}, and with it the sum works: "
                    f"result {np.broadcast_shapes(column, other)}.")
    return "No extra axis of size 1 fixes this one: the sizes really differ."


def _broadcasts(a_shape: Shape, b_shape: Shape) -> bool:
    try:
        np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        return False
    return True


def sum_shape(a_shape: Shape, b_shape: Shape) -> str:
    """Describe the elementwise ``A + B`` under NumPy's broadcasting rules.

    Shapes are lined up from the right; each pair of sizes must be equal or contain a 1 (a missing
    axis counts as 1), and size-1 axes are stretched. Valid: the result's shape, axis by axis, with a
    warning when both inputs get stretched (the classic ``(n, 1) + (n,)`` bug). Invalid: NumPy's text.
    """
    _expect_shape(a_shape, "a_shape")
    _expect_shape(b_shape, "b_shape")
    head = f"A {a_shape} + B {b_shape}"
    try:
        out = np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        return (f"{head} → {_numpy_error(a_shape, b_shape, '+')}\n"
                f"How to read it: line the shapes up from the right; some pair of sizes is neither "
                f"equal nor 1.\n{_axis_hint(a_shape, b_shape)}")
    width = len(out)
    a_full, b_full = (1,) * (width - len(a_shape)) + a_shape, (1,) * (width - len(b_shape)) + b_shape
    steps = []
    for axis, (a, b) in enumerate(zip(a_full, b_full, strict=True)):
        how = "equal" if a == b else f"the 1 is stretched to {max(a, b)}"
        steps.append(f"axis {axis}: {a} vs {b} ({how})")
    text = (f"{head} → result of shape {out}. Lined up from the right (a missing axis counts as 1): "
            + "; ".join(steps) + ".")
    size = int(np.prod(out))
    if size > int(np.prod(a_shape)) and size > int(np.prod(b_shape)):
        text += (f"\nCareful: both inputs were stretched, so the result holds {size} numbers, more than "
                 f"either input. NumPy raises no error, but this is rarely what you meant.")
    return text


def shape_report(op: str, a_rows: int, a_cols: int | None, b_rows: int, b_cols: int | None) -> str:
    """What the widget prints: ``product_shape`` for op '@', ``sum_shape`` for op '+'.

    ``a_cols`` / ``b_cols`` None make A / B a 1-D vector of length ``a_rows`` / ``b_rows``.
    """
    if op not in OPERATIONS:
        raise ValueError(f"op must be one of {OPERATIONS}, got {op!r}.")
    describe = product_shape if op == "@" else sum_shape
    return describe(make_shape(a_rows, a_cols), make_shape(b_rows, b_cols))
