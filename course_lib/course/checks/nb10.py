"""Checks for the exercises of notebook 10 (language models): counting bigrams, drawing from a categorical
distribution, the negative log-likelihood per character, and the embedding's backward.

Each check runs the learner's function on named cases (a one-letter name, a letter that follows itself,
the last symbol 'z', names of different lengths, repeated ids, an id nobody uses, a distribution with all
its mass on one symbol) and recognizes the usual wrong answers: a forgotten start or end '.', a transposed
table, a mean per name instead of per character, a logarithm in another base, and `dW[ids] += g`, which
adds a repeated id once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from course_lib.course.checks._core import Case, ExerciseError, Mistake, check, normal

SYMBOLS = ".abcdefghijklmnopqrstuvwxyz"
INDEX = {symbol: i for i, symbol in enumerate(SYMBOLS)}
NAMES = ["smith", "ng", "lee", "oyelaran", "zuzzo", "a", "aa", "hawkins", "quaye", "li"]


@dataclass(frozen=True)
class _Letters:
    """A stand-in vocabulary with the notebook's: '.' is 0, a–z are 1–26 (`encode`, `index`, `symbols`)."""

    symbols: str = SYMBOLS
    index: dict = field(default_factory=lambda: dict(INDEX))

    def __len__(self) -> int:
        return len(self.symbols)

    def __repr__(self) -> str:
        return "vocab"

    def encode(self, word: str) -> np.ndarray:
        return np.array([INDEX[c] for c in word], dtype=np.int64)

    def decode(self, ids) -> str:
        return "".join(SYMBOLS[i] for i in ids)


VOCAB = _Letters()


def _pairs(word: str) -> list[tuple[int, int]]:
    """The (previous, next) id pairs of '.' + word + '.'."""
    ids = [0] + [INDEX[c] for c in word] + [0]
    return list(zip(ids[:-1], ids[1:], strict=True))


# ---------------------------------------------------------------- exercise 1: counting bigrams


def _count_bigrams(words: list[str], vocab: object) -> np.ndarray:
    """N[i, j] = how often symbol j follows symbol i, '.' before and after every word: (27, 27) int64."""
    counts = np.zeros((len(SYMBOLS), len(SYMBOLS)), dtype=np.int64)
    for word in words:
        for previous, following in _pairs(word):
            counts[previous, following] += 1
    return counts


def _counts_without(words: list[str], vocab: object, start: bool = True, end: bool = True) -> np.ndarray:
    counts = np.zeros((27, 27), dtype=np.int64)
    for word in words:
        ids = [0] * start + [INDEX[c] for c in word] + [0] * end
        for previous, following in zip(ids[:-1], ids[1:], strict=True):
            counts[previous, following] += 1
    return counts


COUNT_CASES = [
    Case("one name, 'ab'", (["ab"], VOCAB)),
    Case("a one-letter name, 'a'", (["a"], VOCAB)),
    Case("a letter that follows itself, 'aa', and 'zuzzo' (z is the last symbol)", (["aa", "zuzzo"], VOCAB)),
    Case("pairs repeated inside a name, 'barbara' and 'lalala'", (["barbara", "lalala"], VOCAB)),
    Case("ten surnames of different lengths", (NAMES, VOCAB)),
    Case("the name 'ab' 300 times (counts above 255)", (["ab"] * 300, VOCAB)),
    Case("no names at all", ([], VOCAB)),
]

COUNT_MISTAKES = [
    Mistake.returns("the start is missing: every name begins after a '.', so '.' → first letter is a pair "
                    "too (row 0 of the table).",
                    lambda words, vocab: _counts_without(words, vocab, start=False)),
    Mistake.returns("the end is missing: after the last letter comes '.', the pair that ends the name "
                    "(column 0 of the table).",
                    lambda words, vocab: _counts_without(words, vocab, end=False)),
    Mistake.returns("no pair starts or ends at '.': the ids of every name need a 0 before and after. Print "
                    "them for one name to see (with a NumPy array, `[0] + ids` adds 0 to every entry instead "
                    "of putting a 0 in front).",
                    lambda words, vocab: _counts_without(words, vocab, start=False, end=False)),
    Mistake.returns("your table is transposed: row i should hold what follows symbol i, N[previous, next].",
                    lambda words, vocab: _count_bigrams(words, vocab).T),
]


