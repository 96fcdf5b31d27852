"""The notebook 06 checks accept right answers and explain the usual wrong ones."""

import math

import numpy as np
import pytest

from course_lib.course.checks import ExerciseError
from course_lib.course.checks import nb06 as checks


def exponential_decay(step, lr0, decay_rate, decay_steps):
    return lr0 * decay_rate ** (step / decay_steps)


def cosine(step, total, lr_max, lr_min):
    fraction = min(step / total, 1)
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * fraction)) / 2


def warmup(step, warmup_steps, base):
    return base * (step + 1) / warmup_steps if step < warmup_steps else base


def not_written(*args):
    raise NotImplementedError("Exercise: write this function.")


# ---------------------------------------------------------------- exponential decay


def test_exponential_check_accepts_a_smooth_decay(capsys):
    checks.check_exponential_decay(exponential_decay)
    assert "passes all" in capsys.readouterr().out


def test_exponential_check_accepts_numpy_floats():
    checks.check_exponential_decay(lambda t, lr0, r, k: np.float32(lr0) * np.power(r, t / k))


def test_exponential_check_catches_a_staircase():
    with pytest.raises(ExerciseError, match="that is a staircase"):
        checks.check_exponential_decay(lambda t, lr0, r, k: lr0 * r ** (t // k))


def test_exponential_check_catches_a_forgotten_decay_steps():
    with pytest.raises(ExerciseError, match="exponent counts single steps"):
        checks.check_exponential_decay(lambda t, lr0, r, k: lr0 * r**t)


def test_exponential_check_catches_the_base_e():
    with pytest.raises(ExerciseError, match="wrong base"):
        checks.check_exponential_decay(lambda t, lr0, r, k: lr0 * math.exp(-r * t / k))


def test_exponential_check_catches_one_minus_the_rate_as_base():
    with pytest.raises(ExerciseError, match="factor the lr KEEPS"):
        checks.check_exponential_decay(lambda t, lr0, r, k: lr0 * (1 - r) ** (t / k))


def test_exponential_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_exponential_decay(not_written)


# ---------------------------------------------------------------- cosine


def test_cosine_check_accepts_a_clamped_half_cosine(capsys):
    checks.check_cosine(cosine)
    assert "passes all" in capsys.readouterr().out


def test_cosine_check_catches_a_missing_clamp_past_the_end():
    def unclamped(step, total, lr_max, lr_min):
        return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * step / total)) / 2

    with pytest.raises(ExerciseError, match="past the end.*comes back up"):
        checks.check_cosine(unclamped)


def test_cosine_check_catches_the_fraction_used_as_an_angle():
    with pytest.raises(ExerciseError, match="multiply it by π"):
        checks.check_cosine(with_angle(lambda f: f))


def with_angle(angle):
    """A cosine schedule whose angle is angle(fraction) instead of π · fraction."""
    return lambda t, total, hi, lo: lo + (hi - lo) * (1 + math.cos(angle(min(t / total, 1)))) / 2


def test_cosine_check_catches_degrees():
    with pytest.raises(ExerciseError, match="radians, not degrees"):
        checks.check_cosine(with_angle(lambda f: 180 * f))


def test_cosine_check_catches_a_full_period():
    with pytest.raises(ExerciseError, match="full period"):
        checks.check_cosine(with_angle(lambda f: 2 * math.pi * f))


def test_cosine_check_catches_a_missing_lr_min():
    with pytest.raises(ExerciseError, match="must end at lr_min"):
        checks.check_cosine(lambda t, total, hi, lo: cosine(t, total, hi, 0.0))


def test_cosine_check_catches_a_missing_half():
    with pytest.raises(ExerciseError, match="halve it"):
        checks.check_cosine(lambda t, total, hi, lo: lo + 2 * (cosine(t, total, hi, lo) - lo))


def test_cosine_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_cosine(not_written)


# ---------------------------------------------------------------- warm-up


def test_warmup_check_accepts_a_ramp_that_counts_step_zero(capsys):
    checks.check_warmup(warmup)
    assert "passes all" in capsys.readouterr().out


def test_warmup_check_catches_a_ramp_starting_at_zero():
    with pytest.raises(ExerciseError, match="off by one"):
        checks.check_warmup(lambda t, w, base: base * min(t / w, 1))


def test_warmup_check_catches_a_ramp_that_never_stops():
    with pytest.raises(ExerciseError, match="stays at base"):
        checks.check_warmup(lambda t, w, base: base * (t + 1) / w)


def test_warmup_check_catches_a_missing_base():
    with pytest.raises(ExerciseError, match="multiply the fraction by base"):
        checks.check_warmup(lambda t, w, base: min((t + 1) / w, 1.0))


def test_warmup_check_says_when_nothing_is_written_yet():
    with pytest.raises(ExerciseError, match="not written yet"):
        checks.check_warmup(not_written)
