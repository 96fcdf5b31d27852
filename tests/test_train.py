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
    assert all(p.value.dtype == np.float32 for p in model.parameters())


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
    expected = [0.1] * steps_per_epoch + [0.05] * steps_per_epoch + [0.025] * steps_per_epoch
    assert history.batch_lr == pytest.approx(expected)
    assert len(history.batch_loss) == 3 * steps_per_epoch


class Recorder:
    """Keeps every call fit makes, and asks to stop after epoch `stop_after` (None: never)."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.steps: list[tuple[int, float, float, int]] = []
        self.epochs: list[tuple[int, int]] = []
        self.stop_after = stop_after

    def on_step(self, step: int, model: Sequential, loss: float, lr: float, batch_size: int) -> None:
        self.steps.append((step, loss, lr, batch_size))

    def on_epoch(self, epoch: int, history) -> bool:
        self.epochs.append((epoch, len(history.loss)))
        return epoch == self.stop_after


def test_callbacks_see_every_step_and_epoch_in_order() -> None:
    recorder = Recorder()
    history = fit(mlp(), X, Y, epochs=2, batch_size=128, lr=0.1, quiet=True, callbacks=[recorder])
    assert [s[0] for s in recorder.steps] == list(range(6))
    assert [s[3] for s in recorder.steps] == [128, 128, 44] * 2  # 300 = 128 + 128 + 44
    assert [s[1] for s in recorder.steps] == history.batch_loss
    assert [s[2] for s in recorder.steps] == history.batch_lr == [0.1] * 6
    assert recorder.epochs == [(0, 1), (1, 2)]


def test_on_step_sees_the_gradient_before_the_update() -> None:
    class Snapshot:
        def on_step(self, step, model, loss, lr, batch_size):
            self.before = [(p.value.copy(), p.grad.copy()) for p in model.parameters()]

    model, snapshot = mlp(), Snapshot()
    fit(model, X, Y, epochs=1, batch_size=len(X), lr=0.1, quiet=True, callbacks=[snapshot])
    for (value, grad), p in zip(snapshot.before, model.parameters(), strict=True):
        np.testing.assert_allclose(p.value, value - 0.1 * grad, rtol=1e-6, atol=1e-7)


def test_a_callback_can_stop_training_after_an_epoch() -> None:
    history = fit(mlp(), X, Y, epochs=5, quiet=True, callbacks=[Recorder(stop_after=1)])
    assert history.stopped and len(history.loss) == 2


def test_callbacks_without_hooks_and_lr_beside_an_optimizer_are_refused() -> None:
    with pytest.raises(TypeError, match=r"callback 3 has neither on_step nor on_epoch"):
        fit(mlp(), X, Y, epochs=1, quiet=True, callbacks=[3])
    model = mlp()
    with pytest.raises(ValueError, match=r"fit got both an optimizer \(Momentum\(lr=0.1\)\) and lr=0.5"):
        fit(model, X, Y, epochs=1, optimizer=Momentum(model, 0.1), lr=0.5, quiet=True)


def test_shuffle_false_is_full_batch_descent_in_order() -> None:
    a, b = mlp(), mlp()
    fit(a, X, Y, epochs=2, batch_size=len(X), shuffle=False, seed=1, quiet=True)
    fit(b, X, Y, epochs=2, batch_size=len(X), shuffle=False, seed=2, quiet=True)
    assert all(np.array_equal(p.value, q.value) for p, q in zip(a.parameters(), b.parameters(), strict=True))


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
    assert not history.diverged and 1 <= history.clipped_steps < len(history.batch_loss)
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
