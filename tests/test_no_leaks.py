"""No exercise's answer is visible in the student edition, even with its variables renamed.

Code is compared as syntax trees with the local names erased (every variable and argument becomes
``_``; the functions called keep their names), so ``return W1 @ W2, b1 @ W2 + b2`` is found again as
``return A @ B, c @ B + d``. Two ways of leaking are caught:

- the whole solution body, statement for statement, inside any cell of the student edition (any
  notebook: a later notebook must not show an earlier answer either);
- any one substantial statement of the solution (``MIN_NODES`` syntax nodes or more: a formula, not
  ``return x``) in a cell of the exercise's own notebook.
"""

from __future__ import annotations

import ast
import copy
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from course_lib.course import student

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
INSTRUCTOR = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in NOTEBOOKS}
EXERCISES = [e for name, nb in INSTRUCTOR.items() for e in student.find_exercises(nb, name)]
MIN_NODES = 12
# Exercises whose solution shares lines with code the notebook hands out on purpose.
GIVEN_CODE = {
    # find the bug: the buggy backward pass is the task, and most of its lines are right
    ("04_backpropagation.ipynb", "fixed_backward"): "the buggy backward pass to fix",
    # the lesson's backward pass (section 2, built on Exercises 1-2) is what this step assembles
    ("04_backpropagation.ipynb", "backprop_step"): "the lesson's `backward`, which the step reuses",
}


class _EraseLocalNames(ast.NodeTransformer):
    """Every Name that is not the function of a call becomes `_`; arguments and def names too."""

    def visit_Call(self, node: ast.Call) -> ast.Call:
        func = node.func
        node.args = [self.visit(arg) for arg in node.args]
        node.keywords = [self.visit(keyword) for keyword in node.keywords]
        if not isinstance(func, ast.Name):
            node.func = self.visit(func)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(id="_", ctx=ast.Load())

    def visit_arg(self, node: ast.arg) -> ast.arg:
        return ast.arg(arg="_")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        node.name, node.returns = "_", None
        return node


def normalized(node: ast.AST) -> str:
    """``node`` as text with its local names erased (the node itself is left unchanged)."""
    return ast.dump(_EraseLocalNames().visit(copy.deepcopy(node)), annotate_fields=False,
                    include_attributes=False)


def parse(source: str) -> ast.Module:
    """A code cell's syntax tree; IPython's %magic and !shell lines are left out."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


def solution_body(exercise: student.Exercise) -> list[ast.stmt]:
    """The statements between BEGIN and END SOLUTION, dedented and parsed."""
    source = student._source(INSTRUCTOR[exercise.notebook]["cells"][exercise.cell])
    inside, lines = False, []
    for line in source.splitlines():
        if line.strip() in (student.BEGIN, student.END):
            inside = line.strip() == student.BEGIN
        elif inside:
            lines.append(line)
    return ast.parse(textwrap.dedent("\n".join(lines))).body


def statement_lists(tree: ast.AST) -> list[list[str]]:
    """Every block of statements in the tree (module, function and loop bodies, ...), normalized."""
    blocks = []
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                blocks.append([normalized(statement) for statement in block])
    return blocks


@dataclass(frozen=True)
class Shown:
    """What one notebook's student edition shows, normalized: each block of statements, every statement."""

    blocks: list[list[str]]
    statements: dict[str, str]  # normalized -> the source of the cell it is in


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> dict[str, Shown]:
    """{notebook: what its student edition shows}."""
    out = tmp_path_factory.mktemp("student_edition")
    student.build(NOTEBOOKS, out)
    shown = {}
    for path in NOTEBOOKS:
        cells = json.loads((out / path.name).read_text(encoding="utf-8"))["cells"]
        sources = [student._source(cell) for cell in cells if cell["cell_type"] == "code"]
        trees = [(parse(source), source) for source in sources]
        shown[path.name] = Shown(
            [block for tree, _ in trees for block in statement_lists(tree)],
            {normalized(node): source for tree, source in trees for node in ast.walk(tree)
             if isinstance(node, ast.stmt)})
    return shown


IDS = [f"{e.notebook[:2]}-ex{e.number}-{e.function}" for e in EXERCISES]


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_no_cell_of_the_student_edition_holds_the_solution_body(edition, exercise):
    body = [normalized(statement) for statement in solution_body(exercise)]
    for name, shown in edition.items():
        for block in shown.blocks:
            found = any(block[i:i + len(body)] == body for i in range(len(block) - len(body) + 1))
            assert not found, (f"{name} shows the answer of {exercise.notebook} Exercise {exercise.number} "
                               f"(`{exercise.function}`) in a plain cell, its local names renamed")


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_no_substantial_line_of_the_solution_appears_in_its_notebook(edition, exercise):
    if (exercise.notebook, exercise.function) in GIVEN_CODE:
        pytest.skip(f"shares lines with {GIVEN_CODE[exercise.notebook, exercise.function]} by design")
    lines = {normalized(node): ast.unparse(node) for statement in solution_body(exercise)
             for node in ast.walk(statement)
             if isinstance(node, ast.stmt) and sum(1 for _ in ast.walk(node)) >= MIN_NODES}
    shown = edition[exercise.notebook].statements
    leaked = {text: shown[key] for key, text in lines.items() if key in shown}
    assert not leaked, "".join(f"{exercise.notebook} Exercise {exercise.number} (`{exercise.function}`): the "
                               f"solution's line `{line}` is shown, local names renamed, in the cell\n"
                               f"{cell[:300]}\n" for line, cell in leaked.items())


def test_the_comparison_sees_through_renamed_variables():
    solution = ast.parse("mean, std = x_train.mean(), x_train.std()\nreturn (x_train - mean) / std").body
    shown = ast.parse("m, s = pixels.mean(), pixels.std()\nreturn (pixels - m) / s")
    assert [normalized(s) for s in solution] in statement_lists(shown)
    assert normalized(ast.parse("y = f(x)").body[0]) != normalized(ast.parse("y = g(x)").body[0])
