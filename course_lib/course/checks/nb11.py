"""Checks for the exercises of notebook 11 (recurrent networks): one step of the Elman RNN's backward,
backpropagation through time over a whole sequence, and the data of the first-symbol task.

Each check runs the learner's function on named cases (a batch of one, an input size other than the hidden
size so that a transposition shows, saturated units, the first step with h_prev = 0, float32 inputs, a single
time step, a gradient at the last step only, a single symbol) and recognizes the usual wrong answers: tanh's
slope forgotten or taken at the wrong point, the new state where the previous one belongs, a missing
transposition, a bias gradient not summed over the batch, the gradient from the next step forgotten, the
steps walked forward, weight gradients overwritten instead of summed over the steps, h_0 read as the last
state. Where an answer is a tuple, the message names the first item that is wrong (dx, dh_prev, ...).

The check of `bptt` hands the learner's function a correct step (this module's own), so that a slip in the
first exercise cannot make the second fail.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np

from course_lib.course.checks._core import Case, ExerciseError, Mistake, check, close, normal
from course_lib.losses import PAD


def _item(hint: str, index: int, wrong: Callable[..., tuple]) -> Mistake:
    """The mistake of returning item ``index`` of ``wrong(*case.args)`` (a whole wrong answer) where the items
    before it are right, on every case: the hint is about the item the message names."""
    def matches(got: object, expected: tuple, case: Case) -> bool:
        return (all(close(got[i], expected[i], case) for i in range(index))
                and close(got[index], wrong(*case.args)[index], case))
    return Mistake(hint, matches, everywhere=True)


# ---------------------------------------------------------------- exercise 1: one step's backward

STEP_NAMES = ("dx", "dh_prev", "dW_x", "dW_h", "db")


def _float64(*arrays: np.ndarray) -> list[np.ndarray]:
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _rnn_step_backward(dh: np.ndarray, x: np.ndarray, h_prev: np.ndarray, h: np.ndarray, W_x: np.ndarray,
                       W_h: np.ndarray) -> tuple:
    """(dx, dh_prev, dW_x, dW_h, db) of h = tanh(x W_x + h_prev W_h + b), by sums over explicit indices.

    With da[b, j] = dh[b, j] (1 − h[b, j]²): dx[b, i] = Σ_j da[b, j] W_x[i, j],
    dh_prev[b, i] = Σ_j da[b, j] W_h[i, j], dW_x[i, j] = Σ_b x[b, i] da[b, j],
    dW_h[i, j] = Σ_b h_prev[b, i] da[b, j], db[j] = Σ_b da[b, j].
    Computed in float64, returned in the inputs' dtype.
    """
    dtype = np.result_type(dh, x, h_prev, h, W_x, W_h)
    dh, x, h_prev, h, W_x, W_h = _float64(dh, x, h_prev, h, W_x, W_h)
    da = dh * (1 - h * h)
    grads = (np.einsum("bj,ij->bi", da, W_x), np.einsum("bj,ij->bi", da, W_h),
             np.einsum("bi,bj->ij", x, da), np.einsum("bi,bj->ij", h_prev, da), np.einsum("bj->j", da))
    return tuple(g.astype(dtype) for g in grads)


def _step_with(slope: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., tuple]:
    """The step's backward with tanh's slope replaced by ``slope(h, h_prev)``: a wrong answer."""
    def wrong(dh, x, h_prev, h, W_x, W_h):
        da = dh * slope(h, h_prev)
        return da @ W_x.T, da @ W_h.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
    return wrong


def _slip(hint: str, index: int, item: Callable[[SimpleNamespace], np.ndarray]) -> Mistake:
    """The mistake of returning ``item(v)`` as item ``index`` of the step's answer, the items before it right;
    v holds the step's inputs and da = dh (1 − h²) as attributes (v.da, v.x, v.h_prev, v.h, v.W_x, v.W_h)."""
    def wrong(dh, x, h_prev, h, W_x, W_h):
        answer = list(_rnn_step_backward(dh, x, h_prev, h, W_x, W_h))
        answer[index] = item(SimpleNamespace(da=dh * (1 - h * h), x=x, h_prev=h_prev, h=h, W_x=W_x, W_h=W_h))
        return tuple(answer)
    return _item(hint, index, wrong)


