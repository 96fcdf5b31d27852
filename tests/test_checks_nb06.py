"""The notebook 06 checks accept right answers, explain the usual wrong ones, and agree with course_lib."""

import math

import numpy as np
import pytest

from course_lib import schedules
from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb06 as checks


def exponential_decay(step, lr0, decay_rate, decay_steps):
    return lr0 * decay_rate ** (step / decay_steps)


def with_angle(angle):
    """A cosine schedule whose angle is angle(fraction) instead of π · fraction."""
    return lambda t, total, hi, lo: lo + (hi - lo) * (1 + math.cos(angle(min(t / total, 1)))) / 2


cosine = with_angle(lambda fraction: math.pi * fraction)


def warmup(step, warmup_steps, base):
    return base * (step + 1) / warmup_steps if step < warmup_steps else base


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_exponential_decay, exponential_decay),
    (checks.check_exponential_decay, lambda t, lr0, r, k: np.float32(lr0) * np.power(r, t / k)),
    (checks.check_cosine, cosine),
    (checks.check_warmup, warmup),
])
def test_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda t, lr0, r, k: lr0 * r ** (t // k), "that is a staircase"),
    (lambda t, lr0, r, k: lr0 * r**t, "exponent counts single steps"),
    (lambda t, lr0, r, k: lr0 * math.exp(-r * t / k), "wrong base"),
    (lambda t, lr0, r, k: lr0 * (1 - r) ** (t / k), "factor the lr KEEPS"),
    (lambda t, lr0, r, k: lr0 * r ** ((t + 1) / k), "off by one: at step 0"),
])
def test_exponential_decay_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_exponential_decay(wrong)


def unclamped(step, total, lr_max, lr_min):
    return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * step / total)) / 2


@pytest.mark.parametrize(("wrong", "hint"), [
    (unclamped, "past the end.*comes back up"),
    (with_angle(lambda f: f), "multiply it by π"),
    (with_angle(lambda f: 180 * f), "radians, not degrees"),
    (with_angle(lambda f: 2 * math.pi * f), "full period"),
    (lambda t, total, hi, lo: cosine(t, total, hi, 0.0), "must end at lr_min"),
    (lambda t, total, hi, lo: lo + 2 * (cosine(t, total, hi, lo) - lo), "halve it"),
    (lambda t, total, hi, lo: cosine(t, total, lo, hi), "starts at lr_min and climbs to lr_max"),
    (lambda t, total, hi, lo: lo + (hi - lo) * (1 + math.cos(math.pi * max(t / total, 1))) / 2,
     "max\\(step / total, 1\\) is at least 1"),
    (lambda t, total, hi, lo: lo + (hi - lo) * (1 + math.sin(math.pi * min(t / total, 1))) / 2, "uses sin"),
])
def test_cosine_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_cosine(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda t, w, base: base * min(t / w, 1), "off by one"),
    (lambda t, w, base: base * (t + 1) / w, "stays at base"),
    (lambda t, w, base: min((t + 1) / w, 1.0), "ends at 1, not at base"),
])
def test_warmup_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_warmup(wrong)


LIBRARY_SCHEDULES = [
    (checks._exponential, checks.EXPONENTIAL_CASES,
     lambda step, lr0, rate, decay_steps: schedules.ExponentialDecay(lr0, rate, decay_steps)(step)),
    (checks._cosine, checks.COSINE_CASES,
     lambda step, total, lr_max, lr_min: schedules.Cosine(lr_max, total, lr_min)(step)),
    (checks._warmup, checks.WARMUP_CASES,
     lambda step, warmup_steps, base: schedules.LinearWarmup(schedules.Constant(base), warmup_steps)(step)),
]


@pytest.mark.parametrize(("reference", "library", "case"),
                         [(reference, library, case) for reference, cases, library in LIBRARY_SCHEDULES
                          for case in cases])
def test_references_agree_with_the_course_lib_schedules(reference, library, case):
    assert math.isclose(reference(*case.args), library(*case.args), rel_tol=1e-12)


def adam_step(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps), m, s


def smooth_losses(losses, beta):
    out, a = [], 0.0
    for t, loss in enumerate(losses):
        a = beta * a + (1 - beta) * loss
        out.append(a / (1 - beta ** (t + 1)))
    return np.array(out)


