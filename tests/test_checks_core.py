"""The exercise-check machinery: what a learner reads when an answer is wrong, and the shared helpers."""

import ast
import importlib
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

from course_lib import activations
from course_lib.course import student
from course_lib.course.checks import Case, ExerciseError, Mistake, check, compare
from course_lib.course.checks import _core as core
from course_lib.course.playgrounds import nb00

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = {path.name[:2]: path for path in sorted(NOTEBOOK_DIR.glob("*.ipynb"))}
CHECK_MODULES = [importlib.import_module(f"course_lib.course.checks.nb{number}") for number in NOTEBOOKS
                 if importlib.util.find_spec(f"course_lib.course.checks.nb{number}") is not None]
EVERY_CHECK = [getattr(module, name) for module in CHECK_MODULES for name in dir(module)
               if name.startswith("check_")]


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


def not_written(*args):
    raise NotImplementedError("Exercise: write this function.")


@pytest.mark.parametrize("notebook_check", EVERY_CHECK, ids=lambda f: f.__name__)
def test_every_notebook_check_explains_a_placeholder_and_a_missing_return(notebook_check):
    with pytest.raises(ExerciseError, match="is not written yet. Replace the placeholder"):
        notebook_check(not_written)
    with pytest.raises(ExerciseError, match="Did you forget the `return` statement"):
        notebook_check(lambda *args: None)


def test_every_check_is_called_by_its_notebook_and_every_call_exists():
    for module in CHECK_MODULES:
        notebook = json.loads(NOTEBOOKS[module.__name__[-2:]].read_text())
        code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
        called = set(re.findall(r"\bchecks\.(check_\w+)\(", code))
        defined = {name for name in dir(module) if name.startswith("check_")}
        assert called == defined and len(defined) >= 2, module.__name__


def test_learner_modifying_its_input_cannot_change_the_expected_answer():
    def in_place(x):
        x *= 2
        return x.sum(axis=0)

    with pytest.raises(ExerciseError, match=r"values differ; first at index \(0,\): expected 1.0, got 2.0"):
        check("Exercise 1", in_place, column_sums, CASES, allow_in_place=True)


@pytest.mark.parametrize("change", [
    lambda x, items: x.__isub__(1), lambda x, items: x.__setitem__(0, 5.0), lambda x, items: items.append(1),
    lambda x, items: items[0].__imul__(2), lambda x, items: x.resize((0,), refcheck=False)])
def test_an_argument_changed_in_place_is_named_even_when_the_answer_is_right(change):
    def reference(x, items):
        return x.sum()

    def in_place(x, items):
        total = x.sum()
        change(x, items)
        return total

    case = Case("c", (np.arange(3.0), [np.ones(2)]))
    with pytest.raises(ExerciseError, match=r"changed `(x|items)` in place; the cells after this one still "
                                            r"need the original"):
        check("Exercise 1", in_place, reference, [case])
    check("Exercise 1", in_place, reference, [case], allow_in_place=True)


def test_a_nudge_undone_by_arithmetic_leaves_an_argument_unchanged(capsys):
    def nudged(x):
        x[0] += 1e-6
        x[0] -= 2e-6
        x[0] += 1e-6
        return x.sum()

    check("Exercise 1", nudged, np.sum, [Case("c", (np.array([0.7, -1.5, 3.0]),))], rtol=1e-6, atol=1e-9)
    assert "passes all 1 cases" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "expected", "words"), [
    (lambda x: x.tolist(), lambda x: x, "expected a NumPy array, got list"),
    (lambda x: (x * 1.0).sum(), lambda x: x.sum(), "expected integers"),
    (lambda x: x.astype(np.float64), lambda x: x.astype(np.float32), "should stay float32"),
    (lambda x: (x.astype(np.float64),), lambda x: (x.astype(np.float32),), "`y`: the answer should stay"),
])
def test_check_holds_answers_to_the_type_the_reference_promises(answer, expected, words):
    case = Case("c", (np.arange(6).reshape(2, 3),), names=("y",))
    with pytest.raises(ExerciseError, match=words):
        check("Exercise 1", answer, expected, [case])
    assert compare(answer(*case.args), expected(*case.args)) is None


