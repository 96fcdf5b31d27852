import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_lib.matrix import Matrix

FAST = settings(max_examples=25, deadline=None)
values = st.floats(-100, 100, allow_nan=False, width=64)


def matrices(rows: int, cols: int) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, (rows, cols), elements=values)


@st.composite
def matmul_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n, m, p = (draw(st.integers(1, 5)) for _ in range(3))
    return draw(matrices(n, m)), draw(matrices(m, p))


@FAST
@given(matmul_pairs())
def test_matmul_and_dot_match_numpy(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    product = Matrix.from_numpy(a) @ Matrix.from_numpy(b)
    np.testing.assert_allclose(product.to_numpy(), a @ b, rtol=1e-12, atol=1e-9)
    assert Matrix.from_numpy(a).dot(Matrix.from_numpy(b)) == product


@FAST
@given(st.integers(1, 5).flatmap(lambda n: st.integers(1, 5).flatmap(lambda m: matrices(n, m))))
def test_transpose_and_roundtrip_match_numpy(a: np.ndarray) -> None:
    m = Matrix.from_numpy(a)
    np.testing.assert_array_equal(m.transpose().to_numpy(), a.T)
    assert Matrix.from_numpy(m.to_numpy()) == m
    assert m[a.shape[0] - 1, a.shape[1] - 1] == a[-1, -1]


def test_layout_is_flat_row_major() -> None:
    m = Matrix.from_rows([[1, 2, 3], [4, 5, 6]])
    assert (m.rows, m.cols, m.data) == (2, 3, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert m[1, 0] == 4.0
    assert Matrix(2, 2, [0, 0, 0, 0]) == Matrix.from_rows([[0, 0], [0, 0]])
    assert repr(m) == "Matrix.from_rows([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])"


def test_matmul_shape_error_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"2×3 @ 2×3: inner dimensions 3 and 2 must match"):
        Matrix(2, 3, [0.0] * 6) @ Matrix(2, 3, [0.0] * 6)


def test_bad_construction_and_index_are_explained() -> None:
    with pytest.raises(ValueError, match=r"needs 6 values in data, got 5"):
        Matrix(2, 3, [0.0] * 5)
    with pytest.raises(ValueError, match=r"rows of equal length"):
        Matrix.from_rows([[1, 2], [3]])
    with pytest.raises(IndexError, match=r"\(2, 0\) is outside a 2×2 matrix"):
        Matrix(2, 2, [0.0] * 4)[2, 0]
    with pytest.raises(ValueError, match=r"2-D array"):
        Matrix.from_numpy(np.zeros(3))