def test_new_right_answers_pass(capsys):
    checks.check_adam_step(adam_step)
    checks.check_smooth_losses(smooth_losses)
    assert capsys.readouterr().out.count("passes all") == 2


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda t, lr0, r, k: lr0 * r ** min(t / k, 1), "Do not clamp"),
    (lambda t, lr0, r, k: lr0 * r ** (t // k), "staircase"),
])
def test_exponential_decay_clamp_and_staircase_get_their_own_hints(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_exponential_decay(wrong)


def test_cosine_with_integer_division_gets_its_own_hint():
    with pytest.raises(ExerciseError, match="integer division"):
        checks.check_cosine(with_angle(lambda fraction: math.pi * (fraction >= 1)))
    with pytest.raises(ExerciseError, match="integer division"):
        checks.check_cosine(lambda t, total, hi, lo: cosine(t // total * total, total, hi, lo))


def adam_with(**change):
    def step(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        s = beta2 * s + (1 - beta2) * (np.abs(grad) if change.get("abs") else grad**2)
        tc = t + change.get("shift", 0)
        m_hat, s_hat = (m, s) if change.get("raw") else (m / (1 - beta1**tc), s / (1 - beta2**tc))
        denominator = np.sqrt(s_hat + eps) if change.get("inside") else np.sqrt(s_hat) + eps
        new = theta - lr * m_hat / denominator
        return new if change.get("only_theta") else (new, m, s)
    return step


@pytest.mark.parametrize(("wrong", "hint"), [
    (adam_with(raw=True), "bias corrections are missing"),
    (adam_with(shift=1), "t counts from 1"),
    (adam_with(abs=True), "SQUARED"),
    (adam_with(inside=True), "after the square root"),
    (adam_with(only_theta=True), r"as \(theta, m, s\)"),
])
def test_adam_step_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_adam_step(wrong)


def test_adam_step_reference_agrees_with_course_lib_adam():
    from course_lib.layers import Dense, Sequential
    from course_lib.optim import Adam

    dense = Dense(2, 3, dtype=np.float64)
    theta, m, s = dense.W.copy(), np.zeros((2, 3)), np.zeros((2, 3))
    opt = Adam(Sequential(dense), lr=0.01)
    for t, g in enumerate(np.random.default_rng(0).standard_normal((4, 2, 3)), start=1):
        dense.grads["W"][...] = g
        opt.step()
        theta, m, s = checks._adam_step(theta, g, m, s, t, 0.01)
    assert np.allclose(theta, dense.W, rtol=1e-12, atol=1e-14)


def swapped_weights(losses, beta):
    out, a = [], 0.0
    for t, loss in enumerate(losses):
        a = (1 - beta) * a + beta * loss
        out.append(a / (1 - beta ** (t + 1)))
    return np.array(out)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda losses, beta: smooth_losses(losses, beta) * (1 - beta ** np.arange(1, len(losses) + 1)),
     "starts at 0"),
    (lambda losses, beta: np.array(smooth_losses(losses, beta)) * np.array(
        [(1 - beta ** (t + 1)) / (1 - beta ** (t + 2)) for t in range(len(losses))]), "off by one"),
    (lambda losses, beta: swapped_weights(losses, beta), "OLD average"),
])
def test_smooth_losses_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_smooth_losses(wrong)


def test_smooth_reference_agrees_with_lr_find():
    from course_lib.lr_find import smooth

    losses = np.random.default_rng(0).uniform(0.5, 2.5, 50)
    assert np.allclose(checks._smooth(losses, 0.98), smooth(losses, 0.98), rtol=1e-12)


def adam_in_place(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    new_theta, new_m, new_s = adam_step(theta, grad, m, s, t, lr, beta1, beta2, eps)
    theta -= theta - new_theta
    return theta, new_m, new_s


def smooth_in_place(losses, beta):
    smoothed = smooth_losses(losses, beta)
    losses[:] = smoothed
    return losses


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_adam_step, adam_in_place, "changed `theta` in place"),
    (checks.check_smooth_losses, smooth_in_place, "changed `losses` in place"),
    (checks.check_smooth_losses, lambda losses, beta: list(smooth_losses(losses, beta)), "NumPy array"),
    (checks.check_warmup, lambda t, w, base: base * (t + 1) / w, "stays at base"),
    (checks.check_cosine, lambda t, total, hi, lo: with_angle(lambda f: math.pi * f)(t + 1, total, hi, lo),
     None),
    (checks.check_exponential_decay, lambda t, lr0, r, k: lr0 * r ** (t / (k + 1)), None),
])
def test_new_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    rejected(notebook_check, wrong, hint)


