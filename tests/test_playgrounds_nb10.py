"""The notebook 10 playground: the typed prefix, the next-character table, continuations, the drawing."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb10 as play
from course_lib.embedding import Embedding
from course_lib.layers import Sequential
from course_lib.text import Vocabulary

VOCAB = Vocabulary()


def after_a_always_b() -> Sequential:
    """A bigram model: '.' → a, a → b, b → end, certainly; every other row uniform."""
    model = Sequential(Embedding(27, 27, std=0))
    W = model.layers[0].params["W"]
    W[0, 1] = W[1, 2] = W[2, 0] = 40.0
    return model


@pytest.mark.parametrize(("typed", "prefix", "note"), [
    ("Smith", "smith", ""), ("o'brien", "obrien", "ignored: \"'\""), ("van der", "vander", "ignored: ' '"),
    ("a.b-", "ab", "ignored: '-', '.'"), ("", "", ""),
])
def test_clean_prefix_keeps_letters_and_says_what_it_dropped(typed, prefix, note) -> None:
    assert play.clean_prefix(typed, VOCAB) == (prefix, note)


def test_next_char_table_is_the_models_distribution_best_first() -> None:
    table = play.next_char_table(after_a_always_b(), VOCAB, "a", context=None)
    assert table[0][0] == "b" and table[0][1] > 0.999 and len(table) == 27
    assert np.isclose(sum(p for _, p in table), 1)
    assert [p for _, p in table] == sorted((p for _, p in table), reverse=True)
    hot = play.next_char_table(after_a_always_b(), VOCAB, "a", context=None, temperature=100.0)
    assert hot[0][1] < 0.1  # a high temperature flattens it


def test_continuations_start_with_the_prefix_and_are_seeded() -> None:
    model = after_a_always_b()
    assert play.continuations(model, VOCAB, "", None, 1.0, n=3) == ["ab", "ab", "ab"]
    assert play.continuations(model, VOCAB, "za", None, 1.0, n=2) == ["zab", "zab"]
    hot = play.continuations(model, VOCAB, "", None, 50.0, n=5, seed=3)
    assert hot == play.continuations(model, VOCAB, "", None, 50.0, n=5, seed=3) and hot != ["ab"] * 5


def test_show_draws_the_bars_and_returns_samples_and_notes() -> None:
    fig, ax = plt.subplots()
    text = play.show(ax, after_a_always_b(), VOCAB, "A-", context=None, temperature=1.0)
    assert text.splitlines() == ["names starting with 'a': ab, ab, ab, ab, ab, ab, ab, ab", "ignored: '-'"]
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "b" and len(ax.patches) == 12
    plt.close(fig)
