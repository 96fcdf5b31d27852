"""`python -m course_lib.course.train_cnn` (`make train-cnn`) on a tiny run: options, files written, figures
printed, weights that reload; the network's shapes."""

import json

import numpy as np
import pytest

from course_lib.course import train_cnn
from course_lib.serialize import load_params

pytestmark = pytest.mark.slow


def test_a_tiny_run_writes_weights_numbers_and_plot_and_the_weights_reload(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["--epochs", "1", "--channels", "2", "4", "--hidden", "8", "--limit", "256", "--seed", "3"]
    assert train_cnn.main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "test accuracy:" in printed and "on 256 test images (seed 3)" in printed
    assert "training time:" in printed and "(256 images × 1 epoch; " in printed and "s of CPU time" in printed
    assert {p.name for p in out.iterdir()} == {"mnist_cnn.npz", "mnist_cnn.json", "mnist_cnn_loss.png"}
    assert (out / "mnist_cnn_loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    numbers = json.loads((out / "mnist_cnn.json").read_text())
    assert numbers["recipe"] == {"channels": [2, 4], "hidden": 8, "batch_size": 64, "lr": 0.002, "epochs": 1}
    assert numbers["n_train"] == 256 and numbers["seed"] == 3 and 0 <= numbers["test_accuracy"] <= 1
    assert numbers["seconds"] > 0 and numbers["cpu_seconds"] > 0
    model = train_cnn.build_cnn((2, 4), 8, seed=99)
    load_params(model, out / "mnist_cnn.npz")
    assert model.layers[0].params["W"].shape == (2, 1, 5, 5)
    untrained = train_cnn.build_cnn((2, 4), 8, seed=99)
    assert not np.array_equal(model.layers[0].params["W"], untrained.layers[0].params["W"])


def test_the_network_maps_digits_to_ten_logits_through_the_documented_shapes():
    model = train_cnn.build_cnn(seed=0)
    x = train_cnn.images(np.zeros((3, 784), np.float32))
    shapes = []
    for layer in model.layers:
        x = layer.forward(x)
        shapes.append(x.shape[1:])
    assert shapes[2] == (8, 14, 14) and shapes[5] == (16, 5, 5) and shapes[6] == (400,) and x.shape == (3, 10)


def test_predict_in_chunks_equals_one_forward_pass_up_to_float32_rounding():
    model = train_cnn.build_cnn(seed=0)
    x = np.random.default_rng(0).standard_normal((7, 1, 28, 28)).astype(np.float32)
    assert np.allclose(train_cnn.predict(model, x, batch_size=3), model.predict(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("args", "words"), [
    (["--epochs", "0"], "--epochs must be at least 1"),
    (["--channels", "0", "4"], "--channels must be at least 1 each"),
])
def test_bad_options_are_explained(args, words, capsys):
    with pytest.raises(SystemExit):
        train_cnn.main(args)
    assert words in capsys.readouterr().err