# ---------------------------------------------------------------- more wrong answers, and unusual right ones


def cosine_shaped(factor):
    """lr_min + (lr_max − lr_min) · factor(fraction of the run done, clamped at 1)."""
    return lambda t, total, hi, lo: lo + (hi - lo) * factor(min(t / total, 1))


def cosine_floored_at_lr_min(step, total, lr_max, lr_min):
    """The cosine from lr_max down to 0, cut off at lr_min instead of shifted up to end there."""
    return max(lr_min, lr_max * (1 + math.cos(math.pi * min(step / total, 1))) / 2)


def smooth_compounding(losses, beta):
    """The correction written into the running average itself, so that it compounds from step to step."""
    out, a = np.empty(len(losses)), 0.0
    for t, loss in enumerate(losses):
        a = (beta * a + (1 - beta) * loss) / (1 - beta ** (t + 1))
        out[t] = a
    return out


def smooth_one_correction(losses, beta):
    """One correction for the whole curve, with the last step's power: right on a single loss only."""
    out, a = [], 0.0
    for loss in losses:
        a = beta * a + (1 - beta) * loss
        out.append(a)
    return np.array(out) / (1 - beta ** len(losses))


def smooth_power_t(losses, beta):
    """Corrected by 1 − β^t with t from 0: a division by zero at the first loss."""
    out, a = np.empty(len(losses)), 0.0
    for t, loss in enumerate(losses):
        a = beta * a + (1 - beta) * loss
        with np.errstate(divide="ignore"):
            out[t] = a / (1 - beta**t)
    return out


def smooth_weights_reversed(losses, beta):
    """Vectorized with cumsum, but the oldest loss gets the largest weight β^0 instead of the newest."""
    t = np.arange(len(losses))
    return np.cumsum((1 - beta) * beta**t * losses) / (1 - beta ** (t + 1))


def smooth_aliased(losses, beta):
    """`out = losses` names the same array: each smoothed value overwrites the loss it came from."""
    out, a = losses, 0.0
    for t, loss in enumerate(losses):
        a = beta * a + (1 - beta) * loss
        out[t] = a / (1 - beta ** (t + 1))
    return out


def adam_averages_in_place(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * grad
    s *= beta2
    s += (1 - beta2) * grad * grad
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps), m, s