def _step_case(seed: int, batch: int, n_in: int, hidden: int, scale: float = 1.0, first: bool = False,
               dtype: type = np.float64) -> tuple:
    """(dh, x, h_prev, h, W_x, W_h) with h = tanh(x W_x + h_prev W_h + b): W_h a random (not symmetric)
    matrix, ``scale`` the size of the pre-activations (4: most units saturated), h_prev = 0 when ``first``."""
    rng = np.random.default_rng(seed)
    x = normal(rng, (batch, n_in))
    W_x = normal(rng, (n_in, hidden), scale / np.sqrt(n_in))
    W_h = normal(rng, (hidden, hidden), 1 / np.sqrt(hidden))
    h_prev = np.zeros((batch, hidden)) if first else np.tanh(normal(rng, (batch, hidden)))
    h = np.tanh(x @ W_x + scale * (h_prev @ W_h) + normal(rng, hidden, 0.1))
    dh = normal(rng, (batch, hidden))
    return tuple(a.astype(dtype) for a in (dh, x, h_prev, h, W_x, W_h))


STEP_CASES = [Case(label, args, names=STEP_NAMES) for label, args in [
    ("a batch of 3, n_in = hidden = 4 (square weights, W_h not symmetric)", _step_case(10, 3, 4, 4)),
    ("n_in = 3, hidden = 5, a batch of 4 (W_x is not square)", _step_case(11, 4, 3, 5)),
    ("a batch of one", _step_case(12, 1, 2, 3)),
    ("saturated units: most |pre-activations| above 3, tanh' ≈ 0 there", _step_case(13, 5, 3, 4, scale=8.0)),
    ("the first step: h_prev = 0", _step_case(14, 3, 2, 4, first=True)),
    ("float32 inputs", _step_case(15, 3, 3, 4, dtype=np.float32)),
]]

STEP_MISTAKES = [
    _item("the values are those of a step without tanh: between the pre-activation and h stands tanh, so the "
          "chain rule multiplies dh by tanh's slope at this step before anything else (a saturated unit, "
          "h ≈ ±1, passes almost nothing back).", 0, _step_with(lambda h, h_prev: 1)),
    _item("the slope of tanh is off: the values fit (1 − h) in its place. Differentiate tanh(a) and write "
          "the result with tanh(a) = h itself; test it at h = −1, a saturated unit, whose slope must be 0.",
          0, _step_with(lambda h, h_prev: 1 - h)),
    _item("h is already tanh's output: applying tanh to it again evaluates the slope at the wrong point. "
          "Express tanh' through h itself.", 0, _step_with(lambda h, h_prev: 1 - np.tanh(h) ** 2)),
    _item("tanh's slope is taken at the previous state h_prev; the tanh of this step produced h, and its "
          "slope belongs to the state it produced.", 0, _step_with(lambda h, h_prev: 1 - h_prev ** 2)),
    _slip("`dx` goes back through W_x the other way round from the forward pass: (batch, hidden) must "
          "become (batch, n_in). With a square W_x the shapes fit either way; only the values tell.",
          0, lambda v: v.da @ v.W_x),
    _slip("`dh_prev` goes back through W_h the other way round from the forward pass. W_h is square, so the "
          "shapes fit either way; only the values tell, and W_h here is not symmetric.",
          1, lambda v: v.da @ v.W_h),
    _slip("`dW_x` is transposed: it must have the shape of W_x, (n_in, hidden), row i for input i.",
          2, lambda v: v.da.T @ v.x),
    _slip("`dW_h` pairs da with the state this step produced, h; in the forward pass W_h multiplied the "
          "state that came in, h_prev.", 3, lambda v: v.h.T @ v.da),
    _slip("`dW_h` is transposed: row i belongs to unit i of h_prev, the input side of W_h.",
          3, lambda v: v.da.T @ v.h_prev),
    _slip("`db` has one row per sample: b served every sample of the batch, so it collects each sample's "
          "share, one number per hidden unit, shape (hidden,).", 4, lambda v: v.da),
    _slip("`db` has shape (1, hidden): keepdims=True leaves a batch axis of size 1; b has shape (hidden,).",
          4, lambda v: v.da.sum(axis=0, keepdims=True)),
    _slip("`db` is the right one divided by the batch size: the loss already averaged over the batch when it "
          "produced dh, so each sample's share adds up.", 4, lambda v: v.da.mean(axis=0)),
]


def check_rnn_step_backward(rnn_step_backward: Callable[..., tuple]) -> None:
    """Exercise 1: rnn_step_backward(dh, x, h_prev, h, W_x, W_h) -> (dx, dh_prev, dW_x, dW_h, db), the
    backward of one step h = tanh(x W_x + h_prev W_h + b); dh (batch, hidden) is the total gradient into h."""
    check("Exercise 1 (one RNN step's backward)", rnn_step_backward, _rnn_step_backward, STEP_CASES,
          STEP_MISTAKES)


# ---------------------------------------------------------------- exercise 2: backpropagation through time

