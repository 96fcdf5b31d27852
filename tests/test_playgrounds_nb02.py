"""The logic behind notebook 02's neuron widget: outputs, decision line, accuracy, drawing."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb02
from course_lib.toy_data import two_moons, xor


def test_neuron_output_is_sigmoid_of_the_weighted_sum():
    points = np.array([[0, 0], [1, 2]], dtype=np.float32)
    out = nb02.neuron_output(points, 1.0, -1.0, 0.5)
    z = np.array([0.5, 1 - 2 + 0.5])
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-z)), rtol=1e-6)
    assert out.shape == (2,) and out.dtype == np.float32


def test_neuron_grid_shapes_and_layout():
    xs, ys, out = nb02.neuron_grid(2.0, 0.0, -1.0, xlim=(0, 1), ylim=(-1, 1), n=11)
    assert xs.shape == ys.shape == (11,) and out.shape == (11, 11)
    # w2 = 0: the output depends on x only, so every row (fixed y) is the same
    np.testing.assert_allclose(out, np.broadcast_to(out[0], out.shape))
    assert out[0, 0] < 0.5 < out[0, -1]


@pytest.mark.parametrize(
    ("w1", "w2", "b"), [(1.0, 2.0, -0.5), (3.0, 0.1, 1.0), (0.0, -1.0, 0.3), (-2.0, 0.0, 1.0)]
)
def test_decision_line_points_have_z_zero(w1, w2, b):
    x, y = nb02.decision_line(w1, w2, b, n=5)
    np.testing.assert_allclose(w1 * x + w2 * y + b, 0, atol=1e-9)


def test_decision_line_is_none_without_weights():
    assert nb02.decision_line(0.0, 0.0, 1.0) is None


def test_neuron_accuracy_on_xor_with_an_or_neuron_is_three_quarters():
    x, y = xor()
    assert nb02.neuron_accuracy(x, y, 1.0, 1.0, -0.5) == 0.75


def test_best_single_neuron_solves_and_but_not_xor():
    x, y = xor()
    values = np.linspace(-2, 2, 9)
    assert nb02.best_neuron_accuracy(x, y, values) == 0.75
    assert nb02.best_neuron_accuracy(x, np.array([0, 0, 0, 1]), values) == 1.0


def test_draw_neuron_returns_the_accuracy_and_draws_everything():
    x, y = two_moons(50)
    fig, ax = plt.subplots()
    accuracy = nb02.draw_neuron(ax, x, y, 0.0, -3.0, 0.5, xlim=(-1.5, 2.5), ylim=(-1, 1.5))
    assert accuracy == nb02.neuron_accuracy(x, y, 0.0, -3.0, 0.5)
    assert len(ax.lines) == 1 and len(ax.collections) >= 2 and len(ax.texts) == 2  # w: arrow and label
    assert "right" in ax.get_title()
    plt.close(fig)


def test_grid_points_layout_matches_contourf():
    xs, ys, points = nb02.grid_points((0, 1), (10, 12), n=3)
    assert points.shape == (9, 2)
    grid = points.reshape(3, 3, 2)
    np.testing.assert_array_equal(grid[1, 2], [xs[2], ys[1]])


@pytest.mark.parametrize(("w1", "w2", "b"), [(1.0, 1.0, -0.5), (0.0, -2.0, 1.0), (3.0, 4.0, 0.0)])
def test_weight_arrow_starts_on_the_line_and_points_where_z_grows(w1, w2, b):
    foot, tip = nb02.weight_arrow(w1, w2, b, length=0.5)
    assert abs(w1 * foot[0] + w2 * foot[1] + b) < 1e-12
    assert np.isclose(np.linalg.norm(tip - foot), 0.5) and w1 * tip[0] + w2 * tip[1] + b > 0


def test_weight_arrow_refuses_zero_weights():
    with pytest.raises(ValueError, match="w ≠ \\(0, 0\\)"):
        nb02.weight_arrow(0.0, 0.0, 1.0)


def test_xor_network_solves_xor_with_three_different_lines():
    x, y = xor()
    hidden, out = nb02.xor_forward(x)
    assert hidden.shape == (4, 3) and out.shape == (4,)
    np.testing.assert_allclose(out, y.ravel(), atol=1e-3)
    W1, b1, _, _ = nb02.xor_network()
    directions = W1 / np.linalg.norm(W1, axis=0)
    lines = {(tuple(np.round(directions[:, j], 6)), round(float(b1[j] / np.linalg.norm(W1[:, j])), 6))
             for j in range(3)}
    assert len(lines) == 3                                  # no unit repeats another's line


def test_sliding_a_hidden_line_past_a_point_breaks_xor():
    x, y = xor()
    assert nb02.xor_forward(x, (0.5, 1.5, 0.8))[1][2] < 0.5  # unit 3's line now cuts off (1, 0)
    assert nb02.xor_forward(x, (-0.5, 1.5, 1.2))[1][0] > 0.5  # OR's line below (0, 0): it turns on


def test_draw_hidden_layer_draws_three_lines_and_returns_the_accuracy():
    x, y = xor()
    fig, ax = plt.subplots()
    assert nb02.draw_hidden_layer(ax, x, y) == 1.0
    assert len(ax.lines) == 3 and "100% right" in ax.get_title()
    assert nb02.draw_hidden_layer(ax, x, y, (0.5, 1.5, 0.8)) == 0.75
    plt.close(fig)
