"""Notebook 10's checks (counting bigrams, a categorical draw, the NLL, the embedding's backward): right
answers pass in their usual forms, usual wrong answers get their hint, the references agree with
course_lib."""

from itertools import pairwise

import numpy as np
import pytest

from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb10 as checks
from course_lib.embedding import Embedding
from course_lib.sampling import sample_categorical as library_sample_categorical
from course_lib.text import Vocabulary, context_pairs

VOCAB = Vocabulary()


# ---------------------------------------------------------------- exercise 1


def count_loops(words, vocab):
    counts = np.zeros((len(vocab), len(vocab)), dtype=np.int64)
    for word in words:
        ids = [0, *vocab.encode(word).tolist(), 0]
        for a, b in pairwise(ids):
            counts[a, b] += 1
    return counts


def count_add_at(words, vocab):
    counts = np.zeros((27, 27), dtype=int)
    for word in words:
        ids = np.concatenate([[0], vocab.encode(word), [0]])
        np.add.at(counts, (ids[:-1], ids[1:]), 1)
    return counts


def count_by_index(words, vocab):
    counts = np.zeros((27, 27), dtype=np.int32)
    for word in words:
        chars = ["."] + list(word) + ["."]
        for a, b in pairwise(chars):
            counts[vocab.index[a], vocab.index[b]] += 1
    return counts


@pytest.mark.parametrize("right", [count_loops, count_add_at, count_by_index])
def test_count_bigrams_right_answers_pass(right, capsys):
    checks.check_count_bigrams(right)
    assert "passes all 7 cases" in capsys.readouterr().out


def test_the_count_reference_agrees_with_context_pairs():
    words = ["smith", "ng", "oyelaran", "a"]
    x, y = context_pairs(words, VOCAB, 1)
    counts = np.zeros((27, 27), dtype=np.int64)
    np.add.at(counts, (x[:, 0], y), 1)
    assert np.array_equal(checks._count_bigrams(words, checks.VOCAB), counts)


def no_start(words, vocab):
    counts = np.zeros((27, 27), dtype=np.int64)
    for word in words:
        ids = [*vocab.encode(word).tolist(), 0]
        for a, b in pairwise(ids):
            counts[a, b] += 1
    return counts


def no_end(words, vocab):
    counts = np.zeros((27, 27), dtype=np.int64)
    for word in words:
        ids = [0, *vocab.encode(word).tolist()]
        for a, b in pairwise(ids):
            counts[a, b] += 1
    return counts


def letters_from_zero(words, vocab):
    """ord(c) − ord('a'): 'a' lands on the row of '.', 'z' on 25."""
    counts = np.zeros((27, 27), dtype=np.int64)
    for word in words:
        ids = [0] + [ord(c) - ord("a") for c in word] + [0]
        for a, b in pairwise(ids):
            counts[a, b] += 1
    return counts


def buffered_per_word(words, vocab):
    """counts[a, b] += 1 with arrays a, b: a pair repeated inside one name counts once."""
    counts = np.zeros((27, 27), dtype=np.int64)
    for word in words:
        ids = np.concatenate([[0], vocab.encode(word), [0]])
        counts[ids[:-1], ids[1:]] += 1
    return counts


def pairs_as_a_set(words, vocab):
    counts = np.zeros((27, 27), dtype=np.int64)
    for word in words:
        ids = [0, *vocab.encode(word).tolist(), 0]
        for a, b in set(pairwise(ids)):
            counts[a, b] += 1
    return counts


def elementwise_plus(words, vocab):
    """[0] + ids with ids a NumPy array adds 0 to every entry: no boundary is added."""
    counts = np.zeros((27, 27), dtype=np.int64)
    for word in words:
        ids = [0] + vocab.encode(word) + [0]
        for a, b in pairwise(ids.tolist()):
            counts[a, b] += 1
    return counts


def float_counts(words, vocab):
    return count_loops(words, vocab).astype(float)


def twenty_six(words, vocab):
    return count_loops(words, vocab)[1:, 1:]


