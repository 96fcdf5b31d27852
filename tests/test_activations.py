import math
import warnings

import numpy as np
import pytest

from course_lib.activations import (
    ACTIVATIONS,
    gelu,
    gelu_prime,
    get_activation,
    relu,
    relu_prime,
    sigmoid,
    softmax,
    softmax_jacobian,
)

ELEMENTWISE = ["sigmoid", "tanh", "relu", "gelu"]


def away_from_kink(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Random float64 values with |x| > 0.1, so relu's kink at 0 never sits inside a finite difference."""
    x = np.random.default_rng(seed).uniform(-3, 3, shape)
    return np.where(np.abs(x) < 0.1, 0.5, x)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_finite_differences(name: str) -> None:
    f, f_prime = get_activation(name)
    x, h = away_from_kink((4, 5)), 1e-6
    numeric = (f(x + h) - f(x - h)) / (2 * h)
    np.testing.assert_allclose(f_prime(x), numeric, rtol=1e-7, atol=1e-9)


def test_softmax_jacobian_matches_finite_differences() -> None:
    x, h = away_from_kink((3, 4)), 1e-6
    jacobian = softmax_jacobian(x)
    for j in range(4):
        step = np.zeros(4)
        step[j] = h
        numeric = (softmax(x + step) - softmax(x - step)) / (2 * h)
        np.testing.assert_allclose(jacobian[:, :, j], numeric, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_keep_float32(name: str) -> None:
    f, f_prime = get_activation(name)
    x = away_from_kink((2, 3)).astype(np.float32)
    assert f(x).dtype == np.float32
    assert f_prime(x).dtype == np.float32


def test_sigmoid_and_softmax_do_not_overflow_for_large_inputs() -> None:
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, p = sigmoid(x), softmax(x)
    np.testing.assert_allclose(s, [[0.0, 1.9287498479639178e-22, 0.5, 1.0, 1.0]], rtol=1e-12)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    assert p[0, -1] == pytest.approx(1.0)


def test_sigmoid_matches_the_textbook_formula() -> None:
    x = np.linspace(-20, 20, 101)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14)


def test_softmax_is_shift_invariant_along_last_axis() -> None:
    x = away_from_kink((3, 4))
    np.testing.assert_allclose(softmax(x + 100.0), softmax(x), rtol=1e-12)
    np.testing.assert_allclose(softmax(x).sum(axis=1), np.ones(3))


def test_relu_values() -> None:
    x = np.array([-2.0, -0.0, 3.0])
    np.testing.assert_array_equal(relu(x), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu_prime(x), [0.0, 0.0, 1.0])


def test_gelu_values_follow_the_tanh_approximation_of_x_phi_x() -> None:
    x = np.linspace(-6, 6, 121)
    u = np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)
    np.testing.assert_allclose(gelu(x), 0.5 * x * (1 + np.tanh(u)), rtol=1e-14, atol=1e-16)
    exact = x * 0.5 * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))  # x Φ(x)
    assert np.abs(gelu(x) - exact).max() < 1e-3  # the approximation is close to the exact GELU
    np.testing.assert_array_equal(gelu(np.array([0.0])), [0.0])
    assert gelu_prime(np.array([0.0]))[0] == 0.5  # the slope at 0: ½, halfway between relu's 0 and 1
    np.testing.assert_allclose(gelu(np.array([-10.0, 10.0])), [0.0, 10.0], atol=1e-12)
    assert -0.18 < gelu(x).min() < -0.16 and -0.8 < x[np.argmin(gelu(x))] < -0.7  # the dip of the docstring


def test_unknown_activation_lists_valid_names() -> None:
    with pytest.raises(
        ValueError, match=r"Unknown activation 'sigmod'. Valid names: sigmoid, tanh, relu, gelu\.$"
    ):
        get_activation("sigmod")
