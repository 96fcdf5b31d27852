"""Conv2D, MaxPool2D and Flatten against direct loops and finite differences (float64), and their errors."""

import numpy as np
import pytest

from course_lib.gradcheck import check_layer
from course_lib.layers import (
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    col2im,
    conv_output_size,
    im2col,
)


def loop_conv(x, W, b, stride, padding):
    """y[n, o, p, q] = b[o] + Σ W[o] ⊙ (the window at (p·stride, q·stride) of the padded image n)."""
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = W.shape[2:]
    h_out, w_out = (xp.shape[2] - kh) // stride + 1, (xp.shape[3] - kw) // stride + 1
    y = np.zeros((len(x), len(W), h_out, w_out))
    for n in range(len(x)):
        for o in range(len(W)):
            for p in range(h_out):
                for q in range(w_out):
                    window = xp[n, :, p * stride : p * stride + kh, q * stride : q * stride + kw]
                    y[n, o, p, q] = np.sum(window * W[o]) + b[o]
    return y


def loop_pool(x, k, stride):
    h_out, w_out = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    y = np.zeros((*x.shape[:2], h_out, w_out))
    for p in range(h_out):
        for q in range(w_out):
            y[:, :, p, q] = x[:, :, p * stride : p * stride + k, q * stride : q * stride + k].max(axis=(2, 3))
    return y


# (in, out, kernel, stride, padding, batch, height, width): odd sizes, a batch of one, uneven kernels
CONV_CASES = [
    (2, 3, 3, 1, 0, 2, 7, 6),
    (3, 2, (2, 3), 2, 1, 2, 9, 8),
    (1, 4, 5, 3, 2, 1, 11, 10),
    (2, 2, 1, 1, 0, 3, 4, 5),
    (1, 1, 3, 2, 0, 1, 3, 3),
]


def conv_case(case, dtype=np.float64):
    c_in, c_out, kernel, stride, padding, batch, height, width = case
    layer = Conv2D(c_in, c_out, kernel, stride=stride, padding=padding, rng=1, dtype=dtype)
    layer.params["b"][...] = np.random.default_rng(2).standard_normal(c_out)
    x = np.random.default_rng(3).standard_normal((batch, c_in, height, width)).astype(dtype)
    return layer, x


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv_forward_matches_a_direct_loop(case):
    layer, x = conv_case(case)
    assert np.allclose(layer.forward(x), loop_conv(x, layer.params["W"], layer.params["b"], *case[3:5]))


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv_backward_matches_finite_differences(case):
    layer, x = conv_case(case)
    report = check_layer(layer, x, max_entries=60)
    assert report.passed, str(report)


def test_conv_output_size_formula():
    assert conv_output_size(28, 5, 1, 2) == 28 and conv_output_size(14, 5) == 10
    assert conv_output_size(7, 3, 2) == 3 and conv_output_size(8, 3, 2) == 3 and conv_output_size(3, 3) == 1


