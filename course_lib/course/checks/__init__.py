"""Exercise checks for the notebooks: each says which input failed, expected vs got, and a hint.

Each notebook's checks live in a module of their own, which the notebook imports as
``from course_lib.course.checks import nb01 as checks`` and calls right after an exercise cell, e.g.
``checks.check_matmul(matmul)``; the notebook modules are not re-exported here. This package
re-exports only the machinery they share, from ``_core``: ``Case``, ``Mistake``, ``check``,
``compare`` and ``ExerciseError``, the error a failed check raises.
"""

from course_lib.course.checks._core import Case, ExerciseError, Mistake, check, compare

__all__ = ["Case", "ExerciseError", "Mistake", "check", "compare"]
