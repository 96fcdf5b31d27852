import numpy as np
import pytest

from course_lib.gradcheck import check_layer
from course_lib.layers import (
    Dense,
    Dropout,
    LeakyReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    activation_layer,
)

X64 = np.random.default_rng(1).uniform(-2, 2, (4, 5))
X64 = np.where(np.abs(X64) < 0.1, 0.5, X64)  # keep ReLU's kink out of the finite differences


@pytest.mark.parametrize(
    "layer",
    [Dense(5, 3, rng=0, dtype=np.float64), Sigmoid(), Tanh(), ReLU(), LeakyReLU(alpha=0.1), Softmax()],
    ids=repr,
)
def test_layer_backward_matches_finite_differences(layer) -> None:
    report = check_layer(layer, X64)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-7


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
    assert model.backward(np.ones_like(y)) is None
    assert [(name, key) for name, key, _, _ in model.parameters()] == [
        ("0.Dense", "W"),
        ("0.Dense", "b"),
        ("2.Dense", "W"),
        ("2.Dense", "b"),
    ]
    np.testing.assert_array_equal(model.predict(X64), y)
    assert repr(model) == "Sequential(Dense(5→4), Tanh(), Dense(4→2))"


def test_sequential_needs_a_layer_and_activation_names_are_checked() -> None:
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential()
    assert isinstance(activation_layer("relu"), ReLU)
    with pytest.raises(
        ValueError, match=r"Unknown activation 'rleu'.*sigmoid, tanh, relu, leaky_relu, softmax"
    ):
        activation_layer("rleu")
