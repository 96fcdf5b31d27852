"""Notebook 11's checks (one RNN step's backward, backpropagation through time, the first-symbol task):
right answers pass in their usual forms, usual wrong answers get their hint, the references agree with
course_lib."""

import numpy as np
import pytest

from course_lib.course.checks import ExerciseError, compare
from course_lib.course.checks import nb11 as checks
from course_lib.losses import PAD
from course_lib.recurrent import RNN

# ---------------------------------------------------------------- exercise 1


def step_matmul(dh, x, h_prev, h, W_x, W_h):
    da = dh * (1 - h**2)
    return da @ W_x.T, da @ W_h.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def step_per_sample(dh, x, h_prev, h, W_x, W_h):
    """A loop over the batch: each sample's outer products, added up."""
    da = dh * (1 - h) * (1 + h)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(h[0])
    for b in range(len(dh)):
        dW_x += np.outer(x[b], da[b])
        dW_h += np.outer(h_prev[b], da[b])
        db += da[b]
    return np.dot(da, W_x.T), np.dot(da, W_h.T), dW_x, dW_h, db


def step_einsum(dh, x, h_prev, h, W_x, W_h):
    da = np.multiply(dh, 1 - np.square(h))
    return (np.einsum("bh,ih->bi", da, W_x), np.einsum("bh,ih->bi", da, W_h), np.einsum("bi,bh->ih", x, da),
            np.einsum("bi,bh->ih", h_prev, da), np.einsum("bh->h", da))


@pytest.mark.parametrize("right", [step_matmul, step_per_sample, step_einsum, checks._rnn_step_backward])
def test_rnn_step_backward_right_answers_pass(right, capsys):
    checks.check_rnn_step_backward(right)
    assert "✓ Exercise 1 (one RNN step's backward): " in capsys.readouterr().out


def test_rnn_step_backward_counts_its_cases(capsys):
    checks.check_rnn_step_backward(step_matmul)
    assert "passes all 6 cases." in capsys.readouterr().out


def test_the_step_cases_are_what_their_labels_say():
    labels = {case.label: case.args for case in checks.STEP_CASES}
    square = labels["a batch of 3, n_in = hidden = 4 (square weights, W_h not symmetric)"]
    assert square[4].shape == (4, 4) and not np.allclose(square[5], square[5].T)
    assert labels["n_in = 3, hidden = 5, a batch of 4 (W_x is not square)"][4].shape == (3, 5)
    assert len(labels["a batch of one"][0]) == 1
    h = labels["saturated units: most |pre-activations| above 3, tanh' ≈ 0 there"][3]
    assert np.mean(np.abs(h) > np.tanh(3)) > 0.5
    assert not np.any(labels["the first step: h_prev = 0"][2])
    assert all(a.dtype == np.float32 for a in labels["float32 inputs"])


def forgot_slope(dh, x, h_prev, h, W_x, W_h):
    return dh @ W_x.T, dh @ W_h.T, x.T @ dh, h_prev.T @ dh, dh.sum(axis=0)


def with_da(slope):
    def step(dh, x, h_prev, h, W_x, W_h):
        da = dh * slope(h, h_prev)
        return da @ W_x.T, da @ W_h.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
    return step


def replacing(index, item):
    def step(dh, x, h_prev, h, W_x, W_h):
        got = list(step_matmul(dh, x, h_prev, h, W_x, W_h))
        got[index] = item(dh * (1 - h**2), x, h_prev, h, W_x, W_h)
        return tuple(got)
    return step


def slope_in_place(dh, x, h_prev, h, W_x, W_h):
    dh *= 1 - h**2
    return dh @ W_x.T, dh @ W_h.T, x.T @ dh, h_prev.T @ dh, dh.sum(axis=0)


def h_squared_in_place(dh, x, h_prev, h, W_x, W_h):
    np.square(h, out=h)
    da = dh * (1 - h)
    return da @ W_x.T, da @ W_h.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def promoted_to_float64(dh, x, h_prev, h, W_x, W_h):
    da = dh * (np.ones(h.shape) - h**2)  # np.ones is float64
    return da @ W_x.T, da @ W_h.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


