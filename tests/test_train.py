import math

import numpy as np
import pytest

from course_lib.layers import Dense, ReLU, Sequential, Sigmoid
from course_lib.optim import Momentum
from course_lib.schedules import StepDecay
from course_lib.train import TrainingDiverged, fit


def blobs(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian clusters in 2-D: x (n, 2) float32, y (n,) labels 0..2."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    return (centers[y] + 0.5 * rng.standard_normal((n, 2))).astype(np.float32), y


def mlp(seed: int = 0) -> Sequential:
    return Sequential(Dense(2, 16, init="he", rng=seed), ReLU(), Dense(16, 3, rng=seed + 1))


X, Y = blobs()
X_VAL, Y_VAL = blobs(100, seed=1)


def test_fit_reaches_high_accuracy_on_a_tiny_problem() -> None:
    model = mlp()
    history = fit(model, X, Y, epochs=20, lr=0.1, val=(X_VAL, Y_VAL), quiet=True)
    assert len(history.loss) == len(history.val_accuracy) == 20
    assert history.loss[-1] < history.loss[0]
    assert history.accuracy[-1] > 0.95 and history.val_accuracy[-1] > 0.95
    assert all(p.dtype == np.float32 for _, _, p, _ in model.parameters())


def test_same_seed_gives_bit_identical_history() -> None:
    runs = [fit(mlp(), X, Y, epochs=3, batch_size=16, optimizer="momentum", lr=0.05, seed=7, quiet=True)]
    runs.append(fit(mlp(), X, Y, epochs=3, batch_size=16, optimizer="momentum", lr=0.05, seed=7, quiet=True))
    assert runs[0] == runs[1]
    assert fit(mlp(), X, Y, epochs=3, batch_size=16, lr=0.05, seed=8, quiet=True).loss != runs[0].loss


def test_schedule_sets_lr_every_step_and_history_records_it() -> None:
    model = mlp()
    steps_per_epoch = math.ceil(len(X) / 50)
    schedule = StepDecay(0.1, step_size=steps_per_epoch, gamma=0.5)
    history = fit(model, X, Y, epochs=3, batch_size=50, schedule=schedule, quiet=True)
    assert history.lr == pytest.approx([0.1, 0.05, 0.025])
    assert len(history.batch_loss) == 3 * steps_per_epoch


def test_norms_are_recorded_per_layer_per_epoch() -> None:
    model = mlp()
    history = fit(model, X, Y, epochs=2, optimizer=Momentum(model, 0.1), quiet=True)
    assert set(history.grad_norms) == set(history.weight_norms) == {"0.Dense", "2.Dense"}
    assert all(len(v) == 2 and v[-1] > 0 for v in history.grad_norms.values())
    W, b = model.layers[2].W, model.layers[2].b
    assert history.weight_norms["2.Dense"][-1] == pytest.approx(
        np.sqrt((W**2).sum() + (b**2).sum()), rel=1e-5
    )
    assert fit(mlp(), X, Y, epochs=1, track_norms=False, quiet=True).grad_norms == {}


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_huge_learning_rate_raises_with_advice() -> None:
    with pytest.raises(
        TrainingDiverged, match=r"diverged at epoch 1, step \d+.*lower learning rate.*clip_norm"
    ):
        fit(mlp(), X * 100, Y, epochs=5, lr=1e4, quiet=True)


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_on_divergence_stop_returns_partial_history_with_a_warning() -> None:
    with pytest.warns(RuntimeWarning, match="diverged"):
        history = fit(mlp(), X * 100, Y, epochs=5, lr=1e4, quiet=True, on_divergence="stop")
    assert history.diverged
    assert not math.isfinite(history.batch_loss[-1])


def test_gradient_clipping_rescues_the_huge_learning_rate() -> None:
    history = fit(mlp(), X * 100, Y, epochs=5, lr=1e4, clip_norm=1e-4, quiet=True)
    assert not history.diverged
    assert all(math.isfinite(v) for v in history.loss)
    assert history.accuracy[-1] > 0.9


def test_binary_cross_entropy_and_mse_targets() -> None:
    y = (X[:, :1] > 0).astype(np.float32)
    model = Sequential(Dense(2, 8, rng=0), ReLU(), Dense(8, 1, rng=1), Sigmoid())
    history = fit(model, X, y, epochs=10, lr=0.5, loss="binary_cross_entropy", quiet=True)
    assert history.accuracy[-1] > 0.95
    assert math.isnan(fit(model, X, y, epochs=1, loss="mse", quiet=True).accuracy[0])


def test_bad_data_is_explained() -> None:
    with pytest.raises(ValueError, match=r"fit: x has 300 samples but y has 299"):
        fit(mlp(), X, Y[:-1], epochs=1, quiet=True)
    with pytest.raises(
        ValueError, match=r"fit: labels must lie in \[0, 3\) for 3 classes, got values from 1 to 3"
    ):
        fit(mlp(), X, Y + 1, epochs=1, quiet=True)
    with pytest.raises(
        TypeError, match=r"fit expected x with a float dtype, got dtype int64.*astype\(np.float32\)"
    ):
        fit(mlp(), X.astype(np.int64), Y, epochs=1, quiet=True)
    with pytest.raises(ValueError, match=r"fit \(val\): x has 100 samples but y has 99"):
        fit(mlp(), X, Y, epochs=1, val=(X_VAL, Y_VAL[:-1]), quiet=True)
    with pytest.raises(ValueError, match=r"fit got no samples"):
        fit(mlp(), X[:0], Y[:0], epochs=1, quiet=True)
    with pytest.raises(ValueError, match=r"on_divergence must be 'raise' or 'stop'"):
        fit(mlp(), X, Y, epochs=1, on_divergence="ignore")


def test_progress_bar_can_be_shown(capsys: pytest.CaptureFixture[str]) -> None:
    fit(mlp(), X, Y, epochs=2, quiet=False)
    assert "fit" in capsys.readouterr().err
