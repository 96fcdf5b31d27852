import numpy as np
import pytest

from course_lib.gradcheck import check_layer
from course_lib.layers import (
    GELU,
    Dense,
    Dropout,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    activation_layer,
    mlp,
)

X64 = np.random.default_rng(1).uniform(-2, 2, (4, 5))
X64 = np.where(np.abs(X64) < 0.1, 0.5, X64)  # keep ReLU's kink out of the finite differences


@pytest.mark.parametrize(
    "layer",
    [Dense(5, 3, rng=0, dtype=np.float64), Sigmoid(), Tanh(), ReLU(), Softmax()],
    ids=repr,
)
def test_layer_backward_matches_finite_differences(layer) -> None:
    report = check_layer(layer, X64)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-7


def test_gelu_layer_backward_matches_finite_differences() -> None:
    # gelu' crosses 0 near x = −0.75 (gelu's minimum), where a relative error of a tiny slope means nothing
    x = np.where(np.abs(X64 + 0.75) < 0.1, 0.5, X64)
    layer = GELU()
    report = check_layer(layer, x)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-7
    y = layer.forward(x.astype(np.float32))
    assert y.dtype == layer.backward(np.ones_like(y)).dtype == np.float32
    assert layer.output is y and repr(layer) == "GELU()"


X_SEQ = np.random.default_rng(2).standard_normal((3, 4, 5))  # (batch, time, n_in)


def test_dense_over_a_time_axis_is_dense_at_every_step() -> None:
    dense = Dense(5, 3, rng=0, dtype=np.float64)
    dense.params["b"][...] = [0.5, -1.0, 2.0]
    y = dense.forward(X_SEQ)
    assert y.shape == (3, 4, 3)
    for t in range(4):
        np.testing.assert_allclose(y[:, t], dense.forward(X_SEQ[:, t]), rtol=1e-14)
    grad = np.random.default_rng(3).standard_normal(y.shape)
    dense.forward(X_SEQ)
    dx = dense.backward(grad)
    dW, db = dense.grads["W"].copy(), dense.grads["b"].copy()
    steps = []
    for t in range(4):  # the same W at every step: its gradient is the sum of the steps' (the fork rule)
        dense.forward(X_SEQ[:, t])
        steps.append((dense.backward(grad[:, t]), dense.grads["W"].copy(), dense.grads["b"].copy()))
    np.testing.assert_allclose(dx, np.stack([s[0] for s in steps], axis=1), rtol=1e-14)
    np.testing.assert_allclose(dW, sum(s[1] for s in steps), rtol=1e-12)
    np.testing.assert_allclose(db, sum(s[2] for s in steps), rtol=1e-12)


def test_dense_over_a_time_axis_matches_finite_differences() -> None:
    report = check_layer(Dense(5, 3, rng=0, dtype=np.float64), X_SEQ)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-7


def test_dense_over_a_time_axis_names_both_shapes() -> None:
    shapes = r"Dense\(5→3\) expected x of shape \(batch, …, 5\), got \(3, 4, 6\)\.$"
    with pytest.raises(ValueError, match=shapes):
        Dense(5, 3).forward(np.zeros((3, 4, 6), np.float32))
    with pytest.raises(ValueError, match=r"Dense\(5→3\) got an empty batch: x has shape \(3, 0, 5\)"):
        Dense(5, 3).forward(np.zeros((3, 0, 5), np.float32))


def test_dense_is_float32_and_casts_float64_input() -> None:
    dense = Dense(5, 3, rng=0)
    y = dense.forward(X64)
    dense.backward(np.ones_like(y))
    assert y.dtype == dense.W.dtype == dense.grads["W"].dtype == dense.grads["b"].dtype == np.float32
    assert dense.W.shape == (5, 3) and dense.b.shape == (3,)


