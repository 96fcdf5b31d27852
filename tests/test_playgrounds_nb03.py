"""Tests for course_lib.course.playgrounds.nb03: the tangent playground's numbers and the two figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.activations import sigmoid
from course_lib.course.playgrounds import nb03


@pytest.mark.parametrize("name", list(nb03.COMPOSITES))
def test_every_composite_derivative_matches_centered_differences(name):
    c = nb03.COMPOSITES[name]
    x = np.linspace(-3, 3, 61)
    assert np.allclose(c.df(x), nb03.numeric_slope(c.f, x), rtol=1e-7, atol=1e-9)


def test_tangent_report_gives_value_and_both_slopes():
    report = nb03.tangent_report("sin(x²)", 1.0)
    assert report["value"] == pytest.approx(np.sin(1.0))
    assert report["analytic"] == pytest.approx(2 * np.cos(1.0))
    assert report["abs_error"] < 1e-9
    assert all(isinstance(v, float) for v in report.values())


def test_softplus_slope_is_the_sigmoid():
    for x in (-4.0, 0.0, 2.5):
        slope = nb03.tangent_report("log(1 + eˣ)", x)["analytic"]
        assert slope == pytest.approx(float(sigmoid(np.float64(x))))


def test_tangent_report_rejects_unknown_names_listing_valid_ones():
    with pytest.raises(ValueError, match="Valid names: sin"):
        nb03.tangent_report("cos(x)", 0.0)


def test_plot_tangent_draws_function_tangent_and_point():
    fig = nb03.plot_tangent("σ(3x − 1)", 0.5)
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    xs, ys = ax.lines[1].get_data()
    slope = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
    assert slope == pytest.approx(nb03.tangent_report("σ(3x − 1)", 0.5)["analytic"])
    assert "numeric" in ax.get_title()
    plt.close(fig)


def test_draw_chain_shows_every_value_and_gradient():
    fig = nb03.draw_chain(["w", "u", "L"], [1.0, 2.0, 3.0], [0.5, 0.25, 1.0], ["×x", "×2u"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "value 2.0000" in texts and "∂L/∂· = 0.2500" in texts and "×2u" in texts
    plt.close(fig)


def test_draw_chain_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="n − 1 local_grads"):
        nb03.draw_chain(["a", "b"], [1.0, 2.0], [1.0, 1.0], [])
