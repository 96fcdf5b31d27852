"""The course as learners see it: every notebook run in JupyterLab in a real (headless) Chromium.

``python tools/browser_test.py`` copies ``notebooks/`` to ``build/lab/``, starts JupyterLab there on
127.0.0.1 with a random port and token, and drives the system Chromium with Playwright (never a
downloaded browser). For each notebook it runs all cells, fails on the first error output naming the
notebook and cell, checks that every widget rendered as a widget (not as ``interactive(children=...``
text), changes a control of each playground and waits for its output to change, draws digits with
the mouse on every drawing pad (notebook 08) and checks what the network reads, saves screenshots
to ``build/screenshots/``, and saves the executed notebook with its widget state, which
``tools/build_book.py`` then renders without executing anything again.

``python tools/browser_test.py --site`` opens the static site in ``build/site/`` from disk, with every
network request refused, and checks that math, a plot and a widget are shown on every notebook page.

JupyterLab and its kernels are stopped by process id at the end, also when a step fails.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
LAB_DIR = BUILD / "lab"
SCREENSHOTS = BUILD / "screenshots"
SITE = BUILD / "site"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TEXT_FALLBACK_PREFIXES = ("interactive(children=", "VBox(children=", "HBox(children=", "GridBox(children=")
VIEWPORT = {"width": 1400, "height": 1000}

#: Settings JupyterLab reads from ``user_settings_dir``: save widget state with the notebook, attach
#: every cell to the page (so cells below the fold can be checked), and never fetch news.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyter-widgets/jupyterlab-manager/plugin": {"saveState": True},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


class BrowserTestError(AssertionError):
    """A check failed; the message names the notebook and the cell."""


# ----------------------------------------------------------------------------------- pure logic


@dataclass(frozen=True)
class CellReport:
    """What the browser test needs to know about one cell after Run All (built from JupyterLab's model)."""

    index: int
    cell_type: str
    execution_count: int | None
    outputs: tuple[dict[str, Any], ...] = ()


def discover_notebooks(folder: Path) -> list[Path]:
    """Every course notebook in ``folder``, in course order (their names start with a number)."""
    return sorted(path for path in folder.glob("*.ipynb") if not path.name.startswith("."))


def cell_reports(raw: Sequence[dict[str, Any]]) -> list[CellReport]:
    """CellReports from the JSON list the page returns (see ``CELLS_JS``)."""
    return [CellReport(i, cell["type"], cell.get("count"), tuple(cell.get("outputs", ())))
            for i, cell in enumerate(raw)]


def first_error(notebook: str, cells: Sequence[CellReport]) -> str | None:
    """'NAME cell N: Ename: evalue' for the first cell with an error output, else None."""
    for cell in cells:
        for output in cell.outputs:
            if output.get("output_type") == "error":
                ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
                return f"{notebook} cell {cell.index}: {ename}: {evalue}"
    return None


def unexecuted_cells(cells: Sequence[CellReport]) -> list[int]:
    """Indexes of code cells that have no execution count after Run All."""
    return [cell.index for cell in cells if cell.cell_type == "code" and cell.execution_count is None]


def widget_cells(cells: Sequence[CellReport]) -> list[int]:
    """Indexes of cells that display a widget (an output with a widget view)."""
    return [cell.index for cell in cells
            if any(WIDGET_VIEW in output.get("data", {}) for output in cell.outputs)]


def is_text_fallback(text: str) -> bool:
    """True for the text a widget shows when the front-end extension is missing."""
    return text.lstrip().startswith(TEXT_FALLBACK_PREFIXES)


def output_changed(before: Sequence[str], after: Sequence[str]) -> bool:
    """Did a playground's output change? Whitespace-insensitive; an emptied output does not count
    (an output is cleared while the new one is computed)."""
    def norm(parts: Sequence[str]) -> list[str]:
        return [" ".join(part.split()) for part in parts]

    return any(norm(after)) and norm(after) != norm(before)


def has_widget_state(notebook: dict[str, Any]) -> bool:
    """Does a saved notebook carry the widget state a static page needs to draw its widgets?"""
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
    return bool(state.get("state"))


def descendants(parent: int, parent_of: dict[int, int]) -> list[int]:
    """All processes below ``parent`` in a pid → parent-pid map, parents first."""
    found, frontier = [], [parent]
    while frontier:
        children = [pid for pid, ppid in parent_of.items() if ppid in frontier and pid not in found]
        found += children
        frontier = children
    return found


def lab_command(jupyter: str, root_dir: Path, port: int, token: str, settings: Path,
                workspaces: Path) -> list[str]:
    """The JupyterLab command line: loopback only, a token, the app exposed to the test's scripts."""
    command = [jupyter, "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root_dir}", "--LabApp.expose_app_in_browser=True",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def write_settings(folder: Path) -> None:
    """Write LAB_SETTINGS as JupyterLab user settings files under ``folder``."""
    for plugin, values in LAB_SETTINGS.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def is_local_url(url: str, allowed_prefixes: Sequence[str]) -> bool:
    """Requests the tests let through: data/blob URLs and the given prefixes; everything else is refused."""
    return url.startswith(("data:", "blob:", "about:")) or url.startswith(tuple(allowed_prefixes))


# ------------------------------------------------------------------------------ server process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _parent_map() -> dict[int, int]:
    """pid → parent pid of every process, read from /proc."""
    result = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        result[int(stat.parent.name)] = int(fields[1])
    return result


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def stop_process_tree(process: subprocess.Popen[bytes]) -> None:
    """Stop a server and every process it started (kernels run in sessions of their own), by pid."""
    children = descendants(process.pid, _parent_map())
    for pid in [process.pid, *children]:
        _signal(pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    alive = children
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in alive if Path(f"/proc/{pid}").exists() and not _is_zombie(pid)]
    for pid in alive:
        _signal(pid, signal.SIGKILL)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def _http_ok(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def jupyterlab(root_dir: Path) -> Iterator[str]:
    """Serve ``root_dir`` with JupyterLab; yields the base URL with its token. Always stopped by pid."""
    port, token = free_port(), secrets.token_hex(24)
    with tempfile.TemporaryDirectory(prefix="browser-test-") as tmp:
        settings, workspaces = Path(tmp, "settings"), Path(tmp, "workspaces")
        write_settings(settings)
        workspaces.mkdir()
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(Path(tmp, "config")),
               "JUPYTER_RUNTIME_DIR": str(Path(tmp, "runtime")), "PYTHONUNBUFFERED": "1"}
        log = Path(tmp, "lab.log").open("wb")
        jupyter = str(Path(sys.executable).with_name("jupyter"))
        server = subprocess.Popen(lab_command(jupyter, root_dir, port, token, settings, workspaces),
                                  cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while not _http_ok(f"{base}/api/status?token={token}"):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = Path(tmp, "lab.log").read_text(errors="replace")[-3000:]
                    raise BrowserTestError(f"JupyterLab did not start:\n{tail}")
                time.sleep(0.5)
            yield f"{base}|{token}"
        finally:
            stop_process_tree(server)
            log.close()


# ------------------------------------------------------------------------------------ browser

CELLS_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.map((cell, i) => {
    cell.node.setAttribute('data-browser-test-cell', String(i));
    const outputs = cell.model.type === 'code' ? cell.model.outputs.toJSON() : [];
    const summary = o => ({output_type: o.output_type, ename: o.ename, evalue: o.evalue,
                           data: Object.fromEntries(Object.keys(o.data || {}).map(k => [k, 1]))});
    return {type: cell.model.type, count: cell.model.type === 'code' ? cell.model.executionCount : null,
            outputs: outputs.map(summary)};
  });
}"""

OPEN_JS = """async (path) => {
  const app = window.jupyterapp;
  await app.started; await app.restored;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready; await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  window.__runAll = null;
  return panel.sessionContext.session ? panel.sessionContext.session.kernel.name : null;
}"""

RUN_ALL_JS = """() => {
  window.__runAll = null;
  window.jupyterapp.commands.execute('notebook:run-all-cells').then(
    ok => { window.__runAll = {ok: !!ok}; }, err => { window.__runAll = {error: String(err)}; });
}"""

STATUS_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const running = panel.content.widgets.findIndex(
    c => c.model.type === 'code' && (c.model.executionState === 'running' ||
         (c.promptNode && c.promptNode.textContent.includes('*'))));
  return {done: window.__runAll, kernel: kernel ? kernel.status : 'none', running};
}"""

SAVE_CLOSE_JS = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.context.save();
  await panel.sessionContext.shutdown();
  panel.dispose();
}"""

SNAPSHOT_JS = """(node) => Array.from(node.querySelectorAll(
    '.widget-output, .widget-html-content, .drawpad-reading, canvas.drawpad-seen'))
  .map(e => e.tagName === 'CANVAS' ? e.toDataURL() : e.innerHTML)"""

#: Controls a playground may have, tried in this order until one changes the output.
CONTROLS = (
    ("slider", ".widget-slider .noUi-handle"),
    ("toggle button", ".widget-toggle-button:not(.mod-active)"),
    ("dropdown", ".widget-dropdown select"),
    ("checkbox", ".widget-checkbox input"),
    ("button", "button.widget-button:not(.widget-toggle-button)"),
)


#: Digits the browser test draws on a drawing pad: polylines in canvas pixels (the canvas is 280 × 280),
#: large and MNIST-like, each drawn as one stroke.
DIGIT_STROKES: dict[int, tuple[tuple[float, float], ...]] = {
    7: ((70, 55), (205, 55), (185, 105), (155, 170), (130, 235)),
    1: ((146, 40), (142, 140), (136, 240)),
}
PAD_CANVAS = "canvas.drawpad-canvas"

#: Records, on the page, when a stroke ends on the pad and when its reading next changes (milliseconds).
PAD_TIMER_JS = """(cell) => {
  const canvas = cell.querySelector('canvas.drawpad-canvas');
  const reading = cell.querySelector('.drawpad-reading');
  const times = window.__padTimes = {released: null, read: null};
  canvas.addEventListener('pointerup', () => { times.released = performance.now(); times.read = null; },
                          {capture: true});
  new MutationObserver(() => {
    if (times.released !== null && times.read === null) times.read = performance.now();
  }).observe(reading, {childList: true, characterData: true, subtree: true, attributes: true});
}"""


def other_option(options: Sequence[str], current: str) -> str | None:
    """A dropdown value other than ``current``, or None when there is no other (nothing to change)."""
    return next((value for value in options if value != current), None)


def stroke_points(polyline: Sequence[tuple[float, float]], step: float = 6.0) -> list[tuple[float, float]]:
    """The polyline's corners with points every ``step`` pixels between them: the mouse's path."""
    points = [polyline[0]]
    for (x0, y0), (x1, y1) in zip(polyline[:-1], polyline[1:], strict=True):
        moves = max(1, int(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 // step))
        points += [(x0 + (x1 - x0) * k / moves, y0 + (y1 - y0) * k / moves) for k in range(1, moves + 1)]
    return points


def read_digit(attribute: str | None) -> int | None:
    """The digit a pad's reading shows (its data-digit attribute), or None while it shows none."""
    return int(attribute) if attribute not in (None, "", "-1") else None


def _wait(predicate: Any, timeout: float, interval: float = 0.5) -> Any:
    """Poll ``predicate`` until it returns something truthy or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def _change(page: Any, kind: str, control: Any) -> None:
    """Change one control the way a learner would: keyboard for sliders, a click, or another option."""
    control.scroll_into_view_if_needed()
    if kind == "slider":
        control.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
    elif kind == "dropdown":
        options = control.evaluate("s => Array.from(s.options).map(o => o.value)")
        control.select_option(other_option(options, control.evaluate("s => s.value")))
    else:
        control.click()


def check_playground(page: Any, notebook: str, index: int, timeout: float) -> str:
    """Change the controls of the playground in cell ``index`` until its output changes; say which."""
    cell = page.locator(f'[data-browser-test-cell="{index}"]')
    outputs = cell.locator(".jp-Cell-outputArea")
    rendered = _wait(lambda: outputs.locator(".jupyter-widgets").count() > 0, 30)
    text = outputs.inner_text() if outputs.count() else ""
    if not rendered or is_text_fallback(text):
        raise BrowserTestError(f"{notebook} cell {index}: the widget did not render (shows {text[:80]!r})")
    tried = []
    for kind, selector in CONTROLS:
        controls = outputs.locator(selector)
        if not controls.count() or (kind == "dropdown" and other_option(
                controls.first.evaluate("s => Array.from(s.options).map(o => o.value)"),
                controls.first.evaluate("s => s.value")) is None):
            continue
        before = outputs.evaluate(SNAPSHOT_JS)
        _change(page, kind, controls.first)
        tried.append(kind)
        started = time.monotonic()

        def settled(before: list[str] = before, started: float = started) -> bool | str:
            if output_changed(before, outputs.evaluate(SNAPSHOT_JS)):
                return "changed"
            idle = page.evaluate(STATUS_JS)["kernel"] == "idle"
            return idle and time.monotonic() - started > 3

        if _wait(settled, timeout) == "changed":
            return kind
    if not tried:
        raise BrowserTestError(f"{notebook} cell {index}: a widget without any control to change")
    raise BrowserTestError(f"{notebook} cell {index}: the output did not change after changing the "
                           f"{', '.join(tried)}")


def draw_on_pad(page: Any, notebook: str, index: int, timeout: float) -> dict[int, float]:
    """On the drawing pad of cell ``index``: for each digit of DIGIT_STROKES, clear, draw it with the
    mouse (press, move, release), wait for the reading and check it names that digit. Keeps a screenshot
    of the pad after each digit; returns digit → milliseconds from the release to the new reading."""
    cell = page.locator(f'[data-browser-test-cell="{index}"]')
    canvas, reading = cell.locator(PAD_CANVAS), cell.locator(".drawpad-reading")
    canvas.scroll_into_view_if_needed()
    cell.evaluate(PAD_TIMER_JS)
    latencies = {}
    for digit, polyline in DIGIT_STROKES.items():
        cell.locator(".drawpad-clear").click()
        if _wait(lambda: read_digit(reading.get_attribute("data-digit")) is None, timeout, 0.1) is False:
            raise BrowserTestError(f"{notebook} cell {index}: the pad still reads a digit after 'clear'")
        box = canvas.bounding_box()
        scale = box["width"] / float(canvas.evaluate("c => c.width"))
        points = [(box["x"] + x * scale, box["y"] + y * scale) for x, y in stroke_points(polyline)]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point)
        page.mouse.up()
        read = _wait(lambda: read_digit(reading.get_attribute("data-digit")), timeout, 0.05)
        if read != digit:
            raise BrowserTestError(f"{notebook} cell {index}: drew a {digit} on the pad, it reads "
                                   f"{reading.inner_text()!r}")
        times = page.evaluate("() => window.__padTimes")
        latencies[digit] = round(times["read"] - times["released"], 1) if times["read"] else float("nan")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        cell.screenshot(path=str(SCREENSHOTS / f"{Path(notebook).stem}_drawpad_{digit}.png"))
    return latencies


def run_notebook(page: Any, path: str, timeout: float) -> dict[str, Any]:
    """Open, run all, check errors and playgrounds, screenshot, save and close one notebook."""
    name = Path(path).name
    started = time.monotonic()
    page.evaluate(OPEN_JS, path)
    page.evaluate(RUN_ALL_JS)
    status = _wait(lambda: (s := page.evaluate(STATUS_JS))["done"] and s["kernel"] == "idle" and s,
                   timeout, interval=1)
    if not status:
        status = page.evaluate(STATUS_JS)
        where = f"cell {status['running']}" if status["running"] >= 0 else "no cell running"
        raise BrowserTestError(f"{name} {where}: Run All did not finish within {timeout:.0f} s")
    executed = time.monotonic() - started
    cells = cell_reports(page.evaluate(CELLS_JS))
    error = first_error(name, cells)
    if error:
        raise BrowserTestError(error)
    if missing := unexecuted_cells(cells):
        raise BrowserTestError(f"{name} cell {missing[0]}: did not run ({len(missing)} code cells did not)")
    playgrounds = widget_cells(cells)
    if not playgrounds:
        raise BrowserTestError(f"{name}: no widget playground found")
    changed = {index: check_playground(page, name, index, timeout=120) for index in playgrounds}
    drawn = {index: draw_on_pad(page, name, index, timeout=60) for index in playgrounds
             if page.locator(f'[data-browser-test-cell="{index}"] {PAD_CANVAS}').count()}
    page.locator(f'[data-browser-test-cell="{playgrounds[0]}"]').scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{Path(path).stem}.png"))
    page.evaluate(SAVE_CLOSE_JS)
    saved = json.loads((LAB_DIR / path).read_text())
    if not has_widget_state(saved):
        raise BrowserTestError(f"{name}: saved without widget state (JupyterLab's saveState setting)")
    total = time.monotonic() - started
    return {"notebook": name, "run_all_s": round(executed, 1), "total_s": round(total, 1),
            "playgrounds": changed, "pads": drawn}


def prepare_lab_dir(source: Path, target: Path) -> list[str]:
    """Fresh copies of the course notebooks (and images) to run; returns their paths inside ``target``."""
    if target.exists():
        shutil.rmtree(target)
    (target / "notebooks").mkdir(parents=True)
    for path in discover_notebooks(source / "notebooks"):
        shutil.copy2(path, target / "notebooks" / path.name)
    if (source / "images").is_dir():
        shutil.copytree(source / "images", target / "images")
    return [f"notebooks/{path.name}" for path in discover_notebooks(target / "notebooks")]


@contextmanager
def chromium_page(allowed_prefixes: Sequence[str], blocked: list[str]) -> Iterator[Any]:
    """A page in the system's headless Chromium; requests outside ``allowed_prefixes`` are refused
    and recorded in ``blocked``."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise BrowserTestError(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, viewport=VIEWPORT)
        try:
            def route(route: Any) -> None:
                if is_local_url(route.request.url, allowed_prefixes):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", route)
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def check_lab(names: Sequence[str], timeout: float, results: list[dict[str, Any]]) -> None:
    """The JupyterLab part: every notebook (or those whose name contains one of ``names``); each one that
    passes is appended to ``results``."""
    from playwright.sync_api import Error as PlaywrightError

    paths = prepare_lab_dir(ROOT, LAB_DIR)
    if names:
        paths = [p for p in paths if any(n in p for n in names)]
    blocked: list[str] = []
    with jupyterlab(LAB_DIR) as server:
        base, token = server.split("|")
        with chromium_page([base], blocked) as page:
            page.set_default_timeout(60_000)
            page.goto(f"{base}/lab?token={token}")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=120_000)
            for path in paths:
                try:
                    result = run_notebook(page, path, timeout)
                except PlaywrightError as err:
                    raise BrowserTestError(f"{Path(path).name}: {err}") from err
                print(f"  {result['notebook']}: run all {result['run_all_s']} s, checks done at "
                      f"{result['total_s']} s, playgrounds changed by {result['playgrounds']}", flush=True)
                for index, latencies in result["pads"].items():
                    print(f"  {result['notebook']} cell {index}: drew and read "
                          f"{', '.join(map(str, latencies))}; release to new reading "
                          f"{', '.join(f'{ms:.0f} ms' for ms in latencies.values())}", flush=True)
                results.append(result)
    if blocked:
        print(f"  (refused {len(blocked)} requests outside the server, e.g. {blocked[0]})")


