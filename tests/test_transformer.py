"""The transformer: LayerNorm, causal attention, the block, token and position vectors, a whole GPT against
finite differences; causality, padding, shared parameters, errors, training."""

import numpy as np
import pytest

from course_lib.gradcheck import GradCheckReport, check_layer, check_model
from course_lib.init import xavier_uniform
from course_lib.layers import Sequential
from course_lib.losses import PAD, sequence_cross_entropy
from course_lib.optim import AdamW
from course_lib.text import Vocabulary, padded_sequences
from course_lib.train import fit
from course_lib.transformer import CausalSelfAttention, LayerNorm, TokenAndPosition, TransformerBlock, gpt

EPS = 1e-5  # rounding noise ~1e-16/ε dominates at ε = 1e-6 for entries near 1e-4; truncation ~ε² stays tiny
X = np.random.default_rng(1).standard_normal((2, 3, 8))  # (batch, time, d_model), time 3 < block_size 5


def is_key_bias(name: str, index: tuple[int, ...], d_model: int = 8) -> bool:
    """The k block of b_qkv: adding one vector to every key shifts a row of scores by a constant, which
    softmax ignores, so its gradient is exactly 0; a relative error between two round-offs means nothing."""
    return name.endswith("b_qkv") and d_model <= index[0] < 2 * d_model


def assert_passed(report: GradCheckReport, d_model: int = 8) -> None:
    """Every entry within 1e-6, except the key bias, whose gradients must both be 0 up to round-off."""
    key_bias = [e for e in report.entries if is_key_bias(e.name, e.index, d_model)]
    rest = GradCheckReport([e for e in report.entries if e not in key_bias], report.tol)
    assert rest.passed and rest.max_rel_error < 1e-6, str(rest)
    assert all(abs(e.analytic) < 1e-14 and abs(e.numeric) < 1e-9 for e in key_bias)


