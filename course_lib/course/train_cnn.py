"""Train notebook 09's convolutional network on all of MNIST from the terminal: `make train-cnn`.

Or `python -m course_lib.course.train_cnn [--seed 1] [--epochs 4] ...`. The network is notebook 09's
LeNet-style stack (`build_cnn`): 5×5 convolution 1→8 channels (padding 2) → ReLU → 2×2 max-pool →
5×5 convolution 8→16 → ReLU → 2×2 max-pool → Flatten (16·5·5 = 400) → Dense 128 → ReLU → Dense 10.
It trains on all 60,000 training images (standardized with their mean and standard deviation, as in
notebook 07) with softmax cross-entropy, mini-batches of 64 and Adam, the learning rate falling linearly
from 0.002 to 0 over 8 epochs, and reports the accuracy on the 10,000 test images once, with a
progress bar over the epochs. The run prints the test accuracy and the training time (wall and CPU)
and writes to --out (default runs/): the weights (`mnist_cnn.npz`, see `course_lib.serialize`), the
standardization numbers and results (`mnist_cnn.json`) and the loss curve (`mnist_cnn_loss.png`).
"""

import os

# One BLAS thread, as for `make train` (see there); an explicit setting wins. Set before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from course_lib.course.train_mnist import save_loss_plot, standardize
from course_lib.data import load_mnist
from course_lib.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential
from course_lib.metrics import accuracy
from course_lib.optim import Adam
from course_lib.schedules import LinearDecay
from course_lib.serialize import save_params
from course_lib.train import History, fit

EVAL_BATCH = 1000  #: images per forward pass when measuring accuracy (im2col of 10,000 images is > 1 GB)


@dataclass(frozen=True)
class CnnRecipe:
    """Notebook 09's settings: output channels of the two convolutions, units of the hidden Dense layer,
    batch size, Adam's starting learning rate (falling linearly to 0 over all steps) and epochs."""

    channels: tuple[int, int] = (8, 16)
    hidden: int = 128
    batch_size: int = 64
    lr: float = 0.002
    epochs: int = 8


CNN_RECIPE = CnnRecipe()


def build_cnn(channels: tuple[int, int] = CNN_RECIPE.channels, hidden: int = CNN_RECIPE.hidden,
              seed: int = 0) -> Sequential:
    """x (batch, 1, 28, 28) -> logits (batch, 10): two conv → ReLU → max-pool blocks, then an MLP.

    Convolutions and the hidden Dense start with He initialization, the output Dense with Xavier, all
    drawn from np.random.default_rng(seed), layer by layer: the same seed gives the same network.
    """
    rng = np.random.default_rng(seed)
    c1, c2 = channels
    return Sequential(
        Conv2D(1, c1, 5, padding=2, rng=rng), ReLU(), MaxPool2D(2),     # (batch, c1, 14, 14)
        Conv2D(c1, c2, 5, rng=rng), ReLU(), MaxPool2D(2),               # (batch, c2, 5, 5)
        Flatten(), Dense(c2 * 5 * 5, hidden, init="he", rng=rng), ReLU(),
        Dense(hidden, 10, init="xavier", rng=rng),
    )


def images(x: np.ndarray) -> np.ndarray:
    """Flat MNIST rows (n, 784) -> images (n, 1, 28, 28), one channel, as the convolutions expect."""
    return x.reshape(len(x), 1, 28, 28)


