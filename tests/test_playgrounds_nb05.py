"""The logic behind notebook 05's deep-network histograms: builder, recorder, gradient norms, drawing."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb05
from course_lib.layers import Dense, Tanh


def _inputs(batch=200, n_in=64, seed=0):
    return np.random.default_rng(seed).standard_normal((batch, n_in), dtype=np.float32)


def test_scaled_normal_has_std_gain_over_root_fan_in_and_the_asked_dtype():
    W = nb05.scaled_normal(1.5)(400, 300, np.random.default_rng(0), np.float32)
    assert W.shape == (400, 300) and W.dtype == np.float32
    assert abs(W.std() - 1.5 / math.sqrt(400)) < 0.01 * 1.5 / math.sqrt(400)


def test_scaled_normal_rejects_a_non_positive_gain():
    with pytest.raises(ValueError, match="gain must be positive"):
        nb05.scaled_normal(0.0)


def test_deep_mlp_layout_and_reproducibility():
    model = nb05.deep_mlp("he", "tanh", depth=3, width=16, n_in=8, n_out=4, seed=1)
    kinds = [type(layer) for layer in model.layers]
    assert kinds == [Dense, Tanh, Dense, Tanh, Dense, Tanh, Dense]
    assert [(d.n_in, d.n_out) for d in model.layers[::2]] == [(8, 16), (16, 16), (16, 16), (16, 4)]
    again = nb05.deep_mlp("he", "tanh", depth=3, width=16, n_in=8, n_out=4, seed=1)
    assert all(np.array_equal(a.W, b.W) for a, b in zip(model.layers[::2], again.layers[::2], strict=True))


def test_deep_mlp_rejects_zero_depth():
    with pytest.raises(ValueError, match="depth"):
        nb05.deep_mlp("he", depth=0)


def test_record_forward_keeps_one_pre_and_post_activation_per_hidden_layer():
    model = nb05.deep_mlp("xavier", "relu", depth=4, width=32, n_in=64, seed=0)
    x = _inputs()
    pre, post = nb05.record_forward(model, x)
    assert len(pre) == len(post) == 4
    assert all(z.shape == a.shape == (200, 32) for z, a in zip(pre, post, strict=True))
    np.testing.assert_array_equal(post[2], np.maximum(pre[2], 0))
    np.testing.assert_allclose(pre[0], x @ model.layers[0].W, rtol=1e-5, atol=1e-6)


def test_he_keeps_relu_preactivation_std_steady_while_a_small_gain_shrinks_it():
    x = _inputs(500, 256)
    he_pre, _ = nb05.record_forward(nb05.deep_mlp("he", "relu", depth=6, width=256, n_in=256), x)
    stds = np.array([z.std() for z in he_pre])
    assert stds.max() / stds.min() < 1.3
    small_pre, _ = nb05.record_forward(nb05.deep_mlp(nb05.scaled_normal(0.5), "relu", depth=6, width=256,
                                                     n_in=256), x)
    assert small_pre[-1].std() < 0.01 * small_pre[0].std()


def test_weight_grad_norms_has_one_norm_per_dense_layer():
    model = nb05.deep_mlp("he", "relu", depth=3, width=16, n_in=64, seed=0)
    norms = nb05.weight_grad_norms(model, _inputs(), np.arange(200) % 10)
    assert norms.shape == (4,) and norms.dtype == np.float64 and np.all(norms > 0)
    assert norms[-1] == pytest.approx(np.linalg.norm(model.layers[-1].grads["W"]))


def test_draw_histograms_titles_every_layer_with_its_std():
    fig, axes = plt.subplots(1, 3)
    acts = [np.full((4, 5), 0.5), np.zeros((4, 5)), np.linspace(-2, 2, 20).reshape(4, 5)]
    nb05.draw_histograms(axes, acts, "relu")
    assert [ax.get_title().splitlines()[0] for ax in axes] == ["layer 1", "layer 2", "layer 3"]
    assert "std 0" in axes[1].get_title() and "100% = 0" in axes[1].texts[0].get_text()
    plt.close(fig)


def test_show_deep_histograms_draws_one_panel_per_layer():
    fig = nb05.show_deep_histograms(1.0, "tanh", _inputs(), depth=4, width=32)
    assert len(fig.axes) == 4
    assert "std 0.177" in fig._suptitle.get_text()
    plt.close(fig)


def test_deep_mlp_with_batchnorm_has_one_batchnorm_per_hidden_layer():
    model = nb05.deep_mlp("he", "relu", depth=3, width=16, n_in=8, batchnorm=True)
    assert [type(layer).__name__ for layer in model.layers].count("BatchNorm") == 3


def test_scale_histograms_count_every_nonzero_activation_at_the_asked_steps():
    from course_lib.train import fit

    x = _inputs(96, 8)
    labels = np.arange(96) % 3
    record = nb05.ScaleHistograms(steps=[0, 2])
    model = nb05.deep_mlp("he", "relu", depth=2, width=16, n_in=8, n_out=3)
    fit(model, x, labels, epochs=1, batch_size=32, quiet=True, callbacks=[record])
    assert sorted(record.counts) == [0, 2] and record.counts[0].shape == (2, len(nb05.SCALE_BINS) - 1)
    model.forward(x[:32])
    assert record.counts[0][0].sum() > 0 and record.counts[0][0].sum() <= 32 * 16


def test_scale_histograms_pile_tiny_values_into_the_first_bin():
    record = nb05.ScaleHistograms(steps=[0])
    model = nb05.deep_mlp(nb05.scaled_normal(1e-9), "tanh", depth=2, width=8, n_in=8)
    model.forward(_inputs(10, 8))
    record.on_step(0, model, 0.0, 0.1, 10)
    assert record.counts[0][1, 0] == 80  # layer 2: every |a| < 1e-12


def test_draw_scale_histograms_draws_one_line_per_step():
    record = nb05.ScaleHistograms(steps=[0, 5])
    record.counts = {0: np.ones((2, 60), int), 5: np.ones((2, 60), int)}
    fig, ax = plt.subplots()
    nb05.draw_scale_histograms(ax, record, layer=1)
    assert len(ax.lines) == 2
    plt.close(fig)


def test_depth_ratio_is_one_for_relu_at_the_he_gain_and_small_below():
    x = _inputs(300, 64)
    assert 0.7 < nb05.depth_ratio(math.sqrt(2), "relu", x, width=256) < 1.4
    assert nb05.depth_ratio(0.5, "relu", x, width=256) < 0.01
