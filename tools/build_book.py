"""Render the executed course to ``build/site/``: a static site a learner can read offline.

``python tools/build_book.py`` assembles a Jupyter Book 1 source folder in ``build/book/`` (the
configuration and intro from ``book/``, a table of contents listing ``notebooks/*.ipynb``, the
notebooks, and the JavaScript the pages need, copied from the npm packages in ``book/node_modules``),
builds it with Sphinx and myst-nb, copies the HTML to ``build/site/``, and fails if any page still
points at a CDN.

The notebooks come from ``build/lab/notebooks/`` when the browser test has executed and saved them
there (with widget state) and their code matches ``notebooks/``; the build then executes nothing.
Otherwise the notebooks are executed during the build (myst-nb, ``execute_notebooks: force``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"
LAB_NOTEBOOKS = ROOT / "build" / "lab" / "notebooks"
SOURCE = ROOT / "build" / "book"
SITE = ROOT / "build" / "site"

#: What the pages load, copied from book/node_modules into the book's static folder `vendor/`:
#: destination (file or folder) → source inside node_modules.
VENDOR: dict[str, str] = {
    "require.min.js": "requirejs/require.js",
    "html-manager": "@jupyter-widgets/html-manager/dist",
    "mathjax": "mathjax/es5",
}
VENDOR_SKIP = ("*.map", "*.LICENSE.txt", "embed.js", "libembed-amd.js", "sre", "node-main.js")

#: anywidget's front end (the drawing pad of notebook 08 is an anywidget) comes with its Python package,
#: as a require.js module; `anywidget-paths.js` tells require.js to load it from the site, not a CDN.
ANYWIDGET_PATHS_JS = """// Where require.js finds anywidget: next to this file (see tools/build_book.py).
const here = document.currentScript.src.replace(/[^/]*$/, "");
requirejs.config({paths: {anywidget: here + "anywidget/index"}});
"""

#: A URL on a CDN, anywhere in a page (the browser test also refuses every request while it looks).
#: The host must have a dot, so base64 data (no dots) in a page never matches.
CDN_PATTERN = re.compile(r"""(?:https?:)?//(?=[\w-]*\.)[\w.-]*(?:cdn|unpkg|jsdelivr)[\w.-]*\.[a-z]{2,}"""
                         r"""(?:[/?#][^\s"'<>()]*)?""", re.IGNORECASE)


def code_sources(notebook: dict[str, Any]) -> list[str]:
    """The source of every code cell, as one string each."""
    return ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in notebook["cells"] if cell["cell_type"] == "code"]


def is_executed_copy(original: dict[str, Any], executed: dict[str, Any]) -> bool:
    """Is ``executed`` the notebook ``original`` with every code cell run (and no code changed)?"""
    cells = [cell for cell in executed["cells"] if cell["cell_type"] == "code"]
    return code_sources(original) == code_sources(executed) and all(
        cell.get("execution_count") is not None for cell in cells)


def choose_sources(notebooks: Sequence[Path], lab_folder: Path) -> tuple[list[Path], bool]:
    """The notebooks to render and whether the build must execute them: the browser test's executed
    copies when there is one for every notebook, otherwise the committed notebooks, executed."""
    copies = [lab_folder / path.name for path in notebooks]
    if notebooks and all(copy.exists() for copy in copies) and all(
            is_executed_copy(json.loads(path.read_text()), json.loads(copy.read_text()))
            for path, copy in zip(notebooks, copies, strict=True)):
        return copies, False
    return list(notebooks), True


def toc_yaml(names: Sequence[str]) -> str:
    """A Jupyter Book table of contents: the intro page, then each notebook in order."""
    lines = ["format: jb-book", "root: intro", "chapters:"]
    lines += [f"- file: notebooks/{Path(name).stem}" for name in names]
    return "\n".join(lines) + "\n"


def config_yaml(template: str, execute: bool) -> str:
    """book/_config.yml with the execution mode set."""
    mode = '"force"' if execute else '"off"'
    text, count = re.subn(r"(?m)^(\s*execute_notebooks:\s*).*$", rf"\g<1>{mode}", template)
    if count != 1:
        raise ValueError("book/_config.yml needs exactly one `execute_notebooks:` line")
    return text