def train(model: Sequential, x: np.ndarray, y: np.ndarray, recipe: CnnRecipe = CNN_RECIPE, *,
          seed: int = 0, quiet: bool = False) -> History:
    """Adam with the learning rate falling linearly from `recipe.lr` to 0 over all steps of the run."""
    steps = recipe.epochs * -(-len(x) // recipe.batch_size)
    return fit(model, x, y, epochs=recipe.epochs, batch_size=recipe.batch_size,
               optimizer=Adam(model, recipe.lr), schedule=LinearDecay(recipe.lr, total_steps=steps),
               seed=seed, quiet=quiet)


def predict(model: Sequential, x: np.ndarray, batch_size: int = EVAL_BATCH) -> np.ndarray:
    """model.predict over x in chunks of batch_size (bounded memory): x (n, ...) -> outputs (n, 10)."""
    return np.concatenate([model.predict(x[start : start + batch_size])
                           for start in range(0, len(x), batch_size)])


@dataclass(frozen=True)
class Result:
    """What one run measured: test accuracy, training seconds, standardization numbers, the settings."""

    test_accuracy: float
    seconds: float
    cpu_seconds: float
    mean: float
    std: float
    recipe: CnnRecipe
    seed: int
    n_train: int


def run(recipe: CnnRecipe = CNN_RECIPE, seed: int = 0, out: Path = Path("runs"), limit: int | None = None,
        quiet: bool = False) -> Result:
    """Load MNIST, train on all training images (or the first `limit`), test once, save the run."""
    x_train, y_train, x_test, y_test = load_mnist(np.float32)
    if limit is not None:
        x_train, y_train, x_test, y_test = x_train[:limit], y_train[:limit], x_test[:limit], y_test[:limit]
    mean, std, (x_train, x_test) = standardize(x_train, x_test)
    x_train, x_test = images(x_train), images(x_test)
    model = build_cnn(recipe.channels, recipe.hidden, seed)
    start, cpu_start = time.perf_counter(), time.process_time()
    history = train(model, x_train, y_train, recipe, seed=seed, quiet=quiet)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    result = Result(accuracy(predict(model, x_test), y_test), seconds, cpu_seconds, mean, std, recipe, seed,
                    len(x_train))
    out.mkdir(parents=True, exist_ok=True)
    save_params(model, out / "mnist_cnn.npz")
    (out / "mnist_cnn.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
    save_loss_plot(history, out / "mnist_cnn_loss.png", -(-len(x_train) // recipe.batch_size))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.course.train_cnn",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, help=f"passes over the training set ({CNN_RECIPE.epochs})")
    parser.add_argument("--batch-size", type=int, help=f"samples per step ({CNN_RECIPE.batch_size})")
    parser.add_argument("--lr", type=float, help=f"starting learning rate ({CNN_RECIPE.lr})")
    parser.add_argument("--hidden", type=int, help=f"units of the hidden Dense layer ({CNN_RECIPE.hidden})")
    parser.add_argument("--channels", type=int, nargs=2, metavar=("C1", "C2"),
                        help="output channels of the two convolutions ({} {})".format(*CNN_RECIPE.channels))
    parser.add_argument("--seed", type=int, default=0, help="seed for initialization and shuffling")
    parser.add_argument("--out", type=Path, default=Path("runs"), help="output folder (default runs/)")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N training and test images")
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size", "hidden", "limit"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if args.channels is not None and min(args.channels) < 1:
        parser.error(f"--channels must be at least 1 each, got {args.channels}")
    options = ("epochs", "batch_size", "lr", "hidden", "channels")
    changes = {k: getattr(args, k) for k in options if getattr(args, k) is not None}
    changes |= {"channels": tuple(args.channels)} if args.channels else {}
    result = run(replace(CNN_RECIPE, **changes), args.seed, args.out, args.limit)
    print(f"test accuracy: {result.test_accuracy:.2%} on {min(10_000, args.limit or 10_000):,} test images "
          f"(seed {result.seed})")
    epochs = result.recipe.epochs
    print(f"training time: {result.seconds:.1f} s ({result.n_train:,} images × {epochs} "
          f"{'epoch' if epochs == 1 else 'epochs'}; {result.cpu_seconds:.1f} s of CPU time, which is about "
          f"the wall time on an idle machine with one BLAS thread)")
    names = ("mnist_cnn.npz", "mnist_cnn.json", "mnist_cnn_loss.png")
    print("saved:", ", ".join(str(args.out / name) for name in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
