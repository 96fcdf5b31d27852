"""The student edition: every notebook with its exercise solutions replaced by placeholders.

The instructor notebooks in ``notebooks/`` are the one source of truth. In them, each exercise's
solution sits between a ``### BEGIN SOLUTION`` line and a ``### END SOLUTION`` line inside the
function the learner writes. This module replaces each such block with

    # YOUR CODE HERE
    raise NotImplementedError("Exercise 2: write the body of `dense_forward`")

at the block's indentation, clears all outputs and execution counts, and leaves everything else as
it was. The result is deterministic: generating twice gives identical files.

Command line: ``python -m course_lib.course.student [--out student] [NOTEBOOK ...]`` (``make student``).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
PLACEHOLDER_COMMENT = "# YOUR CODE HERE"
EXERCISE_TITLE = re.compile(r"^#+\s*Exercise\s+(\d+)", re.MULTILINE)
FUNCTION_DEF = re.compile(r"^\s*def\s+(\w+)\s*\(", re.MULTILINE)


class SolutionMarkerError(ValueError):
    """A BEGIN/END pair is missing, nested or misplaced; the message names the notebook and cell."""


@dataclass(frozen=True)
class Exercise:
    """One exercise found in an instructor notebook: where it is and what the learner writes."""

    notebook: str
    cell: int
    number: int
    function: str
    check_call: str

    @property
    def placeholder(self) -> str:
        return f'raise NotImplementedError("Exercise {self.number}: write the body of `{self.function}`")'


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _exercise_number(cells: list[dict], index: int, fallback: int) -> int:
    """The number in the nearest markdown heading 'Exercise N' above cell ``index``."""
    for cell in reversed(cells[:index]):
        if cell["cell_type"] == "markdown":
            found = EXERCISE_TITLE.findall(_source(cell))
            if found:
                return int(found[-1])
    return fallback


def find_exercises(notebook: dict, name: str) -> list[Exercise]:
    """Every solution block of ``notebook``, with its exercise number, function and check call."""
    cells = notebook["cells"]
    exercises = []
    for index, cell in enumerate(cells):
        source = _source(cell)
        if cell["cell_type"] != "code" or BEGIN not in source:
            continue
        where = f"{name} cell {index}"
        functions = FUNCTION_DEF.findall(source.split(BEGIN)[0])
        if not functions:
            raise SolutionMarkerError(f"{where}: the solution block is not inside a `def`; "
                                      f"put the function's signature above {BEGIN!r}.")
        following = _source(cells[index + 1]) if index + 1 < len(cells) else ""
        calls = re.findall(r"checks\.\w+\(.*\)", following)
        if not calls:
            raise SolutionMarkerError(f"{where}: the next cell calls no `checks.` function; every exercise "
                                      f"needs a check right after it.")
        exercises.append(Exercise(name, index, _exercise_number(cells, index, len(exercises) + 1),
                                  functions[-1], calls[0]))
    return exercises


def replace_solutions(source: str, placeholder: str, where: str) -> str:
    """Replace each BEGIN…END block of ``source`` with the placeholder at the BEGIN line's indentation."""
    out: list[str] = []
    inside = False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise SolutionMarkerError(f"{where}: {BEGIN!r} again before {END!r}.")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}{PLACEHOLDER_COMMENT}\n", f"{indent}{placeholder}\n"]
        elif stripped == END:
            if not inside:
                raise SolutionMarkerError(f"{where}: {END!r} without a {BEGIN!r} before it.")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise SolutionMarkerError(f"{where}: {BEGIN!r} is never closed by {END!r}.")
    return "".join(out).rstrip("\n")


def student_notebook(notebook: dict, name: str) -> dict:
    """A copy of ``notebook`` with solutions replaced and every output and execution count cleared."""
    student = copy.deepcopy(notebook)
    placeholders = {e.cell: e.placeholder for e in find_exercises(notebook, name)}
    for index, cell in enumerate(student["cells"]):
        if cell["cell_type"] != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        if index in placeholders:
            new = replace_solutions(_source(cell), placeholders[index], f"{name} cell {index}")
            cell["source"] = new.splitlines(keepends=True)
    return student


def write_notebook(notebook: dict, path: Path) -> None:
    """Write JSON the way Jupyter does (sorted keys, indent 1, UTF-8, final newline): stable output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def build(notebooks: Iterable[Path], out: Path) -> list[Exercise]:
    """Write the student edition of each notebook into ``out``; return the exercises replaced."""
    replaced = []
    for path in sorted(notebooks):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        write_notebook(student_notebook(notebook, path.name), out / path.name)
        replaced += find_exercises(notebook, path.name)
    return replaced


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.course.student",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="instructor notebooks (default: notebooks/*)")
    parser.add_argument("--out", type=Path, default=Path("student"), help="output folder (default student/)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(Path("notebooks").glob("*.ipynb"))
    try:
        exercises = build(notebooks, args.out)
    except SolutionMarkerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {len(notebooks)} student notebooks with {len(exercises)} exercises to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
