"""The machinery behind every exercise check: run the learner's function, compare, explain.

A check calls the learner's function on several named cases (edge cases included), compares each
result with the reference, and on the first difference raises ``ExerciseError`` naming the case,
the expected and actual shape or values, and a hint for the usual mistake behind that difference.

Everything the notebook modules share is here, written once: the tolerance policy (``tolerance``),
the mistake matchers (``Mistake.returns``, ``close``), the seeded random inputs (``normal``,
``uniform``, ``integers``) and the two references several notebooks need (``sigmoid``, ``softmax``).

Tolerance policy. Integer and boolean answers must be exact. A float answer matches when, elementwise,
|got − expected| ≤ atol + rtol·|expected|, with (rtol, atol) set by the least precise float dtype
among the case's inputs: ``FLOAT32_TOLERANCE`` = (1e-5, 1e-6) when any input is float32 (or
narrower), else ``FLOAT64_TOLERANCE`` = (1e-6, 1e-9), Python numbers counting as float64. For float32
inputs atol grows to ``FLOAT32_SPACINGS`` spacings (np.spacing) of the largest input: float32
arithmetic on numbers of that size rounds at that spacing, whatever the size of the answer (measured:
the textbook log-softmax z − (m + ln Σ e^{z−m}) is off by 0.48 spacing at logits of 1000, where the
answers are near −1). A check that needs another tolerance passes ``rtol``/``atol`` to ``check`` (or
gives a ``Case`` its own), with a comment saying why; the mistake matchers then use that same tolerance.

What else a check verifies, for every case. Types: an array is expected where the reference returns
one (a list of lists is not), integers where it returns integers (counts), and float32 stays float32.
Inputs: the learner's function must leave its arguments as it got them (the cells after the check still
need them), unless the check says ``allow_in_place=True``. Hints: a ``Mistake.returns`` hint is given
only when the learner's function returns that wrong answer on every case it runs on, not just on the
failing one (a recognizer matching one value by coincidence would name a mistake not made); the
other mistakes are observations of the failing case and must say only what that observation implies.

Reference policy. Every check computes its expected answers with its own reference implementation,
written in its check module (here, for the references several modules share), numerically stable
(no ``np.exp`` of a large positive number) and independent of course_lib: a check never calls the
course_lib function that its exercise re-derives. tests/test_checks_nbXX.py compare each reference
with its course_lib counterpart; that is where the library and the checks are held to agree.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

FLOAT32_TOLERANCE = (1e-5, 1e-6)
FLOAT64_TOLERANCE = (1e-6, 1e-9)
#: float32 cases: atol is at least this many np.spacing of the largest float input (see the policy above).
FLOAT32_SPACINGS = 4
#: An argument counts as unchanged within this many spacings of its values: a nudge undone by arithmetic,
#: x + h − h, may round to a neighbouring number.
UNCHANGED_SPACINGS = 4


class ExerciseError(AssertionError):
    """The learner's answer differs from the expected one; the message says where and why."""


class WrongAnswer(Exception):
    """Raised by a check's wrapper around the learner's function when it sees what is wrong with the answer
    (a float where an index belongs, a dict keyed by ids): ``check`` reports the message as a wrong answer."""


@dataclass(frozen=True)
class Case:
    """One input to try: ``label`` says in words what is special about it (e.g. 'batch of one').

    ``tolerance`` (rtol, atol) overrides the dtype policy for this case; ``check`` sets it when it is
    given an explicit tolerance, so that the mistake matchers compare with the check's tolerance.
    ``names`` names the items of a tuple answer (e.g. ('dx', 'dγ', 'dβ')), for the messages.
    """

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    tolerance: tuple[float, float] | None = None
    names: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Mistake:
    """A usual wrong answer: ``matches(got, expected, case)`` recognizes it, ``hint`` explains the fix.

    ``everywhere``: the hint is given only if ``matches`` holds on every case the learner's function runs
    on, not only on the failing one (``Mistake.returns`` sets it: a wrong formula is wrong everywhere).
    """

    hint: str
    matches: Callable[[object, object, Case], bool]
    everywhere: bool = False

    @classmethod
    def returns(cls, hint: str, *wrongs: Callable) -> Mistake:
        """The mistake of returning ``wrong(*case.args)`` for one ``wrong`` of ``wrongs`` on every case."""
        return cls(hint, lambda got, expected, case: any(
            close(got, wrong(*case.args, **case.kwargs), case) for wrong in wrongs), everywhere=True)