def test_dense_parameters_and_gradients_are_updated_in_place() -> None:
    dense = Dense(5, 3, rng=0, dtype=np.float64)
    W, dW = dense.params["W"], dense.grads["W"]
    dense.forward(X64)
    dense.backward(np.ones((4, 3)))
    assert dense.W is W and dense.grads["W"] is dW
    np.testing.assert_allclose(dW, X64.T @ np.ones((4, 3)))


def test_dense_accepts_init_name_or_callable() -> None:
    assert np.all(Dense(3, 2, init="zeros").W == 0)
    dense = Dense(3, 2, init=lambda n_in, n_out, rng, dtype: np.ones((n_in, n_out), dtype))
    assert np.all(dense.W == 1)
    with pytest.raises(
        ValueError, match=r"Dense\(3→2\): init returned W of shape \(2, 3\), expected \(3, 2\)"
    ):
        Dense(3, 2, init=lambda n_in, n_out, rng, dtype: np.ones((n_out, n_in)))


def test_missing_batch_axis_error_names_layer_and_both_shapes() -> None:
    message = (
        "Dense(784→128) expected x of shape (batch, 784), got (784,). "
        "Did you forget the batch axis? x[None, :]"
    )
    with pytest.raises(ValueError) as info:
        Dense(784, 128).forward(np.zeros(784, np.float32))
    assert str(info.value) == message


def test_wrong_feature_count_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"Dense\(5→3\) expected x of shape \(batch, 5\), got \(4, 6\)\.$"):
        Dense(5, 3).forward(np.zeros((4, 6), np.float32))


def test_integer_and_non_array_input_suggest_astype() -> None:
    with pytest.raises(
        TypeError, match=r"Dense\(2→1\) expected x with a float dtype, got dtype int64.*astype"
    ):
        Dense(2, 1).forward(np.array([[0, 1]]))
    with pytest.raises(TypeError, match=r"expected x to be a NumPy array, got list.*np.asarray"):
        Dense(2, 1).forward([[0.0, 1.0]])
    with pytest.raises(TypeError, match=r"ReLU\(\) expected x with a float dtype, got dtype object"):
        ReLU().forward(np.array([[None]]))


def test_empty_batch_is_explained() -> None:
    with pytest.raises(ValueError, match=r"Dense\(2→1\) got an empty batch: x has shape \(0, 2\)"):
        Dense(2, 1).forward(np.zeros((0, 2), np.float32))


def test_backward_before_forward_and_wrong_grad_shape_are_explained() -> None:
    dense = Dense(5, 3)
    with pytest.raises(RuntimeError, match=r"Dense\(5→3\)\.backward called before forward"):
        dense.backward(np.ones((4, 3), np.float32))
    dense.forward(X64)
    with pytest.raises(ValueError, match=r"expected grad_out of shape \(4, 3\).*got \(4, 5\)"):
        dense.backward(np.ones((4, 5), np.float32))


def test_dropout_scales_kept_units_and_is_identity_at_test_time() -> None:
    x = np.ones((200, 50), np.float32)
    drop = Dropout(0.25, rng=0)
    y = drop.forward(x)
    assert y.dtype == np.float32
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs(y.mean() - 1.0) < 0.02
    np.testing.assert_array_equal(drop.backward(2 * x), 2 * y)
    np.testing.assert_array_equal(drop.forward(x, training=False), x)


def test_dropout_probability_must_be_below_one() -> None:
    with pytest.raises(ValueError, match=r"Dropout probability p must be in \[0, 1\), got 1"):
        Dropout(1)


def test_sequential_chains_forward_and_backward_and_names_parameters() -> None:
    model = Sequential(Dense(5, 4, rng=0, dtype=np.float64), Tanh(), Dense(4, 2, rng=1, dtype=np.float64))
    y = model.forward(X64)
    dx = model.backward(np.ones_like(y), input_grad=True)
    manual = np.ones_like(y) @ model.layers[2].W.T * (1 - np.tanh(X64 @ model.layers[0].W) ** 2)
    np.testing.assert_allclose(dx, manual @ model.layers[0].W.T)
    assert model.backward(np.ones_like(y), input_grad=False) is None
    params = list(model.parameters())
    assert [(p.name, p.layer, p.decay) for p in params] == [
        ("0.Dense.W", "0.Dense", True),
        ("0.Dense.b", "0.Dense", False),
        ("2.Dense.W", "2.Dense", True),
        ("2.Dense.b", "2.Dense", False),
    ]
    assert params[0].value is model.layers[0].W and params[3].grad is model.layers[2].grads["b"]
    np.testing.assert_array_equal(model.predict(X64), y)
    assert repr(model) == "Sequential(Dense(5→4), Tanh(), Dense(4→2))"


