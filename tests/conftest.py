import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collection_modifyitems(config, items):
    """Every cell nbval collects from a notebook is marked `notebooks`, so `-m "not notebooks"` leaves
    the notebooks out (`make test-fast`) and `-m notebooks` runs only them (`make test-threads`)."""
    for item in items:
        if str(item.path).endswith(".ipynb"):
            item.add_marker(pytest.mark.notebooks)
