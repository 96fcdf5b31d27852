"""Seconds per epoch of a 784-128-10 ReLU MLP (softmax cross-entropy, SGD, float32), four ways.

(a) a plain hand-written NumPy loop, the reference; (b) course_lib's `fit` with `mlp` + SGD, no callbacks;
(c) the same with one do-nothing on_step callback (the cost of the callback hook itself);
(d) PyTorch on the CPU, when `import torch` works. Run on demand:  python benchmarks/bench_mlp.py
Uses cached MNIST if `course_lib.data.load_mnist` finds it, else random data of the same shape.
With threadpoolctl installed, reports 1 and 2 BLAS threads. Ratios are measured in the same run.
Time-to-98% accuracy is measured by bench_time_to_98.py.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
from threads import installed, limit_threads

from course_lib.layers import Sequential, mlp
from course_lib.optim import SGD
from course_lib.train import fit

LR = 0.05


def load_data() -> tuple[np.ndarray, np.ndarray, str]:
    """MNIST train set if it is cached, else random data of the same shape and dtype."""
    try:
        from course_lib.data import load_mnist

        os.environ.setdefault("COURSE_LIB_MNIST_SOURCE", "cache")
        x, y, _, _ = load_mnist(dtype=np.float32)
        return x, y.astype(np.int64), "MNIST (cached)"
    except Exception as error:
        rng = np.random.default_rng(0)
        x = rng.random((60000, 784), dtype=np.float32)
        return x, rng.integers(0, 10, 60000), f"synthetic random data ({type(error).__name__})"


def init_weights(seed: int = 0) -> list[np.ndarray]:
    """The same He-initialised W1, b1, W2, b2 for every contender."""
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((784, 128), dtype=np.float32) * np.sqrt(2 / 784)).astype(np.float32),
        np.zeros(128, np.float32),
        (rng.standard_normal((128, 10), dtype=np.float32) * np.sqrt(2 / 128)).astype(np.float32),
        np.zeros(10, np.float32),
    ]


def plain_epoch(x: np.ndarray, y: np.ndarray, batch: int, seed: int = 0) -> None:
    """The reference: forward, softmax cross-entropy, backward and SGD written out by hand."""
    W1, b1, W2, b2 = init_weights()
    order = np.random.default_rng(seed).permutation(len(x))
    for start in range(0, len(x), batch):
        idx = order[start : start + batch]
        xb, yb = x[idx], y[idx]
        rows = np.arange(len(idx))
        h = xb @ W1 + b1
        a = np.maximum(h, 0)
        z = a @ W2 + b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1)
        _loss = float(np.sum(np.log(s)) - np.sum(z[rows, yb])) / len(idx)
        dz = e / s[:, None]
        dz[rows, yb] -= 1
        dz /= len(idx)
        dW2, db2 = a.T @ dz, dz.sum(axis=0)
        da = (dz @ W2.T) * (h > 0)
        dW1, db1 = xb.T @ da, da.sum(axis=0)
        W1 -= LR * dW1
        b1 -= LR * db1
        W2 -= LR * dW2
        b2 -= LR * db2


class DoNothing:
    """A callback whose on_step returns at once: what remains is the cost of calling it."""

    def on_step(self, step: int, model: Sequential, loss: float, lr: float, batch_size: int) -> None:
        return None


def course_lib_epoch(x: np.ndarray, y: np.ndarray, batch: int, seed: int = 0, callbacks: tuple = ()) -> None:
    model = mlp([784, 128, 10])
    for p, value in zip(model.parameters(), init_weights(), strict=True):
        p.value[...] = value
    fit(model, x, y, epochs=1, batch_size=batch, optimizer=SGD(model, LR), seed=seed, quiet=True,
        callbacks=callbacks)


def course_lib_callback_epoch(x: np.ndarray, y: np.ndarray, batch: int, seed: int = 0) -> None:
    course_lib_epoch(x, y, batch, seed, callbacks=(DoNothing(),))


def torch_epoch_factory() -> Callable[[np.ndarray, np.ndarray, int], None] | None:
    try:
        import torch
    except ImportError:
        return None

    def torch_epoch(x: np.ndarray, y: np.ndarray, batch: int, seed: int = 0) -> None:
        W1, b1, W2, b2 = init_weights()
        net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
        with torch.no_grad():
            for p, value in zip(net.parameters(), (W1.T, b1, W2.T, b2), strict=True):
                p.copy_(torch.from_numpy(np.ascontiguousarray(value)))
        opt = torch.optim.SGD(net.parameters(), lr=LR)
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(x)))
        for start in range(0, len(x), batch):
            idx = order[start : start + batch]
            loss = torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return torch_epoch


def best_times(
    contenders: dict[str, Callable[..., None]], x: np.ndarray, y: np.ndarray, batch: int, repeats: int
) -> dict[str, float]:
    """Fastest of `repeats` epochs per contender, in seconds, after one warm-up epoch each.

    Rounds are interleaved (a, b, c, a, b, c, ...) so a change in machine load hits every contender alike.
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for epoch in contenders.values():
        epoch(x, y, batch)
    for r in range(repeats):
        for name, epoch in contenders.items():
            t0 = time.perf_counter()
            epoch(x, y, batch, seed=r)
            times[name].append(time.perf_counter() - t0)
    return {name: min(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 128])
    args = parser.parse_args()
    x, y, source = load_data()
    torch_epoch = torch_epoch_factory()
    thread_settings: list[int | None] = [1, 2] if installed("threadpoolctl") else [None]
    print(f"data: {source}, x {x.shape} {x.dtype}; best of {args.repeats} epochs, seconds per epoch")
    contenders = {"plain": plain_epoch, "course_lib": course_lib_epoch,
                  "+callback": course_lib_callback_epoch}
    if torch_epoch is None:
        print("PyTorch: not installed, skipped")
    else:
        contenders["torch"] = torch_epoch
    for threads in thread_settings:
        label = f"{threads} BLAS thread(s)" if threads else "default BLAS threads"
        for batch in args.batches:
            with limit_threads(threads):
                best = best_times(contenders, x, y, batch, args.repeats)
            plain, ours, torch_s = best["plain"], best["course_lib"], best.get("torch", float("nan"))
            hooked = best["+callback"]
            print(
                f"{label:>22}, batch {batch:>4}: plain {plain:.3f} s, course_lib {ours:.3f} s, "
                f"with a no-op callback {hooked:.3f} s, torch {torch_s:.3f} s | course_lib/plain "
                f"{ours / plain:.2f}×, callback cost {hooked / ours - 1:+.1%}, "
                f"torch/course_lib {torch_s / ours:.2f}×"
            )


if __name__ == "__main__":
    main()
