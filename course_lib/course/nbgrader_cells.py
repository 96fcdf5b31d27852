"""nbgrader cell metadata for the instructor notebooks, derived from their solution blocks.

The exercises are found exactly as the student edition finds them (``student.find_exercises``: a
``### BEGIN SOLUTION`` block inside a ``def``, its check in the next cell), and each one gets

- its solution cell: ``solution: true``, grade_id ``exN_function`` (nbgrader clears the block);
- its check cell, ``checks.check_xxx(fn)``: an autograded test, ``grade: true``, ``locked: true``,
  ``POINTS_PER_EXERCISE`` points, grade_id ``exN_function_check`` (the check raises when the answer
  is wrong, which nbgrader scores 0);
- the cell that imports ``checks``: read-only (``locked: true``), so autograding restores it.

Every other cell carries no nbgrader metadata: the demos stay editable for learners to experiment.
Applying the tool twice changes nothing; tests/test_nbgrader_cells.py asserts that every notebook in
``notebooks/`` already holds what the tool writes.

Command line: ``python -m course_lib.course.nbgrader_cells notebooks/07_mnist.ipynb [...]`` rewrites
each notebook in place; ``--check`` only reports the notebooks that would change (exit status 1).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

from course_lib.course.student import SolutionMarkerError, _source, find_exercises

POINTS_PER_EXERCISE = 1
SCHEMA_VERSION = 3
IMPORTS_CHECKS = re.compile(r"^from course_lib\.course\.checks import .* as checks$", re.MULTILINE)


def _cell_metadata(grade_id: str, *, grade: bool = False, solution: bool = False,
                   locked: bool = False) -> dict:
    """One cell's ``metadata["nbgrader"]`` in nbgrader's schema 3 (keys sorted: stable JSON)."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = POINTS_PER_EXERCISE
    return dict(sorted(meta.items()))


def nbgrader_metadata(notebook: dict, name: str) -> dict[int, dict]:
    """{cell index: its nbgrader metadata} for the cells that need some; every other cell needs none."""
    cells = notebook["cells"]
    wanted = {}
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code" and IMPORTS_CHECKS.search(_source(cell)):
            wanted[index] = _cell_metadata(f"imports_checks_{cell.get('id', index)}", locked=True)
    for exercise in find_exercises(notebook, name):
        grade_id = f"ex{exercise.number}_{exercise.function}"
        wanted[exercise.cell] = _cell_metadata(grade_id, solution=True)
        wanted[exercise.cell + 1] = _cell_metadata(f"{grade_id}_check", grade=True, locked=True)
    return wanted


def with_nbgrader_metadata(notebook: dict, name: str) -> dict:
    """A copy of ``notebook`` whose cells carry exactly the nbgrader metadata ``nbgrader_metadata`` gives."""
    wanted = nbgrader_metadata(notebook, name)
    result = copy.deepcopy(notebook)
    for index, cell in enumerate(result["cells"]):
        cell["metadata"].pop("nbgrader", None)
        if index in wanted:
            cell["metadata"]["nbgrader"] = wanted[index]
    return result


def notebook_text(notebook: dict) -> str:
    """The notebook as the course stores it: indent 1, UTF-8 characters, keys in place, final newline."""
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.course.nbgrader_cells",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="instructor notebooks to rewrite in place")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        text = path.read_text(encoding="utf-8")
        try:
            new = notebook_text(with_nbgrader_metadata(json.loads(text), path.name))
        except SolutionMarkerError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "would change" if args.check else "rewrote"
    print(f"{verb} {len(stale)} of {len(args.notebooks)} notebooks" + "".join(f"\n  {p}" for p in stale))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