BPTT_NAMES = ("dX", "dW_x", "dW_h", "db")


def _through_time(dH: np.ndarray, X: np.ndarray, H: np.ndarray, W_x: np.ndarray, W_h: np.ndarray, *,
                  recurrent: bool = True, forward: bool = False, accumulate: bool = True,
                  previous: str = "h_0 = 0") -> tuple:
    """(dX, dW_x, dW_h, db, totals): BPTT by a loop over the steps with the reference step; totals[:, t] is
    the total gradient into h_t.

    The knobs reproduce wrong answers: ``recurrent=False`` drops the gradient from step t+1, ``forward``
    walks the steps first to last, ``accumulate=False`` keeps only the last processed step's weight
    gradients, ``previous`` "H[:, t]" reads h_prev off by one, "H[:, t - 1]" wraps around to the last state
    at t = 0.
    """
    batch, time, hidden = H.shape
    dX, totals = np.zeros(X.shape), np.zeros(H.shape)
    weights = [np.zeros(W_x.shape), np.zeros(W_h.shape), np.zeros(hidden)]
    from_next = np.zeros((batch, hidden))
    for t in range(time) if forward else reversed(range(time)):
        h_prev = {"h_0 = 0": H[:, t - 1] if t else np.zeros((batch, hidden)), "H[:, t]": H[:, t],
                  "H[:, t - 1]": H[:, t - 1]}[previous]
        totals[:, t] = dH[:, t] + from_next if recurrent else dH[:, t]
        dX[:, t], from_next, *step = _rnn_step_backward(totals[:, t], X[:, t], h_prev, H[:, t], W_x, W_h)
        weights = [w + s if accumulate else s for w, s in zip(weights, step, strict=True)]
    return dX, *weights, totals


def _bptt(dH: np.ndarray, X: np.ndarray, H: np.ndarray, W_x: np.ndarray, W_h: np.ndarray,
          step_backward: Callable[..., tuple]) -> tuple:
    """(dX, dW_x, dW_h, db) of an Elman RNN by backpropagation through time (the reference step, always)."""
    return _through_time(dH, X, H, W_x, W_h)[:4]


def _bptt_case(seed: int, batch: int, time: int, n_in: int, hidden: int, last_only: bool = False) -> tuple:
    """(dH, X, H, W_x, W_h, step) with H the states of h_t = tanh(x_t W_x + h_{t−1} W_h + b), h_0 = 0."""
    rng = np.random.default_rng(seed)
    X = normal(rng, (batch, time, n_in))
    W_x = normal(rng, (n_in, hidden), 1 / np.sqrt(n_in))
    W_h = normal(rng, (hidden, hidden), 1 / np.sqrt(hidden))
    b = normal(rng, hidden, 0.1)
    H = np.zeros((batch, time, hidden))
    for t in range(time):
        H[:, t] = np.tanh(X[:, t] @ W_x + (H[:, t - 1] @ W_h if t else 0) + b)
    dH = normal(rng, (batch, time, hidden))
    if last_only:
        dH[:, :-1] = 0
    return dH, X, H, W_x, W_h, _rnn_step_backward


BPTT_CASES = [Case(label, args, names=BPTT_NAMES) for label, args in [
    ("one step (time 1)", _bptt_case(20, 3, 1, 2, 4)),
    ("dH nonzero only at the last step (pure backpropagation through time)",
     _bptt_case(21, 2, 5, 3, 4, last_only=True)),
    ("dH nonzero at every step", _bptt_case(22, 4, 4, 3, 5)),
    ("a batch of one", _bptt_case(23, 1, 4, 2, 3)),
    ("time 6, hidden 3, n_in 2", _bptt_case(24, 3, 6, 2, 3)),
]]


def _walk(**knobs: object) -> Callable[..., tuple]:
    return lambda dH, X, H, W_x, W_h, step: _through_time(dH, X, H, W_x, W_h, **knobs)


def _first_step_missing(got: object, expected: tuple, case: Case) -> bool:
    """dX is right at every step but the first, where it is all zeros."""
    dX = np.asarray(got[0], dtype=float)
    return (dX.shape == expected[0].shape and not np.any(dX[:, 0]) and np.any(expected[0][:, 0])
            and close(dX[:, 1:], expected[0][:, 1:], case))


