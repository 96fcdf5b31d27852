"""The logic behind notebook 06's schedule designer: schedules from knobs, toy training, drawing."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb06
from course_lib.schedules import Cosine

STEPS = np.arange(nb06.TOTAL_STEPS)


def curve(schedule):
    return np.array([schedule(int(s)) for s in STEPS])


@pytest.mark.parametrize("kind", ["step", "exponential", "cosine"])
def test_decaying_designs_start_at_the_peak_and_end_near_the_final_fraction(kind):
    lrs = curve(nb06.design_schedule(kind, 0.5, final_fraction=0.01))
    assert lrs[0] == pytest.approx(0.5)
    assert lrs[-1] == pytest.approx(0.005, rel=0.01)
    assert np.all(np.diff(lrs) <= 1e-12)


def test_step_design_drops_twice_by_the_same_factor():
    lrs = curve(nb06.design_schedule("step", 1.0, final_fraction=0.04))
    assert sorted(set(np.round(lrs, 9))) == pytest.approx([0.04, 0.2, 1.0])


def test_constant_design_ignores_the_final_fraction():
    assert np.all(curve(nb06.design_schedule("constant", 0.3, final_fraction=0.01)) == 0.3)


def test_warmup_ramps_up_then_hands_over_to_the_decay():
    schedule = nb06.design_schedule("cosine", 1.0, final_fraction=0.1, warmup_steps=100)
    lrs = curve(schedule)
    assert lrs[0] == pytest.approx(0.01) and lrs[99] == pytest.approx(1.0)
    assert np.all(np.diff(lrs[:100]) > 0)
    assert schedule(350) == pytest.approx(Cosine(1.0, 500, 0.1)(250))
    assert schedule(nb06.TOTAL_STEPS) == pytest.approx(0.1)


def test_one_cycle_design_rises_for_the_warmup_steps_and_ends_at_the_final_fraction():
    schedule = nb06.design_schedule("one-cycle", 2.0, final_fraction=0.001, warmup_steps=150)
    lrs = curve(schedule)
    assert int(np.argmax(lrs)) == 150 and lrs.max() == pytest.approx(2.0)
    assert lrs[0] == pytest.approx(2.0 / 25)
    assert schedule(nb06.TOTAL_STEPS) == pytest.approx(0.002)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"kind": "triangle"}, "Unknown kind 'triangle'"),
    ({"final_fraction": 0.0}, "final_fraction must be in"),
    ({"warmup_steps": 600}, "warmup_steps must be in"),
])
def test_design_schedule_rejects_bad_knobs_with_a_clear_message(kwargs, words):
    knobs = {"kind": "cosine", "peak_lr": 0.1, **kwargs}
    with pytest.raises(ValueError, match=words):
        nb06.design_schedule(**knobs)


def test_spirals_are_two_samples_of_the_same_problem():
    x, y, x_test, y_test = nb06.spirals()
    assert x.shape == x_test.shape == (400, 2) and y.shape == y_test.shape == (400,)
    assert not np.allclose(x, x_test)
    assert np.bincount(y).tolist() == [200, 200]


def test_a_good_schedule_solves_the_spirals_and_a_tiny_lr_does_not():
    good = nb06.train_spirals(nb06.design_schedule("cosine", 1.0))
    tiny = nb06.train_spirals(nb06.design_schedule("constant", 0.01))
    assert good.test_accuracy > 0.95 and tiny.test_accuracy < 0.8
    assert good.losses.shape == good.lrs.shape == (nb06.TOTAL_STEPS,)
    assert good.lrs[0] == pytest.approx(1.0) and not good.diverged


def test_training_is_reproducible_for_a_seed():
    a = nb06.train_spirals(nb06.design_schedule("constant", 0.3), total_steps=50, seed=3)
    b = nb06.train_spirals(nb06.design_schedule("constant", 0.3), total_steps=50, seed=3)
    assert np.array_equal(a.losses, b.losses)


def test_a_diverging_run_stops_at_the_first_non_finite_loss():
    with np.errstate(all="ignore"):
        run = nb06.train_spirals(nb06.design_schedule("constant", 1e6), total_steps=100)
    assert run.diverged and len(run.losses) < 100
    assert not np.isfinite(run.losses[-1]) and np.all(np.isfinite(run.losses[:-1]))


def test_moving_average_averages_windows():
    assert nb06.moving_average(np.array([1.0, 2.0, 3.0, 4.0]), 2).tolist() == [1.5, 2.5, 3.5]
    with pytest.raises(ValueError, match="window must be between 1 and"):
        nb06.moving_average(np.ones(3), 5)


def test_show_design_draws_three_panels_with_the_accuracy_in_the_title():
    fig, run = nb06.show_design("one-cycle", 1.0, 0.01, 100)
    assert len(fig.axes) == 3
    assert f"{run.test_accuracy:.0%}" in fig.axes[2].get_title()
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)


def test_show_design_survives_a_diverging_run():
    with np.errstate(all="ignore"):
        fig, run = nb06.show_design("constant", 1e6)
    assert run.diverged and fig.axes[1].get_title() == "diverged"
    plt.close(fig)


def test_noisy_descent_without_noise_is_plain_gradient_descent():
    path = nb06.noisy_descent(4.0, 0.0, lambda t: 0.1, steps=10, chains=3)
    assert path.shape == (11, 3)
    np.testing.assert_allclose(path[:, 0], (1 - 0.4) ** np.arange(11))


def test_noisy_descent_settles_at_the_stationary_variance():
    path = nb06.noisy_descent(1.0, 1.0, lambda t: 0.1, steps=400, chains=20_000, w0=0.0)
    expected = nb06.stationary_variance(1.0, 1.0, 0.1)
    assert abs(path[-1].var() / expected - 1) < 0.05


def test_momentum_cycle_runs_high_low_high():
    class Opt:
        momentum = 0.9

    cycle = nb06.MomentumCycle(Opt(), total_steps=100)
    assert cycle.momentum(0) == pytest.approx(0.95) and cycle.momentum(30) == pytest.approx(0.85)
    assert cycle.momentum(100) == pytest.approx(0.95) and cycle.momentum(500) == pytest.approx(0.95)
    cycle.on_step(30, None, 0.0, 0.1, 32)
    assert cycle.optimizer.momentum == pytest.approx(0.85)
