"""The notebook 02 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import numpy as np
import pytest

from course_lib import activations
from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb02 as checks


def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def collapse(W1, b1, W2, b2):
    return W1 @ W2, b1 @ W2 + b2


def textbook_log_softmax(z):
    """z − (m + ln Σ e^{z−m}): the shift added back inside the normalizer, as textbooks write it."""
    m = z.max(axis=1, keepdims=True)
    return z - (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))


def silenced_naive_sigmoid(x):
    with np.errstate(all="ignore"):
        return 1 / (1 + np.exp(-x))


def bias_in_place(W1, b1, W2, b2):
    b2 += b1 @ W2
    return W1 @ W2, b2


def sigmoid_into_x(x):
    e = np.exp(-np.abs(x))
    x[...] = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return x


def shift_in_place(z):
    z -= z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_collapse_affine, bias_in_place, "changed `b2` in place"),
    (checks.check_collapse_affine, lambda W1, b1, W2, b2: (W1 @ W2, (b1 @ W2 + b2)[None]), "n_out,"),
    (checks.check_collapse_affine, lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2 + b2.sum()), None),
    (checks.check_collapse_affine, lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2.T + b2), "b1 @ W2, not W2 @ b1"),
    (checks.check_collapse_affine, lambda W1, b1, W2, b2: [W1 @ W2, b1 @ W2 + b2], "expected a tuple"),
    (checks.check_sigmoid, silenced_naive_sigmoid, "hides the overflow"),
    (checks.check_sigmoid, sigmoid_into_x, "changed `x` in place"),
    (checks.check_sigmoid, lambda x: stable_sigmoid(x.astype(np.float64)), "should stay float32"),
    (checks.check_sigmoid, lambda x: silenced_naive_sigmoid(np.clip(x, -500, 500)), None),
    (checks.check_log_softmax, shift_in_place, "changed `z` in place"),
    (checks.check_log_softmax, lambda z: log_softmax(z.astype(np.float64)), "should stay float32"),
    (checks.check_log_softmax, lambda z: z - z.max(axis=1, keepdims=True)
     - np.log(np.exp(z).sum(axis=1, keepdims=True)), None),
    (checks.check_log_softmax, lambda z: log_softmax(z.T).T, None),
])
def test_new_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    rejected(notebook_check, wrong, hint)


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_sigmoid, stable_sigmoid),
    (checks.check_collapse_affine, collapse),
    (checks.check_collapse_affine, lambda W1, b1, W2, b2: (np.dot(W1, W2), np.dot(b1, W2) + b2)),
    (checks.check_log_softmax, log_softmax),
    (checks.check_log_softmax, lambda z: z - z.max(axis=1, keepdims=True)
     - np.log(np.sum(np.exp(z - z.max(axis=1, keepdims=True)), axis=1, keepdims=True))),
    (checks.check_log_softmax, textbook_log_softmax),
    (checks.check_log_softmax, lambda z: z - np.logaddexp.reduce(z, axis=1, keepdims=True)),
    (checks.check_sigmoid, lambda x: np.exp(-np.logaddexp(0, -x))),
    (checks.check_sigmoid, lambda x: np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))),
                                              np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))),
    (checks.check_collapse_affine, lambda W1, b1, W2, b2: (np.einsum("ij,jk->ik", W1, W2), W2.T @ b1 + b2)),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


def where_both(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def reciprocal_of_zero(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), 1 / (1 + 1 / e))


def zero_over_zero(x):
    top = np.exp(x - np.abs(x))
    return top / (top + np.exp(-np.abs(x)))


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x: 1 / (1 + np.exp(-x)), "overflow.*Only ever exponentiate"),
    (where_both, "computes both a and b"),
    (lambda x: stable_sigmoid(-x), "sign of the exponent is flipped"),
    (lambda x: np.exp(-x), "e\\^{-x} or e\\^{x} alone"),
    (lambda x: stable_sigmoid(x).sum(), "must keep the input's shape"),
    (reciprocal_of_zero, "a division by zero"),
    (zero_over_zero, "a value became nan"),
])
def test_sigmoid_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_sigmoid(wrong)


def clipped(x, c=30.0):
    x = np.clip(x, -c, c)
    return 1 / (1 + np.exp(-x))


def wrong_branch_for_negatives(x):
    e = np.exp(-np.abs(x))
    return 1 / (1 + e)


def wrong_branch_for_positives(x):
    e = np.exp(-np.abs(x))
    return e / (1 + e)


@pytest.mark.parametrize(("wrong", "hint"), [
    (clipped, "clipping x before exponentiating"),
    (lambda x: clipped(x, 50.0), "clipping x before exponentiating"),
    (wrong_branch_for_negatives, "for x < 0 you used the formula of x ≥ 0"),
    (wrong_branch_for_positives, "for x ≥ 0 you used the formula meant for x < 0"),
])
def test_sigmoid_slips_found_by_tight_cases_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_sigmoid(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda W1, b1, W2, b2: (W1 @ W2, b2), "not b2 alone"),
    (lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2), "b1 \\+ b2 forgets"),
    (lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2), "adds its own b2"),
    (lambda W1, b1, W2, b2: (W2 @ W1, b1 @ W2 + b2), "the order of the weights"),
    (lambda W1, b1, W2, b2: (W1 @ W2, W2 @ b1 + b2), "not W2 @ b1"),
    (lambda W1, b1, W2, b2: (W1 @ W2, b1 * W2 + b2), r"`\*` is elementwise"),
    (lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2 - b2), "ADDS its bias"),
])
def test_collapse_affine_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_collapse_affine(wrong)


def naive_log(z):
    return np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))


def log_of_stable_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.log(e / e.sum(axis=1, keepdims=True))


def shifted_by(z, shift):
    s = z - shift(z)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


@pytest.mark.parametrize(("wrong", "hint"), [
    (naive_log, "overflows"),
    (log_of_stable_softmax, "np.log of 0.*Either a probability"),
    (lambda z: shifted_by(z, lambda z: z.min(axis=1, keepdims=True)), "not its minimum"),
    (lambda z: shifted_by(z, lambda z: z.mean(axis=1, keepdims=True)), "not its mean"),
    (lambda z: shifted_by(z, lambda z: z.max(axis=1)), "keepdims=True"),
    (lambda z: z - z.max(axis=1, keepdims=True), "the shift alone"),
    (lambda z: log_softmax(z) + z.max(axis=1, keepdims=True), "but not the max itself"),
    (lambda z: np.exp(log_softmax(z)), "the softmax itself"),
    (lambda z: -log_softmax(z), "sign is flipped"),
    (lambda z: shifted_by(z, lambda z: z.max()), "np.log of 0.*or a row's sum.*OWN maximum"),
    (lambda z: z - np.log(np.exp(z).sum(axis=1, keepdims=True)), "overflows"),
])
def test_log_softmax_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_log_softmax(wrong)


def library_log_softmax(z):
    return np.log(activations.softmax(z.astype(np.float64)))


LIBRARY = [(checks._sigmoid, activations.sigmoid, checks.SIGMOID_CASES[:-1])]


@pytest.mark.parametrize(("reference", "library", "case"),
                         [(ref, library, case) for ref, library, cases in LIBRARY for case in cases])
def test_references_agree_with_course_lib(reference, library, case):
    assert np.allclose(reference(*case.args), library(*case.args), rtol=1e-5, atol=1e-5)


def test_log_softmax_reference_agrees_with_the_library_loss():
    from course_lib.losses import softmax_cross_entropy
    for case in checks.LOG_SOFTMAX_CASES:
        z = case.args[0].astype(np.float64)
        labels = np.zeros(len(z), dtype=int)
        assert np.isclose(-checks._log_softmax(z)[:, 0].mean(), softmax_cross_entropy(z, labels)[0])


def test_collapse_reference_matches_two_dense_layers():
    for case in checks.COLLAPSE_CASES:
        W1, b1, W2, b2 = case.args
        W, b = checks._collapse(*case.args)
        x = np.random.default_rng(0).normal(size=(5, W1.shape[0]))
        assert np.allclose((x @ W1 + b1) @ W2 + b2, x @ W + b)
