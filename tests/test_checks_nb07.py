"""The notebook 07 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import numpy as np
import pytest

from course_lib import metrics
from course_lib.course import train_mnist
from course_lib.course.checks import ExerciseError, compare
from course_lib.course.checks import nb07 as checks
from course_lib.layers import Dropout


def standardize(x_train, x_other, axis=None):
    mean, std = x_train.mean(axis=axis), x_train.std(axis=axis) + (1e-8 if axis is not None else 0)
    return (x_train - mean) / std, (x_other - mean) / std


def confusion(predicted, labels, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(labels, predicted, strict=True):
        counts[t, p] += 1
    return counts


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_standardize, standardize),
    (checks.check_standardize, lambda a, b: standardize(a.astype(np.float64), b.astype(np.float64))),
    (checks.check_dropout_forward, lambda x, keep, p: x * keep / (1 - p)),
    (checks.check_dropout_forward, lambda x, keep, p: np.where(keep, x / (1 - p), 0)),
    (checks.check_confusion_matrix, confusion),
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
    (lambda a, b: (a / 255, b / 255), "min-max scaling"),
    (lambda a, b: standardize(a, b, axis=0), "ONE mean and ONE standard deviation"),
])
def test_standardize_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_standardize(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda x, keep, p: x * keep, r"scaled up by 1 / \(1 − p\)"),
    (lambda x, keep, p: x * keep / p if p else x, "probability of KEEPING"),
    (lambda x, keep, p: x * keep * (1 - p), "probability of KEEPING"),
    (lambda x, keep, p: x * ~keep / (1 - p), "mask is inverted"),
])
def test_dropout_forward_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_dropout_forward(wrong)


def fancy_index_increment(p, t, k):
    counts = np.zeros((k, k), dtype=int)
    counts[t, p] += 1
    return counts


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda p, t, k: confusion(t, p, k), "rows and columns are swapped"),
    (fancy_index_increment, "np.add.at"),
    (lambda p, t, k: confusion(p, t, max(p.max(), t.max()) + 1), "n_classes × n_classes"),
])
def test_confusion_matrix_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_confusion_matrix(wrong)


LIBRARY = [(checks._standardize, lambda a, b: tuple(train_mnist.standardize(a, b)[2]),
            checks.STANDARDIZE_CASES),
           (checks._confusion, lambda p, t, k: metrics.confusion_matrix(np.eye(k)[p], t, k),
            checks.CONFUSION_CASES)]


@pytest.mark.parametrize(("reference", "library", "case"),
                         [(ref, library, case) for ref, library, cases in LIBRARY for case in cases])
def test_references_agree_with_course_lib(reference, library, case):
    assert compare(reference(*case.args), library(*case.args), rtol=1e-5, atol=1e-5) is None


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9])
def test_dropout_reference_is_what_the_course_lib_dropout_layer_does_with_its_mask(p):
    x = np.random.default_rng(0).standard_normal((50, 40)).astype(np.float32) + 5
    y = Dropout(p, rng=1).forward(x, training=True)
    assert np.allclose(checks._dropout(x, y != 0, p), y, rtol=1e-6, atol=0)


@pytest.mark.parametrize("case", checks.CONFUSION_CASES, ids=lambda case: case.label)
def test_confusion_reference_agrees_with_course_lib_metrics(case):
    predicted, labels, n_classes = case.args
    scores = np.eye(n_classes)[predicted]
    assert np.array_equal(checks._confusion(*case.args), metrics.confusion_matrix(scores, labels, n_classes))
