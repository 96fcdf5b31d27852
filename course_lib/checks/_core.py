"""The machinery behind every exercise check: run the learner's function, compare, explain.

A check calls the learner's function on several named cases (edge cases included), compares each
result with the reference, and on the first difference raises ``ExerciseError`` naming the case,
the expected and actual shape or values, and a hint for the usual mistake behind that difference.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


class ExerciseError(AssertionError):
    """The learner's answer differs from the expected one; the message says where and why."""


@dataclass(frozen=True)
class Case:
    """One input to try: ``label`` says in words what is special about it (e.g. 'batch of one')."""

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Mistake:
    """A usual wrong answer: ``matches(got, expected, case)`` recognizes it, ``hint`` explains the fix."""

    hint: str
    matches: Callable[[object, object, Case], bool]


def describe(value: object) -> str:
    """Short description of a value for a message: shape and dtype for arrays, repr otherwise."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}, dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__} of ({', '.join(describe(item) for item in value)})"
    return f"{type(value).__name__} {value!r}"


def _first_difference(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    index = tuple(int(i) for i in np.argwhere(bad)[0]) if got.ndim else ()
    where = f" at index {index}" if index else ""
    return (f"{int(bad.sum())} of {bad.size} values differ; first{where}: "
            f"expected {expected[index].item()!r}, got {got[index].item()!r}")


def compare(got: object, expected: object, rtol: float = 1e-5, atol: float = 1e-7) -> str | None:
    """None when ``got`` matches ``expected``, else a sentence saying how it differs."""
    if got is None and expected is not None:
        return "your function returned None. Did you forget the `return` statement?"
    if isinstance(expected, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            return f"expected a tuple of {len(expected)} values, got {describe(got)}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            problem = compare(g, e, rtol, atol)
            if problem:
                return f"item {i} of the returned tuple: {problem}"
        return None
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


def check(exercise: str, function: Callable, reference: Callable, cases: Sequence[Case],
          mistakes: Sequence[Mistake] = (), rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """Run ``function`` and ``reference`` on every case; raise ExerciseError on the first difference.

    The learner's function gets deep copies of the inputs, so a function that modifies its input
    in place cannot corrupt the reference's answer. Prints a one-line success message.
    """
    name = getattr(function, "__name__", "your function")
    for case in cases:
        expected = reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        try:
            got = function(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        except NotImplementedError:
            raise ExerciseError(f"{exercise}: `{name}` is not written yet. Replace the placeholder "
                                f"with your code, then run this cell again.") from None
        except Exception as err:  # noqa: BLE001 - the learner's error is reported with its case
            raise ExerciseError(f"{exercise}: `{name}` raised {type(err).__name__}: {err}\n"
                                f"  on case {_case_text(case)}") from err
        problem = compare(got, expected, rtol, atol)
        if problem:
            hints = [m.hint for m in mistakes if _safely(m.matches, got, expected, case)]
            hint = f"\n  hint: {hints[0]}" if hints else ""
            raise ExerciseError(f"{exercise}: `{name}` is wrong on case {_case_text(case)}\n"
                                f"  {problem}{hint}")
    print(f"✓ {exercise}: `{name}` passes all {len(cases)} cases.")


def _safely(matches: Callable, got: object, expected: object, case: Case) -> bool:
    try:
        return bool(matches(got, expected, case))
    except Exception:  # noqa: BLE001 - a recognizer that does not apply simply does not match
        return False
