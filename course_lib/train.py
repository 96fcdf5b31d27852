"""`fit`: mini-batch training with a seeded shuffle, schedules, validation, callbacks and a `History`.

Derived in notebook 07 (MNIST), used from notebook 04 on (`Network.train` is `fit` with one full batch).
One epoch visits every sample once in a random order drawn from np.random.default_rng(seed), in
batches of `batch_size`; the last batch of an epoch holds what is left (it may be smaller). The same
seed gives the same history, bit for bit.

Callbacks are any objects with one or both of these methods (see `Callback`):
    on_step(step, model, loss, lr, batch_size)  after backward (and clipping), before the update;
    on_epoch(epoch, history)                    after the epoch's figures are recorded; return True to stop.
`course_lib.diagnostics` has the ones the notebooks use. Without callbacks a step does no extra work.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from tqdm.auto import tqdm

from course_lib._validate import expect_float, expect_ids, expect_labels, expect_same_length
from course_lib.layers import Sequential
from course_lib.losses import (
    PAD,
    LossFn,
    binary_cross_entropy,
    get_loss,
    sequence_cross_entropy,
    softmax_cross_entropy,
)
from course_lib.metrics import accuracy, predicted_labels
from course_lib.optim import Optimizer, clip_grad_norm, get_optimizer
from course_lib.schedules import Schedule


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite during `fit`."""


