"""Neural Networks from First Principles: the NumPy library the course notebooks build."""


def __getattr__(name: str) -> str:
    """``course_lib.__version__``: the version in pyproject.toml, as installed (``pip install -e .``
    records it), so there is one source of truth. Looked up on first use, because importlib.metadata
    is slow to import and ``import course_lib.data`` stays light."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("course_lib")
    except PackageNotFoundError:  # a copy of the folder that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