def test_sequential_needs_a_layer_and_activation_names_are_checked() -> None:
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential()
    assert isinstance(activation_layer("relu"), ReLU)
    with pytest.raises(
        ValueError, match=r"Unknown activation 'rleu'. Valid names: sigmoid, tanh, relu, gelu\.$"
    ):
        activation_layer("rleu")
    assert isinstance(activation_layer("gelu"), GELU)


def test_every_layer_defaults_to_returning_the_input_gradient() -> None:
    layers = [Dense(5, 3, rng=0, dtype=np.float64), ReLU(), Softmax(), Dropout(0.5, rng=0),
              Sequential(Dense(5, 2, rng=0, dtype=np.float64))]
    for layer in layers:
        y = layer.forward(X64)
        assert layer.backward(np.ones_like(y)).shape == X64.shape, layer
        assert layer.backward(np.ones_like(y), input_grad=False) is None, layer


def test_activation_output_is_what_forward_returned() -> None:
    relu = ReLU()
    with pytest.raises(RuntimeError, match=r"ReLU\(\)\.output asked before forward"):
        _ = relu.output
    y = relu.forward(X64)
    assert relu.output is y and relu.out_shape == X64.shape


def test_mlp_builds_dense_activation_pairs_with_the_matching_init() -> None:
    model = mlp([784, 128, 64, 64], "relu", seed=0)
    assert repr(model) == "Sequential(Dense(784→128), ReLU(), Dense(128→64), ReLU(), Dense(64→64))"
    stds = [layer.W.std() for layer in model.layers[::2]]  # He, He, then Xavier (√(2/64) vs √(2/128))
    np.testing.assert_allclose(stds, [np.sqrt(2 / 784), np.sqrt(2 / 128), np.sqrt(2 / 128)], rtol=0.04)
    assert all(layer.W.dtype == np.float32 for layer in model.layers[::2])
    tanh = mlp([4, 3, 2], "tanh", dropout=0.2, dtype=np.float64, output_activation="sigmoid")
    assert repr(tanh) == "Sequential(Dense(4→3), Tanh(), Dropout(p=0.2), Dense(3→2), Sigmoid())"
    assert tanh.layers[0].W.dtype == np.float64


def test_mlp_same_seed_same_weights_and_seeds_share_no_draws() -> None:
    a, b, c = mlp([20, 8, 4], seed=0), mlp([20, 8, 4], seed=0), mlp([20, 8, 4], seed=1)
    assert all(np.array_equal(p.value, q.value) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    first_of_seed1 = c.layers[0].W.ravel()[:32]
    assert not np.isin(first_of_seed1, a.layers[2].W.ravel()).any()


def test_mlp_rejects_too_few_sizes_and_unknown_activation() -> None:
    with pytest.raises(ValueError, match=r"mlp needs an input and an output size at least.*\[784\]"):
        mlp([784])
    with pytest.raises(ValueError, match=r"Unknown activation 'rleu'"):
        mlp([2, 1], "rleu")


def test_a_param_update_in_place_changes_the_layer() -> None:
    model = Sequential(Dense(2, 2, rng=0))
    W = model.layers[0].W.copy()
    for p in model.parameters():
        p.grad[...] = 1.0
        p.value -= 0.5 * p.grad
    np.testing.assert_array_equal(model.layers[0].W, W - 0.5)
    np.testing.assert_array_equal(model.layers[0].b, [-0.5, -0.5])
