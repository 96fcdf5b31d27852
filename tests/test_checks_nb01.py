"""The notebook 01 checks accept right answers and explain the usual wrong ones."""

import numpy as np
import pytest

from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb01 as checks


def not_written(*args):
    raise NotImplementedError("Exercise: write this function.")


# ---------------------------------------------------------------- flat_index


def test_flat_index_check_accepts_the_row_major_formula(capsys):
    checks.check_flat_index(lambda row, col, n_cols: row * n_cols + col)
    assert "passes all" in capsys.readouterr().out


def test_flat_index_check_catches_swapped_rows_and_columns():
    with pytest.raises(ExerciseError, match="Rows and columns look swapped"):
        checks.check_flat_index(lambda row, col, n_cols: col * n_cols + row)


def test_flat_index_check_catches_counting_from_one():
    with pytest.raises(ExerciseError, match="Indices start at 0"):
        checks.check_flat_index(lambda row, col, n_cols: row * n_cols + col + 1)


def test_flat_index_check_catches_a_missing_row_length():
    with pytest.raises(ExerciseError, match="jumps over a whole row"):
        checks.check_flat_index(lambda row, col, n_cols: row + col)


def test_flat_index_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_flat_index(not_written)


# ---------------------------------------------------------------- matmul


def loops(a, b, swap_b=False, reset=True):
    n, m = a.shape
    p = b.shape[1]
    out = np.zeros((n, p))
    total = 0.0
    for i in range(n):
        for j in range(p):
            if reset:
                total = 0.0
            for k in range(m):
                total += a[i, k] * (b[j, k] if swap_b else b[k, j])
            out[i, j] = total
    return out


def test_matmul_check_accepts_three_loops_and_lists_of_lists(capsys):
    checks.check_matmul(loops)
    checks.check_matmul(lambda a, b: (a @ b).tolist())
    assert capsys.readouterr().out.count("passes all") == 2


def test_matmul_check_catches_the_elementwise_product():
    with pytest.raises(ExerciseError, match="elementwise product"):
        checks.check_matmul(lambda a, b: a * b)


def test_matmul_check_catches_a_transposed_result():
    with pytest.raises(ExerciseError, match="transpose of the right one"):
        checks.check_matmul(lambda a, b: (a @ b).T)


def test_matmul_check_catches_b_times_a():
    with pytest.raises(ExerciseError, match="Order matters"):
        checks.check_matmul(lambda a, b: b @ a)


def test_matmul_check_catches_b_indexed_as_b_j_k():
    with pytest.raises(ExerciseError, match=r"b\[k, j\]"):
        checks.check_matmul(lambda a, b: loops(a, b, swap_b=True))


def test_matmul_check_catches_a_sum_that_is_never_reset():
    with pytest.raises(ExerciseError, match="Start the running sum at 0"):
        checks.check_matmul(lambda a, b: loops(a, b, reset=False))


def test_matmul_check_catches_a_wrong_output_shape():
    with pytest.raises(ExerciseError, match=r"has shape \(n, p\)"):
        checks.check_matmul(lambda a, b: (a @ b)[0])


def test_matmul_check_catches_an_inner_loop_that_stops_early():
    with pytest.raises(ExerciseError, match="range of your innermost loop"):
        checks.check_matmul(lambda a, b: a[:, :-1] @ b[:-1])


def test_matmul_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_matmul(not_written)


# ---------------------------------------------------------------- flatten_batch


def test_flatten_batch_check_accepts_a_reshape(capsys):
    checks.check_flatten_batch(lambda images: images.reshape(-1, images.shape[-2] * images.shape[-1]))
    assert "passes all" in capsys.readouterr().out


def test_flatten_batch_check_catches_a_lost_batch_axis_for_one_image():
    def no_batch_axis(images):
        return images.ravel() if images.ndim == 2 else images.reshape(len(images), -1)

    with pytest.raises(ExerciseError, match="still needs a batch axis"):
        checks.check_flatten_batch(no_batch_axis)


def test_flatten_batch_check_catches_flattening_everything():
    with pytest.raises(ExerciseError, match="flattened the batch axis too"):
        checks.check_flatten_batch(lambda images: images.reshape(-1))


def test_flatten_batch_check_catches_len_of_a_single_image():
    with pytest.raises(ExerciseError, match="len\\(images\\) is h"):
        checks.check_flatten_batch(lambda images: images.reshape(len(images), -1))


def test_flatten_batch_check_catches_transposed_images():
    with pytest.raises(ExerciseError, match="row by row"):
        checks.check_flatten_batch(lambda images: np.swapaxes(images, -1, -2).reshape(-1, 784))


def test_flatten_batch_check_catches_interleaved_images():
    def interleaved(images):
        batch = images.reshape(-1, *images.shape[-2:])
        return batch.reshape(-1, len(batch)).T

    with pytest.raises(ExerciseError, match="interleaves pixels"):
        checks.check_flatten_batch(interleaved)


def test_flatten_batch_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_flatten_batch(not_written)
