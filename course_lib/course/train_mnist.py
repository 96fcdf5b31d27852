"""Train notebook 07's final MNIST recipe from the terminal: `make train`.

Or `python -m course_lib.course.train_mnist [--recipe fast] [--seed 1] ...`. The recipe is the one the
ladder of notebook 07 ends with, on the same split: the first 55,000 training images train, the last 5,000
validate, the 10,000 test images report once. Inputs standardized with the training images' mean and
standard deviation; a 784-512-10 ReLU network (He initialization for the hidden layer, Xavier for the
output), dropout 0.2 after the hidden layer, softmax cross-entropy, mini-batches of 128, momentum 0.9 with
a learning rate of 0.1 falling linearly to 0 over 12 epochs. `--recipe fast` is the 3-epoch, 256-unit
version (batches of 64, lr 0.05; about 98% in a couple of seconds). The run prints the validation and
test accuracy and the training time, and writes to --out (default runs/): the weights (`mnist_mlp.npz`,
see `course_lib.serialize`), the standardization numbers (mean and std of the 0–255 pixels) and results
(`mnist_mlp.json`) and the loss curve (`mnist_loss.png`).
"""

import os

# One BLAS thread: for matrices this small, two threads mostly wait for each other, and on a busy
# machine they can be many times slower. Set before NumPy loads; an explicit setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from course_lib.data import load_mnist
from course_lib.layers import Sequential, mlp
from course_lib.metrics import accuracy
from course_lib.optim import Momentum
from course_lib.schedules import LinearDecay
from course_lib.serialize import save_params
from course_lib.train import History, fit

N_TRAIN = 55_000  #: the first 55,000 training images train, the last 5,000 validate (notebook 07's split)


@dataclass(frozen=True)
class Recipe:
    """The settings notebook 07's ladder changes: width, batch, starting lr, epochs, dropout, momentum.

    Fixed in every recipe: standardized inputs, He init for the hidden layer (Xavier for the output) and a
    learning rate falling linearly from `lr` to 0 over all steps.
    """

    hidden: int
    batch_size: int
    lr: float
    epochs: int
    dropout: float
    momentum: float = 0.9


RECIPES = {"final": Recipe(hidden=512, batch_size=128, lr=0.1, epochs=12, dropout=0.2),
           "fast": Recipe(hidden=256, batch_size=64, lr=0.05, epochs=3, dropout=0.0)}


@dataclass(frozen=True)
class Result:
    """What one run measured: accuracies, training seconds, the standardization numbers and the settings."""

    test_accuracy: float
    val_accuracy: float
    seconds: float
    mean: float
    std: float
    recipe: str
    epochs: int
    batch_size: int
    lr: float
    hidden: int
    dropout: float
    seed: int
    n_train: int


def build_model(hidden: int = 512, seed: int = 0, dropout: float = 0.0) -> Sequential:
    """784-hidden-10: Dense (He init) → ReLU → [Dropout] → Dense (Xavier init), from `mlp(seed=seed)`."""
    return mlp([784, hidden, 10], "relu", seed=seed, dropout=dropout)


def standardize(x_train: np.ndarray, *others: np.ndarray) -> tuple[float, float, list[np.ndarray]]:
    """One mean and one std over all training pixels; returns (mean, std, [x_train, *others] standardized)."""
    mean, std = float(x_train.mean()), float(x_train.std())
    return mean, std, [((x - mean) / std).astype(np.float32) for x in (x_train, *others)]


