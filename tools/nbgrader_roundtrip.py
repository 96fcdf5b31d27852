"""The nbgrader round trip, run with the real tool (``make test-teacher``, in .venv-teacher).

In a fresh course folder configured by tools/nbgrader_config.py (as TEACHING.md tells teachers), it
generates the assignment of two notebooks straight from the instructor notebooks (nbgrader clears the
``### BEGIN SOLUTION`` blocks itself, guided by the cell metadata that course_lib/course/nbgrader_cells.py
writes), then autogrades three submissions per notebook:

- ``solved``: the instructor notebook, every solution filled in -> every exercise gets its points;
- ``blank``: the released notebook, untouched -> every exercise gets 0;
- ``one_wrong``: the instructor notebook with one known wrong answer (from the checks' catalogue in
  tests/test_checks_nbXX.py) -> that exercise alone gets 0.

It prints each submission's points per exercise and exits 1 if any differs from the expectation.
Usage: ``.venv-teacher/bin/python tools/nbgrader_roundtrip.py [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course_lib.course.nbgrader_cells import nbgrader_metadata, notebook_text
from course_lib.course.student import _source, find_exercises, replace_solutions

ROOT = Path(__file__).resolve().parents[1]
# assignment name -> (notebook, the exercise answered wrongly in `one_wrong`, its wrong body). The two
# notebooks are among the quickest to execute; each wrong answer's exercise feeds no later check.
ASSIGNMENTS = {
    "nb01": ("01_matrices.ipynb", "flatten_batch", "return images.reshape(len(images), -1)"),
    "nb03": ("03_chain_rule.ipynb", "tanh_backward", "return grad_out * (1 - x * x)"),
}


def nbgrader(course: Path, *args: str) -> None:
    """Run one nbgrader command in the course folder; its output is shown only if it fails."""
    command = [sys.executable, "-m", "nbgrader", *args, "--force"]
    # nbgrader runs `alembic` (and the kernel) from PATH: put this venv's scripts first
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run(command, cwd=course, capture_output=True, text=True,
                          env={**os.environ, "PATH": path})
    if done.returncode != 0:
        sys.exit(f"`nbgrader {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def with_wrong_answer(notebook: dict, name: str, function: str, body: str) -> dict:
    """The instructor notebook with the solution of exercise ``function`` replaced by ``body``."""
    (exercise,) = [e for e in find_exercises(notebook, name) if e.function == function]
    cell = notebook["cells"][exercise.cell]
    cell["source"] = replace_solutions(_source(cell), body, f"{name} cell {exercise.cell}").splitlines(True)
    return notebook


def submissions(notebook_path: Path, release: Path, wrong: tuple[str, str]) -> dict[str, str]:
    """{student: the notebook text they hand in} for the three submissions of the module docstring."""
    solved = json.loads(notebook_path.read_text(encoding="utf-8"))
    one_wrong = with_wrong_answer(json.loads(notebook_path.read_text(encoding="utf-8")), notebook_path.name,
                                  *wrong)
    return {"solved": notebook_text(solved), "blank": release.read_text(encoding="utf-8"),
            "one_wrong": notebook_text(one_wrong)}


def expected_points(grade_ids: dict[str, float], student: str, wrong_function: str) -> dict[str, float]:
    """{grade_id: points} that ``student`` should receive."""
    if student == "blank":
        return dict.fromkeys(grade_ids, 0.0)
    return {grade_id: 0.0 if student == "one_wrong" and grade_id.endswith(f"_{wrong_function}_check")
            else points for grade_id, points in grade_ids.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path,
                        help="build the course folder here and keep it (default: a temp dir)")
    args = parser.parse_args(argv)
    course = args.keep or Path(tempfile.mkdtemp(prefix="nbgrader_roundtrip_"))
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "tools" / "nbgrader_config.py", course / "nbgrader_config.py")  # what TEACHING.md says
    start, failures = time.perf_counter(), []
    for assignment, (name, function, body) in ASSIGNMENTS.items():
        notebook_path = ROOT / "notebooks" / name
        notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
        grade_ids = {meta["grade_id"]: meta["points"] for meta in nbgrader_metadata(notebook, name).values()
                     if meta["grade"]}
        (course / "source" / assignment).mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook_path, course / "source" / assignment / name)
        nbgrader(course, "generate_assignment", assignment)
        release = course / "release" / assignment / name
        for student, text in submissions(notebook_path, release, (function, body)).items():
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        nbgrader(course, "autograde", assignment, "--create")
        failures += report(course, assignment, name, grade_ids, function)
    print(f"nbgrader round trip: {len(ASSIGNMENTS)} assignments, 3 submissions each, "
          f"{time.perf_counter() - start:.0f} s; course folder {course}")
    if not args.keep:
        shutil.rmtree(course)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def report(course: Path, assignment: str, name: str, grade_ids: dict[str, float], wrong: str) -> list[str]:
    """Print each submission's points per exercise; return the differences from the expectation."""
    from nbgrader.api import Gradebook

    failures = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in ("solved", "blank", "one_wrong"):
            got = {grade_id: gradebook.find_grade(grade_id, Path(name).stem, assignment, student).score
                   for grade_id in grade_ids}
            wanted = expected_points(grade_ids, student, wrong)
            print(f"{assignment} {student:>9}: {sum(got.values()):g} / {sum(grade_ids.values()):g} points  "
                  + "  ".join(f"{grade_id.removesuffix('_check')} {score:g}"
                              for grade_id, score in got.items()))
            if got != wanted:
                failures.append(f"{assignment} {student}: got {got}, expected {wanted}")
    return failures


if __name__ == "__main__":
    sys.exit(main())
