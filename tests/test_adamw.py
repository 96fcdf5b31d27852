import numpy as np
import pytest

from course_lib.layers import Dense, Sequential
from course_lib.optim import Adam, AdamW, get_optimizer

W0 = np.array([[1.0, -2.0], [0.5, 3.0]])
B0 = np.array([0.5, -0.5])
GRADS = [np.array([[0.1, -0.2], [0.3, 0.0]]), np.array([[-0.4, 0.1], [0.2, 0.5]]),
         np.array([[0.05, 0.3], [-0.1, 0.2]])]
LR, WD, B1, B2, EPS = 0.1, 0.2, 0.9, 0.999, 1e-8


def run(make):
    dense = Dense(2, 2, dtype=np.float64)
    dense.W[...], dense.b[...] = W0, B0
    opt = make(Sequential(dense))
    for g in GRADS:
        dense.grads["W"][...] = g
        dense.grads["b"][...] = g[0]
        opt.step()
    return dense.W.copy(), dense.b.copy()


def textbook(decoupled: bool, decayed: bool, theta0, grads):
    """Adam with weight decay written out: decoupled (AdamW) or as L2 added to the gradient."""
    theta, m, s = theta0.copy(), 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        if decayed and not decoupled:
            g = g + WD * theta
        m = B1 * m + (1 - B1) * g
        s = B2 * s + (1 - B2) * g**2
        step = LR * (m / (1 - B1**t)) / (np.sqrt(s / (1 - B2**t)) + EPS)
        theta = theta * (1 - LR * WD) - step if decayed and decoupled else theta - step
    return theta


def test_adamw_matches_the_textbook_decoupled_update() -> None:
    W, b = run(lambda model: AdamW(model, LR, weight_decay=WD))
    np.testing.assert_allclose(W, textbook(True, True, W0, GRADS))
    np.testing.assert_allclose(b, textbook(True, False, B0, [g[0] for g in GRADS]))  # biases are not decayed


def test_adam_with_weight_decay_is_l2_inside_adam() -> None:
    W, _ = run(lambda model: Adam(model, LR, weight_decay=WD))
    np.testing.assert_allclose(W, textbook(False, True, W0, GRADS))


def test_adamw_and_l2_in_adam_differ_but_agree_without_decay() -> None:
    decoupled = run(lambda m: AdamW(m, LR, weight_decay=WD))[0]
    coupled = run(lambda m: Adam(m, LR, weight_decay=WD))[0]
    assert np.abs(decoupled - coupled).max() > 1e-3
    no_decay = run(lambda m: AdamW(m, LR, weight_decay=0.0))[0]
    np.testing.assert_allclose(no_decay, run(lambda m: Adam(m, LR))[0])


def test_adamw_with_zero_gradient_shrinks_weights_by_one_minus_lr_wd() -> None:
    dense = Dense(2, 2, dtype=np.float64)
    dense.W[...] = W0
    AdamW(Sequential(dense), LR, weight_decay=WD).step()
    np.testing.assert_allclose(dense.W, W0 * (1 - LR * WD))


def test_adamw_is_registered_with_pytorch_default_decay() -> None:
    opt = get_optimizer("adamw", Sequential(Dense(2, 2)), lr=1e-3)
    assert isinstance(opt, AdamW) and opt.weight_decay == pytest.approx(0.01)
