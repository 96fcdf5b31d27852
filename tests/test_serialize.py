from pathlib import Path

import numpy as np
import pytest

from course_lib.layers import Dense, ReLU, Sequential
from course_lib.serialize import load_params, save_params


def model(seed: int, hidden: int = 4) -> Sequential:
    return Sequential(Dense(3, hidden, rng=seed), ReLU(), Dense(hidden, 2, rng=seed + 1))


def test_save_then_load_restores_every_parameter_in_place(tmp_path: Path) -> None:
    path = save_params(model(0), tmp_path / "weights")
    assert path.name == "weights.npz"
    target = model(5)
    W = target.layers[0].W
    load_params(target, path)
    assert target.layers[0].W is W
    for p, q in zip(model(0).parameters(), target.parameters(), strict=True):
        a, b = p.value, q.value
        np.testing.assert_array_equal(a, b)


def test_shape_mismatch_names_the_parameter_and_both_shapes(tmp_path: Path) -> None:
    path = save_params(model(0, hidden=5), tmp_path / "w.npz")
    target = model(1)
    before = target.layers[0].W.copy()
    with pytest.raises(ValueError, match=r"0.Dense.W has shape \(3, 4\) in the model but \(3, 5\) in"):
        load_params(target, path)
    np.testing.assert_array_equal(target.layers[0].W, before)


def test_key_mismatch_lists_missing_and_unexpected(tmp_path: Path) -> None:
    path = save_params(Sequential(Dense(3, 2)), tmp_path / "w.npz")
    with pytest.raises(
        ValueError, match=r"Missing from the file: \['2.Dense.W', '2.Dense.b'\]; in the file but"
    ):
        load_params(model(0), path)