def check_count_bigrams(count_bigrams: Callable[[list[str], object], np.ndarray]) -> None:
    """Exercise 1: count_bigrams(words, vocab) -> N (27, 27) integer counts, N[i, j] = #(j follows i)."""
    check("Exercise 1 (counting bigrams)", count_bigrams, _count_bigrams, COUNT_CASES, COUNT_MISTAKES)


# ---------------------------------------------------------------- exercise 2: a categorical draw


def _fail(message: str) -> None:
    raise ExerciseError(f"Exercise 2 (sample_categorical): {message}")


def _draw(sample_categorical: Callable, probs: np.ndarray, seed: int, label: str) -> np.ndarray:
    """Call the learner's function on a copy; check it returns (n,) integers and left probs alone."""
    given = probs.copy()
    try:
        got = sample_categorical(given, np.random.default_rng(seed))
    except NotImplementedError:
        raise ExerciseError("Exercise 2 (sample_categorical): `sample_categorical` is not written yet. "
                            "Replace the placeholder with your code, then run this cell again.") from None
    except Exception as error:
        raise ExerciseError(f"Exercise 2 (sample_categorical): `sample_categorical` raised "
                            f"{type(error).__name__}: {error}\n  on case '{label}' (probs of shape "
                            f"{probs.shape})") from error
    if not np.array_equal(given, probs):
        _fail("your function changed `probs` in place; the cells after this one still need the original.")
    if got is None:
        _fail("your function returned None. Did you forget the `return` statement?")
    if not isinstance(got, np.ndarray):
        _fail(f"expected a NumPy array of indices, got {type(got).__name__}.")
    if got.shape != (len(probs),) or got.dtype.kind not in "iu":
        _fail(f"expected one integer index per row, an array of shape ({len(probs)},) and an integer dtype; "
              f"got shape {got.shape}, dtype {got.dtype}.")
    if got.size and (got.min() < 0 or got.max() >= probs.shape[1]):
        _fail(f"indices must lie in [0, {probs.shape[1]}) (one per symbol), got values from {got.min()} to "
              f"{got.max()}.")
    return got


def _expect_frequencies(draws: np.ndarray, probs: np.ndarray, label: str) -> None:
    """Each symbol's count within 6 standard deviations of n·p (a correct sampler fails with p < 1e-8)."""
    n = len(draws)
    counts = np.bincount(draws, minlength=len(probs))
    spread = 6 * np.sqrt(n * probs * (1 - probs)) + 1
    bad = np.flatnonzero(np.abs(counts - n * probs) > spread)
    if bad.size:
        i = int(bad[0])
        _fail(f"on case '{label}', symbol {i} (probability {probs[i]:.3f}) came out {counts[i]} times in {n} "
              f"draws; about {n * probs[i]:.0f} ± {spread[i]:.0f} were expected.")