@dataclass
class History:
    """What `fit` records: one value per epoch, and per step for the `batch_` lists.

    `loss` and `accuracy` are running means over the epoch's batches (taken before each step, as Keras
    does); `val_loss` and `val_accuracy` are measured after the epoch. Accuracies are NaN for losses that
    are not classification losses. `batch_loss[t]` and `batch_lr[t]` are the loss and the learning rate
    of step t. `clipped_steps` counts the steps whose gradient norm exceeded clip_norm.
    `diverged` is set by on_divergence="stop", `stopped` when a callback's on_epoch asked to stop.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    batch_loss: list[float] = field(default_factory=list)
    batch_lr: list[float] = field(default_factory=list)
    clipped_steps: int = 0
    diverged: bool = False
    stopped: bool = False


class Callback(Protocol):
    """What `fit` calls. A callback may have either method or both; fit looks them up once.

    on_step: `step` counts from 0 over all epochs; the model's grads hold this step's gradient and its
    parameters are still those `loss` was measured at; `lr` is the rate about to be applied;
    `batch_size` is this batch's size (the last batch of an epoch may be smaller).
    on_epoch: `epoch` counts from 0; `history` already holds that epoch's figures. Return True to stop.
    """

    def on_step(self, step: int, model: Sequential, loss: float, lr: float, batch_size: int) -> None: ...

    def on_epoch(self, epoch: int, history: History) -> bool | None: ...


def _check_data(model: Sequential, x: np.ndarray, y: np.ndarray, loss_fn: LossFn, where: str) -> None:
    if model.takes_ids:
        expect_ids(x, model.layers[0].vocab_size, f"{where} (x for {model.layers[0]})")
    else:
        expect_float(x, where)
    expect_same_length(x, y, where)
    if len(x) == 0:
        raise ValueError(f"{where} got no samples: x has shape {x.shape}.")
    if loss_fn is softmax_cross_entropy:
        n_classes = model.predict(x[:1]).shape[1]
        expect_labels(y, n_classes, len(x), where)
    elif loss_fn is sequence_cross_entropy:
        sequence_cross_entropy(model.predict(x[:1]), y[:1])  # raises on the wrong shape or dtype
        vocab = model.predict(x[:1]).shape[-1]
        if y.min() < PAD or y.max() >= vocab:
            raise ValueError(f"{where}: targets must be ids in [0, {vocab}) or {PAD} (padding), "
                             f"got values from {y.min()} to {y.max()}.")


def _make_optimizer(model: Sequential, optimizer: Optimizer | str | None, lr: float | None) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        if lr is not None:
            raise ValueError(
                f"fit got both an optimizer ({optimizer!r}) and lr={lr}: give the rate to the optimizer, "
                "e.g. Momentum(model, lr=0.05), or pass a schedule."
            )
        return optimizer
    return get_optimizer(optimizer or "sgd", model, lr=0.1 if lr is None else lr)


@dataclass
class _Loop:
    """What every step of an epoch needs, bundled so the epoch loop stays a small function."""

    model: Sequential
    loss_fn: LossFn
    opt: Optimizer
    schedule: Schedule | None
    clip_norm: float | None
    classify: bool
    step_hooks: list
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
        history.batch_lr.append(opt.lr)
        if not math.isfinite(batch_loss):
            raise TrainingDiverged(
                f"Training diverged at epoch {epoch + 1}, step {loop.step}: the loss became {batch_loss}. "
                f"Try a lower learning rate (it was {opt.lr:g}), gradient clipping (e.g. clip_norm=1.0), "
                f"or smaller initial weights (Xavier or He instead of a fixed large scale)."
            )
        model.backward(grad, input_grad=False)
        if loop.clip_norm is not None and clip_grad_norm(grads, loop.clip_norm) > loop.clip_norm:
            history.clipped_steps += 1
        for hook in loop.step_hooks:
            hook(loop.step, model, batch_loss, opt.lr, len(idx))
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
) -> dict[str, str]:
    """Append the epoch's figures to history; return them for the progress bar."""
    history.loss.append(total / n)
    history.accuracy.append(correct / n if loop.classify else math.nan)
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
    shuffle: bool = True,
    clip_norm: float | None = None,
    callbacks: Sequence[object] = (),
    quiet: bool = False,
    on_divergence: str = "raise",
) -> History:
    """Train `model` on x: (n, n_in) float and y: (n,) integer labels (or targets shaped like the output).

    A model whose first layer reads ids (an `Embedding`) takes integer x of any shape (n, ...) instead:
    x (n, k) contexts with y (n,) labels, or x (n, time) sequences with y (n, time) targets for
    loss="sequence_cross_entropy" (PAD where padding; the loss counts real positions only).

    optimizer: an Optimizer (its own lr is used), a name ("sgd", "momentum", "adam") or None for SGD;
    lr is the learning rate of a new one (default 0.1). schedule(step) sets the lr before every step
    (step counts from 0 over all epochs). shuffle=False keeps the data's order (full-batch descent).
    clip_norm rescales the gradients' global norm. val=(x_val, y_val) is evaluated after every epoch.
    callbacks: objects with on_step and/or on_epoch (see `Callback`). A NaN or infinite loss raises
    TrainingDiverged, or with on_divergence="stop" warns and returns the history so far, diverged = True.
    """
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f"on_divergence must be 'raise' or 'stop', got {on_divergence!r}.")
    loss_fn = get_loss(loss)
    _check_data(model, x, y, loss_fn, "fit")
    if val is not None:
        _check_data(model, *val, loss_fn, "fit (val)")
    classify = loss_fn in (softmax_cross_entropy, binary_cross_entropy)
    step_hooks = [cb.on_step for cb in callbacks if hasattr(cb, "on_step")]
    epoch_hooks = [cb.on_epoch for cb in callbacks if hasattr(cb, "on_epoch")]
    for callback in callbacks:
        if not (hasattr(callback, "on_step") or hasattr(callback, "on_epoch")):
            raise TypeError(f"fit: callback {callback!r} has neither on_step nor on_epoch (see Callback).")
    optimizer = _make_optimizer(model, optimizer, lr)
    loop = _Loop(model, loss_fn, optimizer, schedule, clip_norm, classify, step_hooks)
    rng = np.random.default_rng(seed)
    history = History()
    with tqdm(range(epochs), disable=quiet, desc="fit", unit="epoch") as bar:
        for epoch in bar:
            order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
            try:
                total, correct = _train_epoch(loop, x, y, order, batch_size, history, epoch)
            except TrainingDiverged as error:
                if on_divergence == "raise":
                    raise
                warnings.warn(str(error), RuntimeWarning, stacklevel=2)
                history.diverged = True
                return history
            bar.set_postfix(_end_epoch(loop, history, total, correct, len(x), val))
            if any([hook(epoch, history) for hook in epoch_hooks]):
                history.stopped = True
                break
    return history