def _float_dtypes(value: object) -> list[np.dtype]:
    if isinstance(value, (tuple, list)):
        return [dtype for item in value for dtype in _float_dtypes(item)]
    dtype = getattr(value, "dtype", None)
    return [dtype] if dtype is not None and dtype.kind == "f" else []


def _largest_float(value: object) -> float:
    """The largest magnitude among the floats of the arrays in ``value`` (0 when there are none)."""
    if isinstance(value, (tuple, list)):
        return max((_largest_float(item) for item in value), default=0.0)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size:
        return float(np.nanmax(np.abs(value[np.isfinite(value)]), initial=0.0))
    return 0.0


def tolerance(case: Case) -> tuple[float, float]:
    """(rtol, atol) for ``case``: its own, or the policy's for the least precise float dtype of its inputs."""
    if case.tolerance is not None:
        return case.tolerance
    inputs = (*case.args, *case.kwargs.values())
    if not any(d.itemsize <= 4 for d in _float_dtypes(inputs)):
        return FLOAT64_TOLERANCE
    rtol, atol = FLOAT32_TOLERANCE
    return rtol, max(atol, FLOAT32_SPACINGS * float(np.spacing(np.float32(_largest_float(inputs)))))


def close(got: object, wanted: object, case: Case) -> bool:
    """``got`` has the shape (or tuple structure) of ``wanted`` and its values, within ``tolerance(case)``."""
    return compare(got, wanted, *tolerance(case)) is None


Seed = int | np.random.Generator
Shape = int | tuple[int, ...]


def normal(seed: Seed, shape: Shape, scale: float = 1.0, dtype: type = np.float64) -> np.ndarray:
    """Standard-normal values × scale, of ``dtype``.

    Like ``uniform`` and ``integers``, drawn from ``np.random.default_rng(seed)``: an int seed starts a
    Generator of its own, a Generator goes on with its stream (several arrays from one seed).
    """
    return np.random.default_rng(seed).standard_normal(shape, dtype=dtype) * dtype(scale)


def uniform(seed: Seed, shape: Shape, high: float = 1.0, dtype: type = np.float64) -> np.ndarray:
    """Values uniform in [0, high), of ``dtype``."""
    return np.random.default_rng(seed).random(shape, dtype=dtype) * dtype(high)


def integers(seed: Seed, shape: Shape, high: int, dtype: type = np.int64) -> np.ndarray:
    """Integers in [0, high), of ``dtype``."""
    return np.random.default_rng(seed).integers(0, high, shape, dtype=dtype)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{−x}) without overflow: e^{−log(1 + e^{−x})}, the log by np.logaddexp."""
    return np.exp(-np.logaddexp(0, -x))


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax of each row of z (batch, k), each row shifted by its maximum so that no exponent is > 0."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def describe(value: object) -> str:
    """Short description of a value for a message: shape and dtype for arrays, a function by its name."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}, dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__} of ({', '.join(describe(item) for item in value)})"
    if callable(value):
        return f"function {getattr(value, '__name__', type(value).__name__).strip('_')}"
    return f"{type(value).__name__} {value!r}"


