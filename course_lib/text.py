"""Text for Part II: the surnames corpus, a character vocabulary, a fixed split, and the arrays models read.

Used from notebook 10 on. The corpus is the 88,799 surnames of the 1990 US Census (public domain), shipped
with the course as ``course_lib/corpora/surnames.txt`` (lower-cased, one per line, most common first;
``tools/make_surnames.py`` regenerates it from the `names` 0.3.0 source archive), so it needs no download.

A language model over characters reads a name as a sequence of ids: ``Vocabulary`` maps '.' to 0 and a–z
to 1–26. The '.' marks both ends: a name starts after a '.' and ends by predicting one, so "ada" is the
four (context → next) events ". → a", ".a → d", ".ad → a", ".ada → .". Two layouts of those events:

- ``context_pairs(words, vocab, k)``: x (n, k) the k ids before each character (left-padded with '.'),
  y (n,) the character; every character of every name, the end '.' included, is one row (notebook 10's MLP).
- ``padded_sequences(words, vocab)``: inputs (names, T) = '.' then the name, targets (names, T) = the name
  then '.', padded to the longest name + 1 with targets ``PAD`` (= −1) and mask = targets ≠ PAD
  (notebooks 11 and 12).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib.losses import PAD

SURNAMES = Path(__file__).parent / "corpora" / "surnames.txt"
SURNAMES_SHA256 = "4ec7babc98a4ed0347b97fe26d7df34520c577c4e587abf8924e8ddd6939a01d"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def load_surnames() -> list[str]:
    """The 88,799 census surnames, lower-cased a–z, 2 to 13 letters each, most common first.

    The shipped file is checked against its SHA-256 first, so an edited or truncated copy is refused.
    """
    data = SURNAMES.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SURNAMES_SHA256:
        raise ValueError(f"{SURNAMES} has SHA-256 {digest}, expected {SURNAMES_SHA256}: the file was "
                         f"changed. Restore it with git (git checkout -- {SURNAMES}) or regenerate it with "
                         f"`python tools/make_surnames.py`.")
    return data.decode("ascii").split()


class Vocabulary:
    """Characters ↔ integer ids. The first symbol ('.' by default) is id 0 and marks a name's start and end.

    encode("ada") -> array([1, 4, 1]); decode([1, 4, 1, 0]) -> "ada." (ids of any integer dtype or a list).
    """

    def __init__(self, symbols: str = "." + LETTERS) -> None:
        if len(set(symbols)) != len(symbols) or not symbols:
            raise ValueError(f"Vocabulary symbols must be distinct characters, got {symbols!r}.")
        self.symbols = symbols
        self.index = {symbol: i for i, symbol in enumerate(symbols)}

    def __len__(self) -> int:
        return len(self.symbols)

    def encode(self, word: str) -> np.ndarray:
        """The ids of word's characters, (len(word),) int64; the boundary '.' is not added."""
        try:
            return np.array([self.index[c] for c in word], dtype=np.int64)
        except KeyError as error:
            raise ValueError(f"Vocabulary.encode: {error.args[0]!r} in {word!r} is not one of the "
                             f"{len(self)} symbols {self.symbols!r}. Lower-case the word and keep a–z only."
                             ) from None

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """The characters of ids (any sequence of integers in [0, len(self)))."""
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu" or ids.ndim != 1:
            raise TypeError(f"Vocabulary.decode expected a 1-D sequence of integer ids, got {ids.dtype} "
                            f"of shape {ids.shape}.")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"Vocabulary.decode: ids must lie in [0, {len(self)}), got values from "
                             f"{ids.min()} to {ids.max()}.")
        return "".join(self.symbols[i] for i in ids.tolist())

    def __repr__(self) -> str:
        return f"Vocabulary({self.symbols!r})"


@dataclass(frozen=True)
class Split:
    """Disjoint lists of words: train for fitting, val for every decision, test for one final report."""

    train: list[str]
    val: list[str]
    test: list[str]


def split_words(words: Sequence[str], seed: int = 0, fractions: tuple[float, float] = (0.8, 0.1)) -> Split:
    """A seeded random split of the words (not of their characters): fractions[0] train, fractions[1] val,
    the rest test. Same seed, same split; 88,799 surnames give 71,039 / 8,880 / 8,880."""
    n = len(words)
    n_train, n_val = round(fractions[0] * n), round(fractions[1] * n)
    if not (n_train > 0 and n_val > 0 and n_train + n_val < n):
        raise ValueError(f"split_words: fractions {fractions} of {n} words leave a part empty.")
    order = np.random.default_rng(seed).permutation(n)
    pick = [words[i] for i in order]
    return Split(pick[:n_train], pick[n_train : n_train + n_val], pick[n_train + n_val :])


def padded_sequences(words: Sequence[str], vocab: Vocabulary, length: int | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inputs, targets, mask), each (len(words), T): row b is '.' + word b → word b + '.', then padding.

    inputs: int64 ids, 0 ('.') after the end; targets: int64 ids, PAD (−1) after the end; mask: bool, True
    where a real character (the end '.' included) is to be predicted. T = `length`, by default the longest
    word + 1 (14 for the surnames). A causal model's outputs at real positions never see the padding.
    """
    encoded = [vocab.encode(word) for word in words]
    longest = max((len(ids) for ids in encoded), default=0) + 1
    length = longest if length is None else length
    if length < longest:
        raise ValueError(f"padded_sequences: length {length} is too short for a word of {longest - 1} "
                         f"characters plus its end '.'; use length ≥ {longest} or None.")
    inputs = np.zeros((len(words), length), dtype=np.int64)
    targets = np.full((len(words), length), PAD, dtype=np.int64)
    for row, ids in enumerate(encoded):
        inputs[row, 1 : len(ids) + 1] = ids
        targets[row, : len(ids)] = ids
        targets[row, len(ids)] = 0
    return inputs, targets, targets != PAD


def context_pairs(words: Sequence[str], vocab: Vocabulary, context: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (k previous ids → next id) event of every word, with k = `context`: x (n, k), y (n,) int64.

    The window before a word's first character is all '.' (id 0). Rows come word by word, in order, so
    n = Σ (len(word) + 1). Built from `padded_sequences`: pad k − 1 more '.' on the left, slide a window
    of k over the inputs, keep the real positions.
    """
    if not (isinstance(context, int) and context >= 1):
        raise ValueError(f"context_pairs: context must be a positive integer, got {context!r}.")
    inputs, targets, mask = padded_sequences(words, vocab)
    history = np.pad(inputs, ((0, 0), (context - 1, 0)))  # '.' is id 0
    windows = sliding_window_view(history, context, axis=1)  # (names, T, k): the k ids before each target
    return windows[mask], targets[mask]
