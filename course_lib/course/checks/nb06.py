"""Checks for the exercises of notebook 06 (learning-rate schedules): exponential decay, cosine, warm-up.

Each schedule is a function of one integer step (0, 1, 2, ...) returning a float. The cases probe
step 0, the last step, the step where the decay ends, steps far past the end, and one-step schedules;
the mistakes recognize a staircase instead of a smooth decay, a decay clamped at decay_steps, the wrong
base, degrees, an integer division or a forgotten π in the cosine, a missing clamp past the end, and the
warm-up's off-by-one. Two more exercises: one step of Adam (`adam_step`, whose messages name the returned
theta, m and s), and the bias-corrected moving average the learning-rate finder smooths its losses with
(`smooth_losses`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from course_lib.course.checks._core import Case, Mistake, check, normal, uniform

# ---------------------------------------------------------------- exercise 2: exponential decay


def _exponential(step: int, lr0: float, decay_rate: float, decay_steps: int) -> float:
    return lr0 * math.exp(step / decay_steps * math.log(decay_rate))


EXPONENTIAL_CASES = [
    Case("step 0: the lr is still lr0", (0, 0.1, 0.5, 100)),
    Case("a few steps in", (7, 0.5, 0.96, 10)),
    Case("after exactly decay_steps steps: lr0 · decay_rate", (100, 0.1, 0.5, 100)),
    Case("halfway between two multiples of decay_steps", (150, 0.1, 0.5, 100)),
    Case("decay_steps = 1: one factor per step", (3, 1.0, 0.9, 1)),
    Case("decay_rate = 1: no decay at all", (1234, 0.3, 1.0, 50)),
    Case("far past any planned end: the decay just continues", (100_000, 0.1, 0.96, 1000)),
]

EXPONENTIAL_MISTAKES = [
    Mistake.returns("past decay_steps the decay goes on: decay_steps is how many steps one factor of "
                    "decay_rate takes, not where the schedule ends. Do not clamp step / decay_steps at 1.",
                    lambda t, lr0, r, k: lr0 * r ** min(t / k, 1)),
    Mistake.returns("that is a staircase: integer division step // decay_steps only changes the lr every "
                    "decay_steps steps (that is step decay). Exponential decay is smooth: use the fraction "
                    "step / decay_steps.", lambda t, lr0, r, k: lr0 * r ** (t // k)),
    Mistake.returns("the exponent counts single steps: divide step by decay_steps, so that the lr is "
                    "multiplied by decay_rate once every decay_steps steps, not every step.",
                    lambda t, lr0, r, k: lr0 * r ** t),
    Mistake.returns("wrong base: the lr is multiplied by decay_rate itself (raised to a power), not by "
                    "e^(−decay_rate ·…).", lambda t, lr0, r, k: lr0 * math.exp(-r * t / k)),
    Mistake.returns("decay_rate is the factor the lr KEEPS after decay_steps steps (0.96 keeps 96%), not "
                    "the fraction it loses: the base is decay_rate, not 1 − decay_rate.",
                    lambda t, lr0, r, k: lr0 * (1 - r) ** (t / k)),
    Mistake.returns("off by one: at step 0 the rate is lr0 itself (r^0 = 1), so the exponent is t / k, not "
                    "(t + 1) / k.", lambda t, lr0, r, k: lr0 * r ** ((t + 1) / k)),
]


def check_exponential_decay(exponential_decay: Callable[[int, float, float, int], float]) -> None:
    """Exercise 2: η(t) = lr0 · decay_rate^(t / decay_steps), smooth, for every t ≥ 0."""
    check("Exercise 2 (exponential decay)", exponential_decay, _exponential, EXPONENTIAL_CASES,
          EXPONENTIAL_MISTAKES)


# ---------------------------------------------------------------- exercise 3: cosine decay


def _cos_with(angle: Callable[[float], float]) -> Callable[..., float]:
    """The cosine schedule with the angle π·fraction replaced by angle(fraction), fraction clamped."""
    return lambda t, total, hi, lo: lo + (hi - lo) * (1 + math.cos(angle(min(t / total, 1)))) / 2


_cosine = _cos_with(lambda fraction: math.pi * fraction)


def _fraction_at_least_one(t: int, total: int, hi: float, lo: float) -> float:
    """The cosine schedule with max(step / total, 1) for the fraction done: lr_min from step 0 on."""
    return lo + (hi - lo) * (1 + math.cos(math.pi * max(t / total, 1))) / 2


COSINE_CASES = [
    Case("step 0: lr_max", (0, 100, 0.1, 0.001)),
    Case("halfway: the average of lr_max and lr_min", (50, 100, 0.1, 0.001)),
    Case("a quarter of the way", (25, 100, 0.1, 0.0)),
    Case("the last step before the end (step total − 1)", (99, 100, 0.1, 0.001)),
    Case("step = total: exactly lr_min", (100, 100, 0.1, 0.001)),
    Case("past the end: stays at lr_min", (150, 100, 0.1, 0.001)),
    Case("far past the end", (10_000, 100, 0.5, 0.01)),
    Case("total = 1, past the end", (3, 1, 0.2, 0.02)),
]

COSINE_MISTAKES = [
    Mistake.returns("past the end the lr must stay at lr_min; without a clamp the cosine comes back up. "
                    "Clamp the fraction of the schedule done at 1: min(step / total, 1).",
                    lambda t, total, hi, lo: lo + (hi - lo) * (1 + math.cos(math.pi * t / total)) / 2),
    Mistake.returns("step // total is an integer division: the fraction of the run done is 0 until the very "
                    "end, so the lr never moves. Use the true division step / total (clamped at 1).",
                    lambda t, total, hi, lo: _cosine(t // total * total, total, hi, lo)),
    Mistake.returns("the fraction step / total must become an angle in radians: multiply it by π, so that "
                    "the angle runs from 0 to π (half a turn) and the cosine from 1 to −1.",
                    _cos_with(lambda f: f)),
    Mistake.returns("cos works in radians, not degrees: half a turn is π, not 180.",
                    _cos_with(lambda f: 180 * f)),
    Mistake.returns("that is a full period (2π): the lr goes down and comes back up to lr_max at the end. "
                    "The schedule uses half a period, an angle from 0 to π.",
                    _cos_with(lambda f: 2 * math.pi * f)),
    Mistake.returns("the curve must end at lr_min: it is lr_min + (lr_max − lr_min) · (1 + cos …) / 2.",
                    lambda t, total, hi, lo: _cosine(t, total, hi, 0.0)),
    Mistake.returns("1 + cos runs from 2 down to 0: halve it, so that the factor runs from 1 to 0.",
                    lambda t, total, hi, lo: 2 * _cosine(t, total, hi, lo) - lo),
    Mistake.returns("your lr is lr_min from step 0 on: the fraction of the run done must grow from 0 to 1. "
                    "max(step / total, 1) is at least 1 from the start; it is min that caps it at 1.",
                    _fraction_at_least_one),
    # The curve from lr_min up to lr_max comes from swapped rates and from (1 − cos) alike: say what it does.
    Mistake.returns("your lr starts at lr_min and climbs to lr_max: the schedule runs the other way, from "
                    "lr_max at step 0 down to lr_min at step total.",
                    lambda t, total, hi, lo: _cosine(t, total, lo, hi)),
    Mistake.returns("that uses sin: the schedule starts at its maximum, and cos(π t / T) is 1 at t = 0, "
                    "sin is 0 there.",
                    lambda t, total, hi, lo:
                    lo + (hi - lo) * (1 + math.sin(math.pi * min(t / total, 1))) / 2),
]


def check_cosine(cosine: Callable[[int, int, float, float], float]) -> None:
    """Exercise 3: half a cosine from lr_max (step 0) to lr_min (step total), then flat at lr_min."""
    check("Exercise 3 (cosine decay)", cosine, _cosine, COSINE_CASES, COSINE_MISTAKES)


# ---------------------------------------------------------------- exercise 4: linear warm-up


def _warmup(step: int, warmup_steps: int, base: float) -> float:
    return base * min((step + 1) / warmup_steps, 1.0)


WARMUP_CASES = [
    Case("step 0: already base / warmup_steps, not 0", (0, 10, 0.5)),
    Case("in the middle of the warm-up", (4, 10, 0.5)),
    Case("the last warm-up step (warmup_steps − 1) reaches base", (9, 10, 0.5)),
    Case("the first step after the warm-up", (10, 10, 0.5)),
    Case("far past the warm-up", (5000, 100, 0.1)),
    Case("warmup_steps = 1: base from step 0 on", (0, 1, 0.3)),
]

WARMUP_MISTAKES = [
    Mistake.returns("off by one: your lr is 0 at step 0, a step that changes nothing, and reaches base one "
                    "step late. Step 0 is already the first of the warmup_steps warm-up steps: by step "
                    "warmup_steps − 1 the ramp should have reached base.",
                    lambda t, w, base: base * min(t / w, 1.0)),
    Mistake("after the warm-up the lr stays at base: the ramp must stop growing at step warmup_steps.",
            lambda got, expected, case: float(got) > case.args[2]),
    Mistake.returns("your ramp ends at 1, not at base: the warm-up climbs to the base learning rate.",
                    lambda t, w, base: min((t + 1) / w, 1.0)),
]


def check_warmup(warmup: Callable[[int, int, float], float]) -> None:
    """Exercise 4: base · (step + 1) / warmup_steps while step < warmup_steps, then base."""
    check("Exercise 4 (linear warm-up)", warmup, _warmup, WARMUP_CASES, WARMUP_MISTAKES)


# ---------------------------------------------------------------- exercise 5: one Adam step


def _adam_step(theta: np.ndarray, grad: np.ndarray, m: np.ndarray, s: np.ndarray, t: int, lr: float,
               beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, *, correct: bool = True,
               square: bool = True, eps_inside: bool = False, t_shift: int = 0) -> tuple:
    """(theta, m, s) after Adam's step number t (t = 1 for the first); knobs reproduce the usual mistakes."""
    m = beta1 * m + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * (grad * grad if square else np.abs(grad))
    tc = t + t_shift
    m_hat, s_hat = (m / (1 - beta1**tc), s / (1 - beta2**tc)) if correct else (m, s)
    denominator = np.sqrt(s_hat + eps) if eps_inside else np.sqrt(s_hat) + eps
    return theta - lr * m_hat / denominator, m, s


