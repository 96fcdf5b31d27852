"""`python -m course_lib.course.train_lm` (`make train-lm`) on a tiny run: options, files written, figures
printed, weights that reload; the network's shapes."""

import json

import numpy as np
import pytest

from course_lib.course import train_lm
from course_lib.serialize import load_params

pytestmark = pytest.mark.slow


def test_a_tiny_run_writes_weights_numbers_and_plot_and_the_weights_reload(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["--epochs", "1", "--dim", "3", "--hidden", "8", "--limit", "300", "--seeds", "3", "4"]
    assert train_lm.main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "seed 3: validation NLL" in printed and "seed 4: validation NLL" in printed
    assert "on 300 names" in printed and "mean over 2 seeds: validation" in printed
    names = {f"surnames_mlp_seed{s}{end}" for s in (3, 4) for end in (".npz", ".json", "_loss.png")}
    assert {p.name for p in out.iterdir()} == names
    numbers = json.loads((out / "surnames_mlp_seed3.json").read_text())
    recipe = {"model": "mlp", "context": 8, "dim": 3, "hidden": 8, "batch_size": 256, "lr": 0.01, "epochs": 1,
              "clip_norm": None}
    assert numbers["recipe"] == recipe
    assert numbers["n_train_names"] == 300 and 1.5 < numbers["val_nll"] < np.log(27) + 0.5
    model = train_lm.build_window_mlp(8, 3, 8, seed=99)
    load_params(model, out / "surnames_mlp_seed3.npz")
    untrained = train_lm.build_window_mlp(8, 3, 8, seed=99)
    assert not np.array_equal(model.layers[0].params["W"], untrained.layers[0].params["W"])


def test_the_network_maps_contexts_to_27_logits():
    model = train_lm.build_window_mlp(8, 24, 200, seed=0)
    assert model.forward(np.zeros((5, 8), np.int64)).shape == (5, 27)
    assert sum(p.value.size for p in model.parameters()) == 27 * 24 + 192 * 200 + 200 + 200 * 27 + 27


def test_a_tiny_gru_run_trains_on_padded_names(tmp_path, capsys):
    out = tmp_path / "gru"
    args = ["--model", "gru", "--epochs", "1", "--hidden", "6", "--limit", "200", "--seeds", "0"]
    assert train_lm.main([*args, "--out", str(out)]) == 0
    assert "seed 0: validation NLL" in capsys.readouterr().out
    numbers = json.loads((out / "surnames_gru_seed0.json").read_text())
    assert numbers["recipe"]["model"] == "gru" and numbers["recipe"]["clip_norm"] == 1.0
    model = train_lm.build_recurrent("gru", 24, 6, seed=5)
    load_params(model, out / "surnames_gru_seed0.npz")
    assert model.forward(np.zeros((2, 5), np.int64)).shape == (2, 5, 27)


def test_bad_options_are_refused(capsys):
    with pytest.raises(SystemExit):
        train_lm.main(["--epochs", "0"])
    assert "--epochs must be at least 1" in capsys.readouterr().err
