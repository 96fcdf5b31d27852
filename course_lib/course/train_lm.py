"""Train notebook 10's language model on the surnames from the terminal: `make train-lm`.

Or `python -m course_lib.course.train_lm [--seeds 0 1 2] [--epochs 10] ...`. The model is notebook 10's
window MLP (`build_window_mlp`): the embeddings (24 numbers per symbol) of the last 8 characters side by
side, a Dense layer of 200 tanh units, and a Dense layer to the 27 logits. It trains on the (context → next
character) pairs of the training names of `split_words(load_surnames(), seed=0)` with softmax cross-entropy,
batches of 256 and Adam, the learning rate falling linearly from 0.01 to 0 over 3 epochs: the notebook's
recipe, so seeds 0, 1, 2 give the notebook's networks and figures. For each seed it shows a progress bar,
prints the validation and test NLL per character and the training time, and writes to --out (default
runs/): the weights (`surnames_mlp_seed<S>.npz`), the figures and settings (`.json`) and the loss curve
(`_loss.png`).
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

from course_lib.course.train_mnist import save_loss_plot
from course_lib.embedding import Embedding
from course_lib.layers import Dense, Flatten, Sequential, Tanh
from course_lib.losses import softmax_cross_entropy
from course_lib.optim import Adam
from course_lib.schedules import LinearDecay
from course_lib.serialize import save_params
from course_lib.text import Split, Vocabulary, context_pairs, load_surnames, split_words
from course_lib.train import History, fit


@dataclass(frozen=True)
class LmRecipe:
    """Notebook 10's final settings: characters of context, numbers per symbol, tanh units, batch size,
    Adam's starting learning rate (falling linearly to 0 over all steps) and epochs."""

    context: int = 8
    dim: int = 24
    hidden: int = 200
    batch_size: int = 256
    lr: float = 0.01
    epochs: int = 3


LM_RECIPE = LmRecipe()


def build_window_mlp(context: int, dim: int, hidden: int, seed: int, vocab_size: int = 27,
                     dtype: type = np.float32) -> Sequential:
    """ids (batch, context) -> logits (batch, vocab_size): Embedding(vocab_size, dim), Flatten,
    Dense(context·dim, hidden), Tanh, Dense(hidden, vocab_size); weights drawn from
    np.random.default_rng(seed), layer by layer: the same seed gives the same network."""
    rng = np.random.default_rng(seed)
    return Sequential(Embedding(vocab_size, dim, rng=rng, dtype=dtype), Flatten(),
                      Dense(context * dim, hidden, rng=rng, dtype=dtype), Tanh(),
                      Dense(hidden, vocab_size, rng=rng, dtype=dtype))


def train(model: Sequential, x: np.ndarray, y: np.ndarray, recipe: LmRecipe = LM_RECIPE, *, seed: int = 0,
          quiet: bool = False) -> History:
    """Adam with the learning rate falling linearly from `recipe.lr` to 0 over all steps of the run."""
    steps = recipe.epochs * -(-len(x) // recipe.batch_size)
    return fit(model, x, y, epochs=recipe.epochs, batch_size=recipe.batch_size,
               optimizer=Adam(model, recipe.lr), schedule=LinearDecay(recipe.lr, total_steps=steps),
               seed=seed, quiet=quiet)


def surnames_split(limit: int | None = None) -> Split:
    """Notebook 10's split of the surnames (seed 0); with `limit`, the first `limit` names of each part."""
    split = split_words(load_surnames(), seed=0)
    if limit is None:
        return split
    return Split(split.train[:limit], split.val[:limit], split.test[:limit])


@dataclass(frozen=True)
class Result:
    """What one run measured: NLL per character on validation and test, training seconds, the settings."""

    val_nll: float
    test_nll: float
    seconds: float
    recipe: LmRecipe
    seed: int
    n_train_names: int


def run(recipe: LmRecipe = LM_RECIPE, seed: int = 0, out: Path = Path("runs"), limit: int | None = None,
        quiet: bool = False) -> Result:
    """Train one seed on the training names, measure validation and test once, save the run."""
    split, vocab = surnames_split(limit), Vocabulary()
    (x, y), val, test = (context_pairs(words, vocab, recipe.context)
                         for words in (split.train, split.val, split.test))
    model = build_window_mlp(recipe.context, recipe.dim, recipe.hidden, seed)
    start = time.perf_counter()
    history = train(model, x, y, recipe, seed=seed, quiet=quiet)
    seconds = time.perf_counter() - start
    val_nll, test_nll = (softmax_cross_entropy(model.predict(ids), labels)[0] for ids, labels in (val, test))
    result = Result(val_nll, test_nll, seconds, recipe, seed, len(split.train))
    out.mkdir(parents=True, exist_ok=True)
    stem = f"surnames_mlp_seed{seed}"
    save_params(model, out / f"{stem}.npz")
    (out / f"{stem}.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
    save_loss_plot(history, out / f"{stem}_loss.png", -(-len(x) // recipe.batch_size),
                   title="Surnames: training loss (nats per character)")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.course.train_lm",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds to train (0 1 2)")
    parser.add_argument("--epochs", type=int, help=f"passes over the training pairs ({LM_RECIPE.epochs})")
    parser.add_argument("--context", type=int, help=f"characters of context ({LM_RECIPE.context})")
    parser.add_argument("--dim", type=int, help=f"embedding size ({LM_RECIPE.dim})")
    parser.add_argument("--hidden", type=int, help=f"tanh units ({LM_RECIPE.hidden})")
    parser.add_argument("--batch-size", type=int, help=f"pairs per step ({LM_RECIPE.batch_size})")
    parser.add_argument("--lr", type=float, help=f"starting learning rate ({LM_RECIPE.lr})")
    parser.add_argument("--out", type=Path, default=Path("runs"), help="output folder (default runs/)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N names of each part")
    args = parser.parse_args(argv)
    for name in ("epochs", "context", "dim", "hidden", "batch_size", "limit"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    options = ("epochs", "context", "dim", "hidden", "batch_size", "lr")
    recipe = replace(LM_RECIPE, **{k: getattr(args, k) for k in options if getattr(args, k) is not None})
    print(f"window MLP: {recipe}")
    results = []
    for seed in args.seeds:
        result = run(recipe, seed, args.out, args.limit)
        results.append(result)
        print(f"seed {seed}: validation NLL {result.val_nll:.4f}, test NLL {result.test_nll:.4f} nats per "
              f"character; {result.seconds:.1f} s of training on {result.n_train_names:,} names; saved "
              f"{args.out / f'surnames_mlp_seed{seed}'}.npz, .json, _loss.png")
    if len(results) > 1:
        val, test = (np.array([getattr(r, key) for r in results]) for key in ("val_nll", "test_nll"))
        print(f"mean over {len(results)} seeds: validation {val.mean():.4f} (spread {np.ptp(val):.4f}), "
              f"test {test.mean():.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