@pytest.mark.parametrize(("wrong", "message"), [
    (no_start, "the start is missing"),
    (no_end, "the end is missing"),
    (lambda words, vocab: count_loops(words, vocab).T, "transposed"),
    (letters_from_zero, "differ"),
    (twenty_six, r"expected shape \(27, 27\), got shape \(26, 26\)"),
    (float_counts, "integer|dtype"),
    (lambda words, vocab: count_loops(words[:1], vocab), "differ"),
    (buffered_per_word, "differ"),
    (pairs_as_a_set, "differ"),
    (lambda words, vocab: count_loops(words, vocab).astype(np.int8), "differ|dtype"),
    (elementwise_plus, "a 0 before and after"),
])
def test_count_bigrams_wrong_answers_are_rejected(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        checks.check_count_bigrams(wrong)


def test_count_bigrams_that_empties_the_list_in_place_is_rejected():
    def consumes(words, vocab):
        counts = count_loops(list(words), vocab)
        words.clear()
        return counts

    with pytest.raises(ExerciseError, match="in place"):
        checks.check_count_bigrams(consumes)


# ---------------------------------------------------------------- exercise 2


def inverse_cdf(probs, rng):
    u = rng.random(len(probs))
    return (probs.cumsum(axis=1) < u[:, None]).sum(axis=1)


def searchsorted(probs, rng):
    cdf = probs.cumsum(axis=1)
    u = rng.random(len(probs))
    rows = zip(cdf, u, strict=True)
    return np.array([min(np.searchsorted(row, x, side="right"), len(row) - 1) for row, x in rows])


def choice_per_row(probs, rng):
    return np.array([rng.choice(len(row), p=row) for row in probs])


def gumbel(probs, rng):
    with np.errstate(divide="ignore"):
        return np.argmax(np.log(probs) + rng.gumbel(size=probs.shape), axis=1)


@pytest.mark.parametrize("right", [inverse_cdf, searchsorted, choice_per_row, gumbel,
                                   library_sample_categorical])
def test_sample_categorical_right_answers_pass(right, capsys):
    checks.check_sample_categorical(right)
    assert "passes all 7 cases" in capsys.readouterr().out


def global_state(probs, rng):
    return np.array([np.random.choice(len(row), p=row) for row in probs])  # noqa: NPY002 (the mistake)


def first_row_only(probs, rng):
    u = rng.random(len(probs))
    return (probs[0].cumsum() < u[:, None]).sum(axis=1)


def one_past(probs, rng):
    return np.minimum(inverse_cdf(probs, rng) + 1, probs.shape[1] - 1)


def uniform_symbols(probs, rng):
    return rng.integers(0, probs.shape[1], len(probs))


def cdf_in_place(probs, rng):
    np.cumsum(probs, axis=1, out=probs)
    return (probs < rng.random(len(probs))[:, None]).sum(axis=1)


def argmax_only(probs, rng):
    return probs.argmax(axis=1)


def evenly_spaced(probs, rng):
    u = np.linspace(0, 1, len(probs), endpoint=False) + 0.5 / len(probs)
    return (probs.cumsum(axis=1) < u[:, None]).sum(axis=1)


def sorted_draws(probs, rng):
    u = np.sort(rng.random(len(probs)))
    return (probs.cumsum(axis=1) < u[:, None]).sum(axis=1)


def own_generator(probs, rng):
    u = np.random.default_rng(0).random(len(probs))
    return (probs.cumsum(axis=1) < u[:, None]).sum(axis=1)


def unseeded_generator(probs, rng):
    u = np.random.default_rng().random(len(probs))
    return (probs.cumsum(axis=1) < u[:, None]).sum(axis=1)


def missing_axis(probs, rng):
    return (probs.cumsum(axis=1) < rng.random(len(probs))).sum(axis=1)


@pytest.mark.parametrize(("wrong", "message"), [
    (global_state, "same seed gave different draws"),
    (first_row_only, "all the probability on one symbol"),
    (one_past, "all the probability on one symbol"),
    (uniform_symbols, "all the probability on one symbol"),
    (argmax_only, r"symbol 0 \(probability 0.500\) came out 10000 times in 10000 draws"),
    (cdf_in_place, "changed `probs` in place"),
    (lambda probs, rng: inverse_cdf(probs, rng).tolist(), "expected a NumPy array"),
    (lambda probs, rng: inverse_cdf(probs, rng).astype(float), "integer dtype"),
    (lambda probs, rng: inverse_cdf(probs, rng)[:, None], r"shape \(5,\)"),
    (evenly_spaced, "came out|different seeds"),
    (sorted_draws, "the first 10,000 rows|the second 10,000 rows"),
    (own_generator, "three different seeds gave the same"),
    (unseeded_generator, "do not come from `rng`"),
    (missing_axis, "(?s)raised ValueError.*on case 'all the probability on one symbol per row'"),
])
def test_sample_categorical_wrong_answers_are_rejected(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        checks.check_sample_categorical(wrong)


def test_sample_categorical_placeholder_says_not_written():
    def placeholder(probs, rng):
        raise NotImplementedError

    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_sample_categorical(placeholder)


# ---------------------------------------------------------------- exercise 3


def nll_loops(P, words, vocab):
    total, n = 0.0, 0
    for word in words:
        ids = [0, *vocab.encode(word).tolist(), 0]
        for a, b in pairwise(ids):
            total += np.log(P[a, b])
            n += 1
    return -total / n


def nll_vectorized(P, words, vocab):
    ids = [np.concatenate([[0], vocab.encode(w), [0]]) for w in words]
    previous = np.concatenate([i[:-1] for i in ids])
    following = np.concatenate([i[1:] for i in ids])
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log(P[previous, following])))