def adam_returns_corrected(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad**2
    m, s = m / (1 - beta1**t), s / (1 - beta2**t)
    return theta - lr * m / (np.sqrt(s) + eps), m, s


def adam_correction_outside_root(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(s) / (1 - beta2**t) + eps), m, s


def adam_s_from_m(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * m**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps), m, s


def adam_steps_with_old_averages(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    new_theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps)
    return new_theta, beta1 * m + (1 - beta1) * grad, beta2 * s + (1 - beta2) * grad**2


def adam_uphill(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    new_theta, m, s = adam_step(theta, grad, m, s, t, lr, beta1, beta2, eps)
    return theta + (theta - new_theta), m, s


@pytest.mark.parametrize(("notebook_check", "wrong", "hint"), [
    (checks.check_smooth_losses, smooth_compounding, None),
    (checks.check_smooth_losses, smooth_one_correction, None),
    (checks.check_smooth_losses, smooth_power_t, None),
    (checks.check_smooth_losses, smooth_weights_reversed, None),
    (checks.check_smooth_losses, smooth_aliased, "changed `losses` in place"),
    (checks.check_exponential_decay, lambda t, lr0, r, k: lr0 * r**t / k, None),
    (checks.check_exponential_decay, lambda t, lr0, r, k: lr0 * r * (t / k), None),
    (checks.check_exponential_decay, lambda t, lr0, r, k: lr0 * r ** (t // k) * (1 - (1 - r) * (t % k) / k),
     None),
    (checks.check_exponential_decay, lambda t, lr0, r, k: lr0 * r ** (1 / k) ** t, None),
    (checks.check_cosine, cosine_floored_at_lr_min, None),
    (checks.check_cosine, cosine_shaped(lambda f: (1 - math.cos(math.pi * f)) / 2),
     "starts at lr_min and climbs to lr_max"),
    (checks.check_cosine, cosine_shaped(lambda f: math.cos(math.pi / 2 * f)), None),
    (checks.check_cosine, lambda t, total, hi, lo: cosine(t, total - 1, hi, lo), None),
    (checks.check_warmup, lambda t, w, base: base * (t + 1) / w if t <= w else base, "stays at base"),
    (checks.check_warmup, lambda t, w, base: base * min(t / (w - 1), 1), None),
    (checks.check_warmup, lambda t, w, base: base * min((t + 1) // w, 1), None),
    (checks.check_warmup, lambda t, w, base: base * min((t + 1) / (w + 1), 1), None),
    (checks.check_adam_step, adam_averages_in_place, "changed `m` in place"),
    (checks.check_adam_step, adam_returns_corrected, "bias-corrected m̂ and ŝ"),
    (checks.check_adam_step, adam_correction_outside_root, None),
    (checks.check_adam_step, adam_s_from_m, None),
    (checks.check_adam_step, adam_steps_with_old_averages, None),
    (checks.check_adam_step, adam_uphill, None),
])
def test_more_wrong_answers_are_rejected_with_a_right_hint_or_none(rejected, notebook_check, wrong, hint):
    rejected(notebook_check, wrong, hint)


def test_adam_messages_name_theta_m_and_s():
    with pytest.raises(ExerciseError, match="`theta`: 12 of 12 values differ"):
        checks.check_adam_step(adam_uphill)
    with pytest.raises(ExerciseError, match="`s`: "):
        checks.check_adam_step(lambda *args: (*adam_step(*args)[:2], args[3]))


def smooth_counting_from_one(losses, beta):
    out, a = np.empty(len(losses)), 0.0
    for t, loss in enumerate(losses, start=1):
        a = beta * a + (1 - beta) * loss
        out[t - 1] = a / (1 - beta**t)
    return out


def smooth_as_weighted_means(losses, beta):
    """Each smoothed loss as the mean of the losses so far weighted β^age (their sum is the correction)."""
    t = np.arange(len(losses))
    age = t[:, None] - t[None, :]
    weights = np.where(age >= 0, beta ** np.maximum(age, 0), 0.0)
    return weights @ np.asarray(losses, dtype=float) / weights.sum(axis=1)


def adam_with_step_size_corrected(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """The corrections folded into the step size (Kingma & Ba's form), ε scaled to stay exactly equivalent."""
    m = beta1 * m + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * np.square(grad)
    root = np.sqrt(1 - beta2**t)
    return theta - lr * root / (1 - beta1**t) * m / (np.sqrt(s) + eps * root), m, s


def adam_in_place_on_copies(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    theta, m, s = theta.copy(), m.copy(), s.copy()
    m *= beta1
    m += (1 - beta1) * grad
    s *= beta2
    s += (1 - beta2) * grad * grad
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps)
    return theta, m, s


@pytest.mark.parametrize(("notebook_check", "right"), [
    (checks.check_smooth_losses, smooth_counting_from_one),
    (checks.check_smooth_losses, smooth_as_weighted_means),
    (checks.check_exponential_decay, lambda t, lr0, r, k: lr0 * (r ** (1 / k)) ** t),
    (checks.check_exponential_decay, lambda t, lr0, r, k: lr0 * np.exp(np.log(r) * t / k)),
    (checks.check_cosine, cosine_shaped(lambda f: math.cos(math.pi / 2 * f) ** 2)),
    (checks.check_cosine, lambda t, total, hi, lo:
     lo if t >= total else hi - (hi - lo) * (1 - np.cos(np.pi * t / total)) / 2),
    (checks.check_warmup, lambda t, w, base: np.interp(t + 1, [0, w], [0, base])),
    (checks.check_warmup, lambda t, w, base: min(base / w + base * t / w, base)),
    (checks.check_adam_step, adam_with_step_size_corrected),
    (checks.check_adam_step, adam_in_place_on_copies),
])
def test_unusual_right_answers_pass(notebook_check, right, capsys):
    notebook_check(right)
    assert "passes all" in capsys.readouterr().out
