"""Train Part II's language models on the surnames from the terminal: `make train-lm`.

Or `python -m course_lib.course.train_lm [--model gru] [--seeds 0 1 2] [--epochs 10] ...`. Every model
trains on the training names of `split_words(load_surnames(), seed=0)` with Adam, batches of 256, the
learning rate falling linearly from 0.01 to 0:

- `--model mlp` (the default): notebook 10's window MLP (`build_window_mlp`), the embeddings (24 numbers per
  symbol) of the last 8 characters side by side, 200 tanh units, 27 logits, on (context → next character)
  pairs, 3 epochs: the notebook's recipe, so seeds 0, 1, 2 give the notebook's networks and figures;
- `--model rnn` or `--model gru`: notebook 11's recurrent models (`build_recurrent`), Embedding(27, 24), an
  Elman or GRU layer of 128 units, Dense(128, 27), on padded names with the sequence loss, gradients
  clipped at norm 1, 3 epochs (notebook 11 trains them for one).

For each seed it shows a progress bar, prints the validation and test NLL per character and the training
time, and writes to --out (default runs/): the weights (`surnames_<model>_seed<S>.npz`), the figures and
settings (`.json`) and the loss curve (`_loss.png`).
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
from course_lib.losses import sequence_cross_entropy, softmax_cross_entropy
from course_lib.optim import Adam
from course_lib.recurrent import GRU, RNN
from course_lib.schedules import LinearDecay
from course_lib.serialize import save_params
from course_lib.text import Split, Vocabulary, context_pairs, load_surnames, padded_sequences, split_words
from course_lib.train import History, fit


@dataclass(frozen=True)
class LmRecipe:
    """A model and its settings: the model ("mlp", "rnn" or "gru"), characters of context (the MLP's window),
    numbers per symbol, hidden units, batch size, Adam's starting learning rate (falling linearly to 0 over
    all steps), epochs, and the gradient-clipping norm (None: no clipping). The defaults are notebook 10's."""

    model: str = "mlp"
    context: int = 8
    dim: int = 24
    hidden: int = 200
    batch_size: int = 256
    lr: float = 0.01
    epochs: int = 3
    clip_norm: float | None = None


LM_RECIPE = LmRecipe()
RECIPES = {"mlp": LM_RECIPE, "rnn": LmRecipe(model="rnn", hidden=128, clip_norm=1.0),
           "gru": LmRecipe(model="gru", hidden=128, clip_norm=1.0)}


def build_window_mlp(context: int, dim: int, hidden: int, seed: int, vocab_size: int = 27,
                     dtype: type = np.float32) -> Sequential:
    """ids (batch, context) -> logits (batch, vocab_size): Embedding(vocab_size, dim), Flatten,
    Dense(context·dim, hidden), Tanh, Dense(hidden, vocab_size); weights drawn from
    np.random.default_rng(seed), layer by layer: the same seed gives the same network."""
    rng = np.random.default_rng(seed)
    return Sequential(Embedding(vocab_size, dim, rng=rng, dtype=dtype), Flatten(),
                      Dense(context * dim, hidden, rng=rng, dtype=dtype), Tanh(),
                      Dense(hidden, vocab_size, rng=rng, dtype=dtype))


def build_recurrent(cell: str, dim: int, hidden: int, seed: int, vocab_size: int = 27) -> Sequential:
    """ids (batch, time) -> logits (batch, time, vocab_size): Embedding(vocab_size, dim), RNN or GRU (cell
    "rnn" or "gru") of `hidden` units, Dense(hidden, vocab_size); weights from np.random.default_rng(seed)."""
    rng = np.random.default_rng(seed)
    layer = {"rnn": RNN, "gru": GRU}[cell]
    return Sequential(Embedding(vocab_size, dim, rng=rng), layer(dim, hidden, rng=rng),
                      Dense(hidden, vocab_size, rng=rng))


def build(recipe: LmRecipe, seed: int) -> Sequential:
    """The recipe's model, freshly initialized from the seed."""
    if recipe.model == "mlp":
        return build_window_mlp(recipe.context, recipe.dim, recipe.hidden, seed)
    return build_recurrent(recipe.model, recipe.dim, recipe.hidden, seed)


def train(model: Sequential, x: np.ndarray, y: np.ndarray, recipe: LmRecipe = LM_RECIPE, *, seed: int = 0,
          quiet: bool = False) -> History:
    """Adam with the learning rate falling linearly from `recipe.lr` to 0 over all steps of the run."""
    steps = recipe.epochs * -(-len(x) // recipe.batch_size)
    loss = "softmax_cross_entropy" if recipe.model == "mlp" else "sequence_cross_entropy"
    return fit(model, x, y, epochs=recipe.epochs, batch_size=recipe.batch_size,
               optimizer=Adam(model, recipe.lr), schedule=LinearDecay(recipe.lr, total_steps=steps),
               loss=loss, clip_norm=recipe.clip_norm, seed=seed, quiet=quiet)


def arrays(words: list[str], recipe: LmRecipe) -> tuple[np.ndarray, np.ndarray]:
    """What the recipe's model reads: (context → next) pairs for the MLP, padded names otherwise."""
    if recipe.model == "mlp":
        return context_pairs(words, Vocabulary(), recipe.context)
    inputs, targets, _ = padded_sequences(words, Vocabulary())
    return inputs, targets


def nll(model: Sequential, x: np.ndarray, y: np.ndarray) -> float:
    """Negative log-likelihood per character of the model on (x, y), whichever layout."""
    loss = softmax_cross_entropy if y.ndim == 1 else sequence_cross_entropy
    return loss(model.predict(x), y)[0]


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
    split = surnames_split(limit)
    (x, y), val, test = (arrays(words, recipe) for words in (split.train, split.val, split.test))
    model = build(recipe, seed)
    start = time.perf_counter()
    history = train(model, x, y, recipe, seed=seed, quiet=quiet)
    seconds = time.perf_counter() - start
    result = Result(nll(model, *val), nll(model, *test), seconds, recipe, seed, len(split.train))
    out.mkdir(parents=True, exist_ok=True)
    stem = f"surnames_{recipe.model}_seed{seed}"
    save_params(model, out / f"{stem}.npz")
    (out / f"{stem}.json").write_text(json.dumps(asdict(result), indent=2) + "\n")
    save_loss_plot(history, out / f"{stem}_loss.png", -(-len(x) // recipe.batch_size),
                   title="Surnames: training loss (nats per character)")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.course.train_lm",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(RECIPES), default="mlp",
                        help="notebook 10's window MLP (default) or notebook 11's rnn or gru")
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
    changes = {k: getattr(args, k) for k in options if getattr(args, k) is not None}
    recipe = replace(RECIPES[args.model], **changes)
    print(recipe)
    results = []
    for seed in args.seeds:
        result = run(recipe, seed, args.out, args.limit)
        results.append(result)
        print(f"seed {seed}: validation NLL {result.val_nll:.4f}, test NLL {result.test_nll:.4f} nats per "
              f"character; {result.seconds:.1f} s of training on {result.n_train_names:,} names; saved "
              f"{args.out / f'surnames_{recipe.model}_seed{seed}'}.npz, .json, _loss.png")
    if len(results) > 1:
        val, test = (np.array([getattr(r, key) for r in results]) for key in ("val_nll", "test_nll"))
        print(f"mean over {len(results)} seeds: validation {val.mean():.4f} (spread {np.ptp(val):.4f}), "
              f"test {test.mean():.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
