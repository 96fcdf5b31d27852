"""Generating names from a trained character model, one character at a time (Part II).

Derived in notebook 10. A language model gives, for a prefix, a distribution over the next character;
sampling draws one, appends it, and asks again, until the end symbol '.' (id 0) comes out.

- `softmax_with_temperature`: p_i ∝ exp(z_i / T). T < 1 sharpens the distribution (T → 0: always the most
  likely character), T > 1 flattens it (T → ∞: uniform).
- `sample_categorical`: one draw per row by the inverse of the cumulative distribution: with u ~ U[0, 1),
  the first i whose cumulative probability p_0 + … + p_i exceeds u has probability p_i.
- `next_char_probs` and `sample` work with both kinds of model the course builds: a window model reads the
  last k ids (`context=k`, notebook 10's MLP, input (batch, k), output (batch, vocab)); a sequence model
  reads the whole prefix (`context=None`, input (batch, time), output (batch, time, vocab)).
"""

from __future__ import annotations

import numpy as np

from course_lib.layers import Layer
from course_lib.text import Vocabulary


def softmax_with_temperature(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """p = softmax(z / T) along the last axis, in float64 with the max trick. logits: (..., vocab)."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}; a small value such as 0.1 is "
                         f"nearly greedy.")
    z = np.asarray(logits, dtype=np.float64) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sample_categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One index per row of probs (n, k), row b drawn with probabilities probs[b]: (n,) int64.

    Inverse CDF: u_b ~ U[0, 1) from rng.random(n), index = #{i : cumsum(probs[b])_i ≤ u_b}. Rows need not
    sum exactly to 1: u is scaled by each row's total, so rounding never selects an index past the end.
    """
    cumulative = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cumulative[:, -1]
    return np.count_nonzero(cumulative <= u[:, None], axis=1).astype(np.int64)


def next_char_probs(model: Layer, prefixes: np.ndarray, context: int | None = None,
                    temperature: float = 1.0) -> np.ndarray:
    """The model's distribution over the next id after each prefix. prefixes: (n, t) ids, each starting
    with the start symbol 0; returns (n, vocab) float64.

    context=k: the model reads the last k ids (left-padded with 0); None: it reads the whole prefix and
    its last position's output is used.
    """
    if context is not None:
        window = np.pad(prefixes, ((0, 0), (context, 0)))[:, -context:]
        logits = model.forward(window, training=False)
    else:
        logits = model.forward(prefixes, training=False)[:, -1]
    return softmax_with_temperature(logits, temperature)


def sample(model: Layer, vocab: Vocabulary, n: int, *, rng: np.random.Generator, temperature: float = 1.0,
           context: int | None = None, prefix: str = "", max_length: int = 30) -> list[str]:
    """n names drawn from the model, all at once, one character per step until each draws '.' (id 0).

    Every name starts with `prefix` (default: none), which the model reads as given. Returns the names
    without their boundary symbols; a name still unfinished after max_length characters (prefix included)
    is cut there. The same rng state gives the same names.
    """
    start = np.concatenate([[0], vocab.encode(prefix)])
    history = np.tile(start, (n, 1))
    finished = np.zeros(n, dtype=bool)
    for _ in range(max_length - len(prefix)):
        following = sample_categorical(next_char_probs(model, history, context, temperature), rng)
        following[finished] = 0
        history = np.concatenate([history, following[:, None]], axis=1)
        finished |= following == 0
        if finished.all():
            break
    return [vocab.decode(row[1:]).split(vocab.symbols[0])[0] for row in history]
