import numpy as np
import pytest

from course_lib.gradcheck import check_layer, check_model, rel_error
from course_lib.layers import Dense, ReLU, Sequential, Sigmoid, Tanh

rng = np.random.default_rng(0)
X = rng.standard_normal((6, 4))


def three_layer(last=None) -> Sequential:
    layers = [
        Dense(4, 5, rng=0, dtype=np.float64),
        Tanh(),
        Dense(5, 5, rng=1, dtype=np.float64),
        ReLU(),
    ]
    return Sequential(*layers, Dense(5, 3, rng=2, dtype=np.float64), *([last] if last else []))


def test_three_layer_network_gradients_match_finite_differences() -> None:
    report = check_model(three_layer(), "softmax_cross_entropy", X, np.array([0, 1, 2, 2, 1, 0]))
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-6
    assert {e.name for e in report.entries} == {
        "0.Dense.W",
        "0.Dense.b",
        "2.Dense.W",
        "2.Dense.b",
        "4.Dense.W",
        "4.Dense.b",
    }


def test_three_layer_sigmoid_network_under_mse_passes() -> None:
    report = check_model(three_layer(Sigmoid()), "mse", X, rng.uniform(size=(6, 3)))
    assert report.passed, str(report)


class WrongDense(Dense):
    """A bug to catch: forgets to sum the bias gradient over the batch."""

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        dx = super().backward(grad_out, input_grad)
        self.grads["b"][...] = grad_out[0]
        return dx


def test_a_wrong_gradient_fails_and_the_report_shows_the_worst_entry() -> None:
    report = check_layer(WrongDense(4, 3, rng=0, dtype=np.float64), X)
    assert not report.passed
    text = str(report)
    assert text.startswith("Gradient check FAILED: max relative error")
    assert "name" in text and "analytic" in text and "numeric" in text and "rel error" in text
    assert report.worst(1)[0].name == "b"


def test_float32_layers_are_refused_with_advice() -> None:
    with pytest.raises(TypeError, match=r"needs float64 arrays, but W is float32.*dtype=np.float64"):
        check_layer(Dense(4, 3), X)


def test_rel_error_is_zero_when_both_are_zero_and_symmetric() -> None:
    assert rel_error(0.0, 0.0) == 0.0
    assert rel_error(1.0, 3.0) == rel_error(3.0, 1.0) == pytest.approx(0.5)


def test_max_entries_samples_large_arrays() -> None:
    report = check_layer(Dense(30, 20, rng=0, dtype=np.float64), rng.standard_normal((2, 30)), max_entries=10)
    assert len(report.entries) == 10 + 10 + 10  # x (60 entries), W (600), b (20): 10 sampled each
    assert report.passed
