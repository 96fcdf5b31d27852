"""`Embedding`: a learned vector for every symbol, looked up by integer id (Part II).

Derived in notebook 10. A one-hot row times a matrix picks one of its rows: onehot(i) @ W = W[i]. So the
first layer of a language model, one-hot ids × W, is a row lookup, which is what `Embedding` computes
without ever building the one-hot matrix.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from course_lib._validate import expect_ids
from course_lib.layers import Layer


class Embedding(Layer):
    """y[..., :] = W[ids[...], :]: the row of W for every id.

    Shapes: ids (...) integers in [0, vocab_size) of any shape, e.g. (batch,) or (batch, time);
    W (vocab_size, dim); y (..., dim), the ids' shape plus a last axis of `dim`.
    Backward: dW[v] = Σ_{positions p with ids[p] = v} dy[p]. A row used at many positions collects a
    gradient from each (the fork rule of notebook 03), added up with np.add.at; rows no id used get 0.
    The ids are integers, not a differentiable input: backward returns None.
    W starts as N(0, std²) (std 1 by default, as in PyTorch); std=0 starts at zero.
    """

    decayed = ("W",)
    takes_ids = True

    def __init__(self, vocab_size: int, dim: int, std: float = 1.0,
                 rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float32) -> None:
        super().__init__()
        if not all(isinstance(n, int) and n >= 1 for n in (vocab_size, dim)):
            raise ValueError(f"Embedding needs positive integer sizes, got vocab_size={vocab_size!r}, "
                             f"dim={dim!r}.")
        self.vocab_size, self.dim = vocab_size, dim
        W = np.random.default_rng(rng).standard_normal((vocab_size, dim), dtype=dtype) * float(std)
        self.params = {"W": W}
        self.grads = {"W": np.zeros_like(W)}

    def forward(self, ids: np.ndarray, training: bool = True) -> np.ndarray:
        expect_ids(ids, self.vocab_size, repr(self))
        return self._remember(self.params["W"][ids], ids)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> None:
        (ids,) = self._cached(grad_out)
        dW = self.grads["W"]
        dW.fill(0)
        np.add.at(dW, ids.reshape(-1), grad_out.reshape(-1, self.dim))  # repeated ids add up
        return None

    def __repr__(self) -> str:
        return f"Embedding({self.vocab_size}, {self.dim})"