def _adam_case(seed: int, shape: tuple, t: int, lr: float, grad_scale: float = 1.0,
               fresh: bool = False) -> tuple:
    rng = np.random.default_rng(seed)
    theta, grad = normal(rng, shape), normal(rng, shape, grad_scale)
    m = np.zeros(shape) if fresh else normal(rng, shape, 0.1 * grad_scale)
    s = np.zeros(shape) if fresh else uniform(rng, shape, 0.1) * grad_scale**2
    return theta, grad, m, s, t, lr


_ADAM_NAMES = ("theta", "m", "s")

ADAM_CASES = [
    Case("the first step, m = s = 0: every weight moves by about lr",
         _adam_case(60, (3, 4), 1, 0.01, fresh=True), names=_ADAM_NAMES),
    Case("step 5, with running averages", _adam_case(61, (5,), 5, 0.001), names=_ADAM_NAMES),
    Case("step 1000: the bias corrections have faded", _adam_case(62, (2, 3), 1000, 0.001),
         names=_ADAM_NAMES),
    Case("tiny gradients (1e-6): Adam's step does not care about the scale",
         _adam_case(63, (4,), 3, 0.01, grad_scale=1e-6), names=_ADAM_NAMES),
    Case("other betas", _adam_case(64, (3,), 2, 0.1), {"beta1": 0.5, "beta2": 0.9}, names=_ADAM_NAMES),
]


