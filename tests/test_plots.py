import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import plots
from course_lib.layers import Dense, ReLU, Sequential, Sigmoid
from course_lib.metrics import confusion_matrix
from course_lib.network import Network
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


def test_history_plots_draw_the_recorded_train_and_validation_curves() -> None:
    ax = plots.plot_loss(HISTORY, log=True)
    assert [line.get_label() for line in ax.lines] == ["train", "validation"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), HISTORY.loss)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), HISTORY.val_loss)
    assert ax.get_yscale() == "log"
    ax = plots.plot_accuracy(HISTORY)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), HISTORY.val_accuracy)
    assert ax.get_ylabel() == "accuracy"


def test_plots_draw_on_a_given_axes() -> None:
    _, ax = plt.subplots()
    assert plots.plot_loss(HISTORY, ax=ax) is ax and len(ax.lines) == 2


def test_decision_boundary_colours_the_predicted_class() -> None:
    ax = plots.plot_decision_boundary(MODEL, X, Y, resolution=20, padding=0.0)
    mesh = ax.collections[0]
    levels = mesh.levels if hasattr(mesh, "levels") else ax.collections[0].get_array()
    assert len(levels) == 3  # two classes → boundaries at −0.5, 0.5, 1.5
    points = ax.collections[-1]
    np.testing.assert_array_equal(points.get_offsets(), X)
    np.testing.assert_array_equal(points.get_array(), Y)
    net = Network([2, 3, 1], seed=0)
    ax = plots.plot_decision_boundary(net.feed_forward, X, Y[:, None], resolution=20)
    assert ax.get_xlabel() == "$x_1$"
    with pytest.raises(ValueError, match=r"points x of shape \(n, 2\), got \(60, 3\)"):
        plots.plot_decision_boundary(MODEL, np.zeros((60, 3)), Y)


def test_digits_are_tiled_and_wrong_predictions_are_red() -> None:
    images = rng.random((12, 784)).astype(np.float32)
    labels, preds = np.arange(12) % 10, np.arange(12) % 5
    ax = plots.plot_digits(images, labels, preds, ncols=5)
    mosaic = ax.images[0].get_array()
    assert mosaic.shape == (3 * 28, 5 * 28)
    np.testing.assert_array_equal(mosaic[28:56, 0:28], images[5].reshape(28, 28))
    texts = [(t.get_text(), t.get_color()) for t in ax.texts]
    assert texts[0] == ("0→0", "tab:blue") and texts[5] == ("5→0", "red")


def test_confusion_matrix_writes_every_count() -> None:
    labels, preds = np.arange(12) % 10, np.arange(12) % 5
    cm = confusion_matrix(preds, labels, 10)
    ax = plots.plot_confusion_matrix(cm)
    assert len(ax.texts) == 100
    assert [t.get_text() for t in ax.texts][:12] == [str(c) for c in cm.ravel()[:12]]


def test_activation_histograms_one_outline_per_activation_layer() -> None:
    model = Sequential(Dense(2, 8, rng=0), ReLU(), Dense(8, 1, rng=1), Sigmoid())
    ax = plots.plot_activation_histograms(model, X)
    assert [p.get_label() for p in ax.patches] == ["1.ReLU", "3.Sigmoid"]
