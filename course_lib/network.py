"""`Network`: the classic first neural-network API, a `Sequential` built by `layers.mlp`.

Derived in notebook 02 (forward pass) and notebook 04 (backpropagation). The API follows the
from-scratch tutorials learners meet first: a list of layer sizes, weights and biases, one
activation, a learning rate, `feed_forward`, `back_propagate` and `train`.
Every Dense layer is followed by the activation, the output layer included (sigmoid outputs in
(0, 1) suit targets like XOR's). The loss is the mean squared error, L = (1/B) Σ_b Σ_j (y_bj − t_bj)².
Training is `train.fit` with the whole data set as one batch, in order: plain gradient descent.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from course_lib.layers import Dense, Sequential, mlp
from course_lib.optim import SGD
from course_lib.train import History, fit


class Network(Sequential):
    """Fully connected network with layer sizes `sizes`, e.g. [2, 3, 1]: 2 inputs, 3 hidden units, 1 output.

    Attributes: `sizes`, `weights` (W_l: (sizes[l], sizes[l+1])), `biases` (b_l: (sizes[l+1],)) — the
    very arrays of its Dense layers, so editing them edits the network — and `learning_rate`.
    It is a `Sequential` (its `layers` are Dense, activation, Dense, activation, …), so everything that
    takes a model (fit, gradcheck, save_params) takes a Network.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        learning_rate: float = 0.5,
        seed: int = 0,
        init: str = "xavier",
        dtype: DTypeLike = np.float32,
    ) -> None:
        if len(sizes) < 2:
            raise ValueError(f"Network needs at least an input and an output size, e.g. [2, 1]; got {sizes}.")
        built = mlp(sizes, activation, init=init, seed=seed, dtype=dtype, output_init=init,
                    output_activation=activation)
        super().__init__(*built.layers)
        self.sizes = list(sizes)
        self.activation = activation
        self.dtype = np.dtype(dtype)
        self.optimizer = SGD(self, learning_rate)

    @property
    def learning_rate(self) -> float:
        return self.optimizer.lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.optimizer.lr = value

    @property
    def weights(self) -> list[np.ndarray]:
        return [layer.W for layer in self.layers if isinstance(layer, Dense)]

    @property
    def biases(self) -> list[np.ndarray]:
        return [layer.b for layer in self.layers if isinstance(layer, Dense)]

    def feed_forward(self, inputs: ArrayLike) -> np.ndarray:
        """inputs: (batch, sizes[0]) -> outputs (batch, sizes[-1]). Lists are converted to arrays."""
        return self.predict(np.asarray(inputs, dtype=self.dtype))

    def _descend(self, inputs: ArrayLike, targets: ArrayLike, epochs: int,
                 callbacks: Sequence[object] = ()) -> History:
        """`epochs` steps of gradient descent on the MSE over all of (inputs, targets)."""
        x, t = np.asarray(inputs, dtype=self.dtype), np.asarray(targets, dtype=self.dtype)
        return fit(self, x, t, epochs=epochs, batch_size=len(x), optimizer=self.optimizer, loss="mse",
                   shuffle=False, callbacks=callbacks, quiet=True)

    def back_propagate(self, inputs: ArrayLike, targets: ArrayLike) -> float:
        """One gradient-descent step on the MSE of (inputs, targets); returns the loss before the step.

        inputs: (batch, sizes[0]), targets: (batch, sizes[-1]).
        """
        return self._descend(inputs, targets, 1).batch_loss[0]

    def train(self, inputs: ArrayLike, targets: ArrayLike, epochs: int,
              callbacks: Sequence[object] = ()) -> np.ndarray:
        """Full-batch gradient descent for `epochs` steps; returns the loss of each epoch, (epochs,).

        callbacks: as for `train.fit`, e.g. an object whose on_epoch(epoch, history) keeps snapshots.
        """
        return np.array(self._descend(inputs, targets, epochs, callbacks).batch_loss)

    def __repr__(self) -> str:
        return f"Network({self.sizes}, activation={self.activation!r}, learning_rate={self.learning_rate:g})"
