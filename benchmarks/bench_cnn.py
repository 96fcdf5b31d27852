"""Seconds per epoch of notebook 09's CNN in course_lib and in PyTorch on the CPU, side by side.

The network is `course_lib.course.train_cnn.build_cnn` (conv 5×5 1→8, pool, conv 5×5 8→16, pool, 400-128-10).
PyTorch gets the same layers with the same initial weights, the same standardized MNIST images (NCHW,
float32), the same batches in the same order and the same optimizer (Adam, the learning rate falling
linearly from 0.002 to 0 over the epoch). Rounds alternate (course_lib, torch, course_lib, ...)
so a change in machine load hits both alike; the best of --repeats epochs is reported, with the test accuracy
each reached after its epoch (the two should agree within noise). Then the forward and the backward of the
second Conv2D alone, and the memory of the im2col buffers. With threadpoolctl installed, 1 and 2 BLAS
threads (PyTorch gets the same number of threads); without it, OPENBLAS_NUM_THREADS (1 unless set).
Run on demand, in any environment:

    python benchmarks/bench_cnn.py [--repeats 2]

It imports course_lib from this repository when it is not installed, and skips PyTorch with a message
when `import torch` fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from threads import installed, limit_threads

if not installed("threadpoolctl"):  # the thread count cannot be changed later: measure one thread
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
try:
    import course_lib  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from course_lib.course.train_cnn import CNN_RECIPE, build_cnn, images, predict, train
from course_lib.course.train_mnist import standardize
from course_lib.data import load_mnist
from course_lib.layers import Conv2D, Sequential, im2col
from course_lib.metrics import accuracy

BATCH = CNN_RECIPE.batch_size
EPOCH_RECIPE = replace(CNN_RECIPE, epochs=1)


def load_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standardized MNIST as (x_train (60000, 1, 28, 28), y_train, x_test (10000, 1, 28, 28), y_test)."""
    x_train, y_train, x_test, y_test = load_mnist(np.float32)
    _, _, (x_train, x_test) = standardize(x_train, x_test)
    return images(x_train), y_train.astype(np.int64), images(x_test), y_test.astype(np.int64)


def course_lib_epoch(data: tuple, seed: int) -> float:
    """One epoch of `train_cnn.train` (fit, Adam, linear decay); returns the test accuracy."""
    x, y, x_test, y_test = data
    model = build_cnn(seed=0)
    train(model, x, y, EPOCH_RECIPE, seed=seed, quiet=True)
    return accuracy(predict(model, x_test), y_test)


def torch_epoch_factory() -> Callable[[tuple, int], float] | None:
    """The same epoch in PyTorch, or None when torch cannot be imported."""
    try:
        import torch
    except ImportError:
        return None
    from torch import nn

    def torch_model() -> nn.Sequential:
        (c1, c2), hidden = CNN_RECIPE.channels, CNN_RECIPE.hidden
        net = nn.Sequential(nn.Conv2d(1, c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(c1, c2, 5),
                            nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(c2 * 25, hidden), nn.ReLU(),
                            nn.Linear(hidden, 10))
        ours = [p.value for p in build_cnn(seed=0).parameters()]
        with torch.no_grad():
            for p, value in zip(net.parameters(), ours, strict=True):
                p.copy_(torch.from_numpy(np.ascontiguousarray(value.T if value.ndim == 2 else value)))
        return net

    def torch_epoch(data: tuple, seed: int) -> float:
        x, y, x_test, y_test = (torch.from_numpy(a) for a in data)
        net = torch_model()
        steps = -(-len(x) // BATCH)
        opt = torch.optim.Adam(net.parameters(), lr=CNN_RECIPE.lr)
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(x)))
        for step, start in enumerate(range(0, len(x), BATCH)):
            opt.param_groups[0]["lr"] = CNN_RECIPE.lr * (1 - step / steps)
            idx = order[start : start + BATCH]
            loss = nn.functional.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        with torch.no_grad():
            predicted = torch.cat([net(x_test[i : i + 1000]).argmax(1) for i in range(0, len(x_test), 1000)])
        return float((predicted == y_test).double().mean())

    return torch_epoch


