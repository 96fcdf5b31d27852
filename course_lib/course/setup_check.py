"""Is this machine ready for the course? The checks that notebook 00 runs first.

Reads the version ranges the project declares (its installed metadata, so there is one source of
truth: ``pyproject.toml``), compares them with what is installed, and looks for the JupyterLab
front-end extension that draws widgets (without it, a slider shows up as plain text).
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT = "course_lib"
MIN_PYTHON = (3, 10)
WIDGETS_EXTENSION = ("@jupyter-widgets", "jupyterlab-manager")


@dataclass(frozen=True)
class PackageStatus:
    """One declared dependency: its minimum version, the installed one (None if missing), and a verdict."""

    name: str
    minimum: str
    installed: str | None

    @property
    def ok(self) -> bool:
        return self.installed is not None and version_tuple(self.installed) >= version_tuple(self.minimum)


def version_tuple(version: str) -> tuple[int, ...]:
    """Leading numeric parts of a version: '2.1.0rc1' → (2, 1, 0)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def declared_requirements(include_dev: bool = True) -> list[tuple[str, str]]:
    """(name, minimum version) for each dependency the installed project declares: the course's own and,
    with ``include_dev``, the ``dev`` extra that ``make setup`` installs. Other extras (``browser``: the
    browser test and the static site) are maintainers' tools that a learner does not need."""
    found = []
    for spec in metadata.requires(PROJECT) or []:
        requirement, _, marker = spec.partition(";")
        extra = re.search(r"""extra\s*==\s*["']([^"']+)["']""", marker)
        if extra and (not include_dev or extra.group(1) != "dev"):
            continue
        name, _, minimum = requirement.partition(">=")
        found.append((name.strip(), minimum.strip() or "0"))
    return found


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def package_report(include_dev: bool = True) -> list[PackageStatus]:
    """The status of every declared dependency."""
    return [PackageStatus(name, minimum, installed_version(name))
            for name, minimum in declared_requirements(include_dev)]


def widgets_extension_path() -> Path | None:
    """Where JupyterLab finds the widget manager extension, or None if it is not installed."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        candidate = Path(folder).joinpath(*WIDGETS_EXTENSION)
        if (candidate / "package.json").exists():
            return candidate
    return None


def python_ok() -> bool:
    return sys.version_info[:2] >= MIN_PYTHON


def summary() -> str:
    """A table a learner can read: each check, what was found, and OK or what to do."""
    rows = [("python", sys.version.split()[0], f">= {'.'.join(map(str, MIN_PYTHON))}", python_ok())]
    rows += [(p.name, p.installed or "missing", f">= {p.minimum}", p.ok) for p in package_report()]
    extension = widgets_extension_path()
    rows.append(("widgets in JupyterLab", str(extension) if extension else "missing",
                 "jupyterlab_widgets", extension is not None))
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {'OK ' if ok else 'FIX'}  {found}  (needs {need})"
             for name, found, need, ok in rows]
    if not all(r[3] for r in rows):
        lines.append("Something needs fixing: run `make lab` again (it reinstalls what is missing), "
                     "or see Troubleshooting in README.md.")
    return "\n".join(lines)
