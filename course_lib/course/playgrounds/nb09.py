"""Notebook 09 playground: pick a filter and a digit, see the feature map the convolution makes of it.

`FILTERS` holds hand-made 3×3 kernels (edges, blur, sharpen); the notebook adds the trained network's
first-layer filters. `feature_map` is the computation (one Conv2D, padded so the map keeps the image's size)
and `draw_feature_map` the picture; the notebook's widget only wires two dropdowns to `draw_feature_map`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from course_lib.layers import Conv2D

FILTERS: dict[str, np.ndarray] = {
    "vertical edges (Sobel)": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32),
    "horizontal edges (Sobel)": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], np.float32),
    "blur (box)": np.full((3, 3), 1 / 9, np.float32),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32),
    "diagonal (↘) strokes": np.array([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]], np.float32),
}


def feature_map(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The cross-correlation of one image with one kernel, zero-padded to keep the image's size.

    image: (H, W), kernel: (k, k) with k odd -> (H, W), computed by `Conv2D(1, 1, k, padding=k // 2)`.
    """
    if image.ndim != 2 or kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 == 0:
        raise ValueError(f"feature_map expects an image (H, W) and a square kernel of odd size (k, k), "
                         f"got image {image.shape} and kernel {kernel.shape}.")
    k = kernel.shape[0]
    conv = Conv2D(1, 1, k, padding=k // 2)
    conv.params["W"][...] = kernel
    return conv.forward(image[None, None].astype(np.float32), training=False)[0, 0]


def draw_feature_map(axes: tuple[Axes, Axes, Axes], image: np.ndarray, kernel: np.ndarray, name: str) -> str:
    """Left: the image; middle: the kernel (red > 0, blue < 0); right: the feature map, same colours.

    Returns one line: the map's range and where it responds most strongly (row, column).
    """
    fmap = feature_map(image, kernel)
    left, middle, right = axes
    left.imshow(image, cmap="gray_r")
    left.set_title("image")
    limit = float(np.abs(kernel).max()) or 1.0
    middle.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
    middle.set_title(f"filter: {name}", fontsize=9)
    for (i, j), value in np.ndenumerate(kernel):
        middle.text(j, i, f"{value:.2g}", ha="center", va="center", fontsize=8)
    spread = float(np.abs(fmap).max()) or 1.0
    right.imshow(fmap, cmap="RdBu_r", vmin=-spread, vmax=spread)
    right.set_title("feature map")
    for ax in axes:
        ax.set(xticks=[], yticks=[])
    row, column = np.unravel_index(int(np.argmax(fmap)), fmap.shape)
    return (f"{name}: feature map from {fmap.min():.2f} to {fmap.max():.2f}, strongest response at "
            f"row {row}, column {column}")
