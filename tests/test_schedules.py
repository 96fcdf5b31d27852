import math

import pytest

from course_lib.schedules import (
    Constant,
    Cosine,
    ExponentialDecay,
    LinearDecay,
    LinearWarmup,
    OneCycle,
    StepDecay,
)


def test_constant_step_and_exponential_values() -> None:
    assert Constant(0.1)(0) == Constant(0.1)(10_000) == 0.1
    step = StepDecay(0.1, step_size=10, gamma=0.5)
    assert [step(t) for t in (0, 9, 10, 25)] == pytest.approx([0.1, 0.1, 0.05, 0.025])
    exp = ExponentialDecay(1.0, rate=0.5, decay_steps=100)
    assert [exp(t) for t in (0, 50, 100, 300)] == pytest.approx([1.0, 2**-0.5, 0.5, 0.125])


def test_linear_and_cosine_values() -> None:
    lin = LinearDecay(0.1, total_steps=100, final_lr=0.01)
    assert [lin(t) for t in (0, 50, 100, 1000)] == pytest.approx([0.1, 0.055, 0.01, 0.01])
    cos = Cosine(1.0, total_steps=100, min_lr=0.1)
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * t / 100)) / 2 for t in (0, 25, 50, 100)]
    assert [cos(t) for t in (0, 25, 50, 100, 500)] == pytest.approx([*expected, 0.1])
    assert cos(50) == pytest.approx(0.55)


def test_warmup_ramps_linearly_then_follows_the_wrapped_schedule() -> None:
    warm = LinearWarmup(StepDecay(0.2, step_size=10, gamma=0.5), warmup_steps=4)
    assert [warm(t) for t in range(4)] == pytest.approx([0.05, 0.1, 0.15, 0.2])
    assert [warm(t) for t in (4, 13, 14)] == pytest.approx([0.2, 0.2, 0.1])


def test_one_cycle_rises_to_max_then_anneals_below_start() -> None:
    sched = OneCycle(max_lr=1.0, total_steps=100, pct_start=0.3, div_factor=25, final_div_factor=1e4)
    assert sched(0) == pytest.approx(1 / 25)
    assert sched(15) == pytest.approx(1 / 25 + (1 - 1 / 25) / 2)
    assert sched(30) == pytest.approx(1.0)
    assert sched(65) == pytest.approx((1 + 1 / 25 / 1e4) / 2)
    assert sched(100) == pytest.approx(1 / 25 / 1e4)
