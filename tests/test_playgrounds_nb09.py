"""The notebook 09 playground: the filters, the feature map of one image, the three-panel drawing."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb09 as play


def test_every_filter_is_a_float32_3x3_kernel():
    assert all(k.shape == (3, 3) and k.dtype == np.float32 for k in play.FILTERS.values())


def test_feature_map_keeps_the_size_and_is_the_padded_cross_correlation():
    image = np.random.default_rng(0).random((6, 5))
    kernel = play.FILTERS["vertical edges (Sobel)"]
    fmap = play.feature_map(image, kernel)
    padded = np.pad(image, 1)
    assert fmap.shape == (6, 5)
    assert np.isclose(fmap[2, 3], np.sum(padded[2:5, 3:6] * kernel), atol=1e-5)


def test_a_vertical_edge_filter_responds_to_a_vertical_edge_and_not_to_a_horizontal_one():
    image = np.zeros((8, 8), np.float32)
    image[:, 4:] = 1
    vertical, horizontal = (play.feature_map(image, play.FILTERS[name])
                            for name in ("vertical edges (Sobel)", "horizontal edges (Sobel)"))
    assert np.abs(vertical[2:6, 3:5]).min() == 4 and np.all(horizontal[1:7] == 0)


def test_blur_keeps_a_flat_image_flat_away_from_the_border():
    assert np.allclose(play.feature_map(np.ones((5, 5)), play.FILTERS["blur (box)"])[1:4, 1:4], 1)


@pytest.mark.parametrize(("image", "kernel"), [
    (np.zeros((1, 5, 5)), np.ones((3, 3))),
    (np.zeros((5, 5)), np.ones((2, 2))),
    (np.zeros((5, 5)), np.ones((3, 5))),
])
def test_feature_map_rejects_what_it_cannot_draw(image, kernel):
    with pytest.raises(ValueError, match="square kernel of odd size"):
        play.feature_map(image, kernel)


def test_draw_feature_map_draws_three_panels_and_reports_the_strongest_response():
    image = np.zeros((7, 7), np.float32)
    image[3, 3] = 1
    fig, axes = plt.subplots(1, 3)
    text = play.draw_feature_map(axes, image, play.FILTERS["sharpen"], "sharpen")
    assert all(len(ax.images) == 1 for ax in axes) and len(axes[1].texts) == 9
    assert text == "sharpen: feature map from -1.00 to 5.00, strongest response at row 3, column 3"
    plt.close(fig)