def check_sample_categorical(sample_categorical: Callable[[np.ndarray, np.random.Generator], np.ndarray]
                             ) -> None:
    """Exercise 2: sample_categorical(probs, rng) -> (n,) integers, row b drawn from distribution probs[b]."""
    certain = np.eye(4)[[3, 0, 2, 1, 3]]
    label = "all the probability on one symbol per row"
    got = _draw(sample_categorical, certain, 0, label)
    if not np.array_equal(got, [3, 0, 2, 1, 3]):
        _fail(f"on case '{label}' (rows put it on symbols [3, 0, 2, 1, 3]) you drew {got.tolist()}: a "
              f"symbol of probability 1 must always come out.")
    p = np.array([0.5, 0.0, 0.2, 0.3])
    label = "probs [0.5, 0, 0.2, 0.3], 20,000 rows"
    draws = _draw(sample_categorical, np.tile(p, (20_000, 1)), 1, label)
    if np.any(draws == 1):
        _fail(f"on case '{label}' symbol 1 came out; a symbol of probability 0 never should.")
    for half, part in (("first", draws[:10_000]), ("second", draws[10_000:])):
        _expect_frequencies(part, p, f"{label}, the {half} 10,000 rows")
    letters = np.random.default_rng(2).dirichlet(np.ones(27) * 0.5)
    label = "27 symbols, 40,000 rows"
    _expect_frequencies(_draw(sample_categorical, np.tile(letters, (40_000, 1)), 3, label), letters, label)
    two = np.array([[0.9, 0.1, 0.0], [0.0, 0.2, 0.8]])
    draws = _draw(sample_categorical, np.tile(two, (5_000, 1)), 4, "two rows that alternate")
    for row in range(2):
        _expect_frequencies(draws[row::2], two[row], f"row {row} of two rows that alternate")
    label = "the same seed twice, then other seeds"
    same = [_draw(sample_categorical, np.tile(p, (50, 1)), 5, label) for _ in range(2)]
    if not np.array_equal(*same):
        _fail("two calls with generators of the same seed gave different draws: some of your random "
              "numbers do not come from `rng`, so the same seed will not give the same names.")
    others = [_draw(sample_categorical, np.tile(p, (50, 1)), seed, label) for seed in (6, 7)]
    if all(np.array_equal(same[0], other) for other in others):
        _fail("generators of three different seeds gave the same 50 draws: your draws do not depend on "
              "`rng`; take the random numbers from it.")
    print("✓ Exercise 2 (sample_categorical): `sample_categorical` passes all 7 cases (certain symbols, "
          "impossible ones, frequencies on 3 distributions, rows apart, the same and other seeds).")


# ---------------------------------------------------------------- exercise 3: the NLL per character


def _log_probs(P: np.ndarray, words: list[str]) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.array([np.log(P[i, j]) for word in words for i, j in _pairs(word)])


def _bigram_nll(P: np.ndarray, words: list[str], vocab: object) -> float:
    """−(1/N) Σ log P[previous, next] over the N pairs of '.' + word + '.' of every word."""
    return float(-_log_probs(P, words).mean())


def _smoothed(words: list[str], alpha: float) -> np.ndarray:
    """The bigram table of words with alpha added to every count; a row never seen is uniform."""
    counts = _count_bigrams(words, VOCAB) + alpha
    counts[counts.sum(axis=1) == 0] = 1
    return counts / counts.sum(axis=1, keepdims=True)


UNIFORM = np.full((27, 27), 1 / 27)
FITTED = _smoothed(NAMES, 0.1)
MANY = [NAMES[i % len(NAMES)] for i in range(2_000)]
NLL_CASES = [
    Case("a uniform table: every symbol 1/27", (UNIFORM, ["ab", "lee"], VOCAB)),
    Case("a table counted from ten names, on those names", (FITTED, NAMES, VOCAB)),
    Case("a one-letter name", (FITTED, ["a"], VOCAB)),
    Case("names of very different lengths", (FITTED, ["oyelaran", "li", "a"], VOCAB)),
    Case("2,000 names (a product of their probabilities would underflow to 0)", (FITTED, MANY, VOCAB)),
    Case("a table with zeros where no pair of these names falls", (_smoothed(NAMES, 0.0), NAMES, VOCAB)),
    Case("a pair the table gives probability 0: the name is impossible, the NLL infinite",
         (_smoothed(["ab"], 0.0), ["ab", "ba"], VOCAB)),
]

