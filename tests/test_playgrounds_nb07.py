"""The logic behind notebook 07's rung explorer: which validation digits a network gets wrong."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb07

LABELS = np.array([0, 1, 2, 3, 4, 5, 6, 7])
PREDICTED = np.array([0, 7, 2, 5, 9, 5, 6, 1])  # wrong at 1, 3, 4, 7


def test_mistakes_are_the_wrong_ones_in_data_order():
    assert nb07.mistakes(PREDICTED, LABELS, 10).tolist() == [1, 3, 4, 7]
    assert nb07.mistakes(PREDICTED, LABELS, 2).tolist() == [1, 3]
    assert nb07.mistakes(LABELS, LABELS, 5).size == 0


def test_confusions_count_pairs_most_frequent_first():
    labels = np.array([4, 4, 4, 7, 7, 3, 1])
    predicted = np.array([9, 9, 9, 1, 1, 5, 1])
    assert nb07.confusions(predicted, labels) == [(4, 9, 3), (7, 1, 2), (3, 5, 1)]
    assert nb07.confusions(predicted, labels, top=1) == [(4, 9, 3)]
    assert nb07.confusions(labels, labels) == []


def test_mismatched_shapes_are_named():
    with pytest.raises(ValueError, match=r"\(8, 10\).*argmax"):
        nb07.mistakes(np.zeros((8, 10)), LABELS, 3)


def test_draw_mistakes_titles_true_and_predicted_and_blanks_the_rest():
    images = np.random.default_rng(0).random((8, 784), dtype=np.float32)
    fig, axes = plt.subplots(2, 3)
    shown = nb07.draw_mistakes(axes, images, LABELS, PREDICTED)
    assert shown == 4
    assert [ax.get_title() for ax in axes.ravel()[:4]] == ["1 → 7", "3 → 5", "4 → 9", "7 → 1"]
    assert not axes.ravel()[5].axison
    plt.close(fig)
