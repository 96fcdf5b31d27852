"""`fit`: mini-batch training with a seeded shuffle, schedules, validation and a `History`.

Derived in notebook 07 (MNIST), used from notebook 05 on. One epoch visits every sample once in a
random order drawn from np.random.default_rng(seed), so the same seed gives the same history, bit for bit.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from course_lib._validate import expect_float, expect_labels, expect_same_length
from course_lib.layers import Sequential
from course_lib.losses import LossFn, binary_cross_entropy, get_loss, softmax_cross_entropy
from course_lib.metrics import accuracy, predicted_labels
from course_lib.optim import Optimizer, clip_grad_norm, get_optimizer
from course_lib.schedules import Schedule


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite during `fit`."""


@dataclass
class History:
    """What `fit` records, one value per epoch (except `batch_loss`, one per step).

    `loss` and `accuracy` are running means over the epoch's batches (taken before each step, as Keras
    does); `val_loss` and `val_accuracy` are measured after the epoch. Accuracies are NaN for losses that
    are not classification losses.
    `lr` is the learning rate of the epoch's last step. `grad_norms` and `weight_norms` map a layer name
    ("0.Dense") to the norm √(Σ θ²) over that layer's parameters, taken at the epoch's last step
    (one cheap sample per epoch instead of an extra pass). `diverged` is set by on_divergence="stop".
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    batch_loss: list[float] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    weight_norms: dict[str, list[float]] = field(default_factory=dict)
    diverged: bool = False


def _check_data(model: Sequential, x: np.ndarray, y: np.ndarray, loss_fn: LossFn, where: str) -> None:
    expect_float(x, where)
    expect_same_length(x, y, where)
    if len(x) == 0:
        raise ValueError(f"{where} got no samples: x has shape {x.shape}.")
    if loss_fn is softmax_cross_entropy:
        n_classes = model.predict(x[:1]).shape[1]
        expect_labels(y, n_classes, len(x), where)


def _make_optimizer(model: Sequential, optimizer: Optimizer | str | None, lr: float | None) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        if lr is not None:
            optimizer.lr = lr
        return optimizer
    return get_optimizer(optimizer or "sgd", model, lr=0.1 if lr is None else lr)


def _record_norms(model: Sequential, history: History) -> None:
    grads: dict[str, float] = {}
    weights: dict[str, float] = {}
    for name, _, param, grad in model.parameters():
        grads[name] = grads.get(name, 0.0) + float(np.vdot(grad, grad))
        weights[name] = weights.get(name, 0.0) + float(np.vdot(param, param))
    for name in grads:
        history.grad_norms.setdefault(name, []).append(math.sqrt(grads[name]))
        history.weight_norms.setdefault(name, []).append(math.sqrt(weights[name]))


@dataclass
class _Loop:
    """What every step of an epoch needs, bundled so the epoch loop stays a small function."""

    model: Sequential
    loss_fn: LossFn
    opt: Optimizer
    schedule: Schedule | None
    clip_norm: float | None
    classify: bool
    step: int = 0


def _train_epoch(
    loop: _Loop,
    x: np.ndarray,
    y: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    history: History,
    epoch: int,
) -> tuple[float, int]:
    """One pass over x in the given order; returns (summed loss, number correct)."""
    model, opt, grads = loop.model, loop.opt, loop.opt.grads
    total, correct = 0.0, 0
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        xb, yb = x[idx], y[idx]
        if loop.schedule is not None:
            opt.lr = loop.schedule(loop.step)
        out = model.forward(xb)
        batch_loss, grad = loop.loss_fn(out, yb)
        history.batch_loss.append(batch_loss)
        if not math.isfinite(batch_loss):
            raise TrainingDiverged(
                f"Training diverged at epoch {epoch + 1}, step {loop.step}: the loss became {batch_loss}. "
                f"Try a lower learning rate (it was {opt.lr:g}), gradient clipping (e.g. clip_norm=1.0), "
                f"or smaller initial weights (Xavier or He instead of a fixed large scale)."
            )
        model.backward(grad)
        if loop.clip_norm is not None:
            clip_grad_norm(grads, loop.clip_norm)
        opt.step()
        total += batch_loss * len(idx)
        if loop.classify:
            correct += np.count_nonzero(predicted_labels(out) == yb.reshape(len(yb)))
        loop.step += 1
    return total, correct


def _end_epoch(
    loop: _Loop,
    history: History,
    total: float,
    correct: int,
    n: int,
    val: tuple[np.ndarray, np.ndarray] | None,
    track_norms: bool,
) -> dict[str, str]:
    """Append the epoch's figures to history; return them for the progress bar."""
    history.loss.append(total / n)
    history.accuracy.append(correct / n if loop.classify else math.nan)
    history.lr.append(loop.opt.lr)
    if track_norms:
        _record_norms(loop.model, history)
    shown = {"loss": f"{history.loss[-1]:.4f}"}
    if val is not None:
        out = loop.model.predict(val[0])
        history.val_loss.append(loop.loss_fn(out, val[1])[0])
        history.val_accuracy.append(accuracy(out, val[1]) if loop.classify else math.nan)
        shown["val_loss"] = f"{history.val_loss[-1]:.4f}"
    return shown


def fit(
    model: Sequential,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 32,
    optimizer: Optimizer | str | None = None,
    lr: float | None = None,
    schedule: Schedule | None = None,
    loss: str | LossFn = "softmax_cross_entropy",
    val: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    quiet: bool = False,
    clip_norm: float | None = None,
    track_norms: bool = True,
    on_divergence: str = "raise",
) -> History:
    """Train `model` on x: (n, n_in) float and y: (n,) integer labels (or targets shaped like the output).

    optimizer: an Optimizer, a name ("sgd", "momentum", "nesterov", "adam") or None for SGD;
    lr overrides its learning rate (default 0.1 for a new one). schedule(step) sets the lr before every
    step (step counts from 0 over all epochs). clip_norm rescales the gradients' global norm.
    val=(x_val, y_val) is evaluated after every epoch. A NaN or infinite loss raises TrainingDiverged,
    or with on_divergence="stop" warns and returns the history so far with history.diverged = True.
    """
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f"on_divergence must be 'raise' or 'stop', got {on_divergence!r}.")
    loss_fn = get_loss(loss)
    _check_data(model, x, y, loss_fn, "fit")
    if val is not None:
        _check_data(model, *val, loss_fn, "fit (val)")
    classify = loss_fn in (softmax_cross_entropy, binary_cross_entropy)
    loop = _Loop(model, loss_fn, _make_optimizer(model, optimizer, lr), schedule, clip_norm, classify)
    rng = np.random.default_rng(seed)
    history = History()
    with tqdm(range(epochs), disable=quiet, desc="fit", unit="epoch") as bar:
        for epoch in bar:
            try:
                total, correct = _train_epoch(loop, x, y, rng.permutation(len(x)), batch_size, history, epoch)
            except TrainingDiverged as error:
                if on_divergence == "raise":
                    raise
                warnings.warn(str(error), RuntimeWarning, stacklevel=2)
                history.diverged = True
                return history
            bar.set_postfix(_end_epoch(loop, history, total, correct, len(x), val, track_norms))
    return history
