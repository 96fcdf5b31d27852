"""Notebook 10 playground: type the start of a name, see what the model expects next and how it would go on.

`clean_prefix` turns what was typed into a prefix the vocabulary can read (and says what it dropped),
`next_char_table` is the model's next-character distribution at a temperature, best first, and
`draw_next_char` its bar chart; `continuations` draws names that start with the prefix. The notebook's
widget only wires a text box and a temperature slider to `show`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from course_lib.layers import Layer
from course_lib.sampling import next_char_probs, sample
from course_lib.text import Vocabulary


def clean_prefix(typed: str, vocab: Vocabulary) -> tuple[str, str]:
    """(prefix, note): typed lower-cased with every symbol the names never contain removed ('.' included).

    note is "" when nothing was dropped, else a sentence naming what was, e.g. "ignored: '-', ' '".
    """
    lowered = typed.lower()
    prefix = "".join(c for c in lowered if c in vocab.index and c != vocab.symbols[0])
    dropped = sorted(set(lowered) - set(prefix))
    note = "ignored: " + ", ".join(repr(c) for c in dropped) if dropped else ""
    return prefix, note


def next_char_table(model: Layer, vocab: Vocabulary, prefix: str, context: int | None,
                    temperature: float = 1.0) -> list[tuple[str, float]]:
    """[(symbol, probability)] for the character after prefix, most likely first ('.' = the name ends)."""
    history = np.concatenate([[0], vocab.encode(prefix)])[None]
    probs = next_char_probs(model, history, context, temperature)[0]
    order = np.argsort(-probs, kind="stable")
    return [(vocab.symbols[i], float(probs[i])) for i in order]


def continuations(model: Layer, vocab: Vocabulary, prefix: str, context: int | None, temperature: float,
                  n: int = 8, seed: int = 0) -> list[str]:
    """n names that start with prefix, drawn at the temperature from np.random.default_rng(seed)."""
    return sample(model, vocab, n, rng=np.random.default_rng(seed), temperature=temperature,
                  context=context, prefix=prefix)


def draw_next_char(ax: Axes, table: list[tuple[str, float]], prefix: str, temperature: float,
                   top: int = 12) -> None:
    """Bars of the `top` most likely next characters, '.' drawn as "end"."""
    shown = table[:top]
    labels = ["end" if symbol == "." else symbol for symbol, _ in shown]
    ax.bar(labels, [p for _, p in shown], color="#4a6fa5")
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_title(f"after '{prefix}' (temperature {temperature:.2f}): "
                 f"the {len(shown)} likeliest next characters", fontsize=9)


def show(ax: Axes, model: Layer, vocab: Vocabulary, typed: str, context: int | None,
         temperature: float) -> str:
    """Draw the next-character bars for what was typed; return the text under the chart (samples, notes)."""
    prefix, note = clean_prefix(typed, vocab)
    draw_next_char(ax, next_char_table(model, vocab, prefix, context, temperature), prefix, temperature)
    names = continuations(model, vocab, prefix, context, temperature)
    lines = [f"names starting with '{prefix}': " + ", ".join(names)]
    return "\n".join(lines + ([note] if note else []))
