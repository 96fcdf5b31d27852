import os
import re

import pytest

from course_lib.course.checks import ExerciseError

os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collection_modifyitems(config, items):
    """Every cell nbval collects from a notebook is marked `notebooks`, so `-m "not notebooks"` leaves
    the notebooks out (`make test-fast`) and `-m notebooks` runs only them (`make test-threads`)."""
    for item in items:
        if str(item.path).endswith(".ipynb"):
            item.add_marker(pytest.mark.notebooks)


@pytest.fixture
def rejected():
    """A function (check, wrong, hint): the check rejects `wrong`, with `hint` (a regex) in its message, or,
    when hint is None, with a message that states only what it observed (no hint at all)."""
    def assert_rejected(notebook_check, wrong, hint):
        with pytest.raises(ExerciseError) as err:
            notebook_check(wrong)
        message = str(err.value)
        if hint is None:
            assert "hint" not in message.lower(), message
        else:
            assert re.search(hint, message), message
    return assert_rejected
