"""Input checks shared by every module: one place for the error messages learners read.

Each check is cheap (a few attribute look-ups) because layers call them on every step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def lookup(table: Mapping[str, T], name: str, kind: str) -> T:
    """table[name], or a ValueError listing the valid names, e.g. "Unknown activation 'rleu'. Valid ..."."""
    try:
        return table[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown {kind} {name!r}. Valid names: {', '.join(table)}.") from None


def expect_float(x: object, where: str, name: str = "x") -> None:
    """Raise unless `x` is a NumPy array of floats, saying how to convert it."""
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{where} expected {name} to be a NumPy array, got {type(x).__name__}. "
            f"Convert it with np.asarray({name}, dtype=np.float32)."
        )
    if x.dtype.kind != "f":
        raise TypeError(
            f"{where} expected {name} with a float dtype, got dtype {x.dtype}. "
            f"Convert it with {name}.astype(np.float32)."
        )


def expect_batch(x: np.ndarray, n_features: int, where: str, leading_axes: bool = False) -> None:
    """Raise unless `x` is a non-empty float batch of shape (batch, n_features).

    leading_axes=True also accepts more axes before the features, e.g. (batch, time, n_features).
    """
    expect_float(x, where)
    if x.ndim < 2 or x.shape[-1] != n_features or (x.ndim > 2 and not leading_axes):
        hint = " Did you forget the batch axis? x[None, :]" if x.shape == (n_features,) else ""
        axes = "batch, …" if leading_axes and x.ndim > 2 else "batch"
        raise ValueError(f"{where} expected x of shape ({axes}, {n_features}), got {x.shape}.{hint}")
    if 0 in x.shape[:-1]:
        raise ValueError(f"{where} got an empty batch: x has shape {x.shape}, at least one sample is needed.")


def expect_sequences(x: object, n_features: int, where: str) -> None:
    """Raise unless `x` is a non-empty float batch of sequences (batch, time, n_features), saying what to do.

    Integer ids get pointed to an Embedding; one sequence (time, n_features) to the missing batch axis.
    """
    if isinstance(x, np.ndarray) and x.dtype.kind in "iub":
        raise TypeError(
            f"{where} expected float vectors x of shape (batch, time, {n_features}), got dtype {x.dtype} "
            f"and shape {x.shape}. Integer ids? Turn them into vectors with an Embedding first, e.g. "
            f"Sequential(Embedding(vocab_size, {n_features}), {where}, ...)."
        )
    expect_float(x, where)
    if x.ndim != 3 or x.shape[2] != n_features:
        hint = ""
        if x.ndim == 2 and x.shape[1] == n_features:
            hint = " Did you forget the batch axis? x[None] makes one sequence a batch of one."
        raise ValueError(f"{where} expected x of shape (batch, time, {n_features}), got {x.shape}.{hint}")
    if x.size == 0:
        raise ValueError(f"{where} got no steps: x has shape {x.shape}, at least one sequence of one step "
                         f"is needed.")


def expect_same_shape(a: np.ndarray, b: np.ndarray, where: str, names: tuple[str, str]) -> None:
    """Raise unless `a` and `b` have the same shape, naming both."""
    if a.shape != b.shape:
        raise ValueError(f"{where}: {names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}.")


def expect_same_length(x: np.ndarray, y: np.ndarray, where: str) -> None:
    """Raise unless `x` and `y` hold the same number of samples (first axis)."""
    if len(x) != len(y):
        raise ValueError(f"{where}: x has {len(x)} samples but y has {len(y)}; they must match.")


def expect_labels(labels: np.ndarray, n_classes: int, n_samples: int, where: str) -> None:
    """Raise unless `labels` is (n_samples,) integers in [0, n_classes)."""
    if not isinstance(labels, np.ndarray) or labels.dtype.kind not in "iu":
        kind = labels.dtype if isinstance(labels, np.ndarray) else type(labels).__name__
        raise TypeError(f"{where} expected integer class labels, got {kind}. Use labels.astype(np.int64).")
    if labels.shape != (n_samples,):
        raise ValueError(
            f"{where} expected labels of shape ({n_samples},), one per sample, got {labels.shape}."
        )
    if n_samples and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"{where}: labels must lie in [0, {n_classes}) for {n_classes} classes, "
            f"got values from {labels.min()} to {labels.max()}."
        )


def expect_ids(ids: object, vocab_size: int, where: str) -> None:
    """Raise unless ids is a non-empty NumPy array of integers in [0, vocab_size), saying what to do."""
    if not isinstance(ids, np.ndarray):
        raise TypeError(f"{where} expected ids as a NumPy array of integers, got {type(ids).__name__}. "
                        f"Convert it with np.asarray(ids, dtype=np.int64).")
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{where} expected integer ids (symbol numbers), got dtype {ids.dtype}. An embedding "
                        f"looks rows up by id; if these are ids stored as floats, use ids.astype(np.int64).")
    if ids.size == 0:
        raise ValueError(f"{where} got no ids: ids has shape {ids.shape}.")
    low, high = ids.min(), ids.max()
    if low < 0 or high >= vocab_size:
        raise ValueError(f"{where}: ids must lie in [0, {vocab_size}), got values from {low} to {high}. "
                         f"Padding targets (−1) belong in the loss's targets, never in a model's input.")
