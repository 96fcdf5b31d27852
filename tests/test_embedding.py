"""Embedding: a row lookup whose backward is a scatter-add; the sequence loss; fit on ids."""

import numpy as np
import pytest

from course_lib.embedding import Embedding
from course_lib.gradcheck import check_layer, check_loss, check_model
from course_lib.layers import Dense, Flatten, Sequential, Tanh
from course_lib.losses import PAD, sequence_cross_entropy, softmax_cross_entropy
from course_lib.train import fit

IDS = np.array([[1, 4, 1, 0], [2, 2, 2, 3]])  # repeated ids: their gradients must add up


def test_forward_is_the_one_hot_product() -> None:
    emb = Embedding(5, 3, rng=0, dtype=np.float64)
    one_hot = np.eye(5)[IDS]  # (2, 4, 5)
    assert np.array_equal(emb.forward(IDS), one_hot @ emb.params["W"])
    assert emb.forward(np.array([3])).shape == (1, 3) and emb.forward(IDS[0]).shape == (4, 3)


@pytest.mark.parametrize("ids", [IDS, IDS[:, :1], np.array([2, 2, 2])], ids=["batch×time", "one step", "1-D"])
def test_backward_matches_finite_differences(ids: np.ndarray) -> None:
    report = check_layer(Embedding(5, 3, rng=0, dtype=np.float64), ids)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-7


def test_backward_adds_repeated_rows_and_zeroes_unused_ones() -> None:
    emb = Embedding(6, 2, rng=0, dtype=np.float64)
    emb.forward(IDS)
    grad = np.arange(16, dtype=np.float64).reshape(2, 4, 2)
    assert emb.backward(grad) is None
    expected = np.eye(6)[IDS].reshape(-1, 6).T @ grad.reshape(-1, 2)  # the one-hot backward: onehotᵀ @ dy
    assert np.array_equal(emb.grads["W"], expected) and np.all(emb.grads["W"][5] == 0)  # row 5: unused
    emb.forward(np.array([5]))
    emb.backward(np.ones((1, 2)))
    assert np.all(emb.grads["W"][:5] == 0)  # a new backward starts from zero


def test_bad_ids_are_explained() -> None:
    emb = Embedding(27, 4)
    with pytest.raises(TypeError, match=r"integer ids.*got dtype float32.*astype\(np.int64\)"):
        emb.forward(np.array([1.0, 2.0], dtype=np.float32))
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 27\), got values from -1 to 3.*Padding"):
        emb.forward(np.array([3, -1]))
    with pytest.raises(ValueError, match=r"got values from 0 to 27"):
        emb.forward(np.array([0, 27]))
    with pytest.raises(TypeError, match="NumPy array of integers, got list"):
        emb.forward([1, 2])
    with pytest.raises(ValueError, match="positive integer sizes"):
        Embedding(0, 3)
    assert repr(emb) == "Embedding(27, 4)" and np.all(Embedding(3, 2, std=0).params["W"] == 0)


LOGITS = np.random.default_rng(0).standard_normal((3, 4, 5))
TARGETS = np.array([[1, 2, 0, PAD], [4, 0, PAD, PAD], [3, 3, 1, 0]])


def test_sequence_loss_gradient_matches_finite_differences() -> None:
    report = check_loss(sequence_cross_entropy, LOGITS, TARGETS)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-6


def test_sequence_loss_is_the_mean_over_real_positions_only() -> None:
    loss, grad = sequence_cross_entropy(LOGITS, TARGETS)
    real = TARGETS != PAD
    flat, _ = softmax_cross_entropy(LOGITS[real], TARGETS[real])
    assert loss == pytest.approx(flat, rel=1e-12)
    assert np.all(grad[~real] == 0)
    changed = LOGITS.copy()
    changed[~real] = 1e3  # whatever the model says at padding: nothing moves
    assert sequence_cross_entropy(changed, TARGETS)[0] == pytest.approx(loss, rel=1e-12)
    float32 = sequence_cross_entropy(LOGITS.astype(np.float32), TARGETS)
    assert float32[1].dtype == np.float32 and float32[0] == pytest.approx(loss, rel=1e-6)


