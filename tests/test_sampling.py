"""Sampling names: temperature, the inverse-CDF draw, and both kinds of model."""

import numpy as np
import pytest

from course_lib.embedding import Embedding
from course_lib.layers import Dense, Flatten, Sequential
from course_lib.sampling import next_char_probs, sample, sample_categorical, softmax_with_temperature
from course_lib.text import Vocabulary

VOCAB = Vocabulary()


def test_temperature_sharpens_and_flattens() -> None:
    z = np.array([[2.0, 1.0, 0.0]])
    p1, cold, hot = (softmax_with_temperature(z, t) for t in (1.0, 0.05, 100.0))
    assert np.allclose(p1, np.exp(z) / np.exp(z).sum()) and cold[0, 0] > 0.999
    assert np.allclose(hot, 1 / 3, atol=0.01)
    assert np.allclose(softmax_with_temperature(np.array([[1000.0, 0.0]]), 1.0), [[1, 0]])
    with pytest.raises(ValueError, match="temperature must be > 0"):
        softmax_with_temperature(z, 0)


def test_categorical_draws_have_the_right_frequencies_and_never_impossible_ids() -> None:
    probs = np.array([0.5, 0.0, 0.2, 0.3])
    draws = sample_categorical(np.tile(probs, (100_000, 1)), np.random.default_rng(0))
    frequencies = np.bincount(draws, minlength=4) / len(draws)
    assert np.all(np.abs(frequencies - probs) < 5 * np.sqrt(probs * (1 - probs) / len(draws)) + 1e-12)
    assert draws.dtype == np.int64 and frequencies[1] == 0
    certain = sample_categorical(np.array([[0, 0, 1.0], [1.0, 0, 0]]), np.random.default_rng(1))
    assert certain.tolist() == [2, 0]
    rounded = sample_categorical(np.full((1000, 3), 0.3333333), np.random.default_rng(2))
    assert rounded.max() == 2  # a row summing to 0.9999999 never draws past the end


def test_window_and_sequence_models_sample_names() -> None:
    bigram = Sequential(Embedding(27, 27, std=0))
    bigram.layers[0].params["W"][0, VOCAB.encode("a")[0]] = 50.0  # after '.', always 'a'
    bigram.layers[0].params["W"][1, 0] = 50.0  # after 'a', always the end
    assert sample(bigram, VOCAB, 3, rng=np.random.default_rng(0)) == ["a", "a", "a"]
    assert sample(bigram, VOCAB, 2, rng=np.random.default_rng(0), prefix="zzza") == ["zzza", "zzza"]
    window = Sequential(Embedding(27, 2, rng=0), Flatten(), Dense(6, 27, rng=0))
    names = sample(window, VOCAB, 50, rng=np.random.default_rng(0), context=3, max_length=12)
    assert len(names) == 50 and all(len(n) <= 12 and "." not in n for n in names)
    assert names == sample(window, VOCAB, 50, rng=np.random.default_rng(0), context=3, max_length=12)
    prefixes = np.array([[0, 1, 2], [0, 0, 0]])
    probs = next_char_probs(window, prefixes, context=3)
    assert probs.shape == (2, 27) and np.allclose(probs.sum(axis=1), 1)
    longer = np.array([[0, 5, 9, 0, 1, 2]])  # the same last three ids: a window model sees the same thing
    assert np.allclose(next_char_probs(window, longer, context=3), probs[:1], rtol=1e-6)
    cold = next_char_probs(window, prefixes, context=3, temperature=0.01)
    assert np.array_equal(cold.argmax(axis=1), probs.argmax(axis=1))
    assert np.all(cold.max(axis=1) > probs.max(axis=1))
