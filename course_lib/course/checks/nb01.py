"""Checks for the exercises of notebook 01 (matrices): flat_index, matmul, flatten_batch.

Each check runs the learner's function on several cases (edge cases included) and, when an answer
differs, names the case and gives a hint for the usual mistake behind it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from course_lib.course.checks._core import Case, Mistake, WrongAnswer, check, close, integers, normal, uniform

# ---------------------------------------------------------------- flat_index(row, col, n_cols)


def _flat_index_reference(row: int, col: int, n_cols: int) -> int:
    return int(np.ravel_multi_index((row, col), (row + 1, n_cols)))


FLAT_INDEX_CASES = (
    Case("first element of a 2×5 matrix", (0, 0, 5)),
    Case("row 2, column 1 of a 4-column matrix", (2, 1, 4)),
    Case("start of row 2 in a 4-column matrix", (2, 0, 4)),
    Case("row 1, column 2 of a 3×3 matrix", (1, 2, 3)),
    Case("last column of row 0, 4 columns", (0, 3, 4)),
    Case("a single-column matrix", (7, 0, 1)),
    Case("a single-row matrix (batch of one)", (0, 9, 10)),
    Case("the last pixel of the last MNIST image", (59999, 783, 784)),
)

FLAT_INDEX_MISTAKES = (
    Mistake.returns("Each row holds exactly n_cols values, not n_cols + 1 or n_cols - 1: the next row starts "
                    "right after the last column, with no gap and no overlap.",
                    lambda row, col, n_cols: row * (n_cols + 1) + col,
                    lambda row, col, n_cols: row * (n_cols - 1) + col),
    Mistake.returns("Indices start at 0 in Python: element (0, 0) sits at position 0, not 1.",
                    lambda row, col, n_cols: row * n_cols + col + 1),
    Mistake.returns("Rows and columns look swapped. The rows are laid end to end, so to reach row `row` you "
                    "skip `row` complete rows, each `n_cols` values long, then move `col` steps along that "
                    "row.",
                    lambda row, col, n_cols: col * n_cols + row),
    Mistake.returns("Moving down one row jumps over a whole row of values, not just one: how long is a row?",
                    lambda row, col, n_cols: row + col),
    Mistake.returns("Moving right along a row goes forward in the buffer: add col, do not subtract it.",
                    lambda row, col, n_cols: row * n_cols - col),
    Mistake.returns("Rows are numbered from 0 too: row 0 starts at position 0, so skip `row` whole rows, "
                    "not `row - 1`.", lambda row, col, n_cols: (row - 1) * n_cols + col),
)


def _integer_position(flat_index: Callable[[int, int, int], int]) -> Callable[[int, int, int], int]:
    """The learner's function, refusing a position that is not an integer (a list index must be one)."""
    @functools.wraps(flat_index)
    def integer(row: int, col: int, n_cols: int) -> int:
        position = flat_index(row, col, n_cols)
        if isinstance(position, (float, np.floating)):
            raise WrongAnswer(f"your position {position!r} is a float, and a list index must be an int: "
                            f"`/` always gives a float; +, * (and // if you need it) keep ints.")
        return position
    return integer


def check_flat_index(flat_index: Callable[[int, int, int], int]) -> None:
    """Check ``flat_index(row, col, n_cols)``: where element (row, col) lives in a row-major buffer."""
    check("flat_index", _integer_position(flat_index), _flat_index_reference, FLAT_INDEX_CASES,
          FLAT_INDEX_MISTAKES)


# ---------------------------------------------------------------- matmul(a, b) on flat buffers


@dataclass(frozen=True)
class Grid:
    """A matrix as the notebook's TinyMatrix stores it: rows, cols and one flat row-major list ``data``.

    Deliberately without arithmetic: ``a @ b`` on Grids fails, so a check cannot be passed by NumPy.
    """

    rows: int
    cols: int
    data: list

    @classmethod
    def of(cls, array: np.ndarray) -> Grid:
        return cls(array.shape[0], array.shape[1], np.asarray(array, dtype=np.float64).ravel().tolist())

    def array(self) -> np.ndarray:
        return np.array(self.data, dtype=np.float64).reshape(self.rows, self.cols)

    def __repr__(self) -> str:
        return f"a {self.rows}×{self.cols} matrix"


def _matmul_reference(a: Grid, b: Grid) -> list[float]:
    return (a.array() @ b.array()).ravel().tolist()