def test_a_returns_hint_needs_the_wrong_answer_on_every_case():
    cases = [Case("zero", (0.0,)), Case("one", (1.0,)), Case("two", (2.0,))]
    doubled = Mistake.returns("you doubled x", lambda x: 2 * x)
    with pytest.raises(ExerciseError, match="hint: you doubled x"):
        check("E", lambda x: 2 * x, lambda x: x, cases, [doubled])
    with pytest.raises(ExerciseError) as err:   # x² equals 2x at x = 2 only: no hint
        check("E", lambda x: x * x, lambda x: x, cases[::-1], [doubled])
    assert "expected 2.0, got 4.0" in str(err.value) and "hint" not in str(err.value)


def test_tuple_items_are_named_and_functions_described_by_name():
    def reference(f, x):
        return f(x), -f(x)

    case = Case("c", (np.sin, np.zeros(2) + 1), names=("dx", "dgamma"))
    with pytest.raises(ExerciseError) as err:
        check("E", lambda f, x: (f(x), f(x)), reference, [case])
    assert "`dgamma`: 2 of 2 values differ" in str(err.value)
    assert "inputs: function sin, array" in str(err.value) and " at 0x" not in str(err.value)


def test_a_wrong_answer_seen_by_a_wrapper_is_reported_as_wrong_not_as_a_crash():
    def wrapper(x):
        raise core.WrongAnswer("the keys are ids, not nodes")

    with pytest.raises(ExerciseError, match="is wrong on case 'batch of one'.*\n  the keys are ids"):
        check("E", wrapper, column_sums, CASES)


def notebook_imports(notebook: dict) -> str:
    """The import statements of the notebook's first code cell, as source: what its solutions may use."""
    first = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    tree = ast.parse("".join(first["source"]))
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(ast.unparse(node) for node in imports)


def instructor_namespaces():
    """(notebook, namespace with its exercise solutions defined, the check calls) for every notebook."""
    for number, path in NOTEBOOKS.items():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        exercises = student.find_exercises(notebook, path.name)
        if not exercises or number not in {m.__name__[-2:] for m in CHECK_MODULES}:
            continue
        namespace = {"checks": importlib.import_module(f"course_lib.course.checks.nb{number}")}
        exec("import math\nimport numpy as np\n" + notebook_imports(notebook), namespace)
        for exercise in exercises:
            exec("".join(notebook["cells"][exercise.cell]["source"]), namespace)
        yield path.name, namespace, [exercise.check_call for exercise in exercises]


@pytest.mark.parametrize(("name", "namespace", "calls"), list(instructor_namespaces()),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_every_instructor_solution_passes_its_check(name, namespace, calls, capsys):
    for call in calls:
        exec(call, namespace)
    assert capsys.readouterr().out.count("✓") == len(calls)


def test_compare_handles_tuples_and_integer_arrays():
    assert compare((np.zeros(2), 1.0), (np.zeros(2), 1.0)) is None
    assert "expected a tuple of 2 values" in compare(np.zeros(2), (np.zeros(2), 1.0))
    assert "item 1 of the returned tuple" in compare((np.zeros(2), 2.0), (np.zeros(2), 1.0))
    assert "values differ" in compare(np.array([1, 2]), np.array([1, 3]))


# ---------------------------------------------------------------- the tolerance policy


def test_tolerance_follows_the_least_precise_float_input():
    f32, f64 = np.ones(2, np.float32), np.ones(2)
    assert core.tolerance(Case("python numbers", (1, 2.0))) == core.FLOAT64_TOLERANCE
    assert core.tolerance(Case("float64", (f64, np.arange(3)))) == core.FLOAT64_TOLERANCE
    assert core.tolerance(Case("one float32 among others", (f64, [f64, (f32,)]))) == core.FLOAT32_TOLERANCE
    assert core.tolerance(Case("own tolerance", (f32,), tolerance=(0.1, 0.2))) == (0.1, 0.2)


def test_float32_inputs_get_a_looser_tolerance_than_float64_inputs(capsys):
    def slightly_off(x):
        return x.sum(axis=0) * (1 + 3e-6)

    check("float32", slightly_off, column_sums, [Case("float32", (np.ones((2, 3), np.float32),))])
    assert "passes all 1 cases" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="3 of 3 values differ"):
        check("float64", slightly_off, column_sums, [Case("float64", (np.ones((2, 3)),))])


