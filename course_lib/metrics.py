"""Classification metrics. Derived in notebook 07 (MNIST).

`outputs` may be logits or probabilities (batch, k) -> argmax; one probability per sample
(batch,) or (batch, 1) -> threshold at 0.5; or predicted labels as integers (batch,).
"""

from __future__ import annotations

import numpy as np

from course_lib._validate import expect_labels


def predicted_labels(outputs: np.ndarray) -> np.ndarray:
    """Turn outputs into integer labels (batch,): argmax over classes, or p > 0.5 for one probability."""
    if outputs.dtype.kind in "iu":
        return outputs.reshape(len(outputs))
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    return (outputs.reshape(len(outputs)) > 0.5).astype(np.int64)


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of samples whose predicted label equals the true one. labels: (batch,) or (batch, 1)."""
    pred = predicted_labels(outputs)
    if labels.size != len(pred):
        raise ValueError(f"accuracy: {len(pred)} predictions but {labels.size} labels; they must match.")
    return float(np.mean(pred == labels.reshape(len(pred))))


def confusion_matrix(outputs: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts C (n_classes, n_classes): C[i, j] = number of samples of true class i predicted as j."""
    pred = predicted_labels(outputs)
    expect_labels(labels, n_classes, len(pred), "confusion_matrix")
    expect_labels(pred, n_classes, len(pred), "confusion_matrix (predictions)")
    flat = labels.astype(np.int64) * n_classes + pred
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
