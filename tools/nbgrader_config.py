"""nbgrader configuration for grading this course: copy it into your nbgrader course folder.

TEACHING.md explains its use; tools/nbgrader_roundtrip.py runs nbgrader with it (`make test-teacher`).

- Cells may run as long as in `make test` (900 s; nbgrader's default of 30 s is too short for training).
- The notebooks' widgets (ipywidgets ``interact``) must not hang autograding. nbclient, which executes the
  notebooks for nbgrader, imitates a browser's Output widget by answering the kernel's widget messages;
  on some runs that exchange stalls and `nbgrader autograde` waits forever after a widget cell. Grading
  needs no widget to respond, so ``ExecuteWithoutWidgetFrontend`` leaves them unanswered: the widget cells
  still run, their outputs are recorded, and the graded checks are unaffected.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    Execute,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)


class ExecuteWithoutWidgetFrontend(Execute):
    """nbgrader's Execute (configured as ``c.Execute``), without nbclient's imitation of widget views."""

    def on_comm_open_jupyter_widget(self, msg: dict) -> None:
        """No widget gets a stand-in view (nbclient would answer through it), so none is answered."""
        return None


c = get_config()  # noqa: F821 (nbgrader defines get_config for its config files)
c.CourseDirectory.course_id = "nn-first-principles"
c.Execute.timeout = 900  # seconds per cell, as `make test` allows
# nbgrader 0.9's autograde steps, with Execute replaced
c.Autograde.autograde_preprocessors = [ExecuteWithoutWidgetFrontend, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