def _adam_returning_corrected(theta: np.ndarray, grad: np.ndarray, m: np.ndarray, s: np.ndarray, t: int,
                              lr: float, beta1: float = 0.9, beta2: float = 0.999,
                              eps: float = 1e-8) -> tuple:
    """The right new theta, returned with the bias-corrected m̂ and ŝ in place of the running averages."""
    theta, m, s = _adam_step(theta, grad, m, s, t, lr, beta1, beta2, eps)
    return theta, m / (1 - beta1**t), s / (1 - beta2**t)


ADAM_MISTAKES = [
    Mistake.returns("the bias corrections are missing: m and s start at 0, so early on they are too small by "
                    "the factors 1 − β₁ᵗ and 1 − β₂ᵗ; divide by them.",
                    lambda *a, **k: _adam_step(*a, **k, correct=False)),
    Mistake.returns("t counts from 1 at the first step: the corrections are 1 − β^t with this step's t, not "
                    "t − 1 (which divides by zero at the first step) or t + 1.",
                    lambda *a, **k: _adam_step(*a, **k, t_shift=-1),
                    lambda *a, **k: _adam_step(*a, **k, t_shift=1)),
    Mistake.returns("s averages the SQUARED gradient, g ⊙ g, not |g|.",
                    lambda *a, **k: _adam_step(*a, **k, square=False)),
    Mistake.returns("ε is added after the square root, √ŝ + ε, not inside it: with tiny gradients the two "
                    "differ a lot.", lambda *a, **k: _adam_step(*a, **k, eps_inside=True)),
    Mistake.returns("the m and s you return are the bias-corrected m̂ and ŝ: return the running averages "
                    "themselves. The next step updates them and applies its own correction.",
                    _adam_returning_corrected),
    Mistake("return the new running averages m and s too, as (theta, m, s): the next step needs them.",
            lambda got, exp, case: isinstance(got, np.ndarray) and got.shape == exp[0].shape),
]


