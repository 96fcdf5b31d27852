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


# ---------------------------------------------------------------- calibration (notebook 08)


def _calibration_inputs(probs: np.ndarray, labels: np.ndarray, n_bins: int, where: str) -> None:
    if not isinstance(probs, np.ndarray) or probs.ndim != 2 or probs.shape[1] < 2:
        shape = probs.shape if isinstance(probs, np.ndarray) else type(probs).__name__
        raise ValueError(f"{where}: probs must be class probabilities of shape (batch, n_classes), got "
                         f"{shape}. Turn logits into probabilities first, e.g. activations.softmax(logits).")
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1, atol=1e-3):
        raise ValueError(f"{where}: every row of probs must be ≥ 0 and sum to 1 (softmax outputs), "
                         "not logits.")
    expect_labels(labels, probs.shape[1], len(probs), where)
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"{where}: n_bins must be a whole number ≥ 1, got {n_bins!r}.")


def reliability_bins(probs: np.ndarray, labels: np.ndarray, n_bins: int = 10
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group predictions by confidence: (counts, mean confidence, accuracy), each (n_bins,).

    probs (batch, k) are class probabilities, labels (batch,) the true classes. A prediction's
    confidence is its largest probability c = max_j p_j, its answer argmax_j p_j. Bin b holds the
    predictions with b/M ≤ c < (b+1)/M for M = n_bins (c = 1 goes to the last bin). For each bin:
    counts[b] = n_b, confidence[b] = mean c over the bin, accuracy[b] = fraction of right answers;
    both are NaN for an empty bin. A calibrated network has accuracy[b] ≈ confidence[b].
    """
    _calibration_inputs(probs, labels, n_bins, "reliability_bins")
    confidence = probs.max(axis=1).astype(np.float64)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    bins = np.minimum((confidence * n_bins).astype(np.int64), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(bins, confidence, n_bins) / counts
        accuracy_per_bin = np.bincount(bins, correct, n_bins) / counts
    return counts, mean_confidence, accuracy_per_bin


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = 10) -> float:
    """ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b| over the non-empty bins of `reliability_bins`.

    The average gap between how sure the network is and how often it is right, each bin weighted by
    its share of the N predictions: 0 for a perfectly calibrated network, at most 1.
    """
    counts, confidence, accuracy_per_bin = reliability_bins(probs, labels, n_bins)
    used = counts > 0
    return float(np.sum(counts[used] * np.abs(accuracy_per_bin[used] - confidence[used])) / counts.sum())
