"""Tests for course_lib.course.playgrounds.nb04: XOR training snapshots and the decision-boundary figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb04
from course_lib.network import Network
from course_lib.toy_data import xor


@pytest.fixture(scope="module")
def run():
    return nb04.train_snapshots([0, 500, 2000, 10_000], seed=0)


def test_snapshots_hold_the_parameters_at_the_requested_epochs(run):
    assert run.epochs.tolist() == [0, 500, 2000, 10_000]
    assert run.losses.shape == (10_000,)
    assert [p.shape for p in run.params[0]] == [(2, 3), (3,), (3, 1), (1,)]
    start = Network([2, 3, 1], seed=0)
    for mine, fresh in zip(run.params[0], (p.value for p in start.parameters()), strict=True):
        assert np.array_equal(mine, fresh)


def gradient_descent_by_hand(params: list[np.ndarray], epochs: int, lr: float = 0.5) -> list[np.ndarray]:
    """Full-batch descent on the MSE of a sigmoid [2, 3, 1] network on XOR, written out in float64."""
    x, y = (a.astype(np.float64) for a in xor())
    W1, b1, W2, b2 = (p.astype(np.float64) for p in params)
    for _ in range(epochs):
        h = 1 / (1 + np.exp(-(x @ W1 + b1)))
        out = 1 / (1 + np.exp(-(h @ W2 + b2)))
        d_out = 2 * (out - y) / len(x) * out * (1 - out)
        d_h = d_out @ W2.T * h * (1 - h)
        W2, b2 = W2 - lr * h.T @ d_out, b2 - lr * d_out.sum(0)
        W1, b1 = W1 - lr * x.T @ d_h, b1 - lr * d_h.sum(0)
    return [W1, b1, W2, b2]


def test_snapshot_at_500_epochs_is_what_gradient_descent_by_hand_reaches(run):
    expected = gradient_descent_by_hand(run.params[0], 500)
    for got, want in zip(run.params[1], expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_the_seed_0_run_learns_xor_and_the_loss_falls(run):
    x, y = xor()
    assert np.array_equal(np.round(nb04.predict(run.params[-1], x)), y)
    assert run.losses[-1] < 0.01 < run.losses[0]


def test_snapshot_epochs_are_sorted_and_deduplicated():
    run = nb04.train_snapshots([3, 0, 3, 1])
    assert run.epochs.tolist() == [0, 1, 3]
    assert len(run.params) == 3 and run.losses.shape == (3,)


@pytest.mark.parametrize("bad", [[], [-1, 5]])
def test_train_snapshots_rejects_bad_epoch_lists(bad):
    with pytest.raises(ValueError, match="non-negative"):
        nb04.train_snapshots(bad)


def test_index_of_picks_the_nearest_snapshot(run):
    assert run.index_of(0) == 0
    assert run.index_of(1900) == 2
    assert run.index_of(99_999) == 3


def test_predict_accepts_deeper_networks():
    rng = np.random.default_rng(0)
    params = [rng.standard_normal(s) for s in [(2, 4), (4,), (4, 3), (3,), (3, 1), (1,)]]
    out = nb04.predict(params, rng.standard_normal((7, 2)))
    assert out.shape == (7, 1) and np.all((out > 0) & (out < 1))


def test_boundary_grid_shapes(run):
    gx, gy, out = nb04.boundary_grid(run.params[-1], resolution=21)
    assert gx.shape == gy.shape == out.shape == (21, 21)
    assert gx.min() == pytest.approx(-0.5) and gy.max() == pytest.approx(1.5)


def test_draw_boundary_draws_points_labels_and_the_half_contour(run):
    fig, ax = plt.subplots()
    nb04.draw_boundary(ax, run.params[-1], title="trained")
    assert ax.get_title() == "trained"
    assert len(ax.texts) == 4
    assert len(ax.collections) >= 3
    plt.close(fig)


def test_show_snapshot_makes_a_two_panel_figure(run):
    fig = nb04.show_snapshot(run, 1900)
    assert len(fig.axes) >= 2
    assert "2,000" in fig.axes[0].get_title()
    plt.close(fig)


def test_slider_run_covers_the_slider_epochs_and_is_remembered():
    run = nb04.slider_run(1, hidden=2)
    assert run.epochs.tolist() == sorted(nb04.SLIDER_EPOCHS)
    assert run.epochs[-1] == 10_000 and [p.shape for p in run.params[0]][0] == (2, 2)
    assert nb04.slider_run(1, hidden=2) is run


def test_slider_run_takes_the_learning_rate_and_a_larger_rate_shortens_the_plateau():
    slow, fast = nb04.slider_run(0, 3, 0.5), nb04.slider_run(0, 3, 2.0)
    assert nb04.slider_run(0, 3, 2.0) is fast and 0.5 in nb04.LEARNING_RATES and 2.0 in nb04.LEARNING_RATES
    assert int(np.argmax(fast.losses < 0.05)) < int(np.argmax(slow.losses < 0.05)) / 2
