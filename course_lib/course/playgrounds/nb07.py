"""Notebook 07 playground: walk down the ladder and see which digits each rung still gets wrong.

Every network of the ladder was trained once; the widget only looks at their predictions on the
validation images. `mistakes` picks the images a network gets wrong, `confusions` counts which
(true, predicted) pairs dominate, and `draw_mistakes` shows them. The notebook's widget only wires a
rung picker and a seed picker to these functions.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes


def _check_pair(predicted: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    if predicted.ndim != 1 or predicted.shape != labels.shape:
        raise ValueError(
            f"predicted and labels must be 1-D and alike, one digit per image; got shapes {predicted.shape} "
            f"and {labels.shape}. Pass model.predict(x).argmax(axis=1) and the labels y."
        )
    return predicted, labels


def mistakes(predicted: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Indices of the first `count` images with predicted ≠ label, in the order of the data set.

    predicted, labels: (n,) digits. Returns (≤ count,) int indices (fewer when there are fewer mistakes).
    """
    predicted, labels = _check_pair(predicted, labels)
    return np.flatnonzero(predicted != labels)[:count]


def confusions(predicted: np.ndarray, labels: np.ndarray, top: int = 3) -> list[tuple[int, int, int]]:
    """The `top` most frequent mistakes as (true digit, predicted digit, how many), most frequent first.

    predicted, labels: (n,) digits. Ties are broken by the true digit, then the predicted one.
    """
    predicted, labels = _check_pair(predicted, labels)
    wrong = predicted != labels
    pairs, counts = np.unique(np.stack([labels[wrong], predicted[wrong]]), axis=1, return_counts=True)
    order = np.lexsort((pairs[1], pairs[0], -counts))[:top]
    return [(int(pairs[0, i]), int(pairs[1, i]), int(counts[i])) for i in order]


def draw_mistakes(axes: np.ndarray, images: np.ndarray, labels: np.ndarray, predicted: np.ndarray) -> int:
    """Show the first len(axes) mistakes, each titled 'true → predicted'; blank the axes left over.

    axes: an array of Axes; images: (n, 784) pixels; labels, predicted: (n,). Returns how many were shown.
    """
    flat: list[Axes] = list(np.ravel(axes))
    shown = mistakes(predicted, labels, len(flat))
    for ax in flat:
        ax.clear()
        ax.set(xticks=[], yticks=[])
    for ax, index in zip(flat, shown, strict=False):
        ax.imshow(np.reshape(images[index], (28, 28)), cmap="gray_r")
        ax.set_title(f"{labels[index]} → {predicted[index]}", fontsize=9)
    for ax in flat[len(shown):]:
        ax.axis("off")
    return len(shown)
