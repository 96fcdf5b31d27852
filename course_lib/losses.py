"""Loss functions: each returns (loss, dL/dprediction), averaged over the batch.

Derived in notebook 03 (chain rule: softmax cross-entropy's gradient collapses to p − y) and notebook 04
(backpropagation: mean squared error on XOR); cross-entropy trains MNIST in notebook 07, and, over every
position of a batch of sequences, the language models of Part II (`sequence_cross_entropy`, notebook 10).
`loss` is a Python float; `grad` has the shape and dtype of the prediction.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib._validate import expect_float, expect_labels, expect_same_shape, lookup

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]
PAD = -1  # the target id of a padding position: `sequence_cross_entropy` ignores it


def mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error. pred, target: (batch, ...) of the same shape.

    L = (1/B) Σ_b Σ_j (p_bj − t_bj)²  (for one output per sample this is np.mean((p − t)²)),
    dL/dp = 2 (p − t) / B.
    """
    expect_float(pred, "mse", "pred")
    expect_same_shape(pred, target, "mse", ("pred", "target"))
    diff = pred - target.astype(pred.dtype, copy=False)
    batch = len(pred)
    return float(np.vdot(diff, diff)) / batch, diff * (2 / batch)


def binary_cross_entropy(
    probs: np.ndarray, target: np.ndarray, eps: float = 1e-7
) -> tuple[float, np.ndarray]:
    """Binary cross-entropy on probabilities. probs, target: (batch, ...) with target in {0, 1}.

    p is clipped to [eps, 1 − eps] so log never sees 0.
    L = −(1/B) Σ [t log p + (1 − t) log(1 − p)],  dL/dp = (p − t) / (p (1 − p)) / B.
    """
    expect_float(probs, "binary_cross_entropy", "probs")
    expect_same_shape(probs, target, "binary_cross_entropy", ("probs", "target"))
    p = np.clip(probs, eps, 1 - eps)
    t = target.astype(p.dtype, copy=False)
    batch = len(p)
    loss = -float(np.sum(t * np.log(p) + (1 - t) * np.log(1 - p))) / batch
    return loss, (p - t) / (p * (1 - p) * batch)


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax(logits) against integer labels. logits: (batch, k), labels: (batch,).

    With log-sum-exp lse_b = m_b + log Σ_j e^{z_bj − m_b} (m_b = max_j z_bj, so no overflow):
    L = (1/B) Σ_b (lse_b − z_{b, y_b}),  dL/dz = (softmax(z) − onehot(y)) / B.
    """
    expect_float(logits, "softmax_cross_entropy", "logits")
    if logits.ndim != 2:
        raise ValueError(
            f"softmax_cross_entropy expected logits of shape (batch, classes), got {logits.shape}."
        )
    batch, k = logits.shape
    expect_labels(labels, k, batch, "softmax_cross_entropy")
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=1)
    rows = np.arange(batch)
    loss = float(np.log(sums).sum() - shifted[rows, labels].sum()) / batch
    grad = exp / sums[:, None]
    grad[rows, labels] -= 1
    grad /= batch
    return loss, grad


def sequence_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy per real position of a batch of sequences. logits: (batch, time, vocab), targets:
    (batch, time) integer ids, PAD (−1) where the position is padding.

    With R the real positions (targets ≠ PAD) and N = |R|, the mean negative log-likelihood per character:
    L = (1/N) Σ_{(b,t) ∈ R} (lse_bt − z_{bt, y_bt}),  dL/dz_bt = (softmax(z_bt) − onehot(y_bt)) / N on R, 0 on
    padding: padded positions count neither in the mean nor in the gradient.
    """
    expect_float(logits, "sequence_cross_entropy", "logits")
    if not isinstance(targets, np.ndarray) or targets.dtype.kind not in "iu":
        kind = targets.dtype if isinstance(targets, np.ndarray) else type(targets).__name__
        raise TypeError(f"sequence_cross_entropy expected integer targets, got {kind}. "
                        f"Use targets.astype(np.int64), with {PAD} at padding.")
    if logits.ndim != 3 or targets.shape != logits.shape[:2]:
        raise ValueError(f"sequence_cross_entropy expected logits (batch, time, vocab) and targets (batch, "
                         f"time), got logits {logits.shape} and targets {targets.shape}.")
    vocab = logits.shape[2]
    if targets.size and (targets.min() < PAD or targets.max() >= vocab):
        raise ValueError(f"sequence_cross_entropy: targets must be ids in [0, {vocab}) or {PAD} (padding), "
                         f"got values from {targets.min()} to {targets.max()}.")
    real = targets != PAD
    n_real = int(np.count_nonzero(real))
    if n_real == 0:
        raise ValueError("sequence_cross_entropy: every target is padding, there is nothing to predict.")
    shifted = logits - logits.max(axis=2, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=2)
    picked = np.take_along_axis(shifted, np.where(real, targets, 0)[..., None], axis=2)[..., 0]
    log_likelihood = np.sum(picked[real], dtype=np.float64) - np.sum(np.log(sums[real]), dtype=np.float64)
    loss = -float(log_likelihood) / n_real
    grad = exp / sums[..., None]
    batch_index, time_index = np.nonzero(real)
    grad[batch_index, time_index, targets[real]] -= 1
    grad *= (real / n_real).astype(grad.dtype)[..., None]
    return loss, grad


LOSSES: dict[str, LossFn] = {
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy,
    "sequence_cross_entropy": sequence_cross_entropy,
}


def get_loss(loss: str | LossFn) -> LossFn:
    """Return the loss function for a name (or pass a callable through)."""
    return loss if callable(loss) else lookup(LOSSES, loss, "loss")
