"""What the benchmarks share: which optional tools are installed, and how many threads BLAS may use."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator


def installed(module: str) -> bool:
    """True when ``module`` can be imported (threadpoolctl, torch: optional, never project dependencies)."""
    return importlib.util.find_spec(module) is not None


@contextlib.contextmanager
def limit_threads(n: int | None) -> Iterator[None]:
    """Limit NumPy's BLAS (through threadpoolctl) and PyTorch to ``n`` threads; None leaves both alone."""
    with contextlib.ExitStack() as stack:
        if n is not None and installed("threadpoolctl"):
            from threadpoolctl import threadpool_limits

            stack.enter_context(threadpool_limits(limits=n, user_api="blas"))
        if n is not None and installed("torch"):
            import torch

            torch.set_num_threads(n)
        yield
