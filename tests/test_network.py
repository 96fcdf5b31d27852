import numpy as np
import pytest

from course_lib.layers import Dense
from course_lib.network import Network

XOR_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR_TARGETS = [[0], [1], [1], [0]]


def learns_xor(seed: int) -> bool:
    net = Network([2, 3, 1], "sigmoid", 0.5, seed=seed)
    net.train(XOR_INPUTS, XOR_TARGETS, epochs=10_000)
    return bool(np.array_equal(np.round(net.feed_forward(XOR_INPUTS)), XOR_TARGETS))


def test_network_learns_xor_truth_table_for_seed_0() -> None:
    net = Network([2, 3, 1], activation="sigmoid", learning_rate=0.5, seed=0)
    losses = net.train(XOR_INPUTS, XOR_TARGETS, epochs=10_000)
    assert losses.shape == (10_000,)
    assert losses[-1] < 0.01 < 0.2 < losses[0]
    np.testing.assert_array_equal(np.round(net.feed_forward(XOR_INPUTS)), XOR_TARGETS)


@pytest.mark.slow
def test_xor_converges_for_all_20_seeds() -> None:
    """Measured: seeds 0–19 with Xavier init, lr 0.5, 10,000 full-batch steps — all 20 learn XOR."""
    assert sum(learns_xor(seed) for seed in range(20)) == 20


def test_weights_and_biases_are_the_dense_layers_arrays() -> None:
    net = Network([2, 3, 1], seed=0)
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    assert net.sizes == [2, 3, 1] and len(net.layers) == 4
    assert [w.shape for w in net.weights] == [(2, 3), (3, 1)]
    assert [b.shape for b in net.biases] == [(3,), (1,)]
    assert all(w is d.W for w, d in zip(net.weights, dense, strict=True))
    net.weights[0][...] = 0
    assert np.all(dense[0].W == 0)


def test_back_propagate_is_one_gradient_step_on_mse() -> None:
    net = Network([2, 2, 1], seed=3, dtype=np.float64)
    x, t = np.array([[0.5, -1.0]]), np.array([[1.0]])
    before = ((net.feed_forward(x) - t) ** 2).mean()
    loss = net.back_propagate(x, t)
    assert loss == pytest.approx(before)
    assert ((net.feed_forward(x) - t) ** 2).mean() < before


def test_learning_rate_is_the_optimizers() -> None:
    net = Network([2, 1], learning_rate=0.5)
    net.learning_rate = 0.1
    assert net.optimizer.lr == 0.1
    assert repr(net) == "Network([2, 1], activation='sigmoid', learning_rate=0.1)"


def test_bad_sizes_activation_and_input_are_explained() -> None:
    with pytest.raises(ValueError, match=r"at least an input and an output size"):
        Network([2])
    with pytest.raises(ValueError, match=r"Unknown activation 'sigmiod'.*sigmoid, tanh, relu"):
        Network([2, 1], activation="sigmiod")
    with pytest.raises(
        ValueError, match=r"Dense\(2→3\) expected x of shape \(batch, 2\), got \(2,\)\. Did you"
    ):
        Network([2, 3, 1]).feed_forward([0, 1])
