"""The core a learner reads stays apart from the course machinery (checks, widgets, tools)."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = sorted(p.stem for p in Path("course_lib").glob("*.py") if not p.stem.startswith("_"))


def test_importing_the_whole_core_loads_no_widget_exercise_or_notebook_module() -> None:
    code = (
        "import sys\n"
        + "".join(f"import course_lib.{name}\n" for name in CORE)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'IPython')"
        " or m.startswith('course_lib.course')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_no_core_module_imports_the_course_machinery_at_module_level() -> None:
    for name in CORE:
        tree = ast.parse(Path(f"course_lib/{name}.py").read_text())
        top_level = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        modules = [n.module or "" for n in top_level if isinstance(n, ast.ImportFrom)]
        modules += [alias.name for n in top_level if isinstance(n, ast.Import) for alias in n.names]
        assert not [m for m in modules if m.startswith("course_lib.course") or m == "ipywidgets"], name


def test_the_core_has_the_modules_the_course_teaches() -> None:
    taught = {"matrix", "activations", "autograd", "losses", "layers", "network", "init", "optim",
              "schedules", "train", "diagnostics", "gradcheck", "metrics", "serialize", "plots", "toy_data",
              "data", "text", "embedding", "sampling"}
    assert set(CORE) >= taught


def test_every_core_module_belongs_to_one_part_of_the_course() -> None:
    import course_lib

    assert not set(course_lib.PART_I) & set(course_lib.PART_II)
    assert set(course_lib.PART_I) | set(course_lib.PART_II) == set(CORE)
    for name in course_lib.PART_II:
        assert "Part II" in Path(f"course_lib/{name}.py").read_text().split("\n\n")[0], name
