"""The notebook 11 playground: gradient norms through time scale as ρᵏ, the drawing, the line of text, the
bad arguments."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb11 as play


@pytest.mark.parametrize("rho", [0.7, 1.0, 1.3])
def test_the_gradient_norm_scales_as_rho_to_the_distance(rho) -> None:
    norms = play.gradient_norms(rho, 20)
    distance = 19 - np.arange(20)
    slope = np.polyfit(distance, np.log(norms), 1)[0]
    assert norms.shape == (20,) and abs(slope - np.log(rho)) < 0.02
    assert np.isclose(norms[-1], 1.0)  # the gradient enters at the last step as a unit vector


def test_rho_one_keeps_the_norm() -> None:
    norms = play.gradient_norms(1.0, 50)
    assert np.all(np.abs(norms - 1) < 0.05)


def test_large_inputs_saturate_and_pull_the_norms_below_rho_to_the_k() -> None:
    small, large = play.gradient_norms(1.0, 20), play.gradient_norms(1.0, 20, input_scale=1.0)
    assert large[0] < 0.5 * small[0]


def test_the_same_seed_gives_the_same_numbers() -> None:
    assert np.array_equal(play.gradient_norms(1.2, 15, seed=3), play.gradient_norms(1.2, 15, seed=3))
    assert not np.array_equal(play.gradient_norms(1.0, 15, seed=3), play.gradient_norms(1.0, 15, seed=4))


def test_one_step_has_only_the_gradient_at_the_loss() -> None:
    assert np.allclose(play.gradient_norms(2.0, 1), [1.0])


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"rho": 0.0, "length": 10}, r"rho > 0 .* got rho=0.0"),
    ({"rho": -1.0, "length": 10}, "spectral radius rho > 0"),
    ({"rho": float("nan"), "length": 10}, "rho > 0"),
    ({"rho": 1.0, "length": 0}, r"length of at least 1 step, got length=0"),
    ({"rho": 1.0, "length": 2.5}, "at least 1 step"),
])
def test_bad_arguments_are_rejected_with_a_clear_message(kwargs, words) -> None:
    with pytest.raises(ValueError, match=words):
        play.gradient_norms(**kwargs)


def test_the_drawing_has_one_labelled_line_per_rho_on_a_log_axis() -> None:
    fig, ax = plt.subplots()
    norms = {rho: play.gradient_norms(rho, 12) for rho in (0.8, 1.0, 1.25)}
    play.draw_gradient_norms(ax, norms)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["ρ = 0.80", "ρ = 1.00", "ρ = 1.25"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert np.array_equal(lines[0].get_xdata(), np.arange(11, -1, -1))
    assert np.array_equal(lines[2].get_ydata(), norms[1.25])
    plt.close(fig)


def test_show_draws_rho_and_the_reference_and_says_how_far_it_grew() -> None:
    fig, ax = plt.subplots()
    text = play.show(ax, 1.3, 30)
    norms = play.gradient_norms(1.3, 30)
    ratio = norms[0] / norms[-1]
    assert text == f"ρ = 1.30: the gradient 29 steps from the loss is {ratio:.1e} times the one at the loss"
    assert text.startswith("ρ = 1.30: the gradient 29 steps from the loss is 1.7e+03 times")
    assert [line.get_label() for line in ax.get_lines()] == ["ρ = 1.30", "ρ = 1.00"]
    plt.close(fig)


def test_show_at_rho_one_draws_one_line() -> None:
    fig, ax = plt.subplots()
    text = play.show(ax, 1.0, 10)
    assert len(ax.get_lines()) == 1
    assert text.startswith("ρ = 1.00: the gradient 9 steps from the loss is 1.0e+00")
    plt.close(fig)


def test_first_symbol_data_is_the_task_drawn_from_one_seeded_generator():
    (ids, targets), (more_ids, _) = play.first_symbol_data((50, 20), 6, 4, seed=3)
    assert ids.shape == targets.shape == (50, 6) and more_ids.shape == (20, 6)
    assert ids.min() >= 1 and ids.max() <= 4 and np.all(targets[:, :-1] == -1)
    assert np.array_equal(targets[:, -1], ids[:, 0])
    again = play.first_symbol_data((50, 20), 6, 4, seed=3)
    assert np.array_equal(again[1][0], more_ids)
    assert np.array_equal(ids, np.random.default_rng(3).integers(1, 5, (50, 6)))
