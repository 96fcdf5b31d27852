"""Notebook 07 playground: draw a digit on a coarse grid and watch the trained network read it.

A learner clicks cells of a 14 × 14 grid (`GRID`). MNIST digits are not drawn like that: each was
scaled so that its bounding box fits 20 × 20 pixels, anti-aliased into grey levels, and placed in a
28 × 28 image with its centre of mass in the middle. `grid_to_image` repeats those steps, so the network
sees a drawing the way it saw its training data. `digit_probabilities` runs the network;
`show_prediction` draws the image next to a bar chart of the ten probabilities. The notebook's widget
only wires buttons to these functions.
"""

from __future__ import annotations

import numpy as np

from course_lib.activations import softmax
from course_lib.layers import Sequential

#: Side of the drawing grid (each cell covers 2 × 2 MNIST pixels before rescaling).
GRID = 14
#: Side of an MNIST image, and of the box its digit is scaled to fit.
SIDE, BOX = 28, 20

#: Pens: the (row, column) offsets a click inks around the clicked cell.
PENS: dict[str, tuple[tuple[int, int], ...]] = {
    "fine": ((0, 0),),
    "thick": ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)),
    "square": ((0, 0), (0, 1), (1, 0), (1, 1)),
}


def apply_pen(grid: np.ndarray, row: int, col: int, pen: str, ink: bool = True) -> np.ndarray:
    """A copy of grid (GRID, GRID) bool with the pen's cells around (row, col) set to `ink`.

    Cells that would fall off the grid are skipped. An unknown pen name raises ValueError.
    """
    if pen not in PENS:
        raise ValueError(f"Unknown pen {pen!r}. Valid pens: {', '.join(PENS)}.")
    out = np.array(grid, dtype=bool)
    for dr, dc in PENS[pen]:
        r, c = row + dr, col + dc
        if 0 <= r < out.shape[0] and 0 <= c < out.shape[1]:
            out[r, c] = ink
    return out


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of image (h, w) to (height, width), float32, sampling at pixel centres."""
    h, w = image.shape
    image = image.astype(np.float32)

    def coords(n_out: int, n_in: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pos = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        lo = np.floor(pos).astype(int)
        return lo, np.minimum(lo + 1, n_in - 1), (pos - lo).astype(np.float32)

    y0, y1, wy = coords(height, h)
    x0, x1, wx = coords(width, w)
    rows = image[y0] * (1 - wy)[:, None] + image[y1] * wy[:, None]
    return rows[:, x0] * (1 - wx) + rows[:, x1] * wx


def blur(image: np.ndarray) -> np.ndarray:
    """Soften edges with the 3 × 3 kernel [1, 2, 1]ᵀ[1, 2, 1] / 16 (zero padding). image: (h, w)."""
    k = np.array([0.25, 0.5, 0.25], dtype=np.float32)
    padded = np.pad(image.astype(np.float32), 1)
    across = k[0] * padded[:, :-2] + k[1] * padded[:, 1:-1] + k[2] * padded[:, 2:]
    return k[0] * across[:-2] + k[1] * across[1:-1] + k[2] * across[2:]


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass in image (h, w); the image's centre if it is blank."""
    total = float(image.sum())
    if total == 0:
        return (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def grid_to_image(grid: np.ndarray) -> np.ndarray:
    """Turn a drawing grid (GRID, GRID) of bools into an MNIST-like image (28, 28) float32 in [0, 1].

    Crop to the ink's bounding box, scale it so its longer side is 20 pixels (keeping the aspect),
    blur, then place it so the centre of mass sits at the image centre. A blank grid gives zeros.
    """
    ink = np.asarray(grid, dtype=np.float32)
    if not ink.any():
        return np.zeros((SIDE, SIDE), dtype=np.float32)
    rows, cols = np.nonzero(ink)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = BOX / max(crop.shape)
    h, w = (max(1, round(n * scale)) for n in crop.shape)
    digit = blur(resize(crop, h, w))
    cy, cx = center_of_mass(digit)
    top = int(np.clip(round((SIDE - 1) / 2 - cy), 0, SIDE - digit.shape[0]))
    left = int(np.clip(round((SIDE - 1) / 2 - cx), 0, SIDE - digit.shape[1]))
    image = np.zeros((SIDE, SIDE), dtype=np.float32)
    image[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return np.clip(image / image.max(), 0, 1)


def image_to_grid(image: np.ndarray, threshold: float = 0.35) -> np.ndarray:
    """An MNIST image (784,) or (28, 28), values in [0, 1], as a drawing grid (GRID, GRID) of bools.

    Each cell is the mean of a 2 × 2 block of pixels, inked where that mean exceeds `threshold`.
    """
    blocks = np.asarray(image, dtype=np.float32).reshape(GRID, SIDE // GRID, GRID, SIDE // GRID)
    return blocks.mean(axis=(1, 3)) > threshold


def digit_probabilities(model: Sequential, image: np.ndarray, mean: float, std: float) -> np.ndarray:
    """The network's ten class probabilities (10,) for one image (28, 28) or (784,) with pixels in [0, 1].

    The image is standardized with the training set's `mean` and `std`, as during training.
    """
    x = (np.asarray(image, dtype=np.float32).reshape(1, SIDE * SIDE) - mean) / std
    return softmax(model.predict(x.astype(np.float32)))[0]


def show_prediction(axes, image: np.ndarray, probs: np.ndarray) -> int:
    """Draw the image the network sees (axes[0]) and its probabilities as bars (axes[1]).

    image: (28, 28) or (784,); probs: (10,). Returns the predicted digit (the highest bar, in red).
    """
    guess = int(np.argmax(probs))
    axes[0].imshow(np.reshape(image, (SIDE, SIDE)), cmap="gray_r", vmin=0, vmax=1)
    axes[0].set(title="what the network sees", xticks=[], yticks=[])
    colors = ["tab:red" if d == guess else "tab:blue" for d in range(10)]
    axes[1].bar(range(10), probs, color=colors)
    axes[1].set(xticks=range(10), ylim=(0, 1), xlabel="digit", ylabel="probability",
                title=f"it reads a {guess} ({probs[guess]:.0%} sure)")
    return guess
