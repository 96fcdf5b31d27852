"""tools/draw_figures.py: every figure it draws is in images/, and drawing twice gives identical bytes.

The committed images are compared with freshly drawn ones by what they say (every text label matplotlib
writes into the SVG as a comment), not byte for byte: another matplotlib version draws the same figure with
slightly different path data.
"""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("draw_figures", ROOT / "tools" / "draw_figures.py")
draw_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(draw_figures)


def test_drawing_twice_writes_identical_files(tmp_path):
    first = {p.name: p.read_bytes() for p in draw_figures.write_figures(tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in draw_figures.write_figures(tmp_path / "b")}
    assert first == second and set(first) == set(draw_figures.FIGURES)
    assert all(data.startswith(b"<?xml") and b"<svg" in data for data in first.values())


def labels(svg: bytes) -> list[str]:
    """The texts of an SVG written by matplotlib, in drawing order (each is preceded by a comment)."""
    return re.findall(r"<!-- (.*?) -->", svg.decode())


def test_the_committed_images_say_what_the_script_draws(tmp_path):
    drawn = {p.name: p.read_bytes() for p in draw_figures.write_figures(tmp_path)}
    for name, data in drawn.items():
        stale = f"images/{name} is stale: run tools/draw_figures.py"
        assert labels((ROOT / "images" / name).read_bytes()) == labels(data) != [], stale


def test_command_line_reports_each_file(tmp_path, capsys):
    assert draw_figures.main(["--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("wrote ") == len(draw_figures.FIGURES)
