"""A GPT for Part II: `LayerNorm`, `CausalSelfAttention`, `TransformerBlock`, `TokenAndPosition`, `gpt`.

Derived in notebook 12. A GPT reads ids (batch, time) and predicts, at every position t, the next id from the
ids at positions 0 … t: token and position vectors, n_layers blocks, a final LayerNorm and a Dense head give
logits (batch, time, vocab) for `losses.sequence_cross_entropy`. Inside a block, attention is the only place
where positions exchange information, and its causal mask lets position t read positions ≤ t only: padding
after a sequence's end never reaches its real positions (a test changes the padded ids: nothing moves).

Every layer keeps the Layer protocol of `course_lib.layers`: forward caches, backward fills `grads` and
returns dL/dx. Attention computes every head of every sequence at once, as batched matrix products over the
axes (batch, heads): no Python loop over heads or positions. Speed: q, k and v come from one matrix product,
and the scale 1/√d_k, the mask and the softmax work in place on the scores.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import DTypeLike

from course_lib._validate import expect_batch, expect_ids, expect_sequences
from course_lib.init import xavier_uniform
from course_lib.layers import GELU, Dense, Layer, Sequential


def _expect_sizes(where: str, **sizes: int) -> None:
    """Raise unless every size is a positive integer, naming them all."""
    if not all(isinstance(n, int) and n >= 1 for n in sizes.values()):
        given = ", ".join(f"{name}={n!r}" for name, n in sizes.items())
        raise ValueError(f"{where} needs positive integer sizes, got {given}.")


def _expect_context(time: int, block_size: int, where: str, shape: tuple[int, ...]) -> None:
    """Raise unless a sequence of `time` positions fits the `block_size` positions the layer was built for."""
    if time > block_size:
        raise ValueError(f"{where} got sequences of {time} positions (input of shape {shape}), but it was "
                         f"built for at most block_size={block_size}. Cut the sequences to their last "
                         f"{block_size} positions, e.g. ids[:, -{block_size}:], or build the model with "
                         f"block_size ≥ {time}.")


class LayerNorm(Layer):
    """Layer normalization (Ba, Kiros & Hinton, 2016): every token's vector normalized over its own features.

    Shapes: x, y, dy, dx (..., features), e.g. (batch, time, features); γ ("gamma", starts at 1) and β
    ("beta", starts at 0) are (features,). For every token (every index of the leading axes), with means over
    the F features of its last axis:
        μ = mean_f x,  σ² = mean_f (x − μ)²  (biased: divides by F),  s = √(σ² + ε),
        x̂ = (x − μ) / s,  y = γ ⊙ x̂ + β.
    Unlike notebook 05's `BatchNorm`, which normalizes each feature over the batch, the statistics are per
    token over the features: no token depends on the others, so the layer computes the same in training and
    in evaluation and keeps no running statistics.
    Backward, with dx̂ = dy ⊙ γ and the sums over every leading axis (γ and β serve every token and collect a
    gradient from each: the fork rule of notebook 03):
        dβ = Σ dy,  dγ = Σ dy ⊙ x̂,  dx = (1/s) (dx̂ − mean_f dx̂ − x̂ ⊙ mean_f(dx̂ ⊙ x̂)),
    the same formula as BatchNorm's, along the other axis: μ and σ² depend on every feature of the token,
    which adds the two mean terms to dx̂ / s. γ and β are not weight-decayed (`decayed = ()`).
    """

    def __init__(self, features: int, eps: float = 1e-5, dtype: DTypeLike = np.float32) -> None:
        super().__init__()
        _expect_sizes("LayerNorm", features=features)
        self.features, self.eps = features, eps
        self.params = {"gamma": np.ones(features, dtype=dtype), "beta": np.zeros(features, dtype=dtype)}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x (..., features) -> y (..., features). `training` changes nothing."""
        expect_batch(x, self.features, repr(self), leading_axes=True)
        x_hat = x.astype(self.params["gamma"].dtype)  # a fresh array, centred and scaled in place
        x_hat -= x_hat.mean(axis=-1, keepdims=True)
        inv_std = np.mean(x_hat * x_hat, axis=-1, keepdims=True)
        inv_std += self.eps
        np.sqrt(inv_std, out=inv_std)
        np.reciprocal(inv_std, out=inv_std)  # 1/s (..., 1)
        x_hat *= inv_std
        return self._remember(x_hat * self.params["gamma"] + self.params["beta"], x_hat, inv_std)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """grad_out: dL/dy (..., features) -> dL/dx (..., features); fills grads["gamma"], grads["beta"]."""
        x_hat, inv_std = self._cached(grad_out)
        dy_rows, x_hat_rows = grad_out.reshape(-1, self.features), x_hat.reshape(-1, self.features)
        dy_rows.sum(axis=0, out=self.grads["beta"])
        np.sum(dy_rows * x_hat_rows, axis=0, out=self.grads["gamma"])
        if not input_grad:
            return None
        dx = grad_out * self.params["gamma"]  # dx̂, turned into dx in place
        mean_dxhat_xhat = np.mean(dx * x_hat, axis=-1, keepdims=True)
        dx -= dx.mean(axis=-1, keepdims=True)
        dx -= x_hat * mean_dxhat_xhat
        dx *= inv_std
        return dx

    def __repr__(self) -> str:
        return f"LayerNorm({self.features})"


