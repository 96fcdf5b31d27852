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
    (lambda t, total, hi, lo: cosine(t, total, lo, hi), "lr_max and lr_min are swapped"),
])
def test_cosine_usual_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_cosine(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda t, w, base: base * min(t / w, 1), "off by one"),
    (lambda t, w, base: base * (t + 1) / w, "stays at base"),
    (lambda t, w, base: min((t + 1) / w, 1.0), "multiply the fraction by base"),
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
