"""Widget logic for notebook 00: browsing MNIST digits one at a time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def digit_title(index: int, labels: np.ndarray) -> str:
    """Caption for digit number ``index``. labels: (n,) digit labels 0..9."""
    if not 0 <= index < len(labels):
        raise IndexError(f"index {index} is outside 0..{len(labels) - 1}")
    return f"image #{index}: label {int(labels[index])}"


def draw_digit(images: np.ndarray, labels: np.ndarray, index: int, ax: plt.Axes | None = None) -> plt.Axes:
    """Draw image ``index`` as a 28×28 grey picture. images: (n, 784) or (n, 28, 28); labels: (n,)."""
    ax = ax or plt.gca()
    ax.imshow(np.asarray(images[index]).reshape(28, 28), cmap="gray_r", vmin=0, vmax=255)
    ax.set_title(digit_title(index, labels))
    ax.set_xticks([])
    ax.set_yticks([])
    return ax
