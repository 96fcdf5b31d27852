"""Loss functions: each returns (loss, dL/dprediction), averaged over the batch.

Derived in notebook 03 (chain rule: softmax cross-entropy's gradient collapses to p − y) and notebook 04
(backpropagation: mean squared error on XOR); cross-entropy trains MNIST in notebook 07.
`loss` is a Python float; `grad` has the shape and dtype of the prediction.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib._validate import expect_float, expect_labels, expect_same_shape, lookup

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


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


LOSSES: dict[str, LossFn] = {
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy,
}


def get_loss(loss: str | LossFn) -> LossFn:
    """Return the loss function for a name (or pass a callable through)."""
    return loss if callable(loss) else lookup(LOSSES, loss, "loss")
