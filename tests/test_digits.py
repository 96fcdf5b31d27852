"""MNIST's own preprocessing for drawings (course_lib.digits): crop, 20-pixel box, centre of mass, scale."""

import numpy as np
import pytest

from course_lib import digits
from course_lib.course.train_mnist import standardize as train_standardize

BLOB_ROWS, BLOB_COLS = slice(30, 90), slice(200, 230)  #: where blob() inks by default


def blob(shape=(280, 280), rows=BLOB_ROWS, cols=BLOB_COLS) -> np.ndarray:
    image = np.zeros(shape, np.float32)
    image[rows, cols] = 1.0
    return image


def test_ink_box_is_the_smallest_box_around_the_ink():
    image = blob()
    image[100, 10] = 0.2
    assert digits.ink_box(image) == (slice(30, 101), slice(10, 230))


def test_blank_image_gets_a_clear_message_not_a_crash():
    with pytest.raises(ValueError, match="blank.*Draw a digit"):
        digits.to_mnist(np.zeros((280, 280)))
    with pytest.raises(ValueError, match="blank"):
        digits.center_of_mass(np.zeros((5, 5)))


def test_a_flat_row_is_refused_with_the_reshape_to_use():
    with pytest.raises(ValueError, match=r"\(height, width\).*\(784,\).*reshape\(28, 28\)"):
        digits.to_mnist(np.ones(784))


def test_area_weights_average_each_output_span():
    weights = digits.area_weights(4, 2)
    np.testing.assert_allclose(weights, [[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])
    for n_in, n_out in [(280, 20), (7, 20), (3, 3), (200, 13)]:
        np.testing.assert_allclose(digits.area_weights(n_in, n_out).sum(axis=1), 1, rtol=1e-5)


def test_area_resize_keeps_the_mean_and_antialiases_edges():
    image = blob(shape=(200, 100), rows=slice(0, 200), cols=slice(0, 35))
    small = digits.area_resize(image, 20, 10)
    assert small.shape == (20, 10) and small.dtype == np.float32
    assert np.isclose(small.mean(), image.mean(), rtol=1e-5)
    np.testing.assert_allclose(small[:, 3], 0.5, rtol=1e-5)  # the edge column is half covered: grey
    np.testing.assert_allclose(digits.area_resize(np.full((3, 5), 0.7), 20, 9), 0.7, rtol=1e-5)


def test_longer_side_becomes_20_pixels_keeping_the_aspect():
    assert digits.fit_box((60, 30)) == (20, 10)
    assert digits.fit_box((5, 200)) == (1, 20)
    for rows, cols in [(slice(30, 90), slice(200, 230)), (slice(10, 20), slice(0, 280))]:
        image = digits.to_mnist(blob(rows=rows, cols=cols))
        inked_rows, inked_cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        extent = inked_rows.size, inked_cols.size
        assert max(extent) == 20 and image.shape == (28, 28) and image.dtype == np.float32
        assert 0 <= image.min() and image.max() <= 1


def test_centre_of_mass_lands_at_14_14_within_rounding():
    ell = np.zeros((280, 280), np.float32)
    ell[20:200, 20:50] = 1  # an "L": its mass is off the centre of its box
    ell[170:200, 20:150] = 1
    image = digits.to_mnist(ell)
    cy, cx = digits.center_of_mass(image)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5


def test_centre_of_mass_is_the_weighted_mean_position():
    image = np.zeros((4, 6), np.float32)
    image[1, 2], image[3, 5] = 1.0, 3.0
    assert digits.center_of_mass(image) == pytest.approx((2.5, 4.25))


def test_place_by_mass_keeps_the_digit_inside_the_image():
    top_heavy = np.zeros((20, 20), np.float32)
    top_heavy[0] = 1  # all the mass in the first row: centring it would push the digit off the bottom
    image = digits.place_by_mass(top_heavy)
    assert image.sum() == top_heavy.sum() and image[27].sum() == 0 and image[8].sum() == 20
    with pytest.raises(ValueError, match=r"\(29, 3\) does not fit in 28"):
        digits.place_by_mass(np.ones((29, 3)))


def test_standardize_is_the_training_standardization():
    rng = np.random.default_rng(0)
    train, drawn = rng.random((50, 784), dtype=np.float32), rng.random((3, 28, 28), dtype=np.float32)
    mean, std, (_, expected) = train_standardize(train, drawn.reshape(3, 784))
    got = digits.standardize(drawn, mean, std)
    assert got.shape == (3, 784) and got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)
    assert digits.standardize(drawn[0], mean, std).shape == (1, 784)
    with pytest.raises(ValueError, match=r"28 × 28 images.*\(5, 5\)"):
        digits.standardize(np.ones((5, 5)), mean, std)


def test_canvas_from_mnist_thresholds_and_scales_up():
    image = np.zeros((28, 28), np.float32)
    image[3, 4], image[5, 6] = 0.9, 0.4
    canvas = digits.canvas_from_mnist(image.ravel(), size=280)
    assert canvas.shape == (280, 280) and canvas.sum() == 100 and canvas[30:40, 40:50].all()
    with pytest.raises(ValueError, match="multiple of 28, got 300"):
        digits.canvas_from_mnist(image, size=300)


def test_round_trip_of_an_mnist_like_digit_is_close_to_it():
    digit = np.zeros((20, 12), np.float32)
    digit[:, 4:8] = 1.0  # a "1", already 20 pixels tall, placed by mass as MNIST did
    original = digits.place_by_mass(digit)
    again = digits.to_mnist(digits.canvas_from_mnist(original))
    np.testing.assert_allclose(again, original, atol=1e-5)