def test_an_explicit_tolerance_reaches_the_mistake_matchers():
    seen = []
    mistake = Mistake("never", lambda got, expected, case: seen.append(core.tolerance(case)))
    with pytest.raises(ExerciseError):
        check("explicit", lambda x: x, column_sums, CASES[:1], [mistake], rtol=0.5, atol=0.25)
    assert seen == [(0.5, 0.25)]


def test_mistake_returns_matches_any_of_its_wrong_answers_within_tolerance():
    mistake = Mistake.returns("hint", lambda x: 2 * x, lambda x: x + 1)
    case = Case("c", (np.arange(3.0),))
    assert mistake.matches(np.array([0.0, 2.0, 4.0 + 1e-9]), None, case)
    assert mistake.matches(np.array([1.0, 2.0, 3.0]), None, case)
    assert not mistake.matches(np.array([0.0, 2.0, 4.1]), None, case)
    assert not mistake.matches(np.array([0.0, 2.0]), None, case)


def test_a_matcher_that_raises_or_warns_does_not_match_and_stays_quiet(recwarn):
    crashing = Mistake("crash", lambda got, expected, case: got.no_such_attribute)
    overflowing = Mistake.returns("overflow", lambda x: np.exp(1000 * x))
    with pytest.raises(ExerciseError) as err:
        check("Exercise 1", lambda x: x.sum(axis=0) + 1, column_sums, CASES, [crashing, overflowing])
    assert "hint" not in str(err.value)
    assert [str(w.message) for w in recwarn] == []


# ---------------------------------------------------------------- builders and shared references


def test_builders_give_the_dtype_and_shape_asked_for_and_repeat_for_a_seed():
    assert core.normal(0, (2, 3), dtype=np.float32).dtype == np.float32
    assert core.uniform(0, 4, high=255.0, dtype=np.float32).shape == (4,)
    pixels = core.integers(0, (5, 5), 256, dtype=np.uint8)
    assert pixels.dtype == np.uint8 and 0 <= pixels.min() and pixels.max() < 256
    assert np.array_equal(core.normal(7, 10, scale=3.0), core.normal(7, 10, scale=3.0))
    rng = np.random.default_rng(7)
    first, second = core.normal(rng, 10), core.normal(rng, 10)
    assert np.array_equal(first, core.normal(7, 10)) and not np.array_equal(first, second)
    assert np.all((core.uniform(1, 1000, high=2.0) >= 0) & (core.uniform(1, 1000, high=2.0) < 2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shared_sigmoid_is_stable_and_agrees_with_course_lib(dtype):
    x = np.array([-1000.0, -50.0, -1.0, 0.0, 2.0, 50.0, 1000.0], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        s = core.sigmoid(x)
    assert s.dtype == dtype and s[3] == 0.5 and s[0] == 0 and s[-1] == 1
    assert np.allclose(s, activations.sigmoid(x), rtol=1e-6, atol=0)


def test_shared_softmax_is_stable_and_agrees_with_course_lib():
    z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0], [0.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        p = core.softmax(z)
    assert np.allclose(p.sum(axis=1), 1) and np.allclose(p[2], 1 / 3)
    assert np.allclose(p, activations.softmax(z), rtol=1e-12, atol=0)


def test_digit_browser_caption_and_bounds():
    labels = np.array([7, 2, 1], dtype=np.uint8)
    assert nb00.digit_title(1, labels) == "image #1: label 2"
    with pytest.raises(IndexError, match=r"outside 0..2"):
        nb00.digit_title(3, labels)
