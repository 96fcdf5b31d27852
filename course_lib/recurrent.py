"""Recurrent layers for Part II: `RNN` (Elman, tanh) and `GRU`, a state carried along a sequence.

Derived in notebook 11. Both read x (batch, time, n_in), e.g. embedded characters, and return every hidden
state, H (batch, time, hidden), so that a Dense(hidden, vocab) on top predicts at every step. The state h_t
depends on x_1 … x_t only: padding after a sequence's end never reaches its real positions.

Backpropagation through time (BPTT) is backpropagation on the unrolled graph, in which the same weights
appear at every step. Backward walks the steps from the last to the first. The total gradient into h_t,
dh_t^total, is the gradient from the output at t plus the one flowing back from h_{t+1}; each layer keeps it
in `state_grads` (batch, time, hidden) after backward, the quantity whose norm notebook 11 plots against the
distance from the loss. A weight used at every step collects a gradient from each: the fork rule of
notebook 03.

Why a GRU rather than an LSTM: both are gated cells that keep gradients alive, but the GRU carries one state
instead of two (the LSTM's cell and hidden state), has three weight blocks instead of four, and has the same
additive path: h_t = (1 − z) ⊙ h_{t−1} + z ⊙ n lets the gradient pass through a step nearly unchanged when
the update gate z is near 0, where the Elman cell multiplies it by W_hᵀ and tanh' at every step.

Speed: the input part x_t W_x + b of every step is one matrix product before the loop, and its gradients
(dW_x, db, dx) one product after it; only what depends on h_{t−1} runs step by step, vectorized over the
batch.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from course_lib._validate import expect_sequences
from course_lib.init import xavier_uniform
from course_lib.layers import Layer


def orthogonal(n: int, rng: np.random.Generator, dtype: DTypeLike = np.float32) -> np.ndarray:
    """A random orthogonal matrix Q (n, n), QᵀQ = I: the Q of a Gaussian matrix's QR decomposition G = QR.

    Why for a recurrent matrix: every singular value of Q is 1, so ‖h Q‖ = ‖h‖ for every h. At
    initialization the recurrence therefore neither grows nor shrinks the state's norm, nor the gradient's
    (which goes back through Qᵀ), however many steps it runs: notebook 05's variance argument, applied step
    after step instead of layer after layer. The sign correction (column j times the sign of R_jj) makes the
    decomposition unique, so that Q is uniformly distributed over the orthogonal matrices instead of
    following the sign convention of the QR routine.
    """
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.sign(np.diag(r))).astype(dtype)


def _sigmoid_inplace(a: np.ndarray) -> np.ndarray:
    """a ← σ(a), computed as σ(a) = (1 + tanh(a/2)) / 2: the same function, which never overflows either,
    in a few passes over a with no new array (one tanh costs far less than `activations.sigmoid`'s
    logaddexp, and the GRU evaluates two gates at every step)."""
    a *= 0.5
    np.tanh(a, out=a)
    a += 1
    a *= 0.5
    return a


class _Recurrent(Layer):
    """What RNN and GRU share: weights in `blocks` blocks of `hidden` columns, the input part of every step
    as one product before the loop, its gradients as one product after it, and the input checks.

    Parameters: "W_x" (n_in, blocks·hidden), each block Xavier-uniform; "W_h" (hidden, blocks·hidden), each
    block orthogonal; "b" (blocks·hidden,) zeros. Drawn from one Generator np.random.default_rng(rng) in
    this order: the W_x blocks left to right, then the W_h blocks left to right.
    """

    decayed = ("W_x", "W_h")
    blocks: int

    def __init__(self, n_in: int, hidden: int, rng: np.random.Generator | int | None = None,
                 dtype: DTypeLike = np.float32) -> None:
        super().__init__()
        if not all(isinstance(n, int) and n >= 1 for n in (n_in, hidden)):
            raise ValueError(f"{type(self).__name__} needs positive integer sizes, got n_in={n_in!r}, "
                             f"hidden={hidden!r}.")
        self.n_in, self.hidden = n_in, hidden
        rng = np.random.default_rng(rng)
        W_x = np.concatenate([xavier_uniform(n_in, hidden, rng, dtype) for _ in range(self.blocks)], axis=1)
        W_h = np.concatenate([orthogonal(hidden, rng, dtype) for _ in range(self.blocks)], axis=1)
        self.params = {"W_x": W_x, "W_h": W_h, "b": np.zeros(self.blocks * hidden, dtype=dtype)}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        self.state_grads: np.ndarray | None = None

    def _project(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Check x, cast it to the weights' dtype; return rows = x (batch·time, n_in) and the input part
        x_t W_x + b of every step at once, (batch, time, blocks·hidden), a fresh array the loop may overwrite.
        """
        expect_sequences(x, self.n_in, repr(self))
        rows = x.astype(self.params["W_x"].dtype, copy=False).reshape(-1, self.n_in)
        projected = rows @ self.params["W_x"] + self.params["b"]
        return rows, projected.reshape(*x.shape[:2], -1)

    def _input_grads(self, rows: np.ndarray, da: np.ndarray, input_grad: bool) -> np.ndarray | None:
        """dW_x, db and dx from da (batch, time, blocks·hidden), ∂L/∂ of every step's pre-activations."""
        da_rows = da.reshape(-1, da.shape[-1])
        # dW_x += x_tᵀ da_t and db += Σ_batch da_t at every step (W_x and b serve every step and collect a
        # gradient from each: the fork rule), summed over batch and time at once by one product.
        np.matmul(rows.T, da_rows, out=self.grads["W_x"])
        da_rows.sum(axis=0, out=self.grads["b"])
        if not input_grad:
            return None
        return (da_rows @ self.params["W_x"].T).reshape(*da.shape[:2], self.n_in)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.n_in}→{self.hidden})"