def _flat(function: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[[Grid, Grid], list[float]]:
    """A wrong answer written on arrays, returning the flat list a learner's matmul returns."""
    return lambda a, b: np.ravel(function(a.array(), b.array())).tolist()


def _b_read_across(a: Grid, b: Grid) -> list[float]:
    """Loops reading b's factor at flat_index(j, k, b.cols), b[j, k], not b[k, j] (may raise IndexError)."""
    return [sum(a.data[i * a.cols + k] * b.data[j * b.cols + k] for k in range(a.cols))
            for i in range(a.rows) for j in range(b.cols)]


def _stale(got: object, expected: object, case: Case) -> bool:
    """The answer is longer than the product and ends with it: a list kept from earlier calls."""
    return np.size(got) > np.size(expected) and close(list(got)[-len(expected):], expected, case)


def _wrong_row_length(a: Grid, b: Grid) -> list[float]:
    """Loops that read a's entries with b's row length (b.cols) in flat_index (IndexError: no match)."""
    return [sum(a.data[i * b.cols + k] * b.data[k * b.cols + j] for k in range(a.cols))
            for i in range(a.rows) for j in range(b.cols)]


_RNG = np.random.default_rng(1)
MATMUL_CASES = [Case(label, (Grid.of(a), Grid.of(b))) for label, a, b in [
    ("2×2 @ 2×2 small integers", np.array([[1.0, 2], [3, 4]]), np.array([[5.0, 6], [7, 8]])),
    ("2×3 @ 3×2", np.array([[1.0, 2, 3], [4, 5, 6]]), np.array([[7.0, 8], [9, 10], [11, 12]])),
    ("1×1 @ 1×1", np.array([[3.0]]), np.array([[-2.0]])),
    ("batch of one: 1×4 @ 4×3", normal(_RNG, (1, 4)), normal(_RNG, (4, 3))),
    ("column @ row: 3×1 @ 1×4", normal(_RNG, (3, 1)), normal(_RNG, (1, 4))),
    ("zeros: 3×4 @ 4×2", np.zeros((3, 4)), normal(_RNG, (4, 2))),
    ("tall and wide: 5×2 @ 2×7", normal(_RNG, (5, 2)), normal(_RNG, (2, 7))),
    ("large values: 2×3 @ 3×3", normal(_RNG, (2, 3), scale=1e6), normal(_RNG, (3, 3), scale=1e6)),
]]

MATMUL_MISTAKES = (
    Mistake("Return the flat row-major buffer of the product: ONE list of n·p numbers, entry (i, j) at "
            "flat_index(i, j, p), the way TinyMatrix stores its data, not a list of rows.",
            lambda got, exp, case: np.ndim(got) == 2),
    Mistake.returns("That is the elementwise product `a * b`. In a matrix product, entry (i, j) multiplies "
                    "row i of a with column j of b, pair by pair, and adds the products up.",
                    _flat(lambda a, b: a * b)),
    Mistake.returns("Your result is the transpose of the right one: entry (i, j) of the product goes to "
                    "flat_index(i, j, p), with p = b.cols the product's row length.",
                    _flat(lambda a, b: (a @ b).T)),
    Mistake.returns("Order matters: you computed b @ a. Rows come from a, columns from b.",
                    _flat(lambda a, b: b @ a)),
    Mistake.returns("Walk down column j of b: the factor from b is b[k, j], at flat_index(k, j, b.cols), "
                    "not b[j, k].", _b_read_across),
    Mistake.returns("Read a's entries with a's own row length: a[i, k] sits at flat_index(i, k, a.cols), "
                    "b[k, j] at flat_index(k, j, b.cols).", _wrong_row_length),
    Mistake.returns("Start the running sum at 0 for every entry (i, j). A sum that is not reset keeps adding "
                    "the previous entries.",
                    _flat(lambda a, b: np.cumsum(a @ b, axis=1)), _flat(lambda a, b: np.cumsum(a @ b))),
    Mistake("Your list ends with the right product but holds the entries of earlier calls before it: the "
            "result list must be created inside the function, fresh for every call.", _stale),
    Mistake("The product of an (n, m) and an (m, p) matrix has n·p entries: n rows from a, p columns from b.",
            lambda got, exp, case: np.size(got) != np.size(exp)),
    Mistake.returns("Add a product for every k from 0 to m - 1, where m is the number of columns of a "
                    "(= rows of b): range(m) already stops before m. Check the range of your innermost loop.",
                    _flat(lambda a, b: a[:, :-1] @ b[:-1])),
)


def _no_shortcuts(matmul: Callable) -> Callable:
    """The learner's matmul; trying `a @ b` on the plain buffers gets a hint, not a bare TypeError."""
    @functools.wraps(matmul)
    def loops_only(a: Grid, b: Grid) -> object:
        try:
            return matmul(a, b)
        except TypeError as err:
            if "@" not in str(err) and "unsupported operand" not in str(err):
                raise
            raise TypeError(f"{err}. Hint: a and b are plain buffers (rows, cols, data), with no @ or "
                            f"NumPy behind them: write the three loops, reading entries with flat_index.") \
                from None
    return loops_only


def check_matmul(matmul: Callable) -> None:
    """Check ``matmul(a, b)`` on buffers a (n×m), b (m×p) -> the flat row-major list of the (n×p) product."""
    check("matmul", _no_shortcuts(matmul), _matmul_reference, MATMUL_CASES, MATMUL_MISTAKES)


# ---------------------------------------------------------------- flatten_batch(images)


def _flatten_batch_reference(images: np.ndarray) -> np.ndarray:
    batch = images[np.newaxis] if images.ndim == 2 else images
    return np.stack([image.ravel() for image in batch])


_RNG = np.random.default_rng(2)
FLATTEN_BATCH_CASES = [
    Case("three 28×28 images", (integers(_RNG, (3, 28, 28), 256, np.uint8),)),
    Case("one image without a batch axis", (integers(_RNG, (28, 28), 256, np.uint8),)),
    Case("a batch of one", (integers(_RNG, (1, 28, 28), 256, np.uint8),)),
    Case("zeros", (np.zeros((2, 28, 28), dtype=np.uint8),)),
    Case("float pixels in [0, 1], 5 images", (uniform(_RNG, (5, 28, 28), dtype=np.float32),)),
    Case("small non-square images, 4 of 2×3", (np.arange(24, dtype=np.float32).reshape(4, 2, 3),)),
]


def _as_batch(images: np.ndarray) -> np.ndarray:
    return np.reshape(images, (-1, *images.shape[-2:]))


FLATTEN_BATCH_MISTAKES = (
    Mistake("One image still needs a batch axis: the result for a single (h, w) image has shape (1, h*w). "
            "Your answer is a 1-D vector.",
            lambda got, exp, case: np.shape(got) == (exp.size,) and case.args[0].ndim == 2),
    Mistake("You flattened the batch axis too: keep one row per image, shape (n, h*w).",
            lambda got, exp, case: np.ndim(got) == 1),
    Mistake("For one (h, w) image, len(images) is h, the number of pixel rows, not a number of images.",
            lambda got, exp, case: case.args[0].ndim == 2 and np.shape(got)[0] == case.args[0].shape[0]),
    Mistake.returns("The pixels of each image must be read row by row (row-major), like the flat buffer of a "
                    "Matrix. Did you transpose each image first?",
                    lambda images: np.swapaxes(_as_batch(images), 1, 2).reshape(len(_as_batch(images)), -1)),
    Mistake.returns("Each row must hold the pixels of ONE image. reshape(h*w, n).T interleaves pixels from "
                    "different images; reshape to (n, h*w) directly.",
                    lambda images: _as_batch(images).reshape(-1, len(_as_batch(images))).T),
    Mistake("Expected shape (n, h*w): one row per image, h*w pixel values in each row.",
            lambda got, exp, case: np.shape(got) != exp.shape),
)


def _same_dtype(flatten_batch: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """The learner's function, refusing a result of another dtype than the images'."""
    @functools.wraps(flatten_batch)
    def keeps_dtype(images: np.ndarray) -> np.ndarray:
        flat = flatten_batch(images)
        dtype = getattr(flat, "dtype", None)
        if dtype is not None and dtype != images.dtype:
            raise WrongAnswer(f"the images are {images.dtype} but your result is {dtype}. Keep the dtype: a "
                            f"reshape never converts (uint8 pixels take 1 byte each, float64 8).")
        return flat
    return keeps_dtype


def check_flatten_batch(flatten_batch: Callable[[np.ndarray], np.ndarray]) -> None:
    """Check ``flatten_batch(images)``: (n, h, w) or (h, w) images -> (n, h*w) rows of pixels, same dtype."""
    check("flatten_batch", _same_dtype(flatten_batch), _flatten_batch_reference, FLATTEN_BATCH_CASES,
          FLATTEN_BATCH_MISTAKES)
