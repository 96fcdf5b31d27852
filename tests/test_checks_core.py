"""The exercise-check machinery: what a learner reads when an answer is wrong."""

import numpy as np
import pytest

from course_lib.course.checks import Case, ExerciseError, Mistake, check, compare
from course_lib.course.playgrounds import nb00


def column_sums(x):
    return x.sum(axis=0)


CASES = [Case("batch of one", (np.ones((1, 3)),)), Case("two rows", (np.arange(6.0).reshape(2, 3),))]
SUMMED_EVERYTHING = Mistake("sum over the batch axis only", lambda got, expected, case: np.ndim(got) == 0)


def test_correct_answer_passes_and_says_so(capsys):
    check("Exercise 1", column_sums, column_sums, CASES, [SUMMED_EVERYTHING])
    assert "✓ Exercise 1: `column_sums` passes all 2 cases." in capsys.readouterr().out


def test_wrong_shape_names_the_case_both_shapes_and_the_hint():
    def total(x):
        return x.sum()

    with pytest.raises(ExerciseError) as err:
        check("Exercise 1", total, column_sums, CASES, [SUMMED_EVERYTHING])
    message = str(err.value)
    for part in ["`total` is wrong on case 'batch of one'", "array of shape (1, 3)",
                 "expected shape (3,), got shape ()", "hint: sum over the batch axis only"]:
        assert part in message


def test_wrong_values_point_at_the_first_difference():
    def off_by_one(x):
        return x.sum(axis=0) + np.array([0, 1, 0])

    expected_text = r"1 of 3 values differ; first at index \(1,\): expected 1.0, got 2.0"
    with pytest.raises(ExerciseError, match=expected_text):
        check("Exercise 1", off_by_one, column_sums, CASES)


def test_placeholder_and_missing_return_and_crash_are_explained():
    def placeholder(x):
        raise NotImplementedError("Exercise 1")

    def no_return(x):
        x.sum(axis=0)

    def crash(x):
        return x @ x

    with pytest.raises(ExerciseError, match="not written yet"):
        check("Exercise 1", placeholder, column_sums, CASES)
    with pytest.raises(ExerciseError, match="forget the `return`"):
        check("Exercise 1", no_return, column_sums, CASES)
    with pytest.raises(ExerciseError, match="raised ValueError.*\n  on case 'batch of one'"):
        check("Exercise 1", crash, column_sums, CASES)


def test_learner_modifying_its_input_cannot_change_the_expected_answer():
    def in_place(x):
        x *= 2
        return x.sum(axis=0)

    with pytest.raises(ExerciseError, match="values differ"):
        check("Exercise 1", in_place, column_sums, CASES)


def test_compare_handles_tuples_and_integer_arrays():
    assert compare((np.zeros(2), 1.0), (np.zeros(2), 1.0)) is None
    assert "expected a tuple of 2 values" in compare(np.zeros(2), (np.zeros(2), 1.0))
    assert "item 1 of the returned tuple" in compare((np.zeros(2), 2.0), (np.zeros(2), 1.0))
    assert "values differ" in compare(np.array([1, 2]), np.array([1, 3]))


def test_digit_browser_caption_and_bounds():
    labels = np.array([7, 2, 1], dtype=np.uint8)
    assert nb00.digit_title(1, labels) == "image #1: label 2"
    with pytest.raises(IndexError, match=r"outside 0..2"):
        nb00.digit_title(3, labels)
