"""`Network`: the classic first neural-network API, built on `layers.Sequential` and `Dense`.

Derived in notebook 02 (forward pass) and notebook 04 (backpropagation). The API follows the
from-scratch tutorials learners meet first: a list of layer sizes, weights and biases, one
activation, a learning rate, `feed_forward`, `back_propagate` and `train`.
Every Dense layer is followed by the activation, the output layer included (sigmoid outputs in
(0, 1) suit targets like XOR's). The loss is the mean squared error, L = (1/B) Σ_b Σ_j (y_bj − t_bj)².
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from course_lib.layers import Dense, Sequential, activation_layer
from course_lib.losses import mse
from course_lib.optim import SGD


class Network:
    """Fully connected network with sizes `layers`, e.g. [2, 3, 1]: 2 inputs, 3 hidden units, 1 output.

    Attributes: `layers` (the sizes), `weights` (W_l: (layers[l], layers[l+1])), `biases`
    (b_l: (layers[l+1],)) — the very arrays of the Dense layers in `model`, so editing them edits the network.
    """

    def __init__(
        self,
        layers: Sequence[int],
        activation: str = "sigmoid",
        learning_rate: float = 0.5,
        seed: int = 0,
        init: str = "xavier",
        dtype: DTypeLike = np.float32,
    ) -> None:
        if len(layers) < 2:
            raise ValueError(
                f"Network needs at least an input and an output size, e.g. [2, 1]; got {layers}."
            )
        rng = np.random.default_rng(seed)
        modules = []
        for n_in, n_out in zip(layers[:-1], layers[1:], strict=True):
            modules += [Dense(n_in, n_out, init=init, rng=rng, dtype=dtype), activation_layer(activation)]
        self.layers = list(layers)
        self.activation = activation
        self.dtype = np.dtype(dtype)
        self.model = Sequential(*modules)
        self.optimizer = SGD(self.model, learning_rate)

    @property
    def learning_rate(self) -> float:
        return self.optimizer.lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.optimizer.lr = value

    @property
    def weights(self) -> list[np.ndarray]:
        return [layer.W for layer in self.model.layers if isinstance(layer, Dense)]

    @property
    def biases(self) -> list[np.ndarray]:
        return [layer.b for layer in self.model.layers if isinstance(layer, Dense)]

    def parameters(self) -> Iterator[tuple[str, str, np.ndarray, np.ndarray]]:
        return self.model.parameters()

    def feed_forward(self, inputs: ArrayLike) -> np.ndarray:
        """inputs: (batch, layers[0]) -> outputs (batch, layers[-1]). Lists are converted to arrays."""
        return self.model.predict(np.asarray(inputs, dtype=self.dtype))

    def back_propagate(self, inputs: ArrayLike, targets: ArrayLike) -> float:
        """One gradient-descent step on the MSE of (inputs, targets); returns the loss before the step.

        inputs: (batch, layers[0]), targets: (batch, layers[-1]).
        """
        loss, grad = mse(self.model.forward(np.asarray(inputs, dtype=self.dtype)), np.asarray(targets))
        self.model.backward(grad)
        self.optimizer.step()
        return loss

    def train(self, inputs: ArrayLike, targets: ArrayLike, epochs: int) -> np.ndarray:
        """Full-batch gradient descent for `epochs` steps; returns the loss of each epoch, (epochs,)."""
        x, t = np.asarray(inputs, dtype=self.dtype), np.asarray(targets, dtype=self.dtype)
        return np.array([self.back_propagate(x, t) for _ in range(epochs)])

    def __repr__(self) -> str:
        return f"Network({self.layers}, activation={self.activation!r}, learning_rate={self.learning_rate:g})"
