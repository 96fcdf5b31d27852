"""Time-to-98%: the course's fast MNIST recipe in course_lib (NumPy) and, if installed, PyTorch on the CPU.

Recipe (`make train ARGS="--recipe fast"`, here on all 60,000 images): inputs standardized with the training
mean and std, a 784-256-10 ReLU MLP, softmax cross-entropy, batch 64, momentum 0.9, learning rate 0.05
falling linearly to 0 over 3 epochs. Both contenders start from the same weights and visit the batches
in the same order; only the training loop is timed. Ratios are measured in the same run.
Run on demand:  python benchmarks/bench_time_to_98.py [--seeds 3] [--threads 1 2]
(PyTorch's momentum, v ← μv + g, θ ← θ − ηv, equals course_lib's v ← μv − ηg, θ ← θ + v for a constant η;
with the decaying η the two differ slightly, so accuracies may differ in the last digit.)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threads import installed, limit_threads

from course_lib.course.train_mnist import RECIPES, build_model, standardize, train
from course_lib.data import load_mnist
from course_lib.metrics import accuracy

FAST = RECIPES["fast"]
EPOCHS, BATCH, LR, HIDDEN = FAST.epochs, FAST.batch_size, FAST.lr, FAST.hidden


def course_lib_run(data: tuple[np.ndarray, ...], seed: int) -> tuple[float, float, list[np.ndarray]]:
    """(seconds, test accuracy, initial weights) of one course_lib run."""
    x, y, x_test, y_test = data
    model = build_model(HIDDEN, seed)
    start_weights = [p.value.copy() for p in model.parameters()]
    t0 = time.perf_counter()
    train(model, x, y, FAST, seed=seed, quiet=True)
    seconds = time.perf_counter() - t0
    return seconds, accuracy(model.predict(x_test), y_test), start_weights


def torch_run(data: tuple[np.ndarray, ...], seed: int, weights: list[np.ndarray]) -> tuple[float, float]:
    """(seconds, test accuracy) of the same recipe in PyTorch, from the same weights and batch order."""
    import torch

    x, y, x_test, y_test = data
    net = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10))
    W1, b1, W2, b2 = weights
    with torch.no_grad():
        for p, value in zip(net.parameters(), (W1.T, b1, W2.T, b2), strict=True):
            p.copy_(torch.from_numpy(np.ascontiguousarray(value)))
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=0.9)
    steps_per_epoch = -(-len(x) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1 - min(t / (EPOCHS * steps_per_epoch), 1.0))
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    order_rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for _ in range(EPOCHS):
        order = torch.from_numpy(order_rng.permutation(len(x)))
        for start in range(0, len(x), BATCH):
            idx = order[start : start + BATCH]
            loss = torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        predicted = net(torch.from_numpy(x_test)).argmax(dim=1).numpy()
    return seconds, float(np.mean(predicted == y_test))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    x, y, x_test, y_test = load_mnist(np.float32)
    _, _, (x, x_test) = standardize(x, x_test)
    data = (x, y, x_test, y_test)
    has_torch = installed("torch")
    print(f"784-{HIDDEN}-10, batch {BATCH}, momentum 0.9, lr {LR} → 0 over {EPOCHS} epochs, 60,000 images")
    if not installed("threadpoolctl"):
        print("threadpoolctl: not installed, NumPy's BLAS threads are not limited (set OPENBLAS_NUM_THREADS)")
    if not has_torch:
        print("PyTorch: not installed, skipped")
    for threads in args.threads:
        with limit_threads(threads):
            for seed in range(args.seeds):
                ours, our_acc, weights = course_lib_run(data, seed)
                line = f"{threads} thread(s), seed {seed}: course_lib {our_acc:.2%} in {ours:.2f} s"
                if has_torch:
                    theirs, their_acc = torch_run(data, seed, weights)
                    line += f" | torch {their_acc:.2%} in {theirs:.2f} s"
                    line += f" | torch/course_lib {theirs / ours:.2f}×"
                print(line, flush=True)


if __name__ == "__main__":
    main()
