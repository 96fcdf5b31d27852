"""Exercise checks for the notebooks: each says which input failed, expected vs got, and a hint.

Call them right after an exercise cell, e.g. ``checks.check_matmul(matmul)``. The machinery is in
``_core``; each notebook's checks live in their own module and are re-exported here.
"""

from course_lib.course.checks._core import Case, ExerciseError, Mistake, check, compare

__all__ = ["Case", "ExerciseError", "Mistake", "check", "compare"]