def reference_attention(layer: CausalSelfAttention, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y and A written out sequence by sequence, head by head, position by position."""
    p, h_count, d_k = layer.params, layer.n_heads, layer.d_k
    batch, time, d = x.shape
    y, weights = np.zeros((batch, time, d)), np.zeros((batch, h_count, time, time))
    W_q, W_k, W_v = np.split(p["W_qkv"], 3, axis=1)
    b_q, b_k, b_v = np.split(p["b_qkv"], 3)
    for b in range(batch):
        heads = []
        for h in range(h_count):
            cols = slice(h * d_k, (h + 1) * d_k)
            q, k, v = (x[b] @ W[:, cols] + bias[cols] for W, bias in ((W_q, b_q), (W_k, b_k), (W_v, b_v)))
            out = np.zeros((time, d_k))
            for t in range(time):
                scores = np.array([q[t] @ k[j] / np.sqrt(d_k) for j in range(t + 1)])
                a = np.exp(scores - scores.max())
                a /= a.sum()
                weights[b, h, t, : t + 1] = a
                out[t] = a @ v[: t + 1]
            heads.append(out)
        y[b] = np.concatenate(heads, axis=1) @ p["W_o"] + p["b_o"]
    return y, weights


def test_layernorm_backward_matches_finite_differences() -> None:
    layer = LayerNorm(8, dtype=np.float64)
    rng = np.random.default_rng(2)
    layer.params["gamma"][...] = rng.standard_normal(8)
    layer.params["beta"][...] = rng.standard_normal(8)
    for x in (X, X[0]):  # (batch, time, features) and (batch, features)
        report = check_layer(layer, x, eps=EPS, max_entries=1000)
        assert {e.name for e in report.entries} == {"x", "gamma", "beta"}
        assert len(report.entries) == x.size + 16
        assert report.passed and report.max_rel_error < 1e-7, str(report)


def test_layernorm_gives_every_token_mean_0_and_variance_1_in_training_and_evaluation() -> None:
    x = np.random.default_rng(3).normal(5, 3, (4, 6, 32))
    layer = LayerNorm(32, dtype=np.float64)
    y = layer.forward(x)
    np.testing.assert_allclose(y.mean(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=-1), 1, rtol=1e-5)  # 1 − ε/σ², σ² ≈ 9
    np.testing.assert_array_equal(layer.forward(x, training=False), y)  # no running statistics
    np.testing.assert_array_equal(layer.forward(x[:1]), y[:1])  # a token never depends on the others
    layer.params["gamma"][...], layer.params["beta"][...] = 2, -1
    np.testing.assert_allclose(layer.forward(x), 2 * y - 1, rtol=1e-12)
    assert layer.decayed == () and repr(layer) == "LayerNorm(32)"


def test_attention_follows_the_equations_head_by_head() -> None:
    layer = CausalSelfAttention(8, 4, 5, rng=0, dtype=np.float64)
    rng = np.random.default_rng(4)
    for key in ("b_qkv", "b_o"):
        layer.params[key][...] = rng.standard_normal(layer.params[key].shape)
    y, weights = reference_attention(layer, X)
    np.testing.assert_allclose(layer.forward(X), y, rtol=1e-12, atol=1e-14)
    assert layer.attention.shape == (2, 4, 3, 3)
    np.testing.assert_allclose(layer.attention, weights, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n_heads", [1, 2, 4])
def test_attention_backward_matches_finite_differences(n_heads: int) -> None:
    layer = CausalSelfAttention(8, n_heads, 5, rng=0, dtype=np.float64)
    layer.params["b_qkv"][...] = np.random.default_rng(5).standard_normal(24) * 0.5
    report = check_layer(layer, X, eps=EPS, max_entries=1000)  # every entry of x and of every parameter
    assert len(report.entries) == X.size + sum(p.size for p in layer.params.values())
    assert_passed(report)


def test_attention_rows_sum_to_1_and_are_0_above_the_diagonal() -> None:
    layer = CausalSelfAttention(8, 2, 5, rng=0)
    layer.forward(np.random.default_rng(6).standard_normal((3, 5, 8)).astype(np.float32))
    A = layer.attention
    assert A.shape == (3, 2, 5, 5) and A.dtype == np.float32
    np.testing.assert_allclose(A.sum(axis=-1), 1, rtol=1e-6)
    assert np.all(A[..., np.triu_indices(5, k=1)[0], np.triu_indices(5, k=1)[1]] == 0)
    assert np.all(A[..., np.tril_indices(5)[0], np.tril_indices(5)[1]] > 0)
    np.testing.assert_array_equal(A[..., 0, 0], 1)  # the first position can only read itself


def test_unscaled_scores_would_saturate_the_softmax() -> None:
    # what the √d_k is for: with d_k = 64 the attention rows of a random layer stay spread out
    layer = CausalSelfAttention(256, 4, 32, rng=0)
    layer.forward(np.random.default_rng(7).standard_normal((4, 32, 256)).astype(np.float32))
    assert layer.attention[..., -1, :].max(axis=-1).mean() < 0.5


@pytest.mark.parametrize("make", [lambda: CausalSelfAttention(8, 2, 5, rng=0, dtype=np.float64),
                                  lambda: TransformerBlock(8, 2, 5, rng=0, dtype=np.float64)],
                         ids=["attention", "block"])
def test_changing_position_t_changes_no_output_before_t(make) -> None:
    layer = make()
    x = np.random.default_rng(8).standard_normal((2, 5, 8))
    y = layer.forward(x).copy()
    for t in range(5):
        changed = x.copy()
        changed[:, t] += np.linspace(-1, 1, 8)  # not a constant: LayerNorm would remove it
        y_changed = layer.forward(changed)
        np.testing.assert_array_equal(y_changed[:, :t], y[:, :t])
        assert np.all(np.abs(y_changed[:, t:] - y[:, t:]).max(axis=-1) > 0)


def test_block_backward_matches_finite_differences() -> None:
    block = TransformerBlock(8, 2, 5, rng=0, dtype=np.float64)
    rng = np.random.default_rng(9)
    for key in ("ln1.gamma", "ln2.beta", "attn.b_qkv", "mlp.0.b"):
        block.params[key][...] = rng.standard_normal(block.params[key].shape) * 0.5
    report = check_layer(block, X, eps=EPS, max_entries=1000)
    assert len(report.entries) == X.size + sum(p.size for p in block.params.values())
    assert_passed(report)


def test_block_params_and_grads_are_the_sublayers_own_arrays() -> None:
    block = TransformerBlock(8, 2, 5, rng=0)
    assert list(block.params) == ["ln1.gamma", "ln1.beta", "attn.W_qkv", "attn.b_qkv", "attn.W_o", "attn.b_o",
                                  "ln2.gamma", "ln2.beta", "mlp.0.W", "mlp.0.b", "mlp.2.W", "mlp.2.b"]
    assert list(block.grads) == list(block.params)
    assert block.params["attn.W_qkv"] is block.attn.params["W_qkv"]
    assert block.grads["mlp.2.W"] is block.mlp.layers[2].grads["W"]
    assert block.decayed == ("attn.W_qkv", "attn.W_o", "mlp.0.W", "mlp.2.W")
    assert block.params["mlp.0.W"].shape == (8, 32) and block.params["mlp.2.W"].shape == (32, 8)
    model = Sequential(block)
    y = model.forward(X)
    model.backward(np.ones_like(y))
    params = {p.name: p for p in model.parameters()}
    assert params["0.TransformerBlock.ln1.gamma"].grad is block.ln1.grads["gamma"]
    assert params["0.TransformerBlock.attn.W_o"].decay and not params["0.TransformerBlock.attn.b_o"].decay
    assert np.abs(block.ln1.grads["gamma"]).max() > 0
    before = block.attn.params["W_qkv"].copy()
    for p in model.parameters():
        p.value -= 0.1 * p.grad  # in place, as every optimizer does
    np.testing.assert_array_equal(block.attn.params["W_qkv"], before - 0.1 * block.attn.grads["W_qkv"])
    assert not np.array_equal(block.forward(X), y)


def test_token_and_position_adds_a_vector_per_position_and_matches_finite_differences() -> None:
    layer = TokenAndPosition(7, 5, 8, rng=0, dtype=np.float64)
    ids = np.array([[1, 2, 2, 6], [0, 2, 3, 3], [6, 6, 6, 6]])
    y = layer.forward(ids)
    np.testing.assert_array_equal(y, layer.params["W_tok"][ids] + layer.params["W_pos"][:4])
    report = check_layer(layer, ids, eps=EPS, max_entries=1000)
    assert {e.name for e in report.entries} == {"W_tok", "W_pos"}  # ids are not differentiable
    assert report.passed and report.max_rel_error < 1e-7, str(report)
    assert layer.backward(np.ones_like(y)) is None
    assert np.all(layer.grads["W_pos"][4] == 0) and np.all(layer.grads["W_tok"][[4, 5]] == 0)  # unused
    np.testing.assert_array_equal(layer.grads["W_tok"][6], 5)  # id 6 stands at five positions
    np.testing.assert_array_equal(layer.grads["W_pos"][:4], 3)  # each position in three sequences


WORDS = ["cab", "fade", "a", "bea"]
INPUTS, TARGETS, MASK = padded_sequences(WORDS, Vocabulary(".abcdef"), length=5)  # 7 symbols, PAD after ends


def test_a_whole_gpt_with_padding_matches_finite_differences() -> None:
    assert (TARGETS == PAD).any() and INPUTS.shape == (4, 5)
    model = gpt(7, 5, 8, 2, 2, seed=0, dtype=np.float64)
    # At N(0, 0.02²) the first LayerNorm divides the token vectors by their tiny spread: the loss curves so
    # sharply in them that the finite differences' truncation error reaches 1e-6. Larger vectors, same check.
    for key in ("W_tok", "W_pos"):
        model.layers[0].params[key] *= 25
    report = check_model(model, "sequence_cross_entropy", INPUTS, TARGETS, eps=EPS, max_entries=1000)
    assert len(report.entries) == sum(p.value.size for p in model.parameters())  # every parameter entry
    assert_passed(report)


def test_ids_after_a_sequence_ends_change_neither_the_loss_nor_any_gradient() -> None:
    def loss_and_grads(inputs: np.ndarray) -> tuple[float, list[np.ndarray], np.ndarray]:
        model = gpt(7, 5, 8, 2, 2, seed=0, dtype=np.float64)
        logits = model.forward(inputs)
        loss, grad = sequence_cross_entropy(logits, TARGETS)
        model.backward(grad)
        return loss, [p.grad.copy() for p in model.parameters()], logits

    padding = TARGETS == PAD
    changed = INPUTS.copy()
    changed[padding] = np.random.default_rng(0).integers(1, 7, padding.sum())
    assert not np.array_equal(changed, INPUTS)
    loss, grads, logits = loss_and_grads(INPUTS)
    changed_loss, changed_grads, changed_logits = loss_and_grads(changed)
    assert changed_loss == loss
    assert all(np.array_equal(a, b) for a, b in zip(grads, changed_grads, strict=True))
    np.testing.assert_array_equal(changed_logits[~padding], logits[~padding])


def test_gpt_logits_at_t_depend_on_the_ids_up_to_t_only() -> None:
    model = gpt(7, 5, 8, 2, 2, seed=0)
    ids = np.random.default_rng(1).integers(0, 7, (3, 5))
    logits = model.forward(ids).copy()
    assert logits.shape == (3, 5, 7) and logits.dtype == np.float32
    for t in range(5):
        changed = ids.copy()
        changed[:, t] = (changed[:, t] + 1) % 7
        np.testing.assert_array_equal(model.forward(changed)[:, :t], logits[:, :t])
    np.testing.assert_allclose(model.forward(ids[:, :3]), logits[:, :3], rtol=1e-5, atol=1e-5)  # a prefix


def test_fit_trains_a_tiny_gpt_to_copy_the_previous_id() -> None:
    rng = np.random.default_rng(0)
    inputs = rng.integers(1, 7, (300, 8))
    targets = np.roll(inputs, 1, axis=1)  # predict the id seen one step before
    targets[:, 0] = PAD  # nothing before the first step
    lengths = rng.integers(3, 9, len(inputs))
    targets[np.arange(8) >= lengths[:, None]] = PAD  # sequences of 3 to 8 steps, padded to 8
    model = gpt(7, 8, 16, 2, 1, seed=0)
    history = fit(model, inputs, targets, epochs=20, batch_size=32, optimizer=AdamW(model, lr=0.01),
                  loss="sequence_cross_entropy", val=(inputs, targets), quiet=True)
    assert history.val_loss[0] > 1.0 and history.val_loss[-1] < 0.05  # from ~ln 6 ≈ 1.8 to near 0
    assert all(p.value.dtype == np.float32 for p in model.parameters())


def test_same_seed_same_weights_and_the_documented_init() -> None:
    a, b, c = gpt(27, 14, 64, 4, 2, seed=0), gpt(27, 14, 64, 4, 2, seed=0), gpt(27, 14, 64, 4, 2, seed=1)
    pa, pb, pc = (list(m.parameters()) for m in (a, b, c))
    assert [p.name for p in pa] == [p.name for p in pb]
    assert all(np.array_equal(p.value, q.value) for p, q in zip(pa, pb, strict=True))
    assert not np.array_equal(pa[0].value, pc[0].value)
    assert all(p.value.dtype == p.grad.dtype == np.float32 for p in pa)
    assert repr(a.layers[0]) == "TokenAndPosition(vocab_size=27, block_size=14, d_model=64)"
    assert [type(layer).__name__ for layer in a.layers] == ["TokenAndPosition", "TransformerBlock",
                                                            "TransformerBlock", "LayerNorm", "Dense"]
    assert a.takes_ids and a.layers[-1].params["W"].shape == (64, 27)
    W_tok, W_pos = a.layers[0].params["W_tok"], a.layers[0].params["W_pos"]
    assert W_tok.shape == (27, 64) and W_pos.shape == (14, 64)
    assert 0.017 < np.concatenate([W_tok, W_pos]).std() < 0.023  # N(0, 0.02²)
    attn = a.layers[1].attn
    limit = np.sqrt(6 / (64 + 64))  # Xavier-uniform per 64 × 64 block
    assert np.abs(attn.params["W_qkv"]).max() <= limit and np.abs(attn.params["W_o"]).max() <= limit
    assert np.abs(attn.params["W_qkv"]).max() > 0.95 * limit
    assert np.all(attn.params["b_qkv"] == 0) and np.all(attn.params["b_o"] == 0)
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(CausalSelfAttention(4, 2, 3, rng=rng).params["W_qkv"][:, :4],
                                  xavier_uniform(4, 4, np.random.default_rng(0)))  # W_q drawn first


def test_float32_throughout_and_input_grad_false_skips_dx() -> None:
    layers = [LayerNorm(8), CausalSelfAttention(8, 2, 5, rng=0), TransformerBlock(8, 2, 5, rng=0)]
    for layer in layers:
        y = layer.forward(X)  # float64 input, float32 weights
        dx = layer.backward(np.ones_like(y))
        assert y.dtype == dx.dtype == np.float32, layer
        assert all(g.dtype == np.float32 for g in layer.grads.values()), layer
        grads = {k: g.copy() for k, g in layer.grads.items()}
        assert layer.backward(np.ones_like(y), input_grad=False) is None, layer
        assert all(np.array_equal(layer.grads[k], g) for k, g in grads.items()), layer  # grads still filled


def test_bad_input_is_explained() -> None:
    attn, block, embed = CausalSelfAttention(8, 2, 5), TransformerBlock(8, 2, 5), TokenAndPosition(7, 5, 8)
    attn_name = r"CausalSelfAttention\(d_model=8, n_heads=2, block_size=5\)"
    with pytest.raises(ValueError, match=rf"^{attn_name} got sequences of 6 positions \(input of shape "
                                         r"\(2, 6, 8\)\), but it was built for at most block_size=5\. Cut"):
        attn.forward(np.zeros((2, 6, 8), np.float32))
    with pytest.raises(ValueError, match=r"^TransformerBlock\(d_model=8, n_heads=2, block_size=5\) got "
                                         r"sequences of 6 positions.*block_size ≥ 6"):
        block.forward(np.zeros((2, 6, 8), np.float32))
    with pytest.raises(ValueError, match=r"TokenAndPosition\(vocab_size=7, block_size=5, d_model=8\) got "
                                         r"sequences of 9 positions.*ids\[:, -5:\]"):
        embed.forward(np.zeros((2, 9), np.int64))
    with pytest.raises(ValueError, match=r"expected ids of shape \(batch, time\), got \(4,\)\. Did you "
                                         r"forget the batch axis\? ids\[None\]"):
        embed.forward(np.zeros(4, np.int64))
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 7\).*Padding targets \(−1\)"):
        embed.forward(np.full((2, 3), PAD))
    with pytest.raises(ValueError, match=rf"^{attn_name} expected x of shape \(batch, time, 8\), got "
                                         r"\(5, 8\)\. Did you forget the batch axis\?"):
        attn.forward(np.zeros((5, 8), np.float32))
    with pytest.raises(TypeError, match=r"TransformerBlock.*Integer ids\?.*Embedding"):
        block.forward(np.zeros((2, 3), np.int64))
    with pytest.raises(ValueError, match=r"^LayerNorm\(8\) expected x of shape \(batch, …, 8\), got "
                                         r"\(2, 3, 4\)\.$"):
        LayerNorm(8).forward(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match=r"d_model=8 must split evenly into n_heads=3 heads.*among "
                                         r"\[1, 2, 4, 8\]"):
        CausalSelfAttention(8, 3, 5)
    with pytest.raises(ValueError, match=r"TransformerBlock needs positive integer sizes, got d_model=8, "
                                         r"n_heads=2, block_size=0"):
        TransformerBlock(8, 2, 0)
    with pytest.raises(ValueError, match=r"gpt needs positive integer sizes.*n_layers=0"):
        gpt(7, 5, 8, 2, 0)
    with pytest.raises(RuntimeError, match=rf"{attn_name}\.backward called before forward"):
        CausalSelfAttention(8, 2, 5).backward(np.zeros((2, 3, 8), np.float32))
    block.forward(np.zeros((2, 3, 8), np.float32))
    with pytest.raises(ValueError, match=r"expected grad_out of shape \(2, 3, 8\).*got \(2, 8\)"):
        block.backward(np.zeros((2, 8), np.float32))