def _first_difference(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    index = tuple(int(i) for i in np.argwhere(bad)[0]) if got.ndim else ()
    where = f" at index {index}" if index else ""
    values = f"expected {expected[index].item()!r}, got {got[index].item()!r}"
    if bad.size == 1:
        return values
    return f"{int(bad.sum())} of {bad.size} values differ; first{where}: {values}"


def _type_problem(got: object, expected: object) -> str | None:
    """What is wrong with the type of ``got`` given ``expected``'s: a list for an array, floats for integers,
    float64 for float32."""
    if isinstance(expected, np.ndarray) and isinstance(got, (list, tuple)):
        return (f"expected a NumPy array, got {describe(got)}: build the answer with NumPy operations (or "
                f"np.array(...)), since the cells after this one use it as an array")
    got_dtype = _dtype(got)
    if got_dtype is None:
        return None
    if _dtype(expected).kind in "iu" and got_dtype.kind not in "iu":
        return (f"expected integers (counts or indices), got {describe(got)} of kind {got_dtype}: "
                f"`/` and float arrays (np.zeros is float by default) give floats; keep integers")
    if (isinstance(expected, np.ndarray) and expected.dtype == np.float32 and got_dtype.kind == "f"
            and got_dtype.itemsize > 4):
        return (f"the answer should stay float32, like the inputs, but yours is {got_dtype}: an operand "
                f"of dtype float64 (an array, or np.float64 number) promotes the whole result")
    return None


def _dtype(value: object) -> np.dtype | None:
    """The dtype NumPy gives ``value`` (None when it makes no array of it)."""
    try:
        return getattr(value, "dtype", None) or np.asarray(value).dtype
    except (TypeError, ValueError):
        return None


def _item_name(names: Sequence[str] | None, i: int) -> str:
    return f"`{names[i]}`" if names and i < len(names) else f"item {i} of the returned tuple"


def compare(got: object, expected: object, rtol: float = FLOAT64_TOLERANCE[0],
            atol: float = FLOAT64_TOLERANCE[1], names: Sequence[str] | None = None,
            types: bool = False) -> str | None:
    """None when ``got`` matches ``expected``, else a sentence saying how it differs.

    ``names`` names the items of a tuple answer in the sentence (else 'item i of the returned tuple').
    ``types``: also require the type ``expected`` promises (an array, integers, float32 kept), as
    ``check`` does for the learner's answer; without it a list or a wider dtype with the right values
    matches (the mistake matchers and the reference-against-library tests compare values only).
    """
    if got is None and expected is not None:
        return "your function returned None. Did you forget the `return` statement?"
    if isinstance(expected, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            return f"expected a tuple of {len(expected)} values, got {describe(got)}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            problem = compare(g, e, rtol, atol, types=types)
            if problem:
                return f"{_item_name(names, i)}: {problem}"
        return None
    type_problem = _type_problem(got, expected) if types else None
    if type_problem:
        return type_problem
    expected_array = np.asarray(expected)
    try:
        got_array = np.asarray(got, dtype=float if expected_array.dtype.kind in "fc" else None)
    except (TypeError, ValueError):
        return f"expected {describe(expected_array)}, got {describe(got)}"
    if got_array.shape != expected_array.shape:
        return f"expected shape {expected_array.shape}, got shape {got_array.shape}"
    if expected_array.dtype.kind in "fc":
        if not np.allclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
            return _first_difference(got_array, expected_array, rtol, atol)
    elif not np.array_equal(got_array, expected_array):
        return _first_difference(got_array.astype(float), expected_array.astype(float), 0, 0)
    return None


def _case_text(case: Case) -> str:
    inputs = ", ".join(describe(a) for a in case.args)
    return f"'{case.label}' (inputs: {inputs})"


def _unchanged(before: object, after: object) -> bool:
    """``after`` still holds what ``before`` held: same arrays (within UNCHANGED_SPACINGS), same items."""
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape or after.dtype != before.dtype:
            return False
        if before.dtype.kind != "f":
            return bool(np.array_equal(before, after))
        slack = UNCHANGED_SPACINGS * np.spacing(np.abs(before))
        return bool(np.all((np.abs(after - before) <= slack) | (np.isnan(before) & np.isnan(after))))
    if isinstance(before, (tuple, list)):
        return (type(after) is type(before) and len(after) == len(before)
                and all(_unchanged(b, a) for b, a in zip(before, after, strict=True)))
    if isinstance(before, dict):
        return before.keys() == after.keys() and all(_unchanged(before[k], after[k]) for k in before)
    try:
        return before is after or bool(before == after)
    except Exception:
        return True


def _argument_names(function: Callable, count: int) -> list[str]:
    """The names of the first ``count`` positional parameters of ``function`` (``argument i`` if unknown)."""
    try:
        names = [p.name for p in inspect.signature(function).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"argument {i}" for i in range(count)]


def _changed_argument(function: Callable, case: Case, args: tuple, kwargs: dict) -> str | None:
    """The name of the first argument the call changed in place (``args``/``kwargs`` are after the call)."""
    names = _argument_names(function, len(args))
    for name, before, after in zip(names, case.args, args, strict=True):
        if not _unchanged(before, after):
            return name
    return next((name for name in kwargs if not _unchanged(case.kwargs[name], kwargs[name])), None)


def _run(exercise: str, function: Callable, case: Case, allow_in_place: bool) -> tuple[object, str | None]:
    """(answer, None) of ``function`` on a deep copy of the case's inputs, or (answer or None, what is wrong
    before any value is compared: an argument changed in place, or a ``WrongAnswer``'s message).

    Raises ExerciseError when the function is not written yet or crashes.
    """
    name = getattr(function, "__name__", "your function")
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    try:
        got = function(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseError(f"{exercise}: `{name}` is not written yet. Replace the placeholder "
                            f"with your code, then run this cell again.") from None
    except WrongAnswer as err:
        return None, str(err)
    except Exception as err:
        raise ExerciseError(f"{exercise}: `{name}` raised {type(err).__name__}: {err}\n"
                            f"  on case {_case_text(case)}") from err
    changed = None if allow_in_place else _changed_argument(function, case, args, kwargs)
    if changed:
        return got, (f"your function changed `{changed}` in place; the cells after this one still need the "
                     f"original. Compute into a new array or list instead: `a = a - m` makes a new array, "
                     f"`a -= m` (or a[i] = ..., .append) overwrites the one you were given.")
    return got, None


def _answers(function: Callable, cases: Sequence[Case]) -> list[tuple[Case, object]]:
    """(case, the learner's answer) for every case its function answers without raising."""
    answers = []
    for case in cases:
        try:
            with np.errstate(all="ignore"):
                answers.append((case, function(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))))
        except Exception:
            continue
    return answers


def _hint(mistakes: Sequence[Mistake], got: object, expected: object, case: Case, function: Callable,
          reference: Callable, cases: Sequence[Case]) -> str:
    """The hint of the first mistake that matches (on every case, for an ``everywhere`` mistake), or ''."""
    answers = None
    for mistake in mistakes:
        if not _safely(mistake.matches, got, expected, case):
            continue
        if mistake.everywhere:
            answers = _answers(function, cases) if answers is None else answers
            if not all(_safely(mistake.matches, answer, reference(*copy.deepcopy(other.args),
                                                                  **copy.deepcopy(other.kwargs)), other)
                       for other, answer in answers):
                continue
        return f"\n  hint: {mistake.hint}"
    return ""


def check(exercise: str, function: Callable, reference: Callable, cases: Sequence[Case],
          mistakes: Sequence[Mistake] = (), rtol: float | None = None, atol: float | None = None,
          allow_in_place: bool = False) -> None:
    """Run ``function`` and ``reference`` on every case; raise ExerciseError on the first difference.

    Values are compared within ``tolerance(case)``, or within ``rtol``/``atol`` when both are given.
    The learner's function gets deep copies of the inputs, so a function that modifies its input
    in place cannot corrupt the reference's answer; it is an error that names the argument unless
    ``allow_in_place``. Prints a one-line success message.
    """
    name = getattr(function, "__name__", "your function")
    if rtol is not None and atol is not None:
        cases = [replace(case, tolerance=(rtol, atol)) for case in cases]
    for case in cases:
        expected = reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        got, problem = _run(exercise, function, case, allow_in_place)
        hint = ""
        if problem is None:
            problem = compare(got, expected, *tolerance(case), names=case.names, types=True)
            hint = problem and _hint(mistakes, got, expected, case, function, reference, cases)
        if problem:
            raise ExerciseError(f"{exercise}: `{name}` is wrong on case {_case_text(case)}\n"
                                f"  {problem}{hint}")
    print(f"✓ {exercise}: `{name}` passes all {len(cases)} cases.")


def _safely(matches: Callable, got: object, expected: object, case: Case) -> bool:
    """A recognizer that does not apply (it raises) simply does not match; its float warnings stay quiet."""
    try:
        with np.errstate(all="ignore"):
            return bool(matches(got, expected, case))
    except Exception:
        return False
