import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import plots
from course_lib.layers import Dense, ReLU, Sequential, Sigmoid
from course_lib.metrics import confusion_matrix
from course_lib.network import Network
from course_lib.schedules import Constant, Cosine
from course_lib.train import fit

rng = np.random.default_rng(0)
X = rng.standard_normal((60, 2)).astype(np.float32)
Y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
MODEL = Sequential(Dense(2, 8, rng=0), ReLU(), Dense(8, 2, rng=1))
HISTORY = fit(MODEL, X, Y, epochs=3, val=(X, Y), quiet=True)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_history_plots_draw_train_and_validation_curves() -> None:
    assert len(plots.plot_loss(HISTORY, log=True).lines) == 2
    assert len(plots.plot_accuracy(HISTORY).lines) == 2
    assert len(plots.plot_norms(HISTORY, kind="grad").lines) == 2
    assert plots.plot_norms(HISTORY, kind="weight").get_ylabel() == "weight norm"
    with pytest.raises(ValueError, match=r"kind must be 'grad' or 'weight', got 'grads'"):
        plots.plot_norms(HISTORY, kind="grads")


def test_plots_draw_on_a_given_axes() -> None:
    _, ax = plt.subplots()
    assert plots.plot_loss(HISTORY, ax=ax) is ax


def test_decision_boundary_for_sequential_and_network() -> None:
    assert plots.plot_decision_boundary(MODEL, X, Y, resolution=20).collections
    net = Network([2, 3, 1], seed=0)
    assert plots.plot_decision_boundary(net.feed_forward, X, Y[:, None], resolution=20)
    with pytest.raises(ValueError, match=r"points x of shape \(n, 2\), got \(60, 3\)"):
        plots.plot_decision_boundary(MODEL, np.zeros((60, 3)), Y)


def test_digits_confusion_activation_and_schedule_plots() -> None:
    images = rng.random((12, 784)).astype(np.float32)
    labels, preds = np.arange(12) % 10, np.arange(12) % 5
    ax = plots.plot_digits(images, labels, preds, ncols=5)
    assert ax.images[0].get_array().shape == (3 * 28, 5 * 28) and len(ax.texts) == 12
    assert len(plots.plot_confusion_matrix(confusion_matrix(preds, labels, 10)).texts) == 100
    model = Sequential(Dense(2, 8, rng=0), ReLU(), Dense(8, 1, rng=1), Sigmoid())
    assert len(plots.plot_activation_histograms(model, X).patches) == 2
    ax = plots.plot_schedules({"constant": Constant(0.1), "cosine": Cosine(0.1, 50)}, steps=50)
    assert len(ax.lines) == 2
