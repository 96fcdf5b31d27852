"""Notebook 08 playground: pick a cure for overfitting and watch the train/validation gap.

The notebook trains every run once (seed 0) and keeps its per-epoch curves as `Curves`; `loss_gap` and
`draw_run` are the logic; the notebook's widget only wires a dropdown to `draw_run`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes


@dataclass(frozen=True)
class Curves:
    """Per-epoch figures of one run, all measured after the epoch with dropout off.

    `best_epoch` (counting from 0) is the epoch whose weights an early-stopped run kept, else None.
    """

    train_loss: tuple[float, ...]
    val_loss: tuple[float, ...]
    train_accuracy: tuple[float, ...]
    val_accuracy: tuple[float, ...]
    best_epoch: int | None = None

    def __post_init__(self) -> None:
        lengths = {len(self.train_loss), len(self.val_loss), len(self.train_accuracy), len(self.val_accuracy)}
        if len(lengths) != 1 or not self.train_loss:
            raise ValueError(f"Curves needs the same, non-zero number of epochs in every series, "
                             f"got lengths {lengths}.")
        if self.best_epoch is not None and not 0 <= self.best_epoch < len(self.train_loss):
            raise ValueError(f"best_epoch must be in [0, {len(self.train_loss)}), got {self.best_epoch}.")

    def final(self) -> int:
        """The epoch whose weights the run ends with: best_epoch if early-stopped, else the last."""
        return len(self.train_loss) - 1 if self.best_epoch is None else self.best_epoch


def loss_gap(curves: Curves) -> np.ndarray:
    """Validation loss − training loss per epoch, (epochs,): how much worse unseen images are scored."""
    return np.asarray(curves.val_loss) - np.asarray(curves.train_loss)


def draw_run(axes: tuple[Axes, Axes], name: str, runs: dict[str, Curves], baseline: str) -> str:
    """Left: train and validation loss of runs[name] (the baseline's dashed); right: both runs' gaps.

    Returns one line with the final gap and validation accuracy of the run and of the baseline.
    """
    if name not in runs or baseline not in runs:
        raise ValueError(f"Unknown run {name if name not in runs else baseline!r}. Runs: {', '.join(runs)}.")
    losses, gaps = axes
    for key, style in ((baseline, "--"), (name, "-")):
        run, epochs = runs[key], np.arange(1, len(runs[key].train_loss) + 1)
        losses.plot(epochs, run.train_loss, style, color="tab:blue", label=f"train ({key})")
        losses.plot(epochs, run.val_loss, style, color="tab:orange", label=f"validation ({key})")
        gaps.plot(epochs, loss_gap(run), style, color="k" if key == name else "gray", label=key)
        if run.best_epoch is not None:
            gaps.plot(run.best_epoch + 1, loss_gap(run)[run.best_epoch], "o", color="tab:red",
                      label="weights kept")
    losses.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="train and validation loss")
    gaps.set(xlabel="epoch", ylabel="validation − training loss", title="the gap", ylim=(0, None))
    losses.legend(fontsize=7)
    gaps.legend(fontsize=7)
    return " | ".join(f"{key}: gap {loss_gap(runs[key])[runs[key].final()]:.3f}, validation accuracy "
                      f"{runs[key].val_accuracy[runs[key].final()]:.2%}" for key in (name, baseline))
