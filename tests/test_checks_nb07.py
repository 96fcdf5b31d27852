"""The notebook 07 checks accept right answers and explain the usual wrong ones."""

import numpy as np
import pytest

from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb07 as checks


def not_written(*args):
    raise NotImplementedError("Exercise: write this function.")


# ---------------------------------------------------------------- standardize


def standardize(x_train, x_other):
    mean, std = x_train.mean(), x_train.std()
    return (x_train - mean) / std, (x_other - mean) / std


def test_standardize_check_accepts_training_statistics(capsys):
    checks.check_standardize(standardize)
    assert "passes all" in capsys.readouterr().out


def test_standardize_check_catches_statistics_of_the_other_set():
    def own(x_train, x_other):
        return (x_train - x_train.mean()) / x_train.std(), (x_other - x_other.mean()) / x_other.std()

    with pytest.raises(ExerciseError, match="ITS OWN mean and std"):
        checks.check_standardize(own)


def test_standardize_check_catches_dividing_by_the_variance():
    with pytest.raises(ExerciseError, match="divides by the variance"):
        checks.check_standardize(lambda a, b: tuple((x - a.mean()) / a.var() for x in (a, b)))


def test_standardize_check_catches_scaling_to_0_1():
    with pytest.raises(ExerciseError, match="min-max scaling"):
        checks.check_standardize(lambda a, b: (a / 255, b / 255))


def test_standardize_check_catches_per_pixel_statistics():
    def per_pixel(a, b):
        mean, std = a.mean(axis=0), a.std(axis=0) + 1e-8
        return (a - mean) / std, (b - mean) / std

    with pytest.raises(ExerciseError, match="ONE mean and ONE standard deviation"):
        checks.check_standardize(per_pixel)


def test_standardize_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_standardize(not_written)


# ---------------------------------------------------------------- dropout


def test_dropout_check_accepts_inverted_dropout(capsys):
    checks.check_dropout_forward(lambda x, keep, p: x * keep / (1 - p))
    assert "passes all" in capsys.readouterr().out


def test_dropout_check_catches_a_missing_rescale():
    with pytest.raises(ExerciseError, match=r"scaled up by 1 / \(1 − p\)"):
        checks.check_dropout_forward(lambda x, keep, p: x * keep)


def test_dropout_check_catches_dividing_by_p():
    with pytest.raises(ExerciseError, match="probability of KEEPING"):
        checks.check_dropout_forward(lambda x, keep, p: x * keep / p if p else x)


def test_dropout_check_catches_an_inverted_mask():
    with pytest.raises(ExerciseError, match="mask is inverted"):
        checks.check_dropout_forward(lambda x, keep, p: x * ~keep / (1 - p))


def test_dropout_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_dropout_forward(not_written)


# ---------------------------------------------------------------- confusion matrix


def confusion(predicted, labels, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(labels, predicted, strict=True):
        counts[t, p] += 1
    return counts


def test_confusion_check_accepts_a_loop(capsys):
    checks.check_confusion_matrix(confusion)
    assert "passes all" in capsys.readouterr().out


def test_confusion_check_catches_swapped_axes():
    with pytest.raises(ExerciseError, match="rows and columns are swapped"):
        checks.check_confusion_matrix(lambda p, t, k: confusion(t, p, k))


def test_confusion_check_catches_fancy_index_increment():
    def fancy(p, t, k):
        counts = np.zeros((k, k), dtype=int)
        counts[t, p] += 1
        return counts

    with pytest.raises(ExerciseError, match="np.add.at"):
        checks.check_confusion_matrix(fancy)


def test_confusion_check_catches_a_matrix_sized_by_the_data():
    def sized_by_data(p, t, k):
        return confusion(p, t, max(p.max(), t.max()) + 1)

    with pytest.raises(ExerciseError, match="n_classes × n_classes"):
        checks.check_confusion_matrix(sized_by_data)


def test_confusion_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_confusion_matrix(not_written)
