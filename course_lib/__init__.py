"""Neural Networks from First Principles: the NumPy library the course notebooks build.

One idea per module; the course machinery around it (exercise checks, widgets, command lines) lives in
`course_lib.course`, which no module here imports. The modules by part of the course:

Part I, images (notebooks 01–09): matrix, activations, autograd, losses, layers, network, init, optim,
schedules, lr_find, train, diagnostics, gradcheck, metrics, serialize, plots, toy_data, data, digits.

Part II, sequences (notebooks 10–12): text (the surnames, the vocabulary, the split, the arrays models
read), embedding (`Embedding`), sampling (temperature, categorical draws, names one character at a time),
recurrent (`RNN`, `GRU`), transformer (`LayerNorm`, `CausalSelfAttention`, `TransformerBlock`,
`TokenAndPosition`, `gpt`); `losses.sequence_cross_entropy` and `fit` on integer ids serve both parts.
"""

PART_I = ("matrix", "activations", "autograd", "losses", "layers", "network", "init", "optim", "schedules",
          "lr_find", "train", "diagnostics", "gradcheck", "metrics", "serialize", "plots", "toy_data", "data",
          "digits")
PART_II = ("text", "embedding", "sampling", "recurrent", "transformer")


def __getattr__(name: str) -> str:
    """``course_lib.__version__``: the version in pyproject.toml, as installed (``pip install -e .``
    records it), so there is one source of truth. Looked up on first use, because importlib.metadata
    is slow to import and ``import course_lib.data`` stays light."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("course_lib")
    except PackageNotFoundError:  # a copy of the folder that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