def test_sequence_loss_errors_name_shapes_and_values() -> None:
    shapes = r"logits \(batch, time, vocab\).*got logits \(3, 4, 5\) and targets \(3, 5\)"
    with pytest.raises(ValueError, match=shapes):
        sequence_cross_entropy(LOGITS, np.zeros((3, 5), np.int64))
    with pytest.raises(TypeError, match="integer targets, got float64"):
        sequence_cross_entropy(LOGITS, TARGETS.astype(np.float64))
    with pytest.raises(ValueError, match=r"ids in \[0, 5\) or -1 \(padding\), got values from -1 to 5"):
        sequence_cross_entropy(LOGITS, np.where(TARGETS == 0, 5, TARGETS))
    with pytest.raises(ValueError, match="every target is padding"):
        sequence_cross_entropy(LOGITS, np.full((3, 4), PAD))


def window_model(seed: int = 0, dtype: type = np.float64) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(Embedding(6, 3, rng=rng, dtype=dtype), Flatten(), Dense(6, 8, rng=rng, dtype=dtype),
                      Tanh(), Dense(8, 6, rng=rng, dtype=dtype))


def test_a_whole_window_model_matches_finite_differences() -> None:
    x = np.random.default_rng(1).integers(0, 6, (10, 2))
    y = np.random.default_rng(2).integers(0, 6, 10)
    report = check_model(window_model(), "softmax_cross_entropy", x, y, tol=1e-5)
    assert report.passed, str(report)  # 1e-5: entries near 1e-4 carry ~1e-10 of finite-difference noise


def test_a_sequence_model_with_padding_matches_finite_differences() -> None:
    model = Sequential(Embedding(5, 5, rng=0, dtype=np.float64))
    report = check_model(model, "sequence_cross_entropy", np.where(TARGETS == PAD, 0, TARGETS), TARGETS)
    assert report.passed, str(report)


def test_fit_trains_models_that_read_ids() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, (600, 2))
    y = np.maximum(x[:, 0], x[:, 1])  # a rule of both ids, learnable only through the embeddings
    history = fit(window_model(dtype=np.float32), x, y, epochs=30, batch_size=32, optimizer="adam", lr=0.02,
                  quiet=True)
    assert history.accuracy[-1] > 0.95
    inputs = rng.integers(0, 5, (40, 4))
    targets = np.where(rng.random((40, 4)) < 0.3, PAD, (inputs + 1) % 5)  # next id = this id + 1
    targets[:, 0] = (inputs[:, 0] + 1) % 5
    model = Sequential(Embedding(5, 5, std=0))
    history = fit(model, inputs, targets, epochs=60, batch_size=8, optimizer="adam", lr=0.1,
                  loss="sequence_cross_entropy", val=(inputs, targets), quiet=True)
    assert history.val_loss[-1] < 0.1 and np.isnan(history.accuracy[-1])


def test_fit_explains_float_ids_and_bad_targets() -> None:
    model, ids = Sequential(Embedding(5, 5)), np.zeros((4, 3), np.int64)
    with pytest.raises(TypeError, match=r"fit \(x for Embedding\(5, 5\)\) expected integer ids"):
        fit(model, np.zeros((4, 3)), np.zeros((4, 3), np.int64), epochs=1, loss="sequence_cross_entropy")
    with pytest.raises(ValueError, match=r"got values from -1 to 7"):
        fit(model, ids, np.array([[7, 0, -1]] * 4), epochs=1, loss="sequence_cross_entropy")
    with pytest.raises(ValueError, match=r"targets \(4, 3\)|targets \(1, 2\)"):
        fit(model, ids, np.zeros((4, 2), np.int64), epochs=1, loss="sequence_cross_entropy")