@pytest.mark.parametrize(("wrong", "message"), [
    (forgot_slope, r"`dx`: .*\n  hint: the values are those of a step without tanh"),
    (with_da(lambda h, h_prev: 1 - h),
     r"`dx`: .*\n  hint: the slope of tanh is off: the values fit \(1 − h\)"),
    (with_da(lambda h, h_prev: 1 - np.tanh(h) ** 2), "hint: h is already tanh's output"),
    (replacing(3, lambda da, x, h_prev, h, W_x, W_h: h.T @ da),
     r"`dW_h`: .*\n  hint: `dW_h` pairs da with the state this step produced"),
    (replacing(1, lambda da, x, h_prev, h, W_x, W_h: da @ W_h), r"`dh_prev`: .*\n  hint: `dh_prev` goes back "
                                                               r"through W_h the other way round"),
    (replacing(4, lambda da, x, h_prev, h, W_x, W_h: da), r"`db`: expected shape \(4,\), got shape \(3, 4\)"
                                                          r"\n  hint: `db` has one row per sample"),
    # further plausible slips
    (with_da(lambda h, h_prev: 1 - h_prev**2), "hint: tanh's slope is taken at the previous state"),
    (replacing(0, lambda da, x, h_prev, h, W_x, W_h: da @ W_x),
     r"`dx`: .*\n  hint: `dx` goes back through W_x"),
    (replacing(2, lambda da, x, h_prev, h, W_x, W_h: da.T @ x), "hint: `dW_x` is transposed"),
    (replacing(3, lambda da, x, h_prev, h, W_x, W_h: da.T @ h_prev), "hint: `dW_h` is transposed"),
    (replacing(4, lambda da, x, h_prev, h, W_x, W_h: da.sum(axis=0, keepdims=True)), "hint: `db` has shape "
                                                                                      r"\(1, hidden\)"),
    (replacing(4, lambda da, x, h_prev, h, W_x, W_h: da.mean(axis=0)), r"`db`: .*\n  hint: `db` is the right "
                                                                       "one divided by the batch size"),
    (replacing(4, lambda da, x, h_prev, h, W_x, W_h: da.sum()),
     r"`db`: expected shape \(4,\), got shape \(\)"),
    (promoted_to_float64, "on case 'float32 inputs'.*\n  `dx`: the answer should stay float32"),
    (lambda *args: list(step_matmul(*args)), "expected a tuple of 5 values, got list"),
    (lambda dh, x, h_prev, h, W_x, W_h: step_matmul(dh, x, h, h_prev, W_x, W_h), "`dx`: .* values differ"),
    (lambda *args: step_matmul(*args)[:4], "expected a tuple of 5 values"),
    (slope_in_place, "changed `dh` in place"),
    (h_squared_in_place, "changed `h` in place"),
])
def test_rnn_step_backward_wrong_answers_are_rejected(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        checks.check_rnn_step_backward(wrong)


def test_a_transposition_on_one_item_names_that_item_and_no_other_hint():
    with pytest.raises(ExerciseError) as error:
        checks.check_rnn_step_backward(replacing(2, lambda da, x, h_prev, h, W_x, W_h: (x.T @ da) * 2))
    message = str(error.value)
    assert "`dW_x`: " in message and "hint" not in message


def test_no_step_hint_gives_the_formula_away():
    for mistake in checks.STEP_MISTAKES:
        assert "1 − h²" not in mistake.hint and "1 - h**2" not in mistake.hint and ".T @" not in mistake.hint


# ---------------------------------------------------------------- exercise 2


def bptt_loop(dH, X, H, W_x, W_h, step_backward):
    batch, time, hidden = H.shape
    dX = np.zeros_like(X)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros(hidden)
    dh_next = np.zeros((batch, hidden))
    for t in reversed(range(time)):
        h_prev = H[:, t - 1] if t > 0 else np.zeros((batch, hidden))
        dx, dh_next, gx, gh, gb = step_backward(dH[:, t] + dh_next, X[:, t], h_prev, H[:, t], W_x, W_h)
        dX[:, t] = dx
        dW_x += gx  # W_x serves every step: the fork rule
        dW_h += gh
        db += gb
    return dX, dW_x, dW_h, db


def bptt_padded(dH, X, H, W_x, W_h, step_backward):
    """h_0 = 0 put in front of the states; the gradients collected in lists, time order restored at the
    end."""
    states = np.concatenate([np.zeros_like(H[:, :1]), H], axis=1)
    carried = 0
    dxs, totals = [], [0, 0, 0]
    for t in range(H.shape[1] - 1, -1, -1):
        dx, carried, *grads = step_backward(dH[:, t] + carried, X[:, t], states[:, t], states[:, t + 1],
                                            W_x, W_h)
        dxs.append(dx)
        totals = [a + g for a, g in zip(totals, grads, strict=True)]
    return np.stack(dxs[::-1], axis=1), *totals


@pytest.mark.parametrize("right", [bptt_loop, bptt_padded, checks._bptt])
def test_bptt_right_answers_pass(right, capsys):
    checks.check_bptt(right)
    assert "✓ Exercise 2 (backpropagation through time): " in capsys.readouterr().out


def test_bptt_counts_its_cases_and_passes_its_own_step(capsys):
    checks.check_bptt(bptt_loop)
    assert "passes all 5 cases." in capsys.readouterr().out
    assert all(case.args[5] is checks._rnn_step_backward for case in checks.BPTT_CASES)


def bptt_variant(*, carry=True, forward=False, accumulate=True, previous="zeros", skip_first=False,
                 reverse_dx=False, time_mean=False, stack_time_first=False, swap_states=False,
                 double_last=False, dH_in_place=False):
    """bptt_loop with one learner's slip switched on."""
    def bptt(dH, X, H, W_x, W_h, step_backward):
        batch, time, hidden = H.shape
        dxs = [None] * time
        dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros(hidden)
        dh_next = dH[:, -1].copy() if double_last else np.zeros((batch, hidden))
        order = range(time) if forward else range(time - 1, 0 if skip_first else -1, -1)
        if skip_first:
            dxs[0] = np.zeros_like(X[:, 0])
        for position, t in enumerate(order):
            h_prev = {"zeros": H[:, t - 1] if t else np.zeros((batch, hidden)), "current": H[:, t],
                      "wrap": H[:, t - 1]}[previous]
            if dH_in_place:
                dH[:, t] += dh_next
                total = dH[:, t]
            else:
                total = dH[:, t] + dh_next if carry else dH[:, t]
            args = (h_prev, H[:, t]) if not swap_states else (H[:, t], h_prev)
            dx, dh_next, gx, gh, gb = step_backward(total, X[:, t], *args, W_x, W_h)
            dxs[position if reverse_dx else t] = dx
            if accumulate:
                dW_x, dW_h, db = dW_x + gx, dW_h + gh, db + gb
            else:
                dW_x, dW_h, db = gx, gh, gb
        if time_mean:
            dW_x, dW_h, db = dW_x / time, dW_h / time, db / time
        return np.stack(dxs, axis=0 if stack_time_first else 1), dW_x, dW_h, db
    return bptt


@pytest.mark.parametrize(("wrong", "message"), [
    (bptt_variant(carry=False), r"on case 'dH nonzero only at the last step.*\n  `dX`: .*\n  hint: `dX`: "
                                r"each step got only the gradient from its own output"),
    (bptt_variant(forward=True), "hint: `dX`: the gradient from the next step arrived at the wrong steps"),
    (bptt_variant(accumulate=False), r"`dW_x`: .*\n  hint: `dW_x` holds one step's gradient only"),
    (bptt_variant(previous="current"), r"`dW_h`: .*\n  hint: `dW_h` pairs each step with the state that step "
                                       r"produced"),
    (bptt_variant(previous="wrap"), r"`dW_h`: .*\n  hint: `dW_h`: at the first step, H\[:, t - 1\] with "
                                    r"t = 0 is H\[:, -1\]"),
    # further plausible slips
    (bptt_variant(reverse_dx=True), "hint: `dX` holds the right gradients in reverse time order"),
    (bptt_variant(stack_time_first=True), r"`dX`: expected shape \(3, 1, 2\), got shape \(1, 3, 2\)\n  hint: "
                                          "`dX` has its time and batch axes swapped"),
    (bptt_variant(skip_first=True), "hint: `dX` is right at every step but the first"),
    (bptt_variant(time_mean=True), "hint: `dW_x` is the right one divided by the number of steps"),
    (bptt_variant(swap_states=True), r"on case 'one step \(time 1\)'.*\n  `dX`: .*values differ"),
    (bptt_variant(double_last=True), r"on case 'one step \(time 1\)'.*\n  `dX`: .*values differ"),
    (bptt_variant(dH_in_place=True), "changed `dH` in place"),
    (lambda *args: bptt_loop(*args)[:3], "expected a tuple of 4 values"),
])
def test_bptt_wrong_answers_are_rejected(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        checks.check_bptt(wrong)


def test_bptt_slips_that_change_every_item_get_no_item_hint_they_do_not_have():
    with pytest.raises(ExerciseError) as error:
        checks.check_bptt(bptt_variant(swap_states=True))
    assert "hint" not in str(error.value)


def test_the_bptt_reference_agrees_with_the_library_rnn():
    rng = np.random.default_rng(0)
    batch, time, n_in, hidden = 3, 7, 4, 5
    rnn = RNN(n_in, hidden, rng=1, dtype=np.float64)
    rnn.params["W_x"][...] = rng.normal(0, 0.6, (n_in, hidden))
    rnn.params["W_h"][...] = rng.normal(0, 0.5, (hidden, hidden))
    rnn.params["b"][...] = rng.normal(0, 0.1, hidden)
    X, dH = rng.standard_normal((batch, time, n_in)), rng.standard_normal((batch, time, hidden))
    H = rnn.forward(X).copy()
    dX_library = rnn.backward(dH)
    dX, dW_x, dW_h, db, totals = checks._through_time(dH, X, H, rnn.params["W_x"], rnn.params["W_h"])
    library = (dX_library, rnn.grads["W_x"], rnn.grads["W_h"], rnn.grads["b"], rnn.state_grads)
    assert compare((dX, dW_x, dW_h, db, totals), library, rtol=1e-10, atol=1e-12) is None
    assert compare(checks._bptt(dH, X, H, rnn.params["W_x"], rnn.params["W_h"], None), library[:4]) is None


def test_the_step_reference_is_the_bptt_of_one_step():
    dh, x, h_prev, h, W_x, W_h = checks.STEP_CASES[1].args
    dx, dh_prev, dW_x, dW_h, db = checks._rnn_step_backward(dh, x, h_prev, h, W_x, W_h)
    assert compare(step_matmul(dh, x, h_prev, h, W_x, W_h), (dx, dh_prev, dW_x, dW_h, db)) is None


# ---------------------------------------------------------------- exercise 3


def task_broadcast(n, length, n_symbols, rng):
    ids = rng.integers(1, n_symbols + 1, size=(n, length))
    targets = np.where(np.arange(length) == length - 1, ids[:, :1], PAD)
    return ids, targets


def task_by_rows(n, length, n_symbols, rng):
    """One row at a time from a generator expression; targets filled, then the last column set."""
    ids = np.array(list(rng.choice(np.arange(1, n_symbols + 1), size=length) for _ in range(n)))
    targets = np.full((n, length), PAD)
    targets[:, -1] = ids[:, 0]
    return ids, targets


def task_floor(n, length, n_symbols, rng):
    ids = np.floor(rng.random((n, length)) * n_symbols).astype(np.int64) + 1
    targets = np.concatenate([np.full((n, length - 1), PAD), ids[:, :1]], axis=1)
    return ids, targets


@pytest.mark.parametrize("right", [task_broadcast, task_by_rows, task_floor])
def test_first_symbol_task_right_answers_pass(right, capsys):
    checks.check_first_symbol_task(right)
    printed = capsys.readouterr().out
    assert "✓ Exercise 3 (the first-symbol task): `first_symbol_task` passes all 7 cases" in printed


def with_ids(draw):
    def task(n, length, n_symbols, rng):
        ids = draw(n, length, n_symbols, rng)
        targets = np.full((n, length), PAD)
        targets[:, -1] = ids[:, 0]
        return ids, targets
    return task


def with_targets(make):
    def task(n, length, n_symbols, rng):
        ids = rng.integers(1, n_symbols + 1, size=(n, length))
        return ids, make(ids)
    return task


def next_symbol_targets(ids):
    targets = np.full(ids.shape, PAD)
    targets[:, :-1] = ids[:, 1:]
    targets[:, -1] = ids[:, 0]
    return targets


def skips_the_first_position(ids):
    """targets[:, 1:] because 'the first position has no target': empty when length is 1."""
    targets = np.full(ids.shape, PAD)
    targets[:, 1:][:, -1:] = ids[:, :1]
    return targets


def global_state(n, length, n_symbols, rng):
    ids = np.random.randint(1, n_symbols + 1, size=(n, length))  # noqa: NPY002 (the mistake)
    return ids, np.where(np.arange(length) == length - 1, ids[:, :1], PAD)


def own_generator(n, length, n_symbols, rng):
    return task_broadcast(n, length, n_symbols, np.random.default_rng(0))


@pytest.mark.parametrize(("wrong", "message"), [
    (with_ids(lambda n, length, k, rng: rng.integers(1, k, size=(n, length))),
     "symbol 4 came out 0 times in 100,000 ids"),
    (with_ids(lambda n, length, k, rng: rng.integers(0, k, size=(n, length))),
     r"the ids must be symbols 1 … 3 \(0 is never used\), got values from 0"),
    (with_targets(lambda ids: np.where(np.arange(ids.shape[1]) == ids.shape[1] - 1, ids[:, -1:], PAD)),
     r"the last column of `targets` must hold each row's first symbol.*\(it is the row's last symbol"),
    (with_targets(lambda ids: np.where(np.arange(ids.shape[1]) == ids.shape[1] - 1, ids[:, :1], 0)),
     r"`targets` must be PAD \(-1\) everywhere but in the last column; 15 entries before it are not"),
    (with_targets(next_symbol_targets), r"`targets` must be PAD \(-1\) everywhere but in the last column"),
    (with_targets(lambda ids: np.full(ids.shape, float(PAD))), r"expected `targets` of shape \(5, 4\).* "
                                                               r"got shape \(5, 4\), dtype float64"),
    (with_targets(lambda ids: ids), r"`targets` must be PAD"),
    (with_targets(skips_the_first_position), "on case 'length 1: the last column is the first'"),
    (with_ids(lambda n, length, k, rng: np.round(rng.random((n, length)) * (k - 1)).astype(int) + 1),
     r"symbol [1-4] came out \d+ times in 100,000 ids; about 25000 ± 823 were expected"),
    (with_ids(lambda n, length, k, rng: np.repeat(rng.integers(1, k + 1, size=(n, 1)), length, axis=1)),
     r"the pair \(first symbol (\d), symbol \1 at position 1\) came out \d+ times in 20,000 sequences"),
    (lambda n, length, k, rng: (rng.integers(1, k + 1, size=(length, n)), np.full((n, length), PAD)),
     r"expected `ids` of shape \(5, 4\), one row per sequence, .*; got shape \(4, 5\)"),
    (global_state, "same seed gave different data"),
    (own_generator, "three different seeds gave the same 50 sequences"),
    (lambda n, length, k, rng: [task_broadcast(n, length, k, rng)[0]], "expected a tuple \\(ids, targets\\)"),
    (lambda n, length, k, rng: tuple(a.tolist() for a in task_broadcast(n, length, k, rng)),
     "expected `ids` to be a NumPy array, got list"),
])
def test_first_symbol_task_wrong_answers_are_rejected(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        checks.check_first_symbol_task(wrong)


def test_first_symbol_task_crash_names_the_case():
    def crash(n, length, n_symbols, rng):
        return rng.integers(1, n_symbols + 1, size=(n, length)), np.full(length, PAD)[n]

    with pytest.raises(ExerciseError, match=r"raised IndexError.*\n  on case '5 sequences of length 4' "
                                            r"\(n=5, length=4, n_symbols=3\)"):
        checks.check_first_symbol_task(crash)


# ---------------------------------------------------------------- every check


def not_written(*args):
    raise NotImplementedError


@pytest.mark.parametrize("notebook_check", [checks.check_rnn_step_backward, checks.check_bptt,
                                            checks.check_first_symbol_task])
def test_every_check_explains_a_placeholder_and_a_missing_return(notebook_check):
    with pytest.raises(ExerciseError, match="is not written yet. Replace the placeholder"):
        notebook_check(not_written)
    with pytest.raises(ExerciseError, match="Did you forget the `return` statement"):
        notebook_check(lambda *args: None)


def test_a_later_symbol_copying_the_first_is_caught_and_small_unsigned_ids_pass(capsys):
    def copies_the_first(n, length, n_symbols, rng):
        ids = rng.integers(1, n_symbols + 1, (n, length))
        if length > 2:
            ids[:, 1] = ids[:, 0]
        targets = np.full((n, length), -1)
        targets[:, -1] = ids[:, 0]
        return ids, targets

    with pytest.raises(ExerciseError, match="at position 1"):
        checks.check_first_symbol_task(copies_the_first)

    def small_ids(n, length, n_symbols, rng):
        ids = rng.integers(1, n_symbols + 1, (n, length), dtype=np.uint8)
        targets = np.full((n, length), -1)
        targets[:, -1] = ids[:, 0]
        return ids, targets

    checks.check_first_symbol_task(small_ids)
    assert "passes all" in capsys.readouterr().out
