import numpy as np
import pytest

from course_lib import gradcheck
from course_lib.layers import BatchNorm, Dense, Sequential, mlp
from course_lib.serialize import save_params

EPS, MOMENTUM = 1e-5, 0.1


def direct_forward(x, gamma, beta):
    """Batch normalization written out: biased variance over the batch, then scale and shift."""
    mean = x.sum(axis=0) / len(x)
    var = ((x - mean) ** 2).sum(axis=0) / len(x)
    return gamma * (x - mean) / np.sqrt(var + EPS) + beta


def layer64(features=4, seed=0):
    layer = BatchNorm(features, dtype=np.float64)
    rng = np.random.default_rng(seed)
    layer.params["gamma"][...] = rng.uniform(0.5, 2.0, features)
    layer.params["beta"][...] = rng.standard_normal(features)
    return layer


def batch(seed=1, rows=6, features=4):
    rng = np.random.default_rng(seed)
    scale, shift = rng.uniform(0.5, 3, features), rng.uniform(-2, 2, features)
    return rng.standard_normal((rows, features)) * scale + shift


def test_training_forward_matches_direct_implementation() -> None:
    layer, x = layer64(), batch()
    expected = direct_forward(x, layer.params["gamma"], layer.params["beta"])
    np.testing.assert_allclose(layer.forward(x), expected)


def test_training_output_has_zero_mean_and_unit_variance_per_feature_before_scale() -> None:
    y = BatchNorm(4, dtype=np.float64).forward(batch())
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), 1, rtol=1e-4)  # ε = 1e-5 keeps it a hair below 1


def test_running_statistics_follow_pytorch_conventions() -> None:
    layer, x1, x2 = BatchNorm(4, dtype=np.float64), batch(1), batch(2, rows=9)
    layer.forward(x1)
    layer.forward(x2)
    mean, var = np.zeros(4), np.ones(4)
    for x in (x1, x2):
        mean = (1 - MOMENTUM) * mean + MOMENTUM * x.mean(axis=0)
        var = (1 - MOMENTUM) * var + MOMENTUM * x.var(axis=0, ddof=1)  # unbiased in the running estimate
    np.testing.assert_allclose(layer.running_mean, mean)
    np.testing.assert_allclose(layer.running_var, var)
    assert layer.momentum == MOMENTUM and layer.eps == EPS


def test_inference_uses_running_statistics_and_leaves_them_alone() -> None:
    layer = layer64()
    layer.running_mean[...] = [0.5, -1.0, 2.0, 0.0]
    layer.running_var[...] = [4.0, 0.25, 1.0, 9.0]
    x = batch()
    y = layer.forward(x, training=False)
    expected = layer.params["gamma"] * (x - layer.running_mean) / np.sqrt(layer.running_var + EPS)
    np.testing.assert_allclose(y, expected + layer.params["beta"])
    np.testing.assert_array_equal(layer.running_var, [4.0, 0.25, 1.0, 9.0])


def test_inference_on_one_row_gives_what_that_row_got_in_a_batch_at_inference() -> None:
    layer, x = layer64(), batch()
    for _ in range(3):
        layer.forward(x)
    together = layer.forward(x, training=False)
    alone = layer.forward(x[2:3], training=False)
    np.testing.assert_allclose(alone, together[2:3])


@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_finite_differences_in_float64(training: bool) -> None:
    layer, x = layer64(), batch()
    layer.running_mean[...] = [0.3, -0.2, 1.0, 0.1]
    layer.running_var[...] = [2.0, 0.5, 1.5, 3.0]
    upstream = np.random.default_rng(7).standard_normal(x.shape)

    def f() -> float:
        saved = layer.running_mean.copy(), layer.running_var.copy()
        value = float(np.sum(layer.forward(x, training=training) * upstream))
        layer.running_mean[...], layer.running_var[...] = saved
        return value

    layer.forward(x, training=training)
    dx = layer.backward(upstream)
    analytic = {"x": dx, "gamma": layer.grads["gamma"].copy(), "beta": layer.grads["beta"].copy()}
    for name, array in {"x": x, **layer.params}.items():
        for index in np.ndindex(array.shape):
            numeric = gradcheck.numerical_gradient(f, array, index, 1e-6)
            assert abs(analytic[name][index] - numeric) <= 1e-7 * (1 + abs(numeric)), (name, index, training)


def test_check_layer_passes_in_training_mode() -> None:
    report = gradcheck.check_layer(layer64(5, seed=3), batch(4, rows=7, features=5))
    assert report.passed and report.max_rel_error < 1e-6


def test_params_are_gamma_and_beta_not_decayed_running_stats_not_params() -> None:
    model = Sequential(Dense(3, 4), BatchNorm(4))
    names = [(p.name, p.decay) for p in model.parameters()]
    assert names == [("0.Dense.W", True), ("0.Dense.b", False), ("1.BatchNorm.gamma", False),
                     ("1.BatchNorm.beta", False)]


def test_running_statistics_are_not_saved(tmp_path) -> None:
    path = save_params(Sequential(Dense(3, 4), BatchNorm(4)), tmp_path / "bn")
    with np.load(path) as archive:
        assert not any("running" in key for key in archive.files)


def test_training_needs_two_rows_and_the_right_width() -> None:
    layer = BatchNorm(4)
    with pytest.raises(ValueError, match="at least 2 rows"):
        layer.forward(np.zeros((1, 4), np.float32))
    with pytest.raises(ValueError, match="4"):
        layer.forward(np.zeros((5, 3), np.float32))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(4, momentum=1.5)


def test_float32_stays_float32() -> None:
    layer = BatchNorm(4)
    y = layer.forward(batch().astype(np.float32))
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == layer.running_var.dtype == layer.grads["gamma"].dtype == np.float32


def test_mlp_with_batchnorm_puts_it_between_dense_and_activation() -> None:
    model = mlp([6, 5, 4, 3], batchnorm=True)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "BatchNorm", "ReLU", "Dense", "BatchNorm", "ReLU", "Dense"]
    plain = mlp([6, 5, 4, 3])
    for with_bn, without in zip(model.layers[::3], plain.layers[::2], strict=True):
        np.testing.assert_array_equal(with_bn.W, without.W)  # the same weights, drawn in the same order


def test_mlp_with_batchnorm_passes_a_whole_model_gradient_check() -> None:
    model = mlp([5, 6, 6, 3], activation="tanh", batchnorm=True, dtype=np.float64, seed=2)
    x = np.random.default_rng(0).standard_normal((8, 5))
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    report = gradcheck.check_model(model, "softmax_cross_entropy", x, labels)
    # a Dense bias right before BatchNorm is subtracted away with the batch mean: its gradient is exactly 0
    for entry in report.entries:
        if entry.name in ("0.Dense.b", "3.Dense.b"):
            assert abs(entry.analytic) < 1e-12 and abs(entry.numeric) < 1e-9
        else:
            assert entry.rel_error < 1e-6, entry
