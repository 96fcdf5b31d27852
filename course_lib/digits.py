"""A drawing, prepared the way MNIST prepared its digits (used by notebook 08's drawing pad).

MNIST's digits were written on paper, scanned, then normalized: each was scaled so that its bounding box
fits a 20 × 20 box, keeping its aspect ratio, with anti-aliasing (so its edges have grey levels), and
placed in a 28 × 28 image so that its centre of mass sits at the centre. `to_mnist` repeats these steps
for any grey-level image of ink, such as a canvas drawn with the mouse:

1. `ink_box`: crop to the ink's bounding box;
2. `area_resize`: scale the longer side to 20 pixels, each new pixel the mean of the area it covers;
3. `center_of_mass` and `place_by_mass`: put that point at (14, 14) in a 28 × 28 image.

`standardize` then applies the training set's mean and standard deviation, exactly as training did.
`canvas_from_mnist` goes the other way — an MNIST image drawn as strokes on a canvas — so the round trip
can be measured. Images hold ink: 0 is paper, 1 is full ink. NumPy only.
"""

from __future__ import annotations

import numpy as np

#: Side of an MNIST image; side of the box its digit is scaled to fit; where its centre of mass goes.
SIDE, BOX, CENTER = 28, 20, (14.0, 14.0)


def _expect_image(image: np.ndarray, where: str) -> np.ndarray:
    """image as a float32 (height, width) array, or a ValueError naming the shape that was given."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 2 or 0 in image.shape:
        raise ValueError(f"{where} expected a grey-level image of shape (height, width), got shape "
                         f"{image.shape}. A flat MNIST row needs image.reshape(28, 28).")
    return image


def ink_box(image: np.ndarray) -> tuple[slice, slice]:
    """(rows, columns) slices of the smallest box holding every inked pixel (> 0) of image (h, w).

    A blank image has no box: ValueError("... blank ...").
    """
    image = _expect_image(image, "ink_box")
    rows, cols = np.flatnonzero(image.max(axis=1) > 0), np.flatnonzero(image.max(axis=0) > 0)
    if rows.size == 0:
        raise ValueError(f"The image of shape {image.shape} is blank: there is no ink to crop to. "
                         f"Draw a digit first.")
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) matrix A: A[i, j] = the share of output pixel i's span that input pixel j covers.

    Output pixel i spans [i, i + 1) · n_in / n_out in input coordinates; input pixel j spans [j, j + 1).
    Each row sums to 1, so A @ v averages v over each output pixel's span (anti-aliasing when shrinking).
    """
    edges = np.arange(n_out + 1) * (n_in / n_out)
    lo, hi = edges[:-1, None], edges[1:, None]
    j = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, j + 1) - np.maximum(lo, j), 0, None)
    return (overlap * (n_out / n_in)).astype(np.float32)


def area_resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """image (h, w) resized to (height, width) by area averaging: A_rows @ image @ A_colsᵀ, float32."""
    image = _expect_image(image, "area_resize")
    if height < 1 or width < 1:
        raise ValueError(f"area_resize needs a target of at least 1 × 1 pixels, got {height} × {width}.")
    return area_weights(image.shape[0], height) @ image @ area_weights(image.shape[1], width).T


def fit_box(shape: tuple[int, int], box: int = BOX) -> tuple[int, int]:
    """(height, width) with the longer side `box` and the aspect ratio of `shape` (rounded, at least 1)."""
    scale = box / max(shape)
    return max(1, round(shape[0] * scale)), max(1, round(shape[1] * scale))


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass: Σ r·image[r, c] / Σ image, likewise for c.

    image: (h, w), not blank (ValueError otherwise).
    """
    image = _expect_image(image, "center_of_mass")
    total = float(image.sum(dtype=np.float64))
    if total <= 0:
        raise ValueError(f"The image of shape {image.shape} is blank: it has no centre of mass.")
    rows = np.arange(image.shape[0]) @ image.sum(axis=1, dtype=np.float64)
    cols = np.arange(image.shape[1]) @ image.sum(axis=0, dtype=np.float64)
    return float(rows / total), float(cols / total)


def place_by_mass(digit: np.ndarray, side: int = SIDE, center: tuple[float, float] = CENTER) -> np.ndarray:
    """digit (h, w), h and w ≤ side, pasted into a (side, side) float32 image, shifted by whole pixels
    so that its centre of mass lands on `center` (within half a pixel), but never off the image."""
    digit = _expect_image(digit, "place_by_mass")
    if max(digit.shape) > side:
        raise ValueError(f"place_by_mass: a digit of shape {digit.shape} does not fit in {side} × {side}.")
    cy, cx = center_of_mass(digit)
    top = int(np.clip(round(center[0] - cy), 0, side - digit.shape[0]))
    left = int(np.clip(round(center[1] - cx), 0, side - digit.shape[1]))
    image = np.zeros((side, side), dtype=np.float32)
    image[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return image


def to_mnist(image: np.ndarray) -> np.ndarray:
    """Any grey-level image of ink (h, w), values in [0, 1], as MNIST would have it: (28, 28) float32.

    Crop to the ink's box, scale its longer side to 20 pixels by area averaging, and centre its mass at
    (14, 14). A blank image raises ValueError ("... blank ...").
    """
    crop = _expect_image(image, "to_mnist")[ink_box(image)]
    return place_by_mass(np.clip(area_resize(crop, *fit_box(crop.shape)), 0, 1))


def standardize(images: np.ndarray, mean: float, std: float) -> np.ndarray:
    """images (n, 28, 28), (28, 28) or (n, 784) as the network's input (n, 784): (x − mean) / std, float32.

    `mean` and `std` are the training pixels' (train_mnist.standardize), so a drawing is scaled exactly as
    the training images were.
    """
    x = np.asarray(images, dtype=np.float32)
    if x.size % (SIDE * SIDE):
        raise ValueError(f"standardize expected 28 × 28 images, got an array of shape {x.shape}.")
    return ((x.reshape(-1, SIDE * SIDE) - mean) / std).astype(np.float32)


def canvas_from_mnist(image: np.ndarray, size: int = 280, threshold: float = 0.5) -> np.ndarray:
    """An MNIST image (784,) or (28, 28) in [0, 1] as a drawing on a (size, size) canvas, float32 in {0, 1}.

    Pixels above `threshold` become ink, and each becomes a (size / 28)-pixel square: the grey edges of
    the original are gone, as on a canvas drawn with a hard pen. `size` must be a multiple of 28.
    """
    if size % SIDE:
        raise ValueError(f"canvas_from_mnist needs a canvas size that is a multiple of 28, got {size}.")
    ink = np.asarray(image, dtype=np.float32).reshape(SIDE, SIDE) > threshold
    block = size // SIDE
    return np.repeat(np.repeat(ink, block, axis=0), block, axis=1).astype(np.float32)