class CausalSelfAttention(Layer):
    """Multi-head causal self-attention: every position a weighted average of the values at positions ≤ it.

    Shapes: x, y (batch, time, d_model) with time ≤ block_size; H = n_heads heads of d_k = d_model / H
    features. Parameters: "W_qkv" (d_model, 3·d_model) = [W_q | W_k | W_v], "b_qkv" (3·d_model,),
    "W_o" (d_model, d_model), "b_o" (d_model,). Within each of the q, k, v blocks, head h owns the columns
    h·d_k … (h+1)·d_k − 1.
        [q | k | v] = x W_qkv + b_qkv   (one matrix product; q, k, v split into heads: (batch, H, time, d_k))
        S = q kᵀ / √d_k                 (batch, H, time, time): how well query t matches key j
        S_tj = −∞ for j > t             (the causal mask: no position reads the future)
        A = softmax(S) row by row       (batch, H, time, time): row t sums to 1, zeros above the diagonal
        O = A v                         (batch, H, time, d_k): each head's average of the values
        y = concat_heads(O) W_o + b_o   (heads side by side again: (batch, time, d_model))
    Why √d_k: with q, k of independent unit-variance entries, q·k sums d_k products and has variance d_k
    (notebook 05's argument); dividing by √d_k keeps the scores' variance near 1, so that at initialization
    the softmax does not saturate on one key. `attention` keeps the last forward's A (batch, H, time, time).

    Backward, per (sequence, head), with dO the gradient of O from dy's product with W_oᵀ:
        dV = Aᵀ dO,  dA = dO Vᵀ,
        dS = A ⊙ (dA − Σ_j dA ⊙ A)   row by row (softmax's vector-Jacobian product, as `layers.Softmax`),
        masked positions get dS = 0 (A is exactly 0 there), and with the scale folded into dS:
        dQ = dS K / √d_k,  dK = dSᵀ Q / √d_k;
    then, with dQKV = [dQ | dK | dV] back in W_qkv's column layout: dW_qkv = xᵀ dQKV, db_qkv = Σ dQKV,
    dx = dQKV W_qkvᵀ, and dW_o = concat(O)ᵀ dy, db_o = Σ dy. The weights serve every position of every
    sequence and collect a gradient from each (the fork rule of notebook 03): each product sums over batch
    and time. The key bias b_k gets a zero gradient: it adds q·b_k to a whole row of scores, which softmax
    ignores.
    Init: each of W_qkv's blocks W_q, W_k, W_v (d_model, d_model), then W_o, Xavier-uniform (limit
    √(6 / (2·d_model))), drawn in that order from np.random.default_rng(rng); biases 0.
    """

    decayed = ("W_qkv", "W_o")

    def __init__(self, d_model: int, n_heads: int, block_size: int,
                 rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float32) -> None:
        super().__init__()
        _expect_sizes("CausalSelfAttention", d_model=d_model, n_heads=n_heads, block_size=block_size)
        if d_model % n_heads:
            divisors = [h for h in range(1, d_model + 1) if d_model % h == 0]
            raise ValueError(f"CausalSelfAttention: d_model={d_model} must split evenly into "
                             f"n_heads={n_heads} heads of d_k = d_model / n_heads features; choose n_heads "
                             f"among {divisors}.")
        self.d_model, self.n_heads, self.block_size = d_model, n_heads, block_size
        self.d_k = d_model // n_heads
        rng = np.random.default_rng(rng)
        W_qkv = np.concatenate([xavier_uniform(d_model, d_model, rng, dtype) for _ in "qkv"], axis=1)
        W_o = xavier_uniform(d_model, d_model, rng, dtype)
        self.params = {"W_qkv": W_qkv, "b_qkv": np.zeros(3 * d_model, dtype=dtype),
                       "W_o": W_o, "b_o": np.zeros(d_model, dtype=dtype)}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        self.mask = np.triu(np.full((block_size, block_size), -np.inf, dtype=dtype), k=1)  # −∞ above diagonal
        self.attention: np.ndarray | None = None

    def _heads(self, qkv: np.ndarray, batch: int, time: int) -> np.ndarray:
        """(batch·time, 3·d_model), columns [q | k | v] -> a view (3, batch, H, time, d_k): q, k, v by head.
        """
        return qkv.reshape(batch, time, 3, self.n_heads, self.d_k).transpose(2, 0, 3, 1, 4)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x (batch, time, d_model) -> y (batch, time, d_model). `training` changes nothing."""
        expect_sequences(x, self.d_model, repr(self))
        batch, time, _ = x.shape
        _expect_context(time, self.block_size, repr(self), x.shape)
        p = self.params
        rows = x.astype(p["W_qkv"].dtype, copy=False).reshape(-1, self.d_model)
        qkv = rows @ p["W_qkv"] + p["b_qkv"]
        q, k, v = self._heads(qkv, batch, time)
        scores = q @ k.swapaxes(-1, -2)  # S, then A in place: (batch, H, time, time)
        scores *= 1 / math.sqrt(self.d_k)
        scores += self.mask[:time, :time]
        scores -= scores.max(axis=-1, keepdims=True)  # finite: the diagonal is never masked
        np.exp(scores, out=scores)  # exp(−∞) = 0 exactly above the diagonal
        scores /= scores.sum(axis=-1, keepdims=True)
        self.attention = A = scores
        heads = (A @ v).transpose(0, 2, 1, 3).reshape(-1, self.d_model)  # concat: (batch·time, d_model)
        y = heads @ p["W_o"] + p["b_o"]
        return self._remember(y.reshape(batch, time, self.d_model), rows, qkv, A, heads)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """grad_out: dL/dy (batch, time, d_model) -> dL/dx (batch, time, d_model); fills every grad."""
        rows, qkv, A, heads = self._cached(grad_out)
        batch, time, _ = grad_out.shape
        p, g = self.params, self.grads
        dy = grad_out.reshape(-1, self.d_model)
        np.matmul(heads.T, dy, out=g["W_o"])
        dy.sum(axis=0, out=g["b_o"])
        dO = (dy @ p["W_o"].T).reshape(batch, time, self.n_heads, self.d_k).transpose(0, 2, 1, 3)
        q, k, v = self._heads(qkv, batch, time)
        dqkv = np.empty_like(qkv)  # [dQ | dK | dV] in W_qkv's column layout, written head by head below
        dq, dk, dv = self._heads(dqkv, batch, time)
        np.matmul(A.swapaxes(-1, -2), dO, out=dv)
        dS = dO @ v.swapaxes(-1, -2)  # dA, turned into dS in place
        dS -= np.sum(dS * A, axis=-1, keepdims=True)
        dS *= A  # 0 wherever A is 0: the masked positions
        dS *= 1 / math.sqrt(self.d_k)
        np.matmul(dS, k, out=dq)
        np.matmul(dS.swapaxes(-1, -2), q, out=dk)
        np.matmul(rows.T, dqkv, out=g["W_qkv"])
        dqkv.sum(axis=0, out=g["b_qkv"])
        if not input_grad:
            return None
        return (dqkv @ p["W_qkv"].T).reshape(batch, time, self.d_model)

    def __repr__(self) -> str:
        return (f"CausalSelfAttention(d_model={self.d_model}, n_heads={self.n_heads}, "
                f"block_size={self.block_size})")


class TransformerBlock(Layer):
    """A pre-LayerNorm transformer block: attention, then a per-token MLP, each added to a residual stream.

        h = x + attn(LN1(x))                 positions exchange information
        y = h + MLP(LN2(h)),  MLP = Dense(d, mlp_ratio·d) → GELU → Dense(mlp_ratio·d, d)   each token alone
    Shapes: x, h, y (batch, time, d_model), time ≤ block_size; the MLP's hidden layer
    (batch, time, mlp_ratio·d). Backward: at each +, the gradient of the sum flows unchanged into both terms,
    and where x (or h) forks into the residual and the branch, the two gradients add (the fork rule of
    notebook 03):
        dh = dy + LN2ᵀ(MLPᵀ(dy)),  dx = dh + LN1ᵀ(attnᵀ(dh)),
    with Lᵀ(g) a sublayer's backward. The identity path carries dy down to x whatever the branches do: the
    gradient highway that lets deep stacks train.
    Parameters: the sublayers' own arrays, under the names "ln1.gamma", "ln1.beta", "attn.W_qkv",
    "attn.b_qkv", "attn.W_o", "attn.b_o", "ln2.gamma", "ln2.beta", "mlp.0.W", "mlp.0.b", "mlp.2.W",
    "mlp.2.b" (mlp.1 is the GELU), and `grads` the sublayers' gradient arrays under the same names: an update
    of a Param from `Sequential.parameters()` changes the sublayer. Weight decay applies to the sublayers'
    `decayed` (the four matrices). Init: attention as `CausalSelfAttention`, then the two Dense layers
    Xavier-uniform, drawn in that order from np.random.default_rng(rng); LayerNorms γ = 1, β = 0.
    """

    def __init__(self, d_model: int, n_heads: int, block_size: int,
                 rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float32,
                 mlp_ratio: int = 4) -> None:
        super().__init__()
        _expect_sizes("TransformerBlock", d_model=d_model, n_heads=n_heads, block_size=block_size,
                      mlp_ratio=mlp_ratio)
        self.d_model, self.n_heads, self.block_size, self.mlp_ratio = d_model, n_heads, block_size, mlp_ratio
        rng = np.random.default_rng(rng)
        self.ln1 = LayerNorm(d_model, dtype=dtype)
        self.attn = CausalSelfAttention(d_model, n_heads, block_size, rng=rng, dtype=dtype)
        self.ln2 = LayerNorm(d_model, dtype=dtype)
        hidden = mlp_ratio * d_model
        self.mlp = Sequential(Dense(d_model, hidden, rng=rng, dtype=dtype), GELU(),
                              Dense(hidden, d_model, rng=rng, dtype=dtype))
        named = {"ln1": self.ln1, "attn": self.attn, "ln2": self.ln2, "mlp.0": self.mlp.layers[0],
                 "mlp.2": self.mlp.layers[2]}
        self.params = {f"{name}.{key}": value for name, layer in named.items()
                       for key, value in layer.params.items()}  # the sublayers' arrays, not copies
        self.grads = {f"{name}.{key}": value for name, layer in named.items()
                      for key, value in layer.grads.items()}
        self.decayed = tuple(f"{name}.{key}" for name, layer in named.items() for key in layer.decayed)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x (batch, time, d_model) -> y (batch, time, d_model)."""
        expect_sequences(x, self.d_model, repr(self))
        _expect_context(x.shape[1], self.block_size, repr(self), x.shape)
        x = x.astype(self.ln1.params["gamma"].dtype, copy=False)
        h = x + self.attn.forward(self.ln1.forward(x, training), training)
        y = h + self.mlp.forward(self.ln2.forward(h, training), training)
        return self._remember(y)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """grad_out: dL/dy (batch, time, d_model) -> dL/dx; fills every sublayer's grads."""
        self._cached(grad_out)
        # y = h + MLP(LN2(h)): h forks into the residual and the MLP branch; their gradients add (fork rule)
        dh = grad_out + self.ln2.backward(self.mlp.backward(grad_out))
        # h = x + attn(LN1(x)): the same fork at x
        branch = self.ln1.backward(self.attn.backward(dh), input_grad)
        return dh + branch if input_grad else None

    def __repr__(self) -> str:
        ratio = f", mlp_ratio={self.mlp_ratio}" if self.mlp_ratio != 4 else ""
        return (f"TransformerBlock(d_model={self.d_model}, n_heads={self.n_heads}, "
                f"block_size={self.block_size}{ratio})")


