"""Save and load a model's parameters as a NumPy .npz archive (no pickle, so safe to share).

Used in notebook 07 (MNIST) to keep a trained network. Keys are "<layer_name>.<key>", e.g. "0.Dense.W".
Loading copies values into the model's existing arrays (in place), so optimizers stay attached.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from course_lib.optim import HasParameters


def save_params(model: HasParameters, path: str | os.PathLike) -> Path:
    """Write every parameter to `path` (".npz" is appended if missing); returns the file's path."""
    path = Path(path)
    path = path if path.suffix == ".npz" else path.with_name(path.name + ".npz")
    np.savez(path, **{p.name: p.value for p in model.parameters()})
    return path


def load_params(model: HasParameters, path: str | os.PathLike) -> None:
    """Load parameters saved by `save_params` into `model`; keys and shapes must match exactly."""
    params = {p.name: p.value for p in model.parameters()}
    with np.load(path, allow_pickle=False) as archive:
        missing, unexpected = params.keys() - archive.files, set(archive.files) - params.keys()
        if missing or unexpected:
            raise ValueError(
                f"load_params: {path} does not fit this model. Missing from the file: {sorted(missing)}; "
                f"in the file but not in the model: {sorted(unexpected)}."
            )
        values = {key: archive[key] for key in params}
    for key, param in params.items():
        if values[key].shape != param.shape:
            raise ValueError(
                f"load_params: {key} has shape {param.shape} in the model but {values[key].shape} in {path}."
            )
    for key, param in params.items():
        param[...] = values[key]