@pytest.mark.parametrize("right", [nll_loops, nll_vectorized])
def test_bigram_nll_right_answers_pass(right, capsys):
    checks.check_bigram_nll(right)
    assert "passes all 7 cases" in capsys.readouterr().out


def product_first(P, words, vocab):
    probs = [P[a, b] for w in words for a, b in pairwise([0, *vocab.encode(w).tolist(), 0])]
    return float(-np.log(np.prod(probs)) / len(probs))


def counts_times_log(P, words, vocab):
    counts = count_loops(words, vocab)
    return float(-(counts * np.log(P)).sum() / counts.sum())


def per_name(P, words, vocab):
    return nll_loops(P, words, vocab) * sum(len(w) + 1 for w in words) / len(words)


@pytest.mark.parametrize(("wrong", "message"), [
    (per_name, "mean per name"),
    (lambda P, w, v: -nll_loops(P, w, v), "the sign"),
    (lambda P, w, v: nll_loops(P.T, w, v), "wrong way round"),
    (lambda P, w, v: nll_loops(P, w, v) / np.log(2), "another base"),
    (lambda P, w, v: nll_loops(P, w, v) * sum(len(x) + 1 for x in w), "the sum over all pairs"),
    (lambda P, w, v: float(np.exp(nll_loops(P, w, v))), r"expected 3.29\d*, got 27.0"),  # the perplexity
    (lambda P, w, v: nll_loops(P + 1e-10, w, v), "probability 0"),
    (lambda P, w, v: nll_loops(np.clip(P, 1e-8, 1), w, v), "probability 0"),
    (product_first, "2,000 names"),
    (counts_times_log, "zeros where no pair"),
])
def test_bigram_nll_wrong_answers_are_rejected(wrong, message):
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"), \
            pytest.raises(ExerciseError, match=message):
        checks.check_bigram_nll(wrong)


# ---------------------------------------------------------------- exercise 4


def backward_add_at(ids, grad_out, vocab_size):
    dW = np.zeros((vocab_size, grad_out.shape[-1]), dtype=grad_out.dtype)
    np.add.at(dW, ids.reshape(-1), grad_out.reshape(-1, grad_out.shape[-1]))
    return dW


def backward_one_hot(ids, grad_out, vocab_size):
    one_hot = np.eye(vocab_size, dtype=grad_out.dtype)[ids.reshape(-1)]
    return one_hot.T @ grad_out.reshape(-1, grad_out.shape[-1])


def backward_library(ids, grad_out, vocab_size):
    layer = Embedding(vocab_size, grad_out.shape[-1], dtype=grad_out.dtype)
    layer.forward(ids)
    layer.backward(grad_out)
    return layer.grads["W"]


@pytest.mark.parametrize("right", [backward_add_at, backward_one_hot, backward_library])
def test_embedding_backward_right_answers_pass(right, capsys):
    checks.check_embedding_backward(right)
    assert "passes all 5 cases" in capsys.readouterr().out


def buffered(ids, grad_out, vocab_size):
    dW = np.zeros((vocab_size, grad_out.shape[-1]), dtype=grad_out.dtype)
    dW[ids] += grad_out
    return dW


def rows_of_max_id(ids, grad_out, vocab_size):
    return backward_add_at(ids, grad_out, int(ids.max()) + 1)


def flattens_in_place(ids, grad_out, vocab_size):
    grad_out *= 1.0
    ids.shape = (-1,)
    return backward_add_at(ids, grad_out, vocab_size)


@pytest.mark.parametrize(("wrong", "message"), [
    (buffered, "only one of its gradients arrived"),
    (rows_of_max_id, r"expected shape \(6, 3\), got shape \(6, 3\)|expected shape \(27, 4\)|shape"),
    (lambda ids, g, n: backward_add_at(ids, g, n).T, "shape"),
    (lambda ids, g, n: backward_add_at(ids, g, n).astype(np.float64), "float32|dtype"),
    (lambda ids, g, n: backward_add_at(np.minimum(ids + 1, n - 1), g, n), "differ"),
    (flattens_in_place, "in place"),
])
def test_embedding_backward_wrong_answers_are_rejected(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        checks.check_embedding_backward(wrong)


def test_no_message_prints_the_solution():
    with pytest.raises(ExerciseError) as error:
        checks.check_embedding_backward(buffered)
    assert "np.add.at" not in str(error.value)


def test_an_assignment_gets_the_same_hint_as_a_buffered_addition():
    def assigned(ids, grad_out, vocab_size):
        dW = np.zeros((vocab_size, grad_out.shape[-1]), dtype=grad_out.dtype)
        dW[ids] = grad_out
        return dW

    with pytest.raises(ExerciseError, match=r"`dW\[ids\] = g` both write each indexed row once"):
        checks.check_embedding_backward(assigned)