def test_col2im_is_the_adjoint_of_im2col():
    """<im2col(x), c> = <x, col2im(c)> for every x, c: what makes dx = col2im(W₂ᵀ dY) the right gradient."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 6))
    cols = im2col(x, (3, 2), stride=2, padding=1)
    c = rng.standard_normal(cols.shape)
    assert np.isclose(np.sum(cols * c), np.sum(x * col2im(c, x.shape, (3, 2), stride=2, padding=1)))


def test_conv_stays_float32_and_casts_float64_input():
    layer = Conv2D(1, 2, 3, rng=0)
    y = layer.forward(np.ones((2, 1, 5, 5)))
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == layer.grads["W"].dtype == np.float32
    assert y.shape == (2, 2, 3, 3) and dx.shape == (2, 1, 5, 5)


def test_conv_init_is_he_over_the_fan_in_and_seeded():
    W = Conv2D(4, 64, 3, rng=0).params["W"]
    assert W.shape == (64, 4, 3, 3)
    assert abs(W.std() - np.sqrt(2 / 36)) < 0.02
    assert np.array_equal(W, Conv2D(4, 64, 3, rng=0).params["W"])


def test_conv_without_input_grad_still_fills_parameter_grads():
    layer, x = conv_case(CONV_CASES[0])
    y = layer.forward(x)
    assert layer.backward(np.ones_like(y), input_grad=False) is None
    assert np.allclose(layer.grads["b"], y.shape[0] * y.shape[2] * y.shape[3])


# (kernel, stride, height, width): side by side, odd sizes (last row dropped), overlapping windows
POOL_CASES = [(2, None, 4, 6), (2, None, 7, 5), (3, 2, 7, 8), (3, 1, 5, 5), (2, 3, 8, 8)]


def distinct_values(shape, seed=0):
    """A random permutation of well-separated values: no ties, so finite differences see one winner."""
    return np.random.default_rng(seed).permutation(np.prod(shape)).reshape(shape) * 0.1


@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_maxpool_forward_matches_a_direct_loop(case):
    kernel, stride, height, width = case
    x = distinct_values((2, 3, height, width))
    assert np.array_equal(MaxPool2D(kernel, stride).forward(x), loop_pool(x, kernel, stride or kernel))


@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_maxpool_backward_matches_finite_differences(case):
    kernel, stride, height, width = case
    report = check_layer(MaxPool2D(kernel, stride), distinct_values((1, 2, height, width)), eps=1e-3)
    assert report.passed, str(report)


def test_maxpool_routes_each_gradient_to_its_window_winner_and_adds_overlaps():
    x = np.array([[[[1.0, 5.0, 2.0], [0.0, 3.0, 4.0], [6.0, 0.0, 1.0]]]])
    pool = MaxPool2D(2, stride=1)
    assert np.array_equal(pool.forward(x)[0, 0], [[5, 5], [6, 4]])
    dx = pool.backward(np.array([[[[1.0, 10.0], [100.0, 1000.0]]]]))
    assert np.array_equal(dx[0, 0], [[0, 11, 0], [0, 0, 1000], [100, 0, 0]])


def test_maxpool_sends_a_tied_window_gradient_to_its_first_maximum_only():
    pool = MaxPool2D(2)
    pool.forward(np.ones((1, 1, 2, 2)))
    assert np.array_equal(pool.backward(np.full((1, 1, 1, 1), 3.0))[0, 0], [[3, 0], [0, 0]])


def test_flatten_keeps_channel_row_column_order_and_backward_restores_the_shape():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    flat = Flatten()
    assert np.array_equal(flat.forward(x), x.reshape(2, 12))
    assert flat.backward(np.ones((2, 12))).shape == (2, 3, 2, 2)


def test_a_small_cnn_trains_end_to_end_and_names_its_parameters():
    model = Sequential(Conv2D(1, 2, 3, padding=1, rng=0), ReLU(), MaxPool2D(2), Flatten(), Dense(8, 3, rng=0))
    x = np.random.default_rng(0).standard_normal((1, 1, 4, 4)).astype(np.float32)
    out = model.forward(x)
    model.backward(np.ones_like(out))
    assert out.shape == (1, 3)
    assert [p.name for p in model.parameters()][:2] == ["0.Conv2D.W", "0.Conv2D.b"]
    assert [p.decay for p in model.parameters()][:2] == [True, False]


@pytest.mark.parametrize(("x", "words"), [
    (np.zeros((4, 784)), ["(batch, 1, height, width)", "(4, 784)", "x.reshape(-1, 1, 28, 28)"]),
    (np.zeros((1, 28, 28)), ["got (1, 28, 28)", "forget the batch axis? x[None]"]),
    (np.zeros((2, 28, 28, 1)), ["got (2, 28, 28, 1)", "Channels last?", "transpose(0, 3, 1, 2)"]),
    (np.zeros((2, 3, 28, 28)), ["(batch, 1, height, width)", "got (2, 3, 28, 28)"]),
    (np.zeros((0, 1, 8, 8)), ["empty batch"]),
    (np.zeros((2, 1, 2, 8)), ["2×8 pixels", "smaller than the 3×3 window"]),
])
def test_bad_input_shapes_are_explained(x, words):
    with pytest.raises(ValueError) as error:
        Conv2D(1, 4, 3).forward(x)
    assert all(word in str(error.value) for word in words), str(error.value)
    assert "Conv2D(1→4, 3×3)" in str(error.value)


def test_integer_images_are_rejected_with_astype():
    with pytest.raises(TypeError, match=r"astype\(np.float32\)"):
        Conv2D(1, 4, 3).forward(np.zeros((1, 1, 5, 5), dtype=np.uint8))


def test_maxpool_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"MaxPool2D\(2\) expected x of shape \(batch, channels, height, "
                                         r"width\), got \(5, 784\)"):
        MaxPool2D(2).forward(np.zeros((5, 784)))
    with pytest.raises(ValueError, match="1×1 pixels .* smaller than the 2×2 window"):
        MaxPool2D(2).forward(np.zeros((1, 3, 1, 1)))


@pytest.mark.parametrize(("make", "words"), [
    (lambda: Conv2D(1, 2, 0), "kernel_size must be a positive integer or a pair"),
    (lambda: Conv2D(1, 2, (3, 3, 3)), "kernel_size must be a positive integer or a pair"),
    (lambda: Conv2D(1, 2, 3, stride=0), "stride must be an integer ≥ 1"),
    (lambda: Conv2D(1, 2, 3, padding=-1), "padding an integer ≥ 0"),
    (lambda: MaxPool2D(0), "kernel_size and stride must be positive integers"),
    (lambda: MaxPool2D(2, stride=1.5), "kernel_size and stride must be positive integers"),
])
def test_bad_settings_are_explained(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_backward_before_forward_and_wrong_grad_shape_are_explained():
    layer = Conv2D(1, 2, 3)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.zeros((1, 2, 3, 3)))
    layer.forward(np.zeros((1, 1, 5, 5), np.float32))
    with pytest.raises(ValueError, match=r"expected grad_out of shape \(1, 2, 3, 3\).*got \(1, 2, 5, 5\)"):
        layer.backward(np.zeros((1, 2, 5, 5)))


def test_maxpool_windows_of_more_than_256_pixels_route_to_their_winner():
    x = np.random.default_rng(0).standard_normal((1, 1, 17, 17)).astype(np.float32)
    pool = MaxPool2D(17)
    assert pool.forward(x)[0, 0, 0, 0] == x.max()
    dx = pool.backward(np.ones((1, 1, 1, 1), np.float32))
    assert dx.sum() == 1 and dx.flat[np.argmax(x)] == 1
