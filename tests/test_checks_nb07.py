"""Notebook 07's checks (softmax cross-entropy, standardize): right answers pass, usual wrong ones get
their hint, and the references agree with course_lib."""

import numpy as np
import pytest

from course_lib.course import train_mnist
from course_lib.course.checks import ExerciseError, compare
from course_lib.course.checks import nb07 as checks


def standardize(x_train, x_other, axis=None):
    mean, std = x_train.mean(axis=axis), x_train.std(axis=axis) + (1e-8 if axis is not None else 0)
    return (x_train - mean) / std, (x_other - mean) / std


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_standardize, standardize),
    (checks.check_standardize, lambda a, b: standardize(a.astype(np.float64), b.astype(np.float64))),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


def own_statistics(x_train, x_other):
    return standardize(x_train, x_train)[0], standardize(x_other, x_other)[0]


@pytest.mark.parametrize(("wrong", "hint"), [
    (own_statistics, "ITS OWN mean and std"),
    (lambda a, b: tuple((x - a.mean()) / a.var() for x in (a, b)), "divides by the variance"),
    (lambda a, b: (a - a.mean(), b - a.mean()), "subtract the mean AND divide"),
    (lambda a, b: (a / a.std(), b / a.std()), "subtract the mean AND divide"),
    (lambda a, b: (a / 255, b / 255), "not a scaling into"),
    (lambda a, b: standardize(a, b, axis=0), "ONE mean and ONE standard deviation"),
])
def test_standardize_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_standardize(wrong)


LIBRARY = [(checks._standardize, lambda a, b: tuple(train_mnist.standardize(a, b)[2]),
            checks.STANDARDIZE_CASES)]


@pytest.mark.parametrize(("reference", "library", "case"),
                         [(ref, library, case) for ref, library, cases in LIBRARY for case in cases])
def test_references_agree_with_course_lib(reference, library, case):
    assert compare(reference(*case.args), library(*case.args), rtol=1e-5, atol=1e-5) is None


def softmax_ce_by_hand(z, labels):
    """A right answer written differently: log-sum-exp per row, then the mean; one-hot by indexing."""
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    probs = np.exp(z - lse[:, None])
    onehot = np.eye(z.shape[1], dtype=z.dtype)[labels]
    return float(np.mean(lse - z[np.arange(len(z)), labels])), ((probs - onehot) / len(z)).astype(z.dtype)


def test_softmax_cross_entropy_right_answers_pass(capsys):
    from course_lib import losses

    checks.check_softmax_cross_entropy(softmax_ce_by_hand)
    checks.check_softmax_cross_entropy(losses.softmax_cross_entropy)
    assert "passes all 6 cases" in capsys.readouterr().out


def _naive(z, labels):
    with np.errstate(all="ignore"):
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        grad = p.copy()
        grad[np.arange(len(z)), labels] -= 1
        return float(-np.log(p[np.arange(len(z)), labels]).mean()), grad / len(z)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda z, y: (softmax_ce_by_hand(z, y)[0], -softmax_ce_by_hand(z, y)[1]),
     "the gradient has the wrong sign"),
    (lambda z, y: (softmax_ce_by_hand(z, y)[0], softmax_ce_by_hand(z, y)[1] * len(z)),
     "the gradient is not divided by the batch size B"),
    (lambda z, y: (softmax_ce_by_hand(z, y)[0] * len(z), softmax_ce_by_hand(z, y)[1] * len(z)),
     "the loss and the gradient are sums over the batch"),
    (_naive, r"e\^z overflows for large logits"),
    (lambda z, y: _naive(z - z.max(), y), "subtract each ROW's maximum"),
])
def test_softmax_cross_entropy_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_softmax_cross_entropy(wrong)


def test_softmax_cross_entropy_reference_agrees_with_course_lib():
    from course_lib import losses

    for case in checks.SOFTMAX_CE_CASES:
        ours, lib = checks._softmax_cross_entropy(*case.args), losses.softmax_cross_entropy(*case.args)
        assert ours[0] == pytest.approx(lib[0], rel=1e-5)
        np.testing.assert_allclose(ours[1], lib[1], rtol=1e-5, atol=1e-7)


def log_of_probability(z, labels):
    """Stable softmax first, then −log p_y: p_y underflows to 0 in float32 when the gap is ~120."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(len(z))
    with np.errstate(divide="ignore"):
        loss = float(-np.log(p[rows, labels]).mean())
    p[rows, labels] -= 1
    return loss, p / len(z)


def standardize_in_place(x_train, x_other):
    mean, std = x_train.mean(), x_train.std()
    x_train -= mean
    x_train /= std
    return x_train, (x_other - mean) / std


def logits_in_place(z, labels):
    z -= z.max(axis=1, keepdims=True)
    return softmax_ce_by_hand(z, labels)


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_softmax_cross_entropy, log_of_probability, "smaller than float32's smallest number"),
    (checks.check_softmax_cross_entropy, logits_in_place, "changed `z` in place"),
    (checks.check_softmax_cross_entropy,
     lambda z, y: (softmax_ce_by_hand(z, y)[0], softmax_ce_by_hand(z, y)[1].astype(float)), "stay float32"),
    (checks.check_softmax_cross_entropy, lambda z, y: (softmax_ce_by_hand(z, y)[0] / z.shape[1],
                                                       softmax_ce_by_hand(z, y)[1]), None),
    (checks.check_standardize, standardize_in_place, "changed `x_train` in place"),
    (checks.check_standardize, lambda a, b: standardize(a, b)[::-1], None),
    (checks.check_standardize, lambda a, b: list(standardize(a, b)), "expected a tuple"),
])
def test_new_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    rejected(notebook_check, wrong, hint)
