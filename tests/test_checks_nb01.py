"""The notebook 01 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import numpy as np
import pytest

from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb01 as checks
from course_lib.matrix import Matrix


def loops(a, b, swap_b=False, reset=True, rows_of=None, start=0):
    """The product of two buffers (rows, cols, data) by three loops; the switches make the usual mistakes."""
    out, total = [], 0.0
    for i in range(a.rows):
        for j in range(b.cols):
            if reset:
                total = 0.0
            for k in range(start, a.cols):
                b_kj = b.data[j * b.cols + k] if swap_b else b.data[k * b.cols + j]
                total += a.data[i * (rows_of or a).cols + k] * b_kj
            out.append(total)
    return out


def flatten(images):
    return images.reshape(-1, images.shape[-2] * images.shape[-1])


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_flat_index, lambda row, col, n_cols: row * n_cols + col),
    (checks.check_matmul, loops),
    (checks.check_matmul, lambda a, b: [sum(a.data[i * a.cols + k] * b.data[k * b.cols + j]
                                            for k in range(a.cols))
                                        for i in range(a.rows) for j in range(b.cols)]),
    (checks.check_flatten_batch, lambda images: np.reshape(images, (-1, np.prod(images.shape[-2:])))),
    (checks.check_flatten_batch, flatten),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda row, col, n_cols: col * n_cols + row, "Rows and columns look swapped"),
    (lambda row, col, n_cols: row * n_cols + col + 1, "Indices start at 0"),
    (lambda row, col, n_cols: row + col, "jumps over a whole row"),
    (lambda row, col, n_cols: row * (n_cols + 1) + col, "not n_cols \\+ 1"),
    (lambda row, col, n_cols: row * n_cols - col, "add col, do not subtract"),
    (lambda row, col, n_cols: (row - 1) * n_cols + col, "not `row - 1`"),
    (lambda row, col, n_cols: float(row * n_cols + col), "is a float"),
    (lambda row, col, n_cols: row * n_cols / 1 + col, "is a float"),
])
def test_flat_index_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_flat_index(wrong)


def as_arrays(function):
    """A wrong answer written with NumPy on the buffers' arrays, returned as the flat list."""
    return lambda a, b: np.ravel(function(np.reshape(a.data, (a.rows, a.cols)),
                                          np.reshape(b.data, (b.rows, b.cols)))).tolist()


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda a, b: a @ b, "no @ or NumPy behind them"),
    (as_arrays(lambda a, b: a * b), "elementwise product"),
    (as_arrays(lambda a, b: (a @ b).T), "transpose of the right one"),
    (as_arrays(lambda a, b: b @ a), "Order matters"),
    (lambda a, b: loops(a, b, swap_b=True), r"not b\[j, k\]"),
    (lambda a, b: loops(a, b, rows_of=b), "with a's own row length"),
    (lambda a, b: loops(a, b, reset=False), "Start the running sum at 0"),
    (lambda a, b: loops(a, b)[:-1], "has n·p entries"),
    (lambda a, b: np.reshape(loops(a, b), (a.rows, b.cols)).tolist(), "not a list of rows"),
    (as_arrays(lambda a, b: a[:, :-1] @ b[:-1]), "range of your innermost loop"),
])
def test_matmul_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_matmul(wrong)


def interleaved(images):
    batch = images.reshape(-1, *images.shape[-2:])
    return batch.reshape(-1, len(batch)).T


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda im: im.ravel() if im.ndim == 2 else im.reshape(len(im), -1), "still needs a batch axis"),
    (lambda images: images.reshape(-1), "flattened the batch axis too"),
    (lambda images: images.reshape(len(images), -1), r"len\(images\) is h"),
    (lambda images: flatten(np.swapaxes(images, -1, -2)), "row by row"),
    (interleaved, "interleaves pixels"),
    (lambda images: flatten(images)[:, :-1], r"Expected shape \(n, h\*w\)"),
    (lambda images: flatten(images).astype(np.float64), "Keep the dtype"),
    (lambda images: flatten(images) / 255, "Keep the dtype"),
])
def test_flatten_batch_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_flatten_batch(wrong)


RESULTS = []


def module_level_result(a, b):
    """A matmul whose result list outlives the call."""
    for i in range(a.rows):
        for j in range(b.cols):
            RESULTS.append(sum(a.data[i * a.cols + k] * b.data[k * b.cols + j] for k in range(a.cols)))
    return RESULTS


def overwrites_a(a, b):
    out = loops(a, b)
    a.data[0] = 0.0
    return out


def shape_in_place(images):
    images.shape = (-1, images.shape[-2] * images.shape[-1])
    return images


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_flat_index, lambda row, col, n_cols: row * (n_cols - 1) + col, "or n_cols - 1"),
    (checks.check_flat_index, lambda row, col, n_cols: (row + 1) * n_cols + col, None),
    (checks.check_flat_index, lambda row, col, n_cols: row * n_cols + col - 1, None),
    (checks.check_flat_index, lambda row, col, n_cols: row * col + n_cols, None),
    (checks.check_matmul, module_level_result, "created inside the function"),
    (checks.check_matmul, overwrites_a, "changed `a` in place"),
    (checks.check_matmul, lambda a, b: loops(a, b, start=1), None),
    (checks.check_matmul, lambda a, b: [round(v) for v in loops(a, b)], None),
    (checks.check_flatten_batch, shape_in_place, "changed `images` in place"),
    (checks.check_flatten_batch, lambda images: images.reshape(images.shape[0], -1), r"len\(images\) is h"),
    (checks.check_flatten_batch, lambda images: images.reshape(-1, 784), None),
    (checks.check_flatten_batch, lambda images: flatten(images).tolist(), "expected a NumPy array, got list"),
    (checks.check_flatten_batch, lambda images: np.squeeze(flatten(images)), "still needs a batch axis"),
])
def test_new_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    RESULTS.clear()
    rejected(notebook_check, wrong, hint)


@pytest.mark.parametrize("case", checks.FLAT_INDEX_CASES[:-1], ids=lambda case: case.label)
def test_flat_index_reference_is_where_a_course_lib_matrix_keeps_the_element(case):
    row, col, n_cols = case.args
    n_rows = row + 1
    matrix = Matrix(n_rows, n_cols, list(range(n_rows * n_cols)))
    assert checks._flat_index_reference(*case.args) == matrix[row, col]


@pytest.mark.parametrize("case", checks.MATMUL_CASES, ids=lambda case: case.label)
def test_matmul_reference_agrees_with_the_course_lib_matrix_product(case):
    a, b = (Matrix(g.rows, g.cols, g.data) for g in case.args)
    assert np.allclose(checks._matmul_reference(*case.args), a.dot(b).data, rtol=1e-12, atol=0)


def test_flatten_batch_reference_keeps_the_pixels_of_each_image_in_one_row():
    images = np.arange(24).reshape(4, 2, 3)
    rows = checks._flatten_batch_reference(images)
    assert rows.shape == (4, 6) and rows[1].tolist() == list(range(6, 12))
    assert checks._flatten_batch_reference(images[0]).tolist() == [list(range(6))]