def check_adam_step(adam_step: Callable) -> None:
    """Exercise 5: adam_step(theta, grad, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8) -> (theta, m, s)."""
    check("Exercise 5 (one Adam step)", adam_step, _adam_step, ADAM_CASES, ADAM_MISTAKES)


# ---------------------------------------------------------------- exercise 1: the range test's smoothing


def _smooth(losses: np.ndarray, beta: float, *, corrected: bool = True, power_shift: int = 1,
            swapped: bool = False) -> np.ndarray:
    """Bias-corrected exponential moving average; knobs reproduce the usual mistakes."""
    out, average = np.empty(len(losses)), 0.0
    keep, take = (1 - beta, beta) if swapped else (beta, 1 - beta)
    for t, loss in enumerate(np.asarray(losses, dtype=np.float64)):
        average = keep * average + take * loss
        out[t] = average / (1 - beta ** (t + power_shift)) if corrected else average
    return out


SMOOTH_CASES = [
    Case("a constant loss: the smoothed loss is that constant from the first step", (np.full(6, 2.3), 0.9)),
    Case("a falling noisy loss, β = 0.9", (2.3 * np.exp(-np.arange(40) / 15) + normal(70, 40, 0.05), 0.9)),
    Case("β = 0.98, fastai's default", (np.linspace(2.3, 0.5, 30) + normal(71, 30, 0.1), 0.98)),
    Case("β = 0: no smoothing at all", (np.array([3.0, 1.0, 2.0]), 0.0)),
    Case("a single loss", (np.array([1.7]), 0.9)),
]

SMOOTH_MISTAKES = [
    Mistake.returns("the average starts at 0, so its first values are far too small: divide a_t by "
                    "1 − β^(t+1), the total weight the losses seen so far have received.",
                    lambda losses, beta: _smooth(losses, beta, corrected=False)),
    Mistake.returns("off by one in the correction: after the first loss (t = 0) the weights sum to 1 − β¹, "
                    "so divide by 1 − β^(t+1).", lambda losses, beta: _smooth(losses, beta, power_shift=2)),
    Mistake.returns("β is the weight the OLD average keeps: a_t = β a_(t−1) + (1 − β) loss_t.",
                    lambda losses, beta: _smooth(losses, beta, swapped=True)),
    Mistake("return one smoothed value per loss, same length as losses.",
            lambda got, exp, case: np.shape(got) != np.shape(exp)),
]


def check_smooth_losses(smooth_losses: Callable) -> None:
    """Exercise 1: smooth_losses(losses (n,), beta) -> (n,), the bias-corrected exponential moving average."""
    check("Exercise 1 (smoothing the range test)", smooth_losses,
          lambda losses, beta: _smooth(losses, beta), SMOOTH_CASES, SMOOTH_MISTAKES)
