"""Small data sets for the early notebooks: XOR, two moons, two spirals.

Used in notebooks 02–04 (XOR, moons) and 06 (spirals). Each is a pure function of its arguments:
the same seed gives the same points, bit for bit. x is float32 (n, 2); y holds the classes.
"""

from __future__ import annotations

import numpy as np


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table. x: (4, 2) float32 inputs, y: (4, 1) float32 targets 0, 1, 1, 0."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return x, y


def two_spirals(n: int = 200, noise: float = 0.2, turns: float = 1.5,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals. x: (n, 2) float32, y: (n,) uint8 class 0 or 1 (n // 2 each, then the rest)."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    t = np.sqrt(rng.uniform(0.05, 1, n)) * turns * 2 * np.pi
    angle = t + np.pi * labels
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1) / (turns * 2 * np.pi)
    x += rng.normal(0, noise / (turns * 2 * np.pi), x.shape)
    return x.astype(np.float32), labels.astype(np.uint8)


def two_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles. x: (n, 2) float32, y: (n,) uint8 class 0 (upper) or 1 (lower)."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    x = np.where(labels[:, None] == 0, upper, lower) + rng.normal(0, noise, (n, 2))
    return x.astype(np.float32), labels.astype(np.uint8)


def _check_count(n: int) -> None:
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer ≥ 2 (one point per class at least), got {n!r}.")
