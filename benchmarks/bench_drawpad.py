"""Milliseconds from a finished stroke to the pad's new outputs, on the Python side of the drawing pad.

One update is what `DigitPlayground` does when the browser sends a canvas: decode the 280 × 280 bytes,
prepare the drawing as MNIST did (crop, 20-pixel box, centre of mass), standardize, predict with a
784-256-10 MLP and set the outputs the pad redraws (one widget message). The drawings are test digits
drawn on the canvas (`digits.canvas_from_mnist`), or random blobs when MNIST is not cached. Prints the
median and the 95th percentile, with 1 and 2 BLAS threads when threadpoolctl is installed; the browser's
own drawing of the outputs is measured by tools/browser_test.py. Run on demand:
python benchmarks/bench_drawpad.py
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from threads import installed, limit_threads

from course_lib import digits
from course_lib.course.drawpad import DigitPlayground, encode_image
from course_lib.layers import mlp


def drawings(n: int) -> tuple[list[bytes], str]:
    """n canvases as the pad sends them: test digits drawn on the canvas, or random blobs."""
    try:
        from course_lib.data import load_mnist

        os.environ.setdefault("COURSE_LIB_MNIST_SOURCE", "cache")
        images, source = load_mnist(np.float32)[2][:n], "MNIST test digits drawn on the canvas"
    except Exception as error:
        images = (np.random.default_rng(0).random((n, 784), dtype=np.float32) > 0.8).astype(np.float32)
        source = f"random blobs ({type(error).__name__})"
    return [encode_image(digits.canvas_from_mnist(image)) for image in images], source


def time_updates(playground: DigitPlayground, canvases: list[bytes]) -> np.ndarray:
    """Milliseconds of each update, triggered as the browser does: by a new `canvas`."""
    times = []
    for canvas in canvases:
        start = time.perf_counter()
        playground.pad.canvas = canvas
        times.append(time.perf_counter() - start)
    return 1000 * np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=300)
    args = parser.parse_args()
    canvases, source = drawings(args.updates)
    playground = DigitPlayground({"MLP": mlp([784, 256, 10], "relu", seed=0)}, 0.13, 0.31,
                                 np.zeros((1, 784), np.float32))
    print(f"{len(canvases)} updates of {source}; "
          f"threadpoolctl {'installed' if installed('threadpoolctl') else 'missing: BLAS threads as set'}")
    for threads in (1, 2) if installed("threadpoolctl") else (None,):
        with limit_threads(threads):
            time_updates(playground, canvases[:20])  # warm-up
            ms = time_updates(playground, canvases)
        label = (f"{threads} BLAS thread{'s' if threads != 1 else ''}" if threads
                 else f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
        print(f"{label}: median {np.median(ms):.1f} ms, 95th percentile {np.percentile(ms, 95):.1f} ms "
              f"per update (target: about 100 ms)")


if __name__ == "__main__":
    main()