class RNN(_Recurrent):
    """Elman recurrent layer: h_t = tanh(x_t W_x + h_{t−1} W_h + b), h_0 = 0, every h_t returned.

    Shapes: x (batch, time, n_in), W_x (n_in, hidden), W_h (hidden, hidden), b (hidden,),
    y = H (batch, time, hidden) with H[:, t] = h_t; x_t, h_t are (batch, n_in), (batch, hidden).
    Init: W_x Xavier-uniform, W_h orthogonal (see `orthogonal`: at first the recurrence keeps the state's
    norm), b zeros, from one Generator np.random.default_rng(rng), W_x first.

    Backward through time, from the last step to the first, with a_t = x_t W_x + h_{t−1} W_h + b:
        h_t feeds the output at t and a_{t+1}, so its total gradient is
            dh_t^total = ∂L/∂y_t + da_{t+1} W_hᵀ   (no second term at the last step),
        da_t = dh_t^total ⊙ (1 − h_t²)            (tanh' = 1 − tanh²),
        dW_x += x_tᵀ da_t,  dW_h += h_{t−1}ᵀ da_t,  db += Σ_batch da_t   (the fork rule: summed over steps),
        dx_t = da_t W_xᵀ,  and da_t W_hᵀ is the gradient passed to h_{t−1}.
    Each step multiplies the gradient by W_hᵀ and by tanh' ≤ 1: over many steps it shrinks or grows
    geometrically (vanishing and exploding gradients). `state_grads` (batch, time, hidden) keeps
    dh_t^total of every step after backward.
    """

    blocks = 1

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x (batch, time, n_in) -> H (batch, time, hidden). `training` changes nothing."""
        rows, states = self._project(x)  # x_t W_x + b for every t, overwritten by h_t step by step
        W_h = self.params["W_h"]
        for t in range(states.shape[1]):
            if t:  # h_0 = 0 adds nothing at the first step
                states[:, t] += states[:, t - 1] @ W_h
            np.tanh(states[:, t], out=states[:, t])
        return self._remember(states, rows, states)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """grad_out: ∂L/∂H (batch, time, hidden) -> ∂L/∂x (batch, time, n_in); fills grads, state_grads."""
        rows, states = self._cached(grad_out)
        W_h, dW_h = self.params["W_h"], self.grads["W_h"]
        dW_h.fill(0)
        self.state_grads = total = np.empty_like(states)
        da = np.empty_like(states)  # da[:, t] = ∂L/∂a_t
        from_next = np.zeros_like(states[:, 0])  # the gradient reaching h_t through h_{t+1}
        for t in reversed(range(states.shape[1])):
            np.add(grad_out[:, t], from_next, out=total[:, t])
            np.multiply(total[:, t], 1 - states[:, t] ** 2, out=da[:, t])
            if t:  # h_0 = 0 is a constant: nothing to pass further back
                dW_h += states[:, t - 1].T @ da[:, t]  # W_h serves every step, collects from each: fork rule
                from_next = da[:, t] @ W_h.T
        return self._input_grads(rows, da, input_grad)


class GRU(_Recurrent):
    """Gated recurrent unit: a state updated by a gated, additive step, every h_t returned (h_0 = 0).

        z_t = σ(x_t W_xz + h_{t−1} W_hz + b_z)              update gate: how much of the state to renew
        r_t = σ(x_t W_xr + h_{t−1} W_hr + b_r)              reset gate: how much of h_{t−1} the candidate sees
        n_t = tanh(x_t W_xn + (r_t ⊙ h_{t−1}) W_hn + b_n)   candidate state
        h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ n_t

    Shapes: x (batch, time, n_in), y = H (batch, time, hidden) with H[:, t] = h_t. Parameters, blocks of
    `hidden` columns in the order z, r, n: "W_x" (n_in, 3·hidden) = [W_xz | W_xr | W_xn],
    "W_h" (hidden, 3·hidden) = [W_hz | W_hr | W_hn], "b" (3·hidden,) = [b_z | b_r | b_n].
    Init: each W_x block Xavier-uniform, each W_h block orthogonal, b zeros (so z, r start near ½), from one
    Generator np.random.default_rng(rng): the W_x blocks z, r, n, then the W_h blocks z, r, n.

    Backward through time, from the last step to the first, with a_z, a_r, a_n the three pre-activations,
    h = h_{t−1}, c = r_t ⊙ h the candidate's recurrent input, and dh = dh_t^total = ∂L/∂y_t + (everything
    h_t passes to step t+1, below):
        h_t = h + z_t ⊙ (n_t − h):  dn = dh ⊙ z_t,  dz = dh ⊙ (n_t − h),  and h receives dh ⊙ (1 − z_t);
        da_n = dn ⊙ (1 − n_t²);  dc = da_n W_hnᵀ,  dr = dc ⊙ h,  and h receives dc ⊙ r_t;
        da_z = dz ⊙ z_t (1 − z_t),  da_r = dr ⊙ r_t (1 − r_t)   (σ' = σ (1 − σ));
        dW_hz += hᵀ da_z,  dW_hr += hᵀ da_r,  dW_hn += cᵀ da_n   (the fork rule: summed over steps);
        the gradient passed to h_{t−1}: dh ⊙ (1 − z_t) + dc ⊙ r_t + da_z W_hzᵀ + da_r W_hrᵀ;
    and, after the loop, with da_t = [da_z | da_r | da_n] (batch, 3·hidden): dW_x = Σ_t x_tᵀ da_t,
    db = Σ_{batch, time} da_t, dx_t = da_t W_xᵀ. The first term, dh ⊙ (1 − z_t), passes the gradient on
    nearly unchanged where z_t ≈ 0: no W_hᵀ, no tanh'. `state_grads` (batch, time, hidden) keeps
    dh_t^total of every step after backward.
    """

    blocks = 3

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x (batch, time, n_in) -> H (batch, time, hidden). `training` changes nothing."""
        rows, gates = self._project(x)  # x_t W_x + b for every t, overwritten by z_t | r_t | n_t step by step
        k = self.hidden
        W_h = self.params["W_h"]
        states = np.empty((*gates.shape[:2], k), dtype=gates.dtype)
        h = np.zeros_like(states[:, 0])
        for t in range(gates.shape[1]):
            zr, n = gates[:, t, : 2 * k], gates[:, t, 2 * k :]
            zr += h @ W_h[:, : 2 * k]
            _sigmoid_inplace(zr)
            z, r = zr[:, :k], zr[:, k:]
            n += (r * h) @ W_h[:, 2 * k :]
            np.tanh(n, out=n)
            h = states[:, t] = h + z * (n - h)
        return self._remember(states, rows, gates, states)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """grad_out: ∂L/∂H (batch, time, hidden) -> ∂L/∂x (batch, time, n_in); fills grads, state_grads."""
        rows, gates, states = self._cached(grad_out)
        k = self.hidden
        W_h, dW_h = self.params["W_h"], self.grads["W_h"]
        dW_h.fill(0)
        self.state_grads = total = np.empty_like(states)
        da = np.empty_like(gates)  # da[:, t] = [da_z | da_r | da_n], ∂L/∂ of step t's pre-activations
        from_next = np.zeros_like(states[:, 0])  # the gradient reaching h_t through h_{t+1}
        h0 = np.zeros_like(states[:, 0])
        for t in reversed(range(gates.shape[1])):
            dh = np.add(grad_out[:, t], from_next, out=total[:, t])
            h = states[:, t - 1] if t else h0
            z, r, n = gates[:, t, :k], gates[:, t, k : 2 * k], gates[:, t, 2 * k :]
            da_z, da_r, da_n = da[:, t, :k], da[:, t, k : 2 * k], da[:, t, 2 * k :]
            np.multiply(dh * z, 1 - n * n, out=da_n)
            np.multiply(dh * (n - h), z * (1 - z), out=da_z)
            dc = da_n @ W_h[:, 2 * k :].T
            np.multiply(dc * h, r * (1 - r), out=da_r)
            if t:  # h_0 = 0 is a constant: nothing to pass further back
                # W_h serves every step and collects a gradient from each: the fork rule
                dW_h[:, : 2 * k] += h.T @ da[:, t, : 2 * k]
                dW_h[:, 2 * k :] += (r * h).T @ da_n
                from_next = dh * (1 - z) + dc * r + da[:, t, : 2 * k] @ W_h[:, : 2 * k].T
        return self._input_grads(rows, da, input_grad)