def find_cdn_links(html: str) -> list[str]:
    """Every CDN URL in an HTML page: in a src or href, or in a script's text."""
    return CDN_PATTERN.findall(html)


def cdn_links_in_site(site: Path) -> dict[str, list[str]]:
    """page (relative path) → CDN URLs, for every HTML page of the site that has any."""
    found = {}
    for page in sorted(site.rglob("*.html")):
        links = find_cdn_links(page.read_text(errors="replace"))
        if links:
            found[str(page.relative_to(site))] = links
    return found


def copy_vendor(node_modules: Path, target: Path) -> None:
    """Copy the files in VENDOR from node_modules to ``target`` (the book's static folder)."""
    for destination, source in VENDOR.items():
        origin = node_modules / source
        if not origin.exists():
            raise SystemExit(f"{origin} is missing: run `npm ci --no-audit --no-fund` in book/ "
                             f"(`make book` does)")
        if origin.is_dir():
            shutil.copytree(origin, target / destination, ignore=shutil.ignore_patterns(*VENDOR_SKIP))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target / destination)


def copy_anywidget(target: Path) -> None:
    """anywidget's require.js module from its installed Python package, and the path that finds it."""
    import anywidget

    module = Path(anywidget.__file__).with_name("nbextension") / "index.js"
    if not module.exists():
        raise SystemExit(f"{module} is missing: reinstall anywidget (pip install -e '.[dev,browser]')")
    (target / "anywidget").mkdir(parents=True, exist_ok=True)
    shutil.copy2(module, target / "anywidget" / "index.js")
    (target / "anywidget-paths.js").write_text(ANYWIDGET_PATHS_JS)


def assemble(execute_anyway: bool = False) -> bool:
    """Fill build/book/ with everything Jupyter Book needs; returns whether it must execute."""
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    sources, execute = choose_sources(notebooks, LAB_NOTEBOOKS)
    execute = execute or execute_anyway
    if execute:
        sources = notebooks
    if SOURCE.exists():
        shutil.rmtree(SOURCE)
    (SOURCE / "notebooks").mkdir(parents=True)
    for path in sources:
        shutil.copy2(path, SOURCE / "notebooks" / path.name)
    if (ROOT / "images").is_dir():
        shutil.copytree(ROOT / "images", SOURCE / "images")
    shutil.copy2(BOOK / "intro.md", SOURCE / "intro.md")
    (SOURCE / "_config.yml").write_text(config_yaml((BOOK / "_config.yml").read_text(), execute))
    (SOURCE / "_toc.yml").write_text(toc_yaml([path.name for path in notebooks]))
    copy_vendor(BOOK / "node_modules", SOURCE / "vendor")
    copy_anywidget(SOURCE / "vendor")
    return execute


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--execute", action="store_true",
                        help="execute the notebooks even when build/lab has executed copies")
    args = parser.parse_args(argv)
    started = time.monotonic()
    execute = assemble(args.execute)
    how = "executing the notebooks" if execute else "rendering the notebooks executed in build/lab"
    print(f"book: {how}", flush=True)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    build = subprocess.run([str(jupyter_book), "build", str(SOURCE), "--builder", "html", "-W", "-n",
                            "--keep-going"], cwd=ROOT)
    html = SOURCE / "_build" / "html"
    if build.returncode != 0 or not (html / "index.html").exists():
        print("book: the build failed (see the warnings above)", file=sys.stderr)
        return 1
    if SITE.exists():
        shutil.rmtree(SITE)
    shutil.copytree(html, SITE, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    cdn = cdn_links_in_site(SITE)
    if cdn:
        for page, links in cdn.items():
            print(f"book: {page} names a CDN: {', '.join(links[:3])}", file=sys.stderr)
        return 1
    print(f"book: build/site/index.html written in {time.monotonic() - started:.0f} s "
          f"({len(list(SITE.rglob('*.html')))} pages, no CDN links)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
