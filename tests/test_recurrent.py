"""RNN and GRU: backpropagation through time against finite differences, padding, state gradients, errors."""

import numpy as np
import pytest

from course_lib.embedding import Embedding
from course_lib.gradcheck import check_layer, check_model, numerical_gradient, rel_error
from course_lib.layers import Dense, Sequential
from course_lib.losses import PAD, sequence_cross_entropy
from course_lib.recurrent import GRU, RNN, orthogonal
from course_lib.text import Vocabulary, padded_sequences
from course_lib.train import fit

CELLS = [RNN, GRU]
X = np.random.default_rng(1).standard_normal((3, 5, 4))  # (batch, time, n_in)
EPS = 1e-5  # rounding noise ~1e-16/ε dominates at ε = 1e-6 for entries near 1e-4; truncation ~ε² stays tiny


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-a))


def reference_states(layer: RNN | GRU, x: np.ndarray, nudge: np.ndarray) -> np.ndarray:
    """Every h_t, written out from the equations step by step, with nudge[:, t] added to h_t (which the later
    steps then read): ∂(Σ H ⊙ R)/∂nudge_t is the total gradient into h_t."""
    p, k = layer.params, layer.hidden
    h, states = np.zeros((len(x), k)), []
    for t in range(x.shape[1]):
        if isinstance(layer, GRU):
            x_z, x_r, x_n = np.split(x[:, t] @ p["W_x"] + p["b"], 3, axis=1)
            W_hz, W_hr, W_hn = np.split(p["W_h"], 3, axis=1)
            z, r = sigmoid(x_z + h @ W_hz), sigmoid(x_r + h @ W_hr)
            h = (1 - z) * h + z * np.tanh(x_n + (r * h) @ W_hn)
        else:
            h = np.tanh(x[:, t] @ p["W_x"] + h @ p["W_h"] + p["b"])
        h = h + nudge[:, t]
        states.append(h)
    return np.stack(states, axis=1)


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
def test_forward_follows_the_equations(cell) -> None:
    layer = cell(4, 6, rng=0, dtype=np.float64)
    layer.params["b"][...] = np.random.default_rng(2).standard_normal(layer.params["b"].shape)
    H = layer.forward(X)
    assert H.shape == (3, 5, 6) and H.dtype == np.float64
    np.testing.assert_allclose(H, reference_states(layer, X, np.zeros_like(H)), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
def test_backward_through_time_matches_finite_differences(cell) -> None:
    layer = cell(4, 6, rng=0, dtype=np.float64)
    layer.params["b"][...] = np.random.default_rng(2).standard_normal(layer.params["b"].shape) * 0.5
    report = check_layer(layer, X, eps=EPS, max_entries=1000)  # every entry of dx, W_x, W_h and b
    assert {e.name for e in report.entries} == {"x", "W_x", "W_h", "b"}
    assert len(report.entries) == X.size + sum(p.size for p in layer.params.values())
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-6


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
def test_state_grads_are_the_total_gradient_into_every_hidden_state(cell) -> None:
    layer = cell(4, 6, rng=0, dtype=np.float64)
    upstream = np.random.default_rng(3).standard_normal((3, 5, 6))  # L = Σ H ⊙ R, so ∂L/∂H (direct) = R
    layer.forward(X)
    layer.backward(upstream)
    assert layer.state_grads.shape == (3, 5, 6)
    np.testing.assert_array_equal(layer.state_grads[:, -1], upstream[:, -1])  # nothing comes after the end
    nudge = np.zeros((3, 5, 6))

    def loss() -> float:
        return float(np.sum(reference_states(layer, X, nudge) * upstream))

    numeric = np.array([numerical_gradient(loss, nudge, index, EPS) for index in np.ndindex(nudge.shape)])
    assert rel_error(layer.state_grads.ravel(), numeric).max() < 1e-7
    assert not np.allclose(layer.state_grads[:, :-1], upstream[:, :-1])  # earlier steps: h_{t+1}'s share too


def test_rnn_without_recurrence_is_a_dense_and_tanh_at_every_step() -> None:
    rnn = RNN(4, 6, rng=0, dtype=np.float64)
    rnn.params["W_h"][...] = 0
    rnn.params["b"][...] = np.linspace(-1, 1, 6)
    dense = Dense(4, 6, dtype=np.float64)
    dense.params["W"][...], dense.params["b"][...] = rnn.params["W_x"], rnn.params["b"]
    np.testing.assert_allclose(rnn.forward(X), np.tanh(dense.forward(X)), rtol=1e-14)
    for t in range(X.shape[1]):
        np.testing.assert_allclose(rnn.forward(X)[:, t], np.tanh(dense.forward(X[:, t])), rtol=1e-14)


WORDS = ["cab", "fade", "a", "bead", "dead"]
INPUTS, TARGETS, MASK = padded_sequences(WORDS, Vocabulary(".abcdef"), length=7)  # 7 symbols, PAD after ends


def sequence_model(cell: type, seed: int = 0, dtype: type = np.float64, dim: int = 4,
                   hidden: int = 5) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(Embedding(7, dim, rng=rng, dtype=dtype), cell(dim, hidden, rng=rng, dtype=dtype),
                      Dense(hidden, 7, rng=rng, dtype=dtype))


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
def test_a_whole_sequence_model_with_padding_matches_finite_differences(cell) -> None:
    assert (TARGETS == PAD).any() and (INPUTS[TARGETS == PAD] == 0).all()
    report = check_model(sequence_model(cell), "sequence_cross_entropy", INPUTS, TARGETS, eps=EPS,
                         max_entries=1000)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-6


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
def test_ids_after_a_sequence_ends_change_neither_the_loss_nor_any_gradient(cell) -> None:
    def loss_and_grads(inputs: np.ndarray) -> tuple[float, list[np.ndarray], np.ndarray]:
        model = sequence_model(cell)
        loss, grad = sequence_cross_entropy(model.forward(inputs), TARGETS)
        model.backward(grad)
        return loss, [p.grad.copy() for p in model.parameters()], model.layers[1].state_grads

    padding = TARGETS == PAD
    changed = INPUTS.copy()
    changed[padding] = np.random.default_rng(0).integers(1, 7, padding.sum())
    loss, grads, state_grads = loss_and_grads(INPUTS)
    changed_loss, changed_grads, _ = loss_and_grads(changed)
    assert changed_loss == loss
    assert all(np.array_equal(a, b) for a, b in zip(grads, changed_grads, strict=True))
    assert np.all(state_grads[padding] == 0) and np.all(state_grads[~padding] != 0)


def test_fit_trains_a_gru_language_model_to_copy_the_previous_id() -> None:
    rng = np.random.default_rng(0)
    inputs = rng.integers(1, 7, (300, 8))
    targets = np.roll(inputs, 1, axis=1)  # predict the id seen one step before
    targets[:, 0] = PAD  # nothing before the first step
    lengths = rng.integers(3, 9, len(inputs))
    targets[np.arange(8) >= lengths[:, None]] = PAD  # sequences of 3 to 8 steps, padded to 8
    model = sequence_model(GRU, dtype=np.float32, dim=8, hidden=16)
    history = fit(model, inputs, targets, epochs=25, batch_size=32, optimizer="adam", lr=0.02,
                  loss="sequence_cross_entropy", val=(inputs, targets), quiet=True)
    assert history.val_loss[0] > 1.0 and history.val_loss[-1] < 0.05  # from ~ln 6 ≈ 1.8 to near 0


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
def test_same_seed_same_weights_and_the_documented_init(cell) -> None:
    a, b, c = cell(4, 6, rng=0), cell(4, 6, rng=0), cell(4, 6, rng=1)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.params["W_x"], c.params["W_x"])
    blocks = cell.blocks
    assert a.params["W_x"].shape == (4, 6 * blocks) and a.params["W_h"].shape == (6, 6 * blocks)
    assert a.params["b"].shape == (6 * blocks,) and np.all(a.params["b"] == 0)
    assert all(v.dtype == np.float32 for v in (*a.params.values(), *a.grads.values()))
    assert np.abs(a.params["W_x"]).max() <= np.sqrt(6 / (4 + 6))  # Xavier-uniform, block by block
    for W in np.split(a.params["W_h"], blocks, axis=1):  # every recurrent block orthogonal
        np.testing.assert_allclose(W.T @ W, np.eye(6), atol=1e-6)
    assert a.decayed == ("W_x", "W_h") and repr(a) == f"{cell.__name__}(4→6)"