class TokenAndPosition(Layer):
    """A GPT's input, each id's token vector plus its position's: y[b, t] = W_tok[ids[b, t]] + W_pos[t].

    Shapes: ids (batch, time) integers in [0, vocab_size), time ≤ block_size; W_tok (vocab_size, d_model),
    W_pos (block_size, d_model); y (batch, time, d_model). Attention alone cannot tell the order of its inputs
    (permuting the past permutes nothing in a weighted average); W_pos tells each position where it stands.
    Backward: dW_tok[v] = Σ_{(b, t): ids[b, t] = v} dy[b, t] (as `Embedding`: a row used at many positions
    collects a gradient from each, the fork rule of notebook 03, added up with np.add.at),
    dW_pos[t] = Σ_b dy[b, t] for t < time and 0 beyond. The ids are not differentiable: backward returns None.
    Init: W_tok, then W_pos, N(0, 0.02²) (standard normal draws times 0.02) from np.random.default_rng(rng):
    small vectors, so that the residual stream starts near zero. Both are weight-decayed, like `Embedding`.
    """

    decayed = ("W_tok", "W_pos")
    takes_ids = True

    def __init__(self, vocab_size: int, block_size: int, d_model: int,
                 rng: np.random.Generator | int | None = None, dtype: DTypeLike = np.float32) -> None:
        super().__init__()
        _expect_sizes("TokenAndPosition", vocab_size=vocab_size, block_size=block_size, d_model=d_model)
        self.vocab_size, self.block_size, self.d_model = vocab_size, block_size, d_model
        rng = np.random.default_rng(rng)
        self.params = {"W_tok": rng.standard_normal((vocab_size, d_model), dtype=dtype) * 0.02,
                       "W_pos": rng.standard_normal((block_size, d_model), dtype=dtype) * 0.02}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def forward(self, ids: np.ndarray, training: bool = True) -> np.ndarray:
        """ids (batch, time) -> y (batch, time, d_model). `training` changes nothing."""
        expect_ids(ids, self.vocab_size, repr(self))
        if ids.ndim != 2:
            hint = " Did you forget the batch axis? ids[None] makes one sequence a batch of one."
            hint = hint if ids.ndim == 1 else ""
            raise ValueError(f"{self} expected ids of shape (batch, time), got {ids.shape}.{hint}")
        _expect_context(ids.shape[1], self.block_size, repr(self), ids.shape)
        return self._remember(self.params["W_tok"][ids] + self.params["W_pos"][: ids.shape[1]], ids)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> None:
        (ids,) = self._cached(grad_out)
        dW_tok, dW_pos = self.grads["W_tok"], self.grads["W_pos"]
        dW_tok.fill(0)
        np.add.at(dW_tok, ids.reshape(-1), grad_out.reshape(-1, self.d_model))  # repeated ids add up
        dW_pos.fill(0)
        grad_out.sum(axis=0, out=dW_pos[: ids.shape[1]])  # position t serves every sequence: summed over them
        return None

    def __repr__(self) -> str:
        return (f"TokenAndPosition(vocab_size={self.vocab_size}, block_size={self.block_size}, "
                f"d_model={self.d_model})")


