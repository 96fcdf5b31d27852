"""The logic behind notebook 07's drawing pad: pens, MNIST-like preprocessing, probabilities, drawing."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb07
from course_lib.layers import Dense, Sequential


def blank() -> np.ndarray:
    return np.zeros((nb07.GRID, nb07.GRID), dtype=bool)


def test_pens_ink_their_cells_and_skip_the_border():
    grid = nb07.apply_pen(blank(), 5, 5, "thick")
    assert grid.sum() == 5 and grid[4, 5] and grid[5, 6]
    corner = nb07.apply_pen(blank(), 0, 0, "thick")
    assert corner.sum() == 3
    assert nb07.apply_pen(blank(), 13, 13, "square").sum() == 1
    erased = nb07.apply_pen(grid, 5, 5, "fine", ink=False)
    assert erased.sum() == 4 and grid.sum() == 5  # a copy: the input is untouched


def test_unknown_pen_is_named_in_the_error():
    with pytest.raises(ValueError, match="Unknown pen 'brush'.*fine"):
        nb07.apply_pen(blank(), 0, 0, "brush")


def test_resize_keeps_constants_and_has_the_requested_shape():
    out = nb07.resize(np.full((3, 5), 0.7), 20, 9)
    assert out.shape == (20, 9) and out.dtype == np.float32
    np.testing.assert_allclose(out, 0.7, rtol=1e-6)


def test_blur_spreads_a_dot_and_keeps_its_mass_away_from_the_border():
    dot = np.zeros((5, 5), np.float32)
    dot[2, 2] = 1
    out = nb07.blur(dot)
    assert np.isclose(out.sum(), 1) and out[2, 2] == 0.25 and out[1, 1] == 1 / 16


def test_blank_grid_gives_a_blank_image():
    image = nb07.grid_to_image(blank())
    assert image.shape == (28, 28) and not image.any()


def test_drawing_is_scaled_to_20_pixels_and_centred_by_mass():
    grid = blank()
    grid[1:4, 0:3] = True  # a small blob in the top-left corner
    image = nb07.grid_to_image(grid)
    assert image.shape == (28, 28) and image.dtype == np.float32 and image.max() == 1 and image.min() >= 0
    rows, cols = np.nonzero(image > 0.05)
    assert 19 <= rows.max() - rows.min() + 1 <= 23  # 20 pixels, plus the blur's soft edge
    cy, cx = nb07.center_of_mass(image)
    assert abs(cy - 13.5) <= 1 and abs(cx - 13.5) <= 1


def test_a_tall_stroke_keeps_its_aspect():
    grid = blank()
    grid[2:12, 6] = True
    rows, cols = np.nonzero(nb07.grid_to_image(grid) > 0.05)
    assert np.ptp(rows) > 3 * np.ptp(cols)


def test_image_to_grid_and_back_keeps_a_digit_recognisable():
    image = np.zeros((28, 28), np.float32)
    image[4:24, 12:16] = 1.0  # a "1"
    grid = nb07.image_to_grid(image)
    assert grid.shape == (14, 14) and grid[2:12, 6:8].all() and grid.sum() == 20
    again = nb07.grid_to_image(grid)
    assert np.corrcoef(again.ravel(), image.ravel())[0, 1] > 0.7


def test_digit_probabilities_standardize_and_sum_to_one():
    model = Sequential(Dense(784, 10, init="zeros"))
    model.layers[0].b[...] = np.arange(10, dtype=np.float32)
    probs = nb07.digit_probabilities(model, np.zeros((28, 28)), mean=0.1, std=0.3)
    assert probs.shape == (10,) and np.isclose(probs.sum(), 1) and probs.argmax() == 9
    model.layers[0].W[:, 0] = 1.0
    image = np.full(784, 0.1)  # equal to the mean: standardized to zeros, so W has no effect
    np.testing.assert_allclose(nb07.digit_probabilities(model, image, 0.1, 0.3), probs, rtol=1e-6)


def test_show_prediction_draws_image_and_ten_bars():
    fig, axes = plt.subplots(1, 2)
    probs = np.full(10, 0.05)
    probs[7] = 0.55
    assert nb07.show_prediction(axes, np.zeros((28, 28)), probs) == 7
    assert len(axes[1].patches) == 10 and "7" in axes[1].get_title() and "55%" in axes[1].get_title()
    plt.close(fig)
