"""The nbgrader metadata of the instructor notebooks is what course_lib.course.nbgrader_cells writes.

Run ``python -m course_lib.course.nbgrader_cells notebooks/XX.ipynb`` after adding or moving an
exercise; the first test here fails until then. The round trip with the real nbgrader is
tools/nbgrader_roundtrip.py (``make test-teacher``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_lib.course import nbgrader_cells, student

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KEYS = {"grade", "grade_id", "locked", "schema_version", "solution", "task"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_holds_the_metadata_the_tool_writes(path):
    text = path.read_text(encoding="utf-8")
    wanted = nbgrader_cells.notebook_text(nbgrader_cells.with_nbgrader_metadata(json.loads(text), path.name))
    assert text == wanted, (f"{path.name}: its nbgrader metadata is stale. Run "
                            f"`.venv/bin/python -m course_lib.course.nbgrader_cells notebooks/{path.name}`.")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_exercise_is_a_solution_cell_and_a_graded_locked_check(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    metadata = nbgrader_cells.nbgrader_metadata(notebook, path.name)
    for exercise in student.find_exercises(notebook, path.name):
        solution, check = metadata[exercise.cell], metadata[exercise.cell + 1]
        assert solution["solution"] and not solution["grade"] and not solution["locked"]
        assert check["grade"] and check["locked"] and check["points"] == nbgrader_cells.POINTS_PER_EXERCISE
        assert exercise.check_call in student._source(notebook["cells"][exercise.cell + 1])
    grade_ids = [meta["grade_id"] for meta in metadata.values()]
    assert len(grade_ids) == len(set(grade_ids)), "nbgrader needs every grade_id once per notebook"
    assert all(set(meta) - {"points"} == KEYS and meta["schema_version"] == 3 for meta in metadata.values())


def test_tool_is_idempotent_and_clears_stale_metadata():
    path = ROOT / "notebooks" / "01_matrices.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"][0]["metadata"]["nbgrader"] = {"grade": True, "grade_id": "old", "points": 9}
    once = nbgrader_cells.with_nbgrader_metadata(notebook, path.name)
    assert "nbgrader" not in once["cells"][0]["metadata"]
    assert nbgrader_cells.with_nbgrader_metadata(once, path.name) == once


def test_command_line_rewrites_in_place_and_check_reports_stale(tmp_path, capsys):
    bare = json.loads((ROOT / "notebooks" / "03_chain_rule.ipynb").read_text(encoding="utf-8"))
    for cell in bare["cells"]:
        cell["metadata"].pop("nbgrader", None)
    path = tmp_path / "03_chain_rule.ipynb"
    path.write_text(nbgrader_cells.notebook_text(bare), encoding="utf-8")
    assert nbgrader_cells.main(["--check", str(path)]) == 1
    assert "would change 1 of 1" in capsys.readouterr().out
    assert nbgrader_cells.main([str(path)]) == 0
    assert nbgrader_cells.main(["--check", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == (ROOT / "notebooks" / "03_chain_rule.ipynb").read_text(
        encoding="utf-8")
