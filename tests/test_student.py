"""The student edition: solutions out, placeholders in, each placeholder caught by its check."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from course_lib.course import student
from course_lib.course.checks import ExerciseError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
INSTRUCTOR = {path.name: json.loads(path.read_text()) for path in NOTEBOOKS}
EXERCISES = [e for name, nb in INSTRUCTOR.items() for e in student.find_exercises(nb, name)]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def solution_lines(text: str) -> list[str]:
    inside, lines = False, []
    for line in text.splitlines():
        if line.strip() in (student.BEGIN, student.END):
            inside = line.strip() == student.BEGIN
        elif inside and line.strip():
            lines.append(line)
    return lines


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student")
    student.build(NOTEBOOKS, out)
    return out


def test_every_notebook_with_exercises_has_at_least_two():
    per_notebook = {name: sum(e.notebook == name for e in EXERCISES) for name in INSTRUCTOR}
    assert all(count >= 2 for name, count in per_notebook.items() if not name.startswith("00")), per_notebook


@pytest.mark.parametrize("name", INSTRUCTOR)
def test_student_notebook_differs_only_in_solutions_and_outputs(edition, name):
    original, generated = INSTRUCTOR[name], json.loads((edition / name).read_text())
    assert len(generated["cells"]) == len(original["cells"])
    assert generated["metadata"] == original["metadata"]
    for index, (before, after) in enumerate(zip(original["cells"], generated["cells"], strict=True)):
        if after["cell_type"] == "code":
            assert after["outputs"] == [] and after["execution_count"] is None
        if student.BEGIN not in source(before):
            assert source(after) == source(before), f"{name} cell {index} changed"
            continue
        text = source(after)
        assert student.BEGIN not in text and student.END not in text
        assert student.PLACEHOLDER_COMMENT in text and "raise NotImplementedError(" in text
        kept = set(source(before).split(student.BEGIN)[0].splitlines())
        leaked = [line for line in solution_lines(source(before)) if line in text and line not in kept]
        assert not leaked, f"{name} cell {index} still shows solution lines {leaked}"


def test_generation_is_deterministic(edition, tmp_path):
    student.build(NOTEBOOKS, tmp_path)
    student.build(NOTEBOOKS, tmp_path)
    for path in NOTEBOOKS:
        assert (tmp_path / path.name).read_bytes() == (edition / path.name).read_bytes()


def imports_of(notebook: dict) -> str:
    """Every top-level import statement in the notebook's code cells."""
    statements = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(source(cell))
        except SyntaxError:
            continue
        imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        statements += [ast.unparse(node) for node in imports]
    return "\n".join(statements)


@pytest.mark.parametrize("exercise", EXERCISES, ids=[f"{e.notebook[:2]}-{e.function}" for e in EXERCISES])
def test_placeholder_is_caught_by_its_check_with_a_clear_message(edition, exercise):
    generated = json.loads((edition / exercise.notebook).read_text())
    namespace: dict = {}
    exec(imports_of(generated), namespace)
    exec(source(generated["cells"][exercise.cell]), namespace)
    with pytest.raises(ExerciseError, match="is not written yet. Replace the placeholder"):
        exec(exercise.check_call, namespace)


def notebook_with(*sources: str) -> dict:
    cells = [{"cell_type": "code", "source": s, "outputs": [], "execution_count": None, "metadata": {}}
             for s in sources]
    return {"cells": cells, "metadata": {}}


@pytest.mark.parametrize("sources, message", [
    (("def f(x):\n    ### BEGIN SOLUTION\n    return x\n", "checks.check_f(f)"), "never closed"),
    (("def f(x):\n    return x\n    ### END SOLUTION\n    ### BEGIN SOLUTION\n", "checks.check_f(f)"),
     "without a"),
    (("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "checks.check_f(f)"), "not inside a `def`"),
    (("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n", "f(1)"),
     "calls no `checks.`"),
])
def test_misplaced_markers_are_reported_with_notebook_and_cell(sources, message):
    with pytest.raises(student.SolutionMarkerError, match=message) as err:
        student.student_notebook(notebook_with(*sources), "99_demo.ipynb")
    assert "99_demo.ipynb cell 0" in str(err.value)


def test_command_line_writes_the_edition_and_reports_errors(tmp_path, capsys):
    assert student.main([str(NOTEBOOKS[1]), "--out", str(tmp_path)]) == 0
    assert (tmp_path / NOTEBOOKS[1].name).exists()
    assert "wrote 1 student notebooks" in capsys.readouterr().out
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps(notebook_with("def f():\n    ### BEGIN SOLUTION\n", "checks.c(f)")))
    assert student.main([str(bad), "--out", str(tmp_path / "out")]) == 1
    assert "bad.ipynb cell 0" in capsys.readouterr().err
