"""The pure logic of tools/browser_test.py and tools/build_book.py (no browser, no server, no build)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from course_lib.course import setup_check

ROOT = Path(__file__).resolve().parents[1]


def load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


bt = load_tool("browser_test")
book = load_tool("build_book")


def error(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue}


WIDGET = {"output_type": "display_data", "data": {bt.WIDGET_VIEW: 1, "text/plain": 1}}


def test_first_error_names_the_notebook_and_the_cell():
    cells = bt.cell_reports([
        {"type": "markdown", "count": None},
        {"type": "code", "count": 1, "outputs": [{"output_type": "stream"}]},
        {"type": "code", "count": 2, "outputs": [error("NameError", "name 'x' is not defined")]},
        {"type": "code", "count": 3, "outputs": [error("ValueError", "later")]},
    ])
    assert bt.first_error("05_initialization.ipynb", cells) == \
        "05_initialization.ipynb cell 2: NameError: name 'x' is not defined"
    assert bt.first_error("x.ipynb", cells[:2]) is None


def test_unexecuted_and_widget_cells():
    cells = bt.cell_reports([
        {"type": "code", "count": 1, "outputs": [WIDGET]},
        {"type": "markdown", "count": None},
        {"type": "code", "count": None},
        {"type": "code", "count": 2, "outputs": [{"output_type": "stream", "data": {"text/plain": 1}}]},
    ])
    assert bt.unexecuted_cells(cells) == [2]
    assert bt.widget_cells(cells) == [0]


def test_text_fallback_is_what_a_missing_extension_shows():
    assert bt.is_text_fallback("  interactive(children=(IntSlider(value=0, description='image'), Output()))")
    assert bt.is_text_fallback("HBox(children=(VBox(children=(GridBox(")
    assert not bt.is_text_fallback("image 3")
    assert not bt.is_text_fallback("")


def test_output_changed_ignores_whitespace_and_emptied_outputs():
    before = ['<img src="data:image/png;base64,AAA">']
    assert bt.output_changed(before, ['<img src="data:image/png;base64,BBB">'])
    assert not bt.output_changed(before, ['<img  src="data:image/png;base64,AAA">\n'])
    assert not bt.output_changed(before, [""])
    assert not bt.output_changed(before, [])
    assert bt.output_changed([], ["<pre>A (32, 784) @ B</pre>"])


def test_dropdowns_with_one_option_have_nothing_to_change():
    assert bt.other_option(["MLP", "CNN"], "MLP") == "CNN"
    assert bt.other_option(["MLP"], "MLP") is None


def test_strokes_move_the_mouse_in_small_steps_through_every_corner():
    points = bt.stroke_points(((0, 0), (30, 0), (30, 40)), step=10)
    assert points[0] == (0, 0) and (30, 0) in points and points[-1] == (30, 40)
    assert len(points) == 1 + 3 + 4
    steps = [((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
             for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True)]
    assert max(steps) <= 10
    assert set(bt.DIGIT_STROKES) == {7, 1}
    assert all(0 <= v <= 280 for stroke in bt.DIGIT_STROKES.values() for point in stroke for v in point)


def test_the_pad_reading_names_a_digit_or_none():
    assert bt.read_digit("7") == 7 and bt.read_digit("0") == 0
    assert bt.read_digit("-1") is None and bt.read_digit(None) is None and bt.read_digit("") is None


def test_widget_state_is_found_in_notebook_metadata():
    state = {"state": {"abc": {"model_name": "IntSliderModel", "state": {"value": 3}}}}
    assert bt.has_widget_state({"metadata": {"widgets": {bt.WIDGET_STATE: state}}})
    assert not bt.has_widget_state({"metadata": {"widgets": {bt.WIDGET_STATE: {"state": {}}}}})
    assert not bt.has_widget_state({"metadata": {}})


def test_descendants_walks_the_whole_tree():
    parent_of = {10: 1, 11: 10, 12: 10, 13: 11, 20: 1, 21: 20}
    assert sorted(bt.descendants(10, parent_of)) == [11, 12, 13]
    assert bt.descendants(13, parent_of) == []


def test_lab_command_is_loopback_with_a_token(tmp_path):
    command = bt.lab_command("jupyter", tmp_path, 8123, "s3cret", tmp_path / "s", tmp_path / "w")
    assert "--ServerApp.ip=127.0.0.1" in command and "--ServerApp.port=8123" in command
    assert "--IdentityProvider.token=s3cret" in command
    assert not any(arg.startswith("--IdentityProvider.token=") and arg.endswith("=") for arg in command)
    assert f"--ServerApp.root_dir={tmp_path}" in command


def test_lab_settings_save_widget_state(tmp_path):
    bt.write_settings(tmp_path)
    path = tmp_path / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"
    assert json.loads(path.read_text()) == {"saveState": True}
    notebook = tmp_path / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    assert json.loads(notebook.read_text())["windowingMode"] == "none"


def test_only_local_requests_pass():
    allowed = ["http://127.0.0.1:8888"]
    assert bt.is_local_url("http://127.0.0.1:8888/lab", allowed)
    assert bt.is_local_url("data:image/png;base64,AA", allowed)
    assert not bt.is_local_url("https://cdn.jsdelivr.net/npm/x.js", allowed)
    assert not bt.is_local_url("http://127.0.0.1:9999/", allowed)


def test_discover_notebooks_in_course_order(tmp_path):
    for name in ["02_b.ipynb", "00_a.ipynb", "10_c.ipynb", ".hidden.ipynb", "notes.md"]:
        (tmp_path / name).write_text("{}")
    assert [p.name for p in bt.discover_notebooks(tmp_path)] == ["00_a.ipynb", "02_b.ipynb", "10_c.ipynb"]


def notebook(*sources: str, counts: tuple[int | None, ...] = ()) -> dict:
    counts = counts or (None,) * len(sources)
    cells = [{"cell_type": "markdown", "source": "# title", "metadata": {}}]
    cells += [{"cell_type": "code", "source": source.splitlines(keepends=True), "execution_count": count,
               "outputs": [], "metadata": {}} for source, count in zip(sources, counts, strict=True)]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_executed_copy_must_match_the_code_and_be_fully_run():
    original = notebook("x = 1\nx", "print(x)")
    assert book.is_executed_copy(original, notebook("x = 1\nx", "print(x)", counts=(1, 2)))
    assert not book.is_executed_copy(original, notebook("x = 1\nx", "print(x)", counts=(1, None)))
    assert not book.is_executed_copy(original, notebook("x = 2\nx", "print(x)", counts=(1, 2)))


def test_choose_sources_falls_back_to_executing(tmp_path):
    course, lab = tmp_path / "notebooks", tmp_path / "lab"
    course.mkdir(), lab.mkdir()
    for name in ["00_a.ipynb", "01_b.ipynb"]:
        (course / name).write_text(json.dumps(notebook("1 + 1")))
    (lab / "00_a.ipynb").write_text(json.dumps(notebook("1 + 1", counts=(1,))))
    paths = sorted(course.glob("*.ipynb"))
    assert book.choose_sources(paths, lab) == (paths, True)  # 01 has no executed copy
    (lab / "01_b.ipynb").write_text(json.dumps(notebook("1 + 1", counts=(1,))))
    assert book.choose_sources(paths, lab) == ([lab / "00_a.ipynb", lab / "01_b.ipynb"], False)
    (course / "01_b.ipynb").write_text(json.dumps(notebook("1 + 2")))  # edited since the browser test
    assert book.choose_sources(paths, lab) == (paths, True)


def test_toc_lists_every_notebook_after_the_intro():
    assert book.toc_yaml(["00_a.ipynb", "01_b.ipynb"]) == (
        "format: jb-book\nroot: intro\nchapters:\n- file: notebooks/00_a\n- file: notebooks/01_b\n")


def test_config_sets_the_execution_mode():
    template = (ROOT / "book" / "_config.yml").read_text()
    assert 'execute_notebooks: "force"' in book.config_yaml(template, execute=True)
    assert 'execute_notebooks: "off"' in book.config_yaml(template, execute=False)
    with pytest.raises(ValueError):
        book.config_yaml("title: x\n", execute=True)


def test_find_cdn_links():
    html = ('<script src="https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1/dist/embed-amd.js">'
            '</script><script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"</script>'
            '<link href="//cdnjs.cloudflare.com/x.css"><script src="../_static/require.min.js"></script>'
            '<a href="https://github.com/jupyter-widgets/ipywidgets">ipywidgets</a>')
    assert book.find_cdn_links(html) == [
        "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1/dist/embed-amd.js",
        "https://unpkg.com/thebe@0.8.2/lib/index.js", "//cdnjs.cloudflare.com/x.css"]


def test_base64_data_is_not_a_cdn_link():
    html = '<img src="data:image/png;base64,iVBOR//1xNJ71MyZM+PMM8+ML3/5y/HSSy//zp07uH//PipXrgw/CDnAAA">'
    assert book.find_cdn_links(html) == []


def test_cdn_links_in_site(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "index.html").write_text('<script src="_static/require.min.js"></script>')
    (tmp_path / "notebooks" / "a.html").write_text('<script src="https://unpkg.com/x.js"></script>')
    assert book.cdn_links_in_site(tmp_path) == {"notebooks/a.html": ["https://unpkg.com/x.js"]}


def test_book_config_points_at_the_vendored_files():
    config = (ROOT / "book" / "_config.yml").read_text()
    for name in ("require.min.js", "anywidget-paths.js", "html-manager/embed-amd.js", "mathjax/tex-chtml.js"):
        assert name in config
    assert not book.find_cdn_links(config)
    assert "sphinx_thebe" not in config.split("extensions:")[1].split("]")[0]
    package = json.loads((ROOT / "book" / "package.json").read_text())
    assert {"requirejs", "@jupyter-widgets/html-manager", "mathjax"} <= set(package["dependencies"])


def test_anywidget_is_served_by_the_site(tmp_path):
    book.copy_anywidget(tmp_path)
    assert "define(" in (tmp_path / "anywidget" / "index.js").read_text()
    paths = (tmp_path / "anywidget-paths.js").read_text()
    assert '"anywidget/index"' in paths and not book.find_cdn_links(paths)


def test_the_learner_setup_check_leaves_the_maintainer_tools_out():
    declared = dict(setup_check.declared_requirements())
    assert "jupyterlab" in declared
    assert "playwright" not in declared and "jupyter-book" not in declared
