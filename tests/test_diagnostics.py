"""Each diagnostic's numbers against a hand computation on a tiny network (one full-batch step)."""

import numpy as np
import pytest

from course_lib import plots
from course_lib.diagnostics import ActivationStats, GradientNorms, UpdateRatios
from course_lib.layers import Dense, ReLU, Sequential
from course_lib.losses import softmax_cross_entropy
from course_lib.train import fit

X = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 0.5], [2.0, 2.0]])
Y = np.array([0, 1, 2, 1])
LR = 0.1


def tiny() -> Sequential:
    """2 → 3 → 3 in float64, the first hidden unit dead on every sample (its weights and bias negative)."""
    model = Sequential(Dense(2, 3, rng=0, dtype=np.float64), ReLU(), Dense(3, 3, rng=1, dtype=np.float64))
    model.layers[0].W[:, 0] = [0.0, 0.0]
    model.layers[0].b[...] = [-1.0, 0.1, 0.2]
    return model


def by_hand(model: Sequential) -> dict[str, np.ndarray]:
    """Forward and backward of the tiny model written out: the activations and all four gradients."""
    W1, b1, W2, b2 = model.layers[0].W, model.layers[0].b, model.layers[2].W, model.layers[2].b
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    logits = h @ W2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dlogits = (p - np.eye(3)[Y]) / len(X)
    dh = dlogits @ W2.T
    dz1 = dh * (z1 > 0)
    return {"h": h, "dW1": X.T @ dz1, "db1": dz1.sum(0), "dW2": h.T @ dlogits, "db2": dlogits.sum(0),
            "W1": W1.copy(), "W2": W2.copy()}


def one_step(callback) -> dict[str, np.ndarray]:
    model = tiny()
    expected = by_hand(model)
    fit(model, X, Y, epochs=1, batch_size=len(X), lr=LR, shuffle=False, quiet=True, callbacks=[callback])
    return expected


def test_update_ratios_are_std_of_lr_times_grad_over_std_of_weights() -> None:
    ratios = UpdateRatios(every=1)
    e = one_step(ratios)
    assert ratios.steps == [0] and list(ratios.values) == ["0.Dense", "2.Dense"]
    assert ratios.values["0.Dense"][0] == pytest.approx(LR * e["dW1"].std() / e["W1"].std(), rel=1e-12)
    assert ratios.values["2.Dense"][0] == pytest.approx(LR * e["dW2"].std() / e["W2"].std(), rel=1e-12)


def test_gradient_norms_cover_weights_and_biases_of_each_layer() -> None:
    norms = GradientNorms(every=1)
    e = one_step(norms)
    first = np.sqrt((e["dW1"] ** 2).sum() + (e["db1"] ** 2).sum())
    second = np.sqrt((e["dW2"] ** 2).sum() + (e["db2"] ** 2).sum())
    np.testing.assert_allclose([norms.series("0.Dense")[0], norms.series("2.Dense")[0]], [first, second],
                               rtol=1e-12)


def test_activation_stats_mean_std_and_the_dead_unit() -> None:
    stats = ActivationStats(every=1)
    e = one_step(stats)
    h = e["h"]
    assert np.all(h[:, 0] == 0) and np.all(h[:, 1:].any(axis=0))  # the setting: unit 0 alone is dead
    assert stats.mean["1.ReLU"] == pytest.approx([h.mean()], rel=1e-12)
    assert stats.std["1.ReLU"] == pytest.approx([h.std()], rel=1e-12)
    assert stats.dead["1.ReLU"] == [pytest.approx(1 / 3)]


def test_sampling_every_k_full_batches_skips_the_partial_last_batch() -> None:
    x = np.tile(X, (5, 1))  # 20 samples in batches of 8: 8, 8, 4 per epoch
    y = np.tile(Y, 5)
    norms = GradientNorms(every=1)
    fit(tiny(), x, y, epochs=2, batch_size=8, lr=LR, quiet=True, callbacks=[norms])
    assert norms.steps == [0, 1, 3, 4]
    every_two = UpdateRatios(every=2)
    fit(tiny(), x, y, epochs=2, batch_size=8, lr=LR, quiet=True, callbacks=[every_two])
    assert every_two.steps == [0, 4]  # step 2 is a partial batch


def test_every_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"GradientNorms: every must be at least 1 step, got 0"):
        GradientNorms(every=0)


def test_plots_draw_one_line_per_layer_with_labelled_axes() -> None:
    x, y = np.tile(X, (8, 1)), np.tile(Y, 8)
    ratios, norms, stats = UpdateRatios(every=2), GradientNorms(every=2), ActivationStats(every=2)
    fit(tiny(), x, y, epochs=3, batch_size=4, lr=LR, quiet=True, callbacks=[ratios, norms, stats])
    ax = plots.plot_update_ratios(ratios)
    assert [line.get_label() for line in ax.lines] == ["0.Dense", "2.Dense", "10⁻³"]
    assert list(ax.lines[0].get_xdata()) == ratios.steps == list(range(0, 24, 2))
    assert ax.get_yscale() == "log" and "std(η·g) / std(W)" in ax.get_ylabel()
    ax = plots.plot_gradient_norms(norms)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), norms.series("2.Dense"))
    ax = plots.plot_activation_stats(stats, "dead")
    assert [line.get_label() for line in ax.lines] == ["1.ReLU"]
    assert ax.get_ylabel() == "fraction of dead units"
    with pytest.raises(ValueError, match=r"stat must be 'mean', 'std' or 'dead', got 'var'"):
        plots.plot_activation_stats(stats, "var")


def test_the_by_hand_gradients_are_the_library_gradients() -> None:
    model = tiny()
    e = by_hand(model)
    model.backward(softmax_cross_entropy(model.forward(X), Y)[1])
    np.testing.assert_allclose(model.layers[0].grads["W"], e["dW1"], rtol=1e-12)
    np.testing.assert_allclose(model.layers[2].grads["b"], e["db2"], rtol=1e-12, atol=1e-15)