def test_orthogonal_keeps_the_norm_of_every_state() -> None:
    Q = orthogonal(50, np.random.default_rng(0), np.float64)
    h = np.random.default_rng(1).standard_normal((8, 50))
    np.testing.assert_allclose(np.linalg.norm(h @ Q, axis=1), np.linalg.norm(h, axis=1), rtol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(Q, compute_uv=False), 1, rtol=1e-12)


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
def test_float32_weights_cast_other_float_input_and_training_is_ignored(cell) -> None:
    layer = cell(4, 6, rng=0)
    H = layer.forward(X)  # float64 input, float32 weights
    dx = layer.backward(np.ones_like(H))
    assert H.dtype == dx.dtype == layer.state_grads.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())
    np.testing.assert_array_equal(layer.forward(X, training=False), H)
    np.testing.assert_array_equal(layer.forward(X.astype(np.float32)), H)
    W_h = layer.grads["W_h"].copy()
    assert layer.backward(np.ones_like(H), input_grad=False) is None
    np.testing.assert_array_equal(layer.grads["W_h"], W_h)  # grads still filled, afresh


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.__name__)
def test_bad_input_is_explained(cell) -> None:
    layer, name = cell(4, 6), rf"{cell.__name__}\(4→6\)"
    with pytest.raises(ValueError, match=rf"^{name} expected x of shape \(batch, time, 4\), got \(5, 4\)\. "
                                         r"Did you forget the batch axis\? x\[None\]"):
        layer.forward(np.zeros((5, 4), np.float32))
    wrong_features = rf"^{name} expected x of shape \(batch, time, 4\), got \(3, 5, 2\)\.$"
    with pytest.raises(ValueError, match=wrong_features):
        layer.forward(np.zeros((3, 5, 2), np.float32))
    with pytest.raises(TypeError, match=rf"{name} expected float vectors x of shape \(batch, time, 4\), got "
                                        r"dtype int64 and shape \(3, 5\)\. Integer ids\?.*Embedding"):
        layer.forward(np.zeros((3, 5), np.int64))
    with pytest.raises(TypeError, match=rf"{name} expected x to be a NumPy array, got list"):
        layer.forward([[[0.0] * 4]])
    with pytest.raises(ValueError, match=rf"{name} got no steps: x has shape \(3, 0, 4\)"):
        layer.forward(np.zeros((3, 0, 4), np.float32))
    with pytest.raises(RuntimeError, match=rf"{name}\.backward called before forward"):
        layer.backward(np.zeros((3, 5, 6), np.float32))
    layer.forward(np.zeros((3, 5, 4), np.float32))
    with pytest.raises(ValueError, match=r"expected grad_out of shape \(3, 5, 6\).*got \(3, 6\)"):
        layer.backward(np.zeros((3, 6), np.float32))
    with pytest.raises(ValueError, match=rf"{cell.__name__} needs positive integer sizes"):
        cell(4, 0)
