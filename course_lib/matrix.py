"""A matrix in pure Python: a flat row-major list of floats, no NumPy in the arithmetic.

Derived in notebook 01 (matrices). Element (i, j) of an (rows, cols) matrix lives at
`data[i * cols + j]`. The product C = A @ B of A (n, m) and B (m, p) is
C[i, j] = sum_k A[i, k] * B[k, j]; it is slow on purpose, so notebook 01 can time it against NumPy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Matrix:
    """A (rows, cols) matrix stored as `data: list[float]` in row-major order."""

    def __init__(self, rows: int, cols: int, data: Sequence[float]) -> None:
        if len(data) != rows * cols:
            raise ValueError(f"Matrix({rows}×{cols}) needs {rows * cols} values in data, got {len(data)}.")
        self.rows, self.cols = rows, cols
        self.data = [float(v) for v in data]

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[float]]) -> Matrix:
        """Build from nested lists, e.g. `Matrix.from_rows([[1, 2], [3, 4]])`."""
        widths = {len(r) for r in rows}
        if len(widths) > 1:
            raise ValueError(f"Matrix.from_rows needs rows of equal length, got lengths {sorted(widths)}.")
        return cls(len(rows), widths.pop() if widths else 0, [v for r in rows for v in r])

    @classmethod
    def from_numpy(cls, a: np.ndarray) -> Matrix:
        """Copy a 2-D array a: (rows, cols) into a Matrix."""
        if a.ndim != 2:
            raise ValueError(f"Matrix.from_numpy needs a 2-D array, got shape {a.shape}.")
        return cls(a.shape[0], a.shape[1], a.ravel().tolist())

    def to_numpy(self) -> np.ndarray:
        """Return a float64 array of shape (rows, cols)."""
        return np.array(self.data, dtype=np.float64).reshape(self.rows, self.cols)

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows, self.cols

    def __getitem__(self, index: tuple[int, int]) -> float:
        i, j = index
        if not (0 <= i < self.rows and 0 <= j < self.cols):
            raise IndexError(f"Index ({i}, {j}) is outside a {self.rows}×{self.cols} matrix.")
        return self.data[i * self.cols + j]

    def transpose(self) -> Matrix:
        """Return the (cols, rows) matrix with T[j, i] = self[i, j]."""
        d, c = self.data, self.cols
        return Matrix(self.cols, self.rows, [d[i * c + j] for j in range(c) for i in range(self.rows)])

    def dot(self, other: Matrix) -> Matrix:
        """Matrix product: (n, m) · (m, p) -> (n, p), C[i, j] = sum_k A[i, k] B[k, j]."""
        if self.cols != other.rows:
            raise ValueError(
                f"Matrix product {self.rows}×{self.cols} @ {other.rows}×{other.cols}: inner dimensions "
                f"{self.cols} and {other.rows} must match."
            )
        m = self.cols
        columns = other.transpose().data
        a_rows = [self.data[i * m : (i + 1) * m] for i in range(self.rows)]
        b_cols = [columns[j * m : (j + 1) * m] for j in range(other.cols)]
        products = [sum(x * y for x, y in zip(r, c, strict=True)) for r in a_rows for c in b_cols]
        return Matrix(self.rows, other.cols, products)

    __matmul__ = dot

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Matrix):
            return NotImplemented
        return self.shape == other.shape and self.data == other.data

    def __repr__(self) -> str:
        rows = [self.data[i * self.cols : (i + 1) * self.cols] for i in range(self.rows)]
        return f"Matrix.from_rows({rows})"
