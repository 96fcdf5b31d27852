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
narrower), else ``FLOAT64_TOLERANCE`` = (1e-6, 1e-9), Python numbers counting as float64. A check
that needs another tolerance passes ``rtol``/``atol`` to ``check``, with a comment saying why; the
mistake matchers then use that same tolerance.

Reference policy. Every check computes its expected answers with its own reference implementation,
written in its check module (here, for the references several modules share), numerically stable
(no ``np.exp`` of a large positive number) and independent of course_lib: a check never calls the
course_lib function that its exercise re-derives. tests/test_checks_nbXX.py compare each reference
with its course_lib counterpart; that is where the library and the checks are held to agree.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

FLOAT32_TOLERANCE = (1e-5, 1e-6)
FLOAT64_TOLERANCE = (1e-6, 1e-9)


class ExerciseError(AssertionError):
    """The learner's answer differs from the expected one; the message says where and why."""


@dataclass(frozen=True)
class Case:
    """One input to try: ``label`` says in words what is special about it (e.g. 'batch of one').

    ``tolerance`` (rtol, atol) overrides the dtype policy for this case; ``check`` sets it when it is
    given an explicit tolerance, so that the mistake matchers compare with the check's tolerance.
    """

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    tolerance: tuple[float, float] | None = None


@dataclass(frozen=True)
class Mistake:
    """A usual wrong answer: ``matches(got, expected, case)`` recognizes it, ``hint`` explains the fix."""

    hint: str
    matches: Callable[[object, object, Case], bool]

    @classmethod
    def returns(cls, hint: str, *wrongs: Callable) -> Mistake:
        """The mistake of returning ``wrong(*case.args)`` for a ``wrong`` of ``wrongs``, within tolerance."""
        return cls(hint, lambda got, expected, case: any(
            close(got, wrong(*case.args, **case.kwargs), case) for wrong in wrongs))


def _float_dtypes(value: object) -> list[np.dtype]:
    if isinstance(value, (tuple, list)):
        return [dtype for item in value for dtype in _float_dtypes(item)]
    dtype = getattr(value, "dtype", None)
    return [dtype] if dtype is not None and dtype.kind == "f" else []


def tolerance(case: Case) -> tuple[float, float]:
    """(rtol, atol) for ``case``: its own, or the policy's for the least precise float dtype of its inputs."""
    if case.tolerance is not None:
        return case.tolerance
    inputs = (*case.args, *case.kwargs.values())
    return FLOAT32_TOLERANCE if any(d.itemsize <= 4 for d in _float_dtypes(inputs)) else FLOAT64_TOLERANCE


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


def compare(got: object, expected: object, rtol: float = FLOAT64_TOLERANCE[0],
            atol: float = FLOAT64_TOLERANCE[1]) -> str | None:
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
          mistakes: Sequence[Mistake] = (), rtol: float | None = None, atol: float | None = None) -> None:
    """Run ``function`` and ``reference`` on every case; raise ExerciseError on the first difference.

    Values are compared within ``tolerance(case)``, or within ``rtol``/``atol`` when both are given.
    The learner's function gets deep copies of the inputs, so a function that modifies its input
    in place cannot corrupt the reference's answer. Prints a one-line success message.
    """
    name = getattr(function, "__name__", "your function")
    for case in cases:
        if rtol is not None and atol is not None:
            case = replace(case, tolerance=(rtol, atol))
        expected = reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        try:
            got = function(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        except NotImplementedError:
            raise ExerciseError(f"{exercise}: `{name}` is not written yet. Replace the placeholder "
                                f"with your code, then run this cell again.") from None
        except Exception as err:
            raise ExerciseError(f"{exercise}: `{name}` raised {type(err).__name__}: {err}\n"
                                f"  on case {_case_text(case)}") from err
        problem = compare(got, expected, *tolerance(case))
        if problem:
            hints = [m.hint for m in mistakes if _safely(m.matches, got, expected, case)]
            hint = f"\n  hint: {hints[0]}" if hints else ""
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