NLL_MISTAKES = [
    Mistake.returns("this is the mean per name; the loss is per character: divide by the number of pairs "
                    "(letters + 1 per name), not by the number of names.",
                    lambda P, words, vocab: float(-_log_probs(P, words).sum() / len(words))),
    Mistake.returns("the sign: log P ≤ 0, so the negative log-likelihood is −mean(log P) ≥ 0.",
                    lambda P, words, vocab: -_bigram_nll(P, words, vocab)),
    Mistake.returns("this is the sum over all pairs; the figure to compare across data sets is the mean.",
                    lambda P, words, vocab: float(-_log_probs(P, words).sum())),
    Mistake.returns("the table is read the wrong way round: P[previous, next], row = the symbol before.",
                    lambda P, words, vocab: _bigram_nll(P.T, words, vocab)),
    Mistake.returns("the end pair is missing: every name ends with the pair last letter → '.'.",
                    lambda P, words, vocab: float(-np.mean([np.log(P[i, j]) for w in words
                                                            for i, j in _pairs(w)[:-1]]))),
    Mistake.returns("the start pair is missing: every name begins with the pair '.' → first letter.",
                    lambda P, words, vocab: float(-np.mean([np.log(P[i, j]) for w in words
                                                            for i, j in _pairs(w)[1:]]))),
    Mistake.returns("a logarithm in another base: the course measures in nats, the natural logarithm np.log.",
                    lambda P, words, vocab: _bigram_nll(P, words, vocab) / np.log(2),
                    lambda P, words, vocab: _bigram_nll(P, words, vocab) / np.log(10)),
]


def _quietly(function: Callable) -> Callable:
    """function, run with NumPy's divide-by-zero warning off: log(0) = −inf is part of a right answer here."""
    @functools.wraps(function)
    def run(*args: object, **kwargs: object) -> object:
        with np.errstate(divide="ignore"):
            return function(*args, **kwargs)

    return run


def check_bigram_nll(bigram_nll: Callable[[np.ndarray, list[str], object], float]) -> None:
    """Exercise 3: bigram_nll(P, words, vocab) -> the mean negative log-likelihood per character, in nats."""
    check("Exercise 3 (the bigram's NLL)", _quietly(bigram_nll), _bigram_nll, NLL_CASES, NLL_MISTAKES)


# ---------------------------------------------------------------- exercise 4: the embedding's backward


def _embedding_backward(ids: np.ndarray, grad_out: np.ndarray, vocab_size: int) -> np.ndarray:
    """dW[v] = Σ of grad_out over the positions whose id is v, by a loop: (vocab_size, dim)."""
    dim = grad_out.shape[-1]
    dW = np.zeros((vocab_size, dim), dtype=grad_out.dtype)
    for position, v in np.ndenumerate(ids):
        dW[v] += grad_out[position]
    return dW


def _buffered(ids: np.ndarray, grad_out: np.ndarray, vocab_size: int) -> np.ndarray:
    dW = np.zeros((vocab_size, grad_out.shape[-1]), dtype=grad_out.dtype)
    dW[ids] += grad_out
    return dW


def _case(seed: int, shape: tuple[int, ...], vocab_size: int, dim: int, dtype: type = np.float64,
          ids: list | None = None) -> tuple:
    rng = np.random.default_rng(seed)
    chosen = np.array(ids) if ids is not None else rng.integers(0, vocab_size, shape)
    return chosen, normal(rng, (*chosen.shape, dim), dtype=dtype), vocab_size


EMBEDDING_CASES = [
    Case("four different ids, each once", _case(0, (4,), 6, 3, ids=[2, 0, 5, 1])),
    Case("one id three times: its gradients add up", _case(1, (3,), 4, 2, ids=[1, 1, 1])),
    Case("a batch of contexts (batch, k) with repeats", _case(2, (5, 3), 27, 4)),
    Case("ids that never use the last rows (vocab 27, ids < 5)",
         _case(3, (6,), 27, 2, ids=[0, 4, 4, 2, 1, 0])),
    Case("float32 gradients (batch, time, dim)", _case(4, (2, 7), 27, 5, dtype=np.float32)),
]

EMBEDDING_MISTAKES = [
    Mistake.returns("where an id appears several times, only one of its gradients arrived. `dW[ids] += g` "
                    "and `dW[ids] = g` both write each indexed row once (NumPy applies a fancy-indexed "
                    "update once per distinct row): every occurrence must be added, for instance position "
                    "by position in a loop.", _buffered),
]


def check_embedding_backward(embedding_backward: Callable[[np.ndarray, np.ndarray, int], np.ndarray]) -> None:
    """Exercise 4: embedding_backward(ids, grad_out, vocab_size) -> dW (vocab_size, dim)."""
    check("Exercise 4 (the embedding's backward)", embedding_backward, _embedding_backward, EMBEDDING_CASES,
          EMBEDDING_MISTAKES)