def epochs_side_by_side(contenders: dict[str, Callable[[tuple, int], float]], data: tuple,
                        repeats: int) -> dict[str, tuple[float, list[float]]]:
    """Best seconds per epoch and the test accuracies, per contender, rounds interleaved."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    accuracies: dict[str, list[float]] = {name: [] for name in contenders}
    for r in range(repeats):
        for name, epoch in contenders.items():
            start = time.perf_counter()
            accuracies[name].append(epoch(data, r))
            times[name].append(time.perf_counter() - start)
    return {name: (min(times[name]), accuracies[name]) for name in contenders}


def best_ms(f: Callable[[], object], repeats: int = 20) -> float:
    """Fastest of `repeats` calls, in milliseconds, after one warm-up call."""
    f()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def one_conv(x: np.ndarray) -> str:
    """Forward and backward (dx, dW, db) of the second convolution, 8→16 5×5 on (64, 8, 14, 14)."""
    layer = Conv2D(8, 16, 5, rng=0)
    y = layer.forward(x)
    dy = np.random.default_rng(1).standard_normal(y.shape, dtype=np.float32)
    forward, backward = best_ms(lambda: layer.forward(x)), best_ms(lambda: layer.backward(dy))
    line = f"course_lib forward {forward:.2f} ms, backward {backward:.2f} ms"
    if installed("torch"):
        import torch

        conv = torch.nn.Conv2d(8, 16, 5)
        xt = torch.from_numpy(x).requires_grad_()
        dyt = torch.from_numpy(dy)
        with torch.no_grad():
            t_forward = best_ms(lambda: conv(xt))
        t_backward = best_ms(lambda: conv(xt).backward(dyt)) - t_forward
        line += (f" | torch forward {t_forward:.2f} ms, backward {t_backward:.2f} ms | course_lib/torch "
                 f"{forward / t_forward:.2f}× forward, {backward / t_backward:.2f}× backward")
    return line


def im2col_memory(model: Sequential, batch: int) -> str:
    """Bytes of every Conv2D's im2col buffer (C_in·kh·kw × batch·H_out·W_out float32) for a batch."""
    x = np.zeros((batch, 1, 28, 28), np.float32)
    sizes = []
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            cols = im2col(x, layer.kernel, layer.stride, layer.padding)
            sizes.append(f"{layer!r}: {cols.shape[0]} × {cols.shape[1]:,} = {cols.nbytes / 1e6:.1f} MB")
        x = layer.forward(x, training=False)
    return f"batch {batch:>5}: " + ", ".join(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="epochs per contender and thread setting")
    args = parser.parse_args()
    data = load_data()
    contenders: dict[str, Callable[[tuple, int], float]] = {"course_lib": course_lib_epoch}
    torch_epoch = torch_epoch_factory()
    if torch_epoch is None:
        print("PyTorch: not installed (import torch failed), measuring course_lib alone")
    else:
        contenders["torch"] = torch_epoch
    print(f"MNIST, 60,000 training images, batch {BATCH}, float32; best of {args.repeats} epochs")
    conv_input = np.random.default_rng(0).standard_normal((BATCH, 8, 14, 14), dtype=np.float32)
    for threads in [1, 2] if installed("threadpoolctl") else [int(os.environ["OPENBLAS_NUM_THREADS"])]:
        label = f"{threads} thread(s)"
        with limit_threads(threads):
            results = epochs_side_by_side(contenders, data, args.repeats)
            conv_line = one_conv(conv_input)
        text = ", ".join(f"{name} {s:.1f} s/epoch (test accuracy {', '.join(f'{a:.2%}' for a in accs)})"
                         for name, (s, accs) in results.items())
        ratio = (f" | course_lib/torch {results['course_lib'][0] / results['torch'][0]:.2f}×"
                 if "torch" in results else "")
        print(f"{label:>16}: {text}{ratio}")
        print(f"{'':>16}  one Conv2D(8→16, 5×5) on ({BATCH}, 8, 14, 14): {conv_line}")
    print("im2col buffers (one per Conv2D, kept for backward until the next forward):")
    for batch in (BATCH, 1000):
        print("  " + im2col_memory(build_cnn(), batch))


if __name__ == "__main__":
    main()
