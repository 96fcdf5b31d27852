"""The shape playground of notebook 01 agrees with NumPy and explains what it reports."""

import itertools

import numpy as np
import pytest

from course_lib.course.playgrounds import nb01

SHAPES = [(1,), (3,), (10,), (1, 3), (3, 1), (3, 3), (3, 10), (10, 3), (1, 10), (10, 1)]


def numpy_result(a_shape, b_shape, op):
    a, b = np.zeros(a_shape), np.zeros(b_shape)
    try:
        return (a @ b if op == "@" else a + b).shape
    except ValueError:
        return None


@pytest.mark.parametrize("op", nb01.OPERATIONS)
def test_every_shape_pair_agrees_with_numpy(op):
    describe = nb01.product_shape if op == "@" else nb01.sum_shape
    for a_shape, b_shape in itertools.product(SHAPES, repeat=2):
        text = describe(a_shape, b_shape)
        expected = numpy_result(a_shape, b_shape, op)
        if expected is None:
            assert "ValueError" in text, text
        else:
            assert "ValueError" not in text and f"result of shape {expected}" in text, text


def test_product_of_a_batch_and_weights_names_the_result_and_why():
    text = nb01.product_shape((32, 784), (784, 10))
    assert "result of shape (32, 10)" in text and "784 is summed over" in text


def test_product_mismatch_shows_numpys_message_and_the_transpose_that_fixes_it():
    text = nb01.product_shape((32, 784), (10, 784))
    assert "mismatch in its core dimension 0" in text
    assert "'operand 1' is B" in text and "B brings 10, A has 784" in text
    assert "A @ B.T would work and give (32, 10)" in text


def test_product_mismatch_can_suggest_transposing_a():
    assert "A.T @ B would work and give (3, 10)" in nb01.product_shape((32, 3), (32, 10))


def test_product_with_one_dimensional_operands_explains_the_dropped_axis():
    assert "1-D A acts as one row" in nb01.product_shape((784,), (784, 10))
    assert "1-D B acts as one column" in nb01.product_shape((32, 784), (784,))


def test_sum_explains_axis_by_axis_and_warns_about_the_silent_outer_sum():
    bias = nb01.sum_shape((32, 10), (10,))
    assert "axis 0: 32 vs 1 (the 1 is stretched to 32)" in bias and "Careful" not in bias
    outer = nb01.sum_shape((32, 1), (32,))
    assert "result of shape (32, 32)" in outer and "Careful: both inputs were stretched" in outer


def test_sum_mismatch_shows_numpys_message_and_the_axis_that_fixes_it():
    text = nb01.sum_shape((32, 10), (32,))
    assert "operands could not be broadcast together" in text
    assert "B[:, None] has shape (32, 1)" in text
    assert "sizes really differ" in nb01.sum_shape((3, 10), (32,))


def test_shape_report_builds_shapes_from_rows_and_cols():
    assert nb01.make_shape(784, None) == (784,) and nb01.make_shape(32, 784) == (32, 784)
    assert nb01.shape_report("@", 32, 784, 784, 10) == nb01.product_shape((32, 784), (784, 10))
    assert nb01.shape_report("+", 32, 10, 10, None) == nb01.sum_shape((32, 10), (10,))


@pytest.mark.parametrize("bad", [(), (2, 3, 4), (0, 3), (2.0, 3)])
def test_bad_shapes_are_rejected_with_a_clear_message(bad):
    with pytest.raises(ValueError, match="must be a 1-D shape"):
        nb01.product_shape(bad, (3, 3))


def test_unknown_operation_is_rejected():
    with pytest.raises(ValueError, match="op must be one of"):
        nb01.shape_report("*", 3, 3, 3, 3)