BPTT_MISTAKES = [
    _item("`dX`: each step got only the gradient from its own output, dH[:, t]. h_t also fed step t+1, so "
          "the gradient that step t+1 sends back to its h_prev is part of h_t's total too.",
          0, _walk(recurrent=False)),
    _item("`dX`: the gradient from the next step arrived at the wrong steps: step t can add what step t+1 "
          "sends back only once step t+1 has been processed, so the steps run from the last to the first.",
          0, _walk(forward=True)),
    _item("`dX` holds the right gradients in reverse time order: collected from the last step to the first, "
          "they must be put back at their own t.", 0,
          lambda dH, X, H, W_x, W_h, step: (_bptt(dH, X, H, W_x, W_h, step)[0][:, ::-1],)),
    _item("`dX` has its time and batch axes swapped: it must have the shape of X, (batch, time, n_in).", 0,
          lambda dH, X, H, W_x, W_h, step: (np.swapaxes(_bptt(dH, X, H, W_x, W_h, step)[0], 0, 1),)),
    Mistake("`dX` is right at every step but the first, t = 0, where it is all zeros: did the loop over the "
            "steps stop before t = 0? The first step has gradients too; only its h_prev, h_0 = 0, has "
            "nothing to pass back.", _first_step_missing),
    _item("`dW_x` holds one step's gradient only (that of the step processed last): W_x served every step, "
          "so it collects a gradient from each (the fork rule of notebook 03).", 1, _walk(accumulate=False)),
    _item("`dW_x` is the right one divided by the number of steps: a weight used at every step collects the "
          "sum of their gradients, not their mean.", 1,
          lambda dH, X, H, W_x, W_h, step: tuple(g / X.shape[1] for g in _bptt(dH, X, H, W_x, W_h, step))),
    _item("`dW_h` pairs each step with the state that step produced, H[:, t]; in the forward pass W_h "
          "multiplied the state before it.", 2, _walk(previous="H[:, t]")),
    _item("`dW_h`: at the first step, H[:, t - 1] with t = 0 is H[:, -1], the LAST state (negative indices "
          "count from the end); the state before the first step is h_0 = 0.", 2,
          _walk(previous="H[:, t - 1]")),
]


def check_bptt(bptt: Callable[..., tuple]) -> None:
    """Exercise 2: bptt(dH, X, H, W_x, W_h, step_backward) -> (dX, dW_x, dW_h, db): the Elman RNN's backward
    through time, dH (batch, time, hidden) the gradients from above, step_backward the step of exercise 1
    (the check passes a correct one)."""
    check("Exercise 2 (backpropagation through time)", bptt, _bptt, BPTT_CASES, BPTT_MISTAKES)


# ---------------------------------------------------------------- exercise 3: the first-symbol task

TASK = "Exercise 3 (the first-symbol task)"


def _fail(message: str) -> None:
    raise ExerciseError(f"{TASK}: {message}")


def _task(first_symbol_task: Callable, n: int, length: int, n_symbols: int, seed: int,
          label: str) -> tuple[np.ndarray, np.ndarray]:
    """Call the learner's function; check (ids, targets) are (n, length) integer arrays, ids in 1 … n_symbols,
    targets PAD except the last column, which holds the first id of each row."""
    case = f"on case '{label}' (n={n}, length={length}, n_symbols={n_symbols})"
    try:
        got = first_symbol_task(n, length, n_symbols, np.random.default_rng(seed))
    except NotImplementedError:
        raise ExerciseError(f"{TASK}: `first_symbol_task` is not written yet. Replace the placeholder with "
                            f"your code, then run this cell again.") from None
    except Exception as error:
        raise ExerciseError(f"{TASK}: `first_symbol_task` raised {type(error).__name__}: {error}\n"
                            f"  {case}") from error
    if got is None:
        _fail("your function returned None. Did you forget the `return` statement?")
    if not isinstance(got, tuple) or len(got) != 2:
        size = f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""
        _fail(f"{case}: expected a tuple (ids, targets), got a {type(got).__name__}{size}.")
    for name, array, kinds, wanted in (("ids", got[0], "iu", "an integer dtype"),
                                       ("targets", got[1], "i", "a signed integer dtype (PAD is −1)")):
        if not isinstance(array, np.ndarray):
            _fail(f"{case}: expected `{name}` to be a NumPy array, got {type(array).__name__}.")
        if array.shape != (n, length) or array.dtype.kind not in kinds:
            _fail(f"{case}: expected `{name}` of shape ({n}, {length}), one row per sequence, with {wanted}; "
                  f"got shape {array.shape}, dtype {array.dtype}.")
    ids, targets = got
    if ids.min() < 1 or ids.max() > n_symbols:
        _fail(f"{case}: the ids must be symbols 1 … {n_symbols} (0 is never used), got values from "
              f"{ids.min()} to {ids.max()}.")
    wrong = np.argwhere(targets[:, :-1] != PAD)
    if wrong.size:
        i, j = (int(k) for k in wrong[0])
        _fail(f"{case}: `targets` must be PAD ({PAD}) everywhere but in the last column; {len(wrong)} "
              f"entries before it are not, first targets[{i}, {j}] = {targets[i, j]}.")
    if not np.array_equal(targets[:, -1], ids[:, 0]):
        i = int(np.flatnonzero(targets[:, -1] != ids[:, 0])[0])
        note = (" (it is the row's last symbol, ids[:, -1])"
                if np.array_equal(targets[:, -1], ids[:, -1]) else "")
        _fail(f"{case}: the last column of `targets` must hold each row's first symbol, ids[:, 0]; in row "
              f"{i} it holds {targets[i, -1]}{note}, where the row starts with {ids[i, 0]}.")
    return ids, targets