def gpt(vocab_size: int, block_size: int, d_model: int, n_heads: int, n_layers: int, seed: int = 0,
        dtype: DTypeLike = np.float32) -> Sequential:
    """A small GPT: ids (batch, time) -> logits (batch, time, vocab_size) for `sequence_cross_entropy`.

    Sequential(TokenAndPosition(vocab_size, block_size, d_model), n_layers × TransformerBlock(d_model,
    n_heads, block_size), LayerNorm(d_model), Dense(d_model, vocab_size)). The logits at position t depend on
    the ids at positions 0 … t only. All weights come from one Generator np.random.default_rng(seed), drawn
    layer by layer in that order (the head Xavier-uniform): the same seed gives the same model, bit for bit.
    """
    _expect_sizes("gpt", vocab_size=vocab_size, block_size=block_size, d_model=d_model, n_heads=n_heads,
                  n_layers=n_layers)
    rng = np.random.default_rng(seed)
    embed = TokenAndPosition(vocab_size, block_size, d_model, rng=rng, dtype=dtype)
    blocks = [TransformerBlock(d_model, n_heads, block_size, rng=rng, dtype=dtype) for _ in range(n_layers)]
    return Sequential(embed, *blocks, LayerNorm(d_model, dtype=dtype),
                      Dense(d_model, vocab_size, rng=rng, dtype=dtype))
