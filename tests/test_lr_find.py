import numpy as np
import pytest

from course_lib.layers import mlp
from course_lib.lr_find import lr_find, ramp, smooth, suggest
from course_lib.optim import Adam
from course_lib.toy_data import two_moons


def data():
    x, y = two_moons(512, seed=0)
    return x.astype(np.float32), y


def test_exponential_ramp_multiplies_by_the_same_factor_every_step() -> None:
    lrs = ramp("exponential", 1e-4, 1.0, 5)
    np.testing.assert_allclose(lrs, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])


def test_linear_ramp_adds_the_same_amount_every_step() -> None:
    np.testing.assert_allclose(ramp("linear", 0.1, 0.5, 5), [0.1, 0.2, 0.3, 0.4, 0.5])


@pytest.mark.parametrize("args, words", [(("cubic", 1e-3, 1.0, 10), "Smith"),
                                         (("linear", 1.0, 0.1, 10), "lr_lo"),
                                         (("linear", 0.1, 1.0, 1), "2 steps")])
def test_bad_ramps_are_rejected_with_a_message(args, words) -> None:
    with pytest.raises(ValueError, match=words):
        ramp(*args)


def test_smooth_is_a_bias_corrected_moving_average() -> None:
    np.testing.assert_allclose(smooth(np.full(5, 3.0), 0.9), 3.0)
    beta, losses = 0.5, np.array([4.0, 2.0, 1.0])
    a1 = (1 - beta) * 4.0
    a2 = beta * a1 + (1 - beta) * 2.0
    a3 = beta * a2 + (1 - beta) * 1.0
    np.testing.assert_allclose(smooth(losses, beta), [a1 / 0.5, a2 / 0.75, a3 / 0.875])


def test_suggest_finds_the_steepest_fall_before_the_minimum() -> None:
    lrs = np.geomspace(1e-4, 1.0, 41)
    loss = 2 - np.tanh(2 * (np.log10(lrs) + 2)) + np.where(lrs > 0.3, 50 * (lrs - 0.3), 0)
    steepest, lowest = suggest(lrs, loss)
    assert steepest == pytest.approx(1e-2, rel=0.05) and 0.1 < lowest <= 0.32


def test_lr_find_leaves_the_model_unchanged() -> None:
    model, (x, y) = mlp([2, 16, 2]), data()
    before = [p.value.copy() for p in model.parameters()]
    lr_find(model, x, y, steps=50, batch_size=32, beta=0.9)
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.value, b)


def test_lr_find_stops_after_blow_up_and_suggests_a_rate_inside_the_ramp() -> None:
    x, y = data()
    result = lr_find(mlp([2, 16, 2]), x, y, lr_lo=1e-4, lr_hi=1e3, steps=120, batch_size=32)
    assert result.ramp == "exponential" and len(result.lrs) < 120
    assert len(result.lrs) == len(result.losses) == len(result.smoothed)
    assert 1e-4 < result.suggestion < result.lr_min < result.lrs[-1]
    assert not result.smoothed[-1] <= 4 * result.smoothed.min()  # the last step kept is the blow-up


def test_lr_find_is_seeded() -> None:
    x, y = data()
    one, two = (lr_find(mlp([2, 8, 2]), x, y, steps=40, batch_size=32, seed=3, beta=0.9) for _ in range(2))
    np.testing.assert_array_equal(one.losses, two.losses)


def test_lr_find_takes_an_optimizer_factory_and_a_linear_ramp() -> None:
    x, y = data()
    result = lr_find(mlp([2, 8, 2]), x, y, lr_lo=1e-4, lr_hi=0.1, steps=60, batch_size=32, kind="linear",
                     optimizer=lambda model: Adam(model))
    assert result.ramp == "linear"
    np.testing.assert_allclose(np.diff(result.lrs), np.diff(result.lrs)[0])
