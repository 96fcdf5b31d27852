import numpy as np
import pytest

from course_lib.layers import Dense, Layer, Sequential, Tanh
from course_lib.optim import SGD, Adam, Momentum, clip_grad_norm, get_optimizer

W0 = np.array([[1.0, -2.0], [0.5, 3.0]])
G1 = np.array([[0.1, -0.2], [0.3, 0.0]])
G2 = np.array([[-0.4, 0.1], [0.2, 0.5]])
LR, MU = 0.1, 0.9


def model_with(W: np.ndarray) -> tuple[Sequential, Dense]:
    dense = Dense(2, 2, dtype=np.float64)
    dense.W[...] = W
    return Sequential(dense), dense


def two_steps(make) -> np.ndarray:
    model, dense = model_with(W0)
    opt = make(model)
    for g in (G1, G2):
        dense.grads["W"][...] = g
        opt.step()
    return dense.W


def test_sgd_two_steps_match_closed_form() -> None:
    np.testing.assert_allclose(two_steps(lambda m: SGD(m, LR)), W0 - LR * (G1 + G2))


def test_momentum_two_steps_match_closed_form() -> None:
    v1 = -LR * G1
    v2 = MU * v1 - LR * G2
    np.testing.assert_allclose(two_steps(lambda m: Momentum(m, LR, momentum=MU)), W0 + v1 + v2)


def test_adam_two_steps_match_closed_form() -> None:
    b1, b2, eps = 0.9, 0.999, 1e-8
    W, m, s = W0.copy(), 0.0, 0.0
    for t, g in enumerate((G1, G2), start=1):
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g**2
        W = W - LR * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    np.testing.assert_allclose(two_steps(lambda model: Adam(model, LR)), W)


def test_adam_first_step_moves_each_weight_by_about_lr() -> None:
    model, dense = model_with(W0)
    dense.grads["W"][...] = G2
    Adam(model, LR).step()
    np.testing.assert_allclose(dense.W, W0 - LR * np.sign(G2), atol=1e-6)


def test_weight_decay_applies_to_weights_not_biases() -> None:
    model, dense = model_with(W0)
    dense.b[...] = 1.0
    SGD(model, LR, weight_decay=0.5).step()  # grads are all zero
    np.testing.assert_allclose(dense.W, W0 * (1 - LR * 0.5))
    np.testing.assert_array_equal(dense.b, [1.0, 1.0])


def test_weight_decay_follows_what_the_layer_declares() -> None:
    class Scale(Layer):
        """y = x ⊙ s with s not decayed (like a bias) and decayed = () declared by the layer."""

        def __init__(self) -> None:
            super().__init__()
            self.params, self.grads = {"W": np.ones(2)}, {"W": np.zeros(2)}

    model = Sequential(Scale())
    SGD(model, LR, weight_decay=0.5).step()
    np.testing.assert_array_equal(model.layers[0].params["W"], [1.0, 1.0])


def test_lr_is_a_plain_attribute_read_at_every_step() -> None:
    model, dense = model_with(W0)
    opt = SGD(model, LR)
    opt.lr = 1.0
    dense.grads["W"][...] = G1
    opt.step()
    np.testing.assert_allclose(dense.W, W0 - G1)


def test_clip_grad_norm_rescales_to_max_norm_and_returns_the_norm_before() -> None:
    a, b = np.array([3.0, 0.0]), np.array([[0.0], [4.0]])
    assert clip_grad_norm([a, b], max_norm=1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(a, [0.6, 0.0])
    np.testing.assert_allclose(b, [[0.0], [0.8]])
    assert clip_grad_norm([a, b], max_norm=10.0) == pytest.approx(1.0)
    np.testing.assert_allclose(a, [0.6, 0.0])


def test_unknown_optimizer_and_empty_model_are_explained() -> None:
    assert isinstance(get_optimizer("momentum", model_with(W0)[0], lr=0.1, momentum=0.5), Momentum)
    valid = r"Unknown optimizer 'adma'. Valid names: sgd, momentum, adam, adamw\.$"
    with pytest.raises(ValueError, match=valid):
        get_optimizer("adma", model_with(W0)[0], lr=0.1)
    with pytest.raises(ValueError, match=r"SGD: the model has no parameters"):
        SGD(Sequential(Tanh()), lr=0.1)
