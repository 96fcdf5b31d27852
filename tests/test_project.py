"""The project's promises to users: matching dependency lists, clean notebooks, a lab that serves."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from course_lib.course import setup_check

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def pyproject_requirements() -> dict[str, str]:
    """name → minimum version, from pyproject.toml's dependencies and every optional group."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    specs = project["dependencies"] + [spec for group in extras for spec in group]
    return dict(spec.split(">=") for spec in specs)


def environment_requirements() -> dict[str, str]:
    """name → minimum version, from environment.yml's conda dependencies (python and pip left out)."""
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("dependencies:") + 1
    specs = [line.strip()[2:] for line in lines[start:] if line.strip().startswith("- ")]
    pairs = [re.split(r">=|==|=", spec) + [""] for spec in specs]
    return {name: minimum for name, minimum, *_ in pairs if name not in ("python", "pip")}


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib arrived in Python 3.11")
def test_environment_yml_and_pyproject_name_the_same_packages_and_minimums():
    assert environment_requirements() == pyproject_requirements()


def constraint_pins(path: Path) -> dict[str, str]:
    """name → pinned version, from a pip constraints file (comments and blank lines left out)."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return dict(line.split("==") for line in lines if line)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib arrived in Python 3.11")
def test_oldest_constraints_pin_exactly_the_declared_floors():
    """`make test-oldest` tests the floors only while constraints/oldest.txt pins the same versions."""
    import tomllib
    from packaging.version import Version  # pytest's own dependency

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # what `make test-oldest` installs: the course's own dependencies and the dev extra (not `browser`)
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    floors = dict(spec.split(">=") for spec in specs)
    pins = constraint_pins(ROOT / "constraints" / "oldest.txt")
    missing = set(floors) - set(pins)
    assert not missing, f"constraints/oldest.txt does not pin {sorted(missing)}"
    drifted = {name: (floor, pins[name]) for name, floor in floors.items()
               if Version(floor) != Version(pins[name])}
    assert not drifted, f"pyproject.toml floor vs constraints/oldest.txt pin: {drifted}"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib arrived in Python 3.11")
def test_version_is_one_number_everywhere():
    import tomllib

    import course_lib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert course_lib.__version__ == version
    citation = (ROOT / "CITATION.cff").read_text()
    assert re.search(rf'^version: "?{re.escape(version)}"?$', citation, re.MULTILINE), citation


def test_dependencies_are_ranges_not_pins():
    text = (ROOT / "pyproject.toml").read_text() + (ROOT / "environment.yml").read_text()
    assert "==" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs_and_uses_python3(path):
    notebook = json.loads(path.read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name} cell {number} has outputs: clear them first"
            assert cell["execution_count"] is None, f"{path.name} cell {number} has an execution count"


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, f"README.md does not list {path.name}"


def test_setup_check_reads_the_declared_ranges():
    declared = dict(setup_check.declared_requirements())
    assert declared["numpy"] == "2.0" and "jupyterlab" in declared
    assert "jupyterlab" not in dict(setup_check.declared_requirements(include_dev=False))
    assert setup_check.version_tuple("2.1.0rc1+local") == (2, 1, 0)
    assert all(status.ok for status in setup_check.package_report())


def test_setup_check_flags_a_missing_package():
    status = setup_check.PackageStatus("nonexistent", "1.0", None)
    assert not status.ok
    assert not setup_check.PackageStatus("numpy", "99.0", "2.1.0").ok


@pytest.mark.slow
def test_widgets_render_in_jupyterlab():
    """jupyterlab_widgets (from ipywidgets 8) must be installed and enabled, or sliders show as text."""
    assert setup_check.widgets_extension_path() is not None
    jupyter = Path(sys.executable).with_name("jupyter")
    listing = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True, text=True,
                             check=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert re.search(r"@jupyter-widgets/jupyterlab-manager v\S+ enabled\s+OK", text), text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str) -> int:
    """HTTP status of a GET on a loopback URL (no proxy); 0 while nothing listens."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except urllib.error.URLError:
        return 0


@pytest.mark.slow
def test_make_lab_serves_the_course_with_a_token():
    port, token = free_port(), "course-test-token"
    lab_args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
                f"--IdentityProvider.token={token}")
    server = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={lab_args}"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while http_status(f"{base}/api/status?token={token}") != 200:
            assert server.poll() is None, f"make lab exited early: {server.stderr.read()[-2000:]}"
            assert time.monotonic() < deadline, "JupyterLab did not answer within 90 s"
            time.sleep(0.5)
        assert http_status(f"{base}/lab/tree/notebooks/00_start_here.ipynb?token={token}") == 200
        assert http_status(f"{base}/api/contents/notebooks/00_start_here.ipynb?token={token}") == 200
        assert http_status(f"{base}/api/contents/notebooks/00_start_here.ipynb") == 403
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_images_the_notebooks_show_exist_and_every_image_is_shown():
    shown = set()
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                shown.update(re.findall(r"\]\(\.\./images/([^)\s]+)\)", "".join(cell["source"])))
    on_disk = {p.name for p in (ROOT / "images").iterdir()}
    assert shown <= on_disk, f"notebooks show missing images: {shown - on_disk}"
    assert on_disk <= shown, f"images no notebook shows: {on_disk - shown}"