def _outliers(counts: np.ndarray, p: float) -> tuple[np.ndarray, float]:
    """The indices of the counts farther than 6 standard deviations from their expected n·p (a right answer
    has one with probability < 1e-7 per count), farthest first, and that spread."""
    n = counts.sum()
    spread = 6 * np.sqrt(n * p * (1 - p)) + 1
    off = np.abs(counts - n * p)
    return np.flatnonzero(off > spread)[np.argsort(-off[off > spread], kind="stable")], spread


def _expect_uniform(ids: np.ndarray, n_symbols: int, label: str) -> None:
    """Each symbol equally likely, among all ids and among the first ones; the first symbol of a row
    independent of every later one (for each later column, the n_symbols² pairs equally likely)."""
    for what, draws in (("ids", ids), ("first symbols (ids[:, 0])", ids[:, 0])):
        counts = np.bincount(draws.ravel(), minlength=n_symbols + 1)[1:]
        bad, spread = _outliers(counts, 1 / n_symbols)
        if bad.size:
            _fail(f"on case '{label}', symbol {bad[0] + 1} came out {counts[bad[0]]} times in {draws.size:,} "
                  f"{what}; about {draws.size / n_symbols:.0f} ± {spread:.0f} were expected, each of the "
                  f"symbols 1 … {n_symbols} being equally likely.")
    ids = ids.astype(np.int64)
    for column in range(1, ids.shape[1]):
        pairs = np.bincount((ids[:, 0] - 1) * n_symbols + ids[:, column] - 1, minlength=n_symbols**2)
        bad, spread = _outliers(pairs, 1 / n_symbols**2)
        if bad.size:
            first, other = divmod(int(bad[0]), n_symbols)
            _fail(f"on case '{label}', the pair (first symbol {first + 1}, symbol {other + 1} at position "
                  f"{column}) came out {pairs[bad[0]]} times in {len(ids):,} sequences; about "
                  f"{len(ids) / n_symbols**2:.0f} ± {spread:.0f} were expected, every symbol of a sequence "
                  f"being drawn independently of the others.")


def check_first_symbol_task(first_symbol_task: Callable[[int, int, int, np.random.Generator], tuple]) -> None:
    """Exercise 3: first_symbol_task(n, length, n_symbols, rng) -> (ids, targets), both (n, length) integers:
    ids uniform over 1 … n_symbols, targets PAD except the last column, which is ids[:, 0]."""
    _task(first_symbol_task, 5, 4, 3, 0, "5 sequences of length 4")
    label = "20,000 sequences of length 5 over 4 symbols"
    ids, _ = _task(first_symbol_task, 20_000, 5, 4, 1, label)
    _expect_uniform(ids, 4, label)
    _task(first_symbol_task, 6, 1, 5, 2, "length 1: the last column is the first")
    _task(first_symbol_task, 4, 3, 1, 3, "one symbol only (n_symbols = 1)")
    _task(first_symbol_task, 1, 7, 26, 4, "a single sequence (n = 1)")
    same = [_task(first_symbol_task, 50, 6, 10, 5, "the same seed twice") for _ in range(2)]
    if not all(np.array_equal(a, b) for a, b in zip(*same, strict=True)):
        _fail("on case 'the same seed twice', two calls with generators of the same seed gave different "
              "data: some of your random numbers do not come from `rng`, so a run cannot be repeated.")
    others = [_task(first_symbol_task, 50, 6, 10, seed, "other seeds") for seed in (6, 7)]
    if all(np.array_equal(same[0][0], other[0]) for other in others):
        _fail("on case 'other seeds', generators of three different seeds gave the same 50 sequences: your "
              "ids do not depend on `rng`; take the random numbers from it.")
    print(f"✓ {TASK}: `first_symbol_task` passes all 7 cases (shapes and targets, frequencies over 20,000 "
          f"sequences, length 1, one symbol, one sequence, the same and other seeds).")