#: Controls drawn by the widget HTML manager from the saved state.
SITE_WIDGETS = (".jupyter-widgets .widget-slider, .jupyter-widgets .widget-dropdown, "
                ".jupyter-widgets .widget-toggle-button")

SITE_PAGE_JS = f"""() => ({{
  math: document.querySelectorAll('mjx-container').length,
  plots: document.querySelectorAll('.cell_output img').length,
  widgets: document.querySelectorAll('{SITE_WIDGETS}').length,
  pads: document.querySelectorAll('{PAD_CANVAS}').length,
  textFallback: Array.from(document.querySelectorAll('.cell_output pre'))
    .some(p => p.textContent.trim().startsWith('interactive(')),
}})"""


def check_site(site: Path, results: list[dict[str, Any]]) -> None:
    """The static site: its index and every notebook page, from disk, with no network at all; each page
    that passes is appended to ``results``."""
    index = site / "index.html"
    if not index.exists():
        raise BrowserTestError(f"{index} is missing: run `make book` first")
    pages = sorted((site / "notebooks").glob("*.html"))
    if not pages:
        raise BrowserTestError(f"no notebook pages under {site / 'notebooks'}")
    blocked: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_page([f"file://{site}"], blocked) as page:
        page.goto(index.as_uri())  # Jupyter Book's index redirects to the intro page
        page.wait_for_selector(".bd-article a[href*='notebooks/']", timeout=15_000)
        page.wait_for_load_state("load")
        links = len(set(page.eval_on_selector_all(
            ".bd-article a[href*='notebooks/']", "links => links.map(a => a.getAttribute('href'))")))
        if links < len(pages):
            raise BrowserTestError(f"site index links to {links} notebooks, expected {len(pages)}")
        page.screenshot(path=str(SCREENSHOTS / "site_index.png"))
        for path in pages:
            started = time.monotonic()
            has_pad = "drawpad-canvas" in path.read_text(errors="replace")  # the pad's module is in its state
            page.goto(path.as_uri())
            found = _wait(lambda has_pad=has_pad: (r := page.evaluate(SITE_PAGE_JS))["math"] and r["widgets"]
                          and (r["pads"] or not has_pad) and r, 30) or page.evaluate(SITE_PAGE_JS)
            missing = [what for what in ("math", "plots", "widgets") if not found[what]]
            if found["textFallback"]:
                missing.append("a widget drawn as a widget (it shows as text)")
            if has_pad and not found["pads"]:
                missing.append("drawing pad (its saved state is in the page, but it was not drawn)")
            if missing:
                raise BrowserTestError(f"site page notebooks/{path.name}: no {', no '.join(missing)} "
                                       f"({found})")
            page.locator(SITE_WIDGETS).first.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"site_{path.stem}.png"))
            if found["pads"]:
                pad_shot = SCREENSHOTS / f"site_{path.stem}_drawpad.png"
                page.locator(".drawpad").first.screenshot(path=str(pad_shot))
            results.append({"page": path.name, "seconds": round(time.monotonic() - started, 1),
                            **{k: found[k] for k in ("math", "plots", "widgets")}})
            print(f"  site {path.name}: {found['math']} formulas, {found['plots']} images, "
                  f"{found['widgets']} widget controls, {found['pads']} drawing pads", flush=True)
    if blocked:
        raise BrowserTestError(f"the site tried to load {len(blocked)} things from outside: {blocked[:5]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only notebooks whose path contains one of these")
    parser.add_argument("--site", action="store_true", help="check the static site in build/site instead")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("NOTEBOOK_TIMEOUT", 900)),
                        help="seconds Run All may take per notebook (default 900)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    passed: list[dict[str, Any]] = []
    label = "pages" if args.site else "notebooks"
    try:
        if args.site:
            check_site(SITE, passed)
        else:
            check_lab(args.names, args.timeout, passed)
    except BrowserTestError as err:
        print(f"FAILED: {err}", file=sys.stderr, flush=True)
        print(f"{label}: {len(passed)} passed, 1 failed")
        return 1
    what = "site" if args.site else "notebooks in JupyterLab"
    print(f"browser test of the {what} took {time.monotonic() - started:.0f} s; "
          f"screenshots in {SCREENSHOTS.relative_to(ROOT)}/")
    print(f"{label}: {len(passed)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
