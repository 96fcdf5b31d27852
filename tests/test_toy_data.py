import numpy as np
import pytest

from course_lib import toy_data


@pytest.mark.parametrize("make", [toy_data.two_spirals, toy_data.two_moons])
def test_toy_sets_are_deterministic_and_balanced(make):
    x, y = make(101, seed=3)
    x2, y2 = make(101, seed=3)
    assert x.shape == (101, 2) and x.dtype == np.float32 and y.dtype == np.uint8
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert np.bincount(y).tolist() == [51, 50]
    assert not np.array_equal(x, make(101, seed=4)[0])


def test_toy_set_size_is_validated():
    with pytest.raises(ValueError, match="n must be an integer ≥ 2"):
        toy_data.two_moons(1)


def test_xor_is_the_truth_table():
    x, y = toy_data.xor()
    assert np.array_equal(y[:, 0], np.logical_xor(x[:, 0], x[:, 1]))