def train(model: Sequential, x: np.ndarray, y: np.ndarray, recipe: Recipe, *, seed: int = 0,
          quiet: bool = False) -> History:
    """Momentum `recipe.momentum` with lr falling linearly from `recipe.lr` to 0 over all steps of the run."""
    steps = recipe.epochs * -(-len(x) // recipe.batch_size)
    optimizer = Momentum(model, recipe.lr, momentum=recipe.momentum)
    return fit(model, x, y, epochs=recipe.epochs, batch_size=recipe.batch_size, optimizer=optimizer,
               schedule=LinearDecay(recipe.lr, total_steps=steps), seed=seed, quiet=quiet)


def save_loss_plot(history: History, path: Path, batches_per_epoch: int,
                   title: str = "MNIST: training loss") -> Path:
    """Write the per-batch loss (and its per-epoch mean) as a PNG, with the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    steps = np.arange(1, len(history.batch_loss) + 1) / batches_per_epoch
    ax.plot(steps, history.batch_loss, linewidth=0.5, alpha=0.5, label="one batch")
    ax.plot(np.arange(1, len(history.loss) + 1), history.loss, marker="o", label="epoch mean")
    ax.set(xlabel="epoch", ylabel="training loss", yscale="log", title=title)
    ax.legend()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def mnist_split(limit: int | None = None) -> tuple[np.ndarray, ...]:
    """Notebook 07's split, pixels 0..255 as float32, exactly as the notebook loads them.

    Returns x_train (55000, 784), y_train (55000,), x_val (5000, 784), y_val, x_test (10000, 784), y_test;
    with `limit`, the first `limit` images of each.
    """
    x_all, y_all, x_test, y_test = load_mnist()
    x_all, x_test = x_all.astype(np.float32), x_test.astype(np.float32)
    parts = (x_all[:N_TRAIN], y_all[:N_TRAIN], x_all[N_TRAIN:], y_all[N_TRAIN:], x_test, y_test)
    return tuple(part[:limit] for part in parts) if limit is not None else parts


def run(recipe: Recipe, name: str = "final", seed: int = 0, out: Path = Path("runs"),
        limit: int | None = None, quiet: bool = False) -> Result:
    """Load MNIST, train on the first 55,000 images, measure on the last 5,000 and on the test set, save."""
    x_train, y_train, x_val, y_val, x_test, y_test = mnist_split(limit)
    mean, std, (x_train, x_val, x_test) = standardize(x_train, x_val, x_test)
    model = build_model(recipe.hidden, seed, recipe.dropout)
    start = time.perf_counter()
    history = train(model, x_train, y_train, recipe, seed=seed, quiet=quiet)
    seconds = time.perf_counter() - start
    result = Result(accuracy(model.predict(x_test), y_test), accuracy(model.predict(x_val), y_val), seconds,
                    mean, std, name, recipe.epochs, recipe.batch_size, recipe.lr, recipe.hidden,
                    recipe.dropout, seed, len(x_train))
    out.mkdir(parents=True, exist_ok=True)
    save_params(model, out / "mnist_mlp.npz")
    (out / "mnist_mlp.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
    save_loss_plot(history, out / "mnist_loss.png", -(-len(x_train) // recipe.batch_size))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.course.train_mnist",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", choices=list(RECIPES), default="final",
                        help="final (notebook 07's, the default) or fast (3 epochs, 256 units)")
    parser.add_argument("--epochs", type=int, help="passes over the training set (final: 12, fast: 3)")
    parser.add_argument("--batch-size", type=int, help="samples per step (final: 128, fast: 64)")
    parser.add_argument("--lr", type=float, help="starting learning rate (final: 0.1, fast: 0.05)")
    parser.add_argument("--hidden", type=int, help="hidden units (final: 512)")
    parser.add_argument("--dropout", type=float, help="dropout after the hidden layer (final: 0.2)")
    parser.add_argument("--seed", type=int, default=0, help="seed for initialization, dropout and shuffling")
    parser.add_argument("--out", type=Path, default=Path("runs"), help="output folder (default runs/)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N train, validation and "
                        "test images")
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size", "hidden", "limit"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if args.dropout is not None and not 0 <= args.dropout < 1:
        parser.error(f"--dropout must be in [0, 1), got {args.dropout}")
    options = ("epochs", "batch_size", "lr", "hidden", "dropout")
    changes = {k: getattr(args, k) for k in options if getattr(args, k) is not None}
    recipe = replace(RECIPES[args.recipe], **changes)
    result = run(recipe, args.recipe if not changes else f"{args.recipe} (changed)", args.seed, args.out,
                 args.limit)
    n_test = min(10_000, args.limit or 10_000)
    print(f"validation accuracy: {result.val_accuracy:.2%} on {min(5_000, args.limit or 5_000):,} images")
    print(f"test accuracy: {result.test_accuracy:.2%} on {n_test:,} test images")
    print(f"training time: {result.seconds:.2f} s ({result.n_train:,} images × {result.epochs} "
          f"{'epoch' if result.epochs == 1 else 'epochs'})")
    names = ("mnist_mlp.npz", "mnist_mlp.json", "mnist_loss.png")
    print("saved:", ", ".join(str(args.out / name) for name in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
