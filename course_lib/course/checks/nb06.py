"""Checks for the exercises of notebook 06 (learning-rate schedules): exponential decay, cosine, warm-up.

Each schedule is a function of one integer step (0, 1, 2, ...) returning a float. The cases probe
step 0, the last step, the step where the decay ends, steps far past the end, and one-step schedules;
the mistakes recognize a staircase instead of a smooth decay, the wrong base, degrees or a forgotten
π in the cosine, a missing clamp past the end, and the warm-up's off-by-one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from course_lib.course.checks._core import Case, Mistake, check

# ---------------------------------------------------------------- exercise 1: exponential decay


def _exponential(step: int, lr0: float, decay_rate: float, decay_steps: int) -> float:
    return lr0 * math.exp(step / decay_steps * math.log(decay_rate))


EXPONENTIAL_CASES = [
    Case("step 0: the lr is still lr0", (0, 0.1, 0.5, 100)),
    Case("after exactly decay_steps steps: lr0 · decay_rate", (100, 0.1, 0.5, 100)),
    Case("halfway between two multiples of decay_steps", (150, 0.1, 0.5, 100)),
    Case("a few steps in", (7, 0.5, 0.96, 10)),
    Case("decay_steps = 1: one factor per step", (3, 1.0, 0.9, 1)),
    Case("decay_rate = 1: no decay at all", (1234, 0.3, 1.0, 50)),
    Case("far past any planned end: the decay just continues", (100_000, 0.1, 0.96, 1000)),
]

EXPONENTIAL_MISTAKES = [
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
]


def check_exponential_decay(exponential_decay: Callable[[int, float, float, int], float]) -> None:
    """Exercise 1: η(t) = lr0 · decay_rate^(t / decay_steps), smooth, for every t ≥ 0."""
    check("Exercise 1 (exponential decay)", exponential_decay, _exponential, EXPONENTIAL_CASES,
          EXPONENTIAL_MISTAKES)


# ---------------------------------------------------------------- exercise 2: cosine decay


def _cos_with(angle: Callable[[float], float]) -> Callable[..., float]:
    """The cosine schedule with the angle π·fraction replaced by angle(fraction), fraction clamped."""
    return lambda t, total, hi, lo: lo + (hi - lo) * (1 + math.cos(angle(min(t / total, 1)))) / 2


_cosine = _cos_with(lambda fraction: math.pi * fraction)


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
    Mistake.returns("lr_max and lr_min are swapped: the schedule starts at lr_max and ends at lr_min.",
                    lambda t, total, hi, lo: _cosine(t, total, lo, hi)),
]


def check_cosine(cosine: Callable[[int, int, float, float], float]) -> None:
    """Exercise 2: half a cosine from lr_max (step 0) to lr_min (step total), then flat at lr_min."""
    check("Exercise 2 (cosine decay)", cosine, _cosine, COSINE_CASES, COSINE_MISTAKES)


# ---------------------------------------------------------------- exercise 3: linear warm-up


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
    Mistake.returns("off by one: with step / warmup_steps the lr is 0 at step 0, a step that changes "
                    "nothing, and reaches base one step late. Step 0 is the first of the warmup_steps "
                    "warm-up steps: count it as (step + 1) / warmup_steps.", lambda t, w, base: base * t / w),
    Mistake("after the warm-up the lr stays at base: the ramp must stop growing at step warmup_steps.",
            lambda got, expected, case: float(got) > case.args[2]),
    Mistake.returns("the ramp goes from a small value up to base: multiply the fraction by base.",
                    lambda t, w, base: min((t + 1) / w, 1.0)),
]


def check_warmup(warmup: Callable[[int, int, float], float]) -> None:
    """Exercise 3: base · (step + 1) / warmup_steps while step < warmup_steps, then base."""
    check("Exercise 3 (linear warm-up)", warmup, _warmup, WARMUP_CASES, WARMUP_MISTAKES)
