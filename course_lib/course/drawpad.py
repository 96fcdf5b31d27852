"""Draw a digit with the mouse and watch a network read it: the pad of notebook 08 (and 09).

`DrawPad` is an anywidget: one small ES module, `drawpad.js`, draws strokes on a canvas
(mouse, touch or pen, through pointer events) and the outputs; everything else is plain Python here.
When a stroke ends the canvas arrives as `DrawPad.canvas` (bytes, one a pixel). `decode_canvas` turns
them into an image of ink, `read_digit` prepares it as MNIST did (`course_lib.digits.to_mnist`), runs
the network and returns a `Reading`: the probabilities, the 28 × 28 image the network saw and one line
of text. `DigitPlayground` wires a pad, a choice of networks and a "random test digit" button to them.

anywidget rather than ipycanvas: the drawing happens in the browser, with no message to the kernel per
mouse move, and the widget's state (the last drawing and its reading) is saved with the notebook, so the
static site shows it without a kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets
from ipywidgets.widgets.trait_types import bytes_serialization

from course_lib.activations import softmax
from course_lib.digits import SIDE, canvas_from_mnist, standardize, to_mnist

#: Side of the canvas, in pixels (CSS and canvas alike): ten canvas pixels to an MNIST pixel.
CANVAS = 280
#: A predictor: images (n, 784) float32, standardized → logits (n, classes).
Predict = Callable[[np.ndarray], np.ndarray]


def as_predict(model: Any) -> Predict:
    """model.predict for a network (anything with .predict(x: (n, 784)) -> logits), or model if callable."""
    if hasattr(model, "predict"):
        return model.predict
    if callable(model):
        return model
    raise TypeError(f"A pad model must have .predict(x) or be a function x -> logits, got "
                    f"{type(model).__name__}.")


def decode_canvas(data: bytes, size: int = CANVAS) -> np.ndarray:
    """The bytes the pad sends (size · size, row by row, 0 paper … 255 ink) as ink (size, size) in [0, 1]."""
    pixels = np.frombuffer(bytes(data), dtype=np.uint8)
    if pixels.size != size * size:
        raise ValueError(f"A {size} × {size} canvas sends {size * size} bytes, got {pixels.size}.")
    return (pixels.reshape(size, size) / np.float32(255)).astype(np.float32)


def encode_image(image: np.ndarray) -> bytes:
    """Ink (h, w) in [0, 1] as bytes, row by row, 0 … 255: what the pad draws (the inverse of decode)."""
    return np.round(np.clip(image, 0, 1) * 255).astype(np.uint8).tobytes()


@dataclass(frozen=True)
class Reading:
    """What the pad shows: probs (10,), seen (28, 28) in [0, 1], digit (−1 for a blank canvas), text."""

    probs: np.ndarray
    seen: np.ndarray
    digit: int
    text: str


def read_digit(ink: np.ndarray, predict: Predict, mean: float, std: float, name: str = "") -> Reading:
    """The network's reading of a drawing ink (h, w) in [0, 1]: preprocess as MNIST, standardize, predict.

    A blank drawing is not sent to the network: its Reading says so, with zero probabilities.
    """
    about = f" ({name})" if name else ""
    if not np.any(ink > 0):
        return Reading(np.zeros(10, np.float32), np.zeros((SIDE, SIDE), np.float32), -1,
                       f"Draw a digit: the canvas is blank{about}.")
    seen = to_mnist(ink)
    probs = softmax(predict(standardize(seen, mean, std)))[0]
    digit = int(np.argmax(probs))
    return Reading(probs, seen, digit, f"It reads a {digit}, {probs[digit]:.0%} sure{about}.")


class DrawPad(anywidget.AnyWidget):
    """The canvas and the outputs (see drawpad.js); Python sets the outputs with `show`."""

    _esm = (Path(__file__).with_name("drawpad.js")).read_text(encoding="utf-8")
    size = traitlets.Int(CANVAS).tag(sync=True)
    pen_width = traitlets.Float(22.0).tag(sync=True)
    eraser_width = traitlets.Float(40.0).tag(sync=True)
    canvas = traitlets.Bytes(bytes(CANVAS * CANVAS)).tag(sync=True, **bytes_serialization)
    seen = traitlets.Bytes(bytes(SIDE * SIDE)).tag(sync=True, **bytes_serialization)
    probs = traitlets.List(traitlets.Float(), [0.0] * 10).tag(sync=True)
    digit = traitlets.Int(-1).tag(sync=True)
    reading = traitlets.Unicode("Draw a digit.").tag(sync=True)

    def show(self, reading: Reading) -> None:
        """Send a Reading to the browser, in one message."""
        with self.hold_sync():
            self.seen = encode_image(reading.seen)
            self.probs = [float(p) for p in reading.probs]
            self.digit = reading.digit
            self.reading = reading.text


class DigitPlayground:
    """A DrawPad, a choice of networks (name → model) and a "random test digit" button, wired.

    Every new drawing (or network) is read by `read_digit` with the training set's `mean` and `std`;
    `test_images` (n, 784) in [0, 1] are the digits the button draws on the canvas, chosen with `seed`.
    """

    def __init__(self, models: Mapping[str, Any], mean: float, std: float, test_images: np.ndarray,
                 seed: int = 0) -> None:
        if not models:
            raise ValueError("DigitPlayground needs at least one network: models={'MLP': model}.")
        self.predictors = {name: as_predict(model) for name, model in models.items()}
        self.mean, self.std, self.test_images = mean, std, test_images
        self.rng = np.random.default_rng(seed)
        self.pad = DrawPad()
        self.choice = widgets.Dropdown(options=list(models), description="network")
        self.sample = widgets.Button(description="random test digit", icon="random",
                                     layout=widgets.Layout(width="auto"))
        self.pad.observe(lambda _: self.update(), names="canvas")
        self.choice.observe(lambda _: self.update(), names="value")
        self.sample.on_click(lambda _: self.draw_test_digit())
        self.widget = widgets.VBox([widgets.HBox([self.choice, self.sample]), self.pad])
        self.update()

    def update(self) -> Reading:
        """Read the pad's drawing with the chosen network and show the result."""
        ink = decode_canvas(self.pad.canvas, self.pad.size)
        reading = read_digit(ink, self.predictors[self.choice.value], self.mean, self.std, self.choice.value)
        self.pad.show(reading)
        return reading

    def draw_test_digit(self) -> int:
        """Draw a random test image on the canvas as hard-pen strokes (canvas_from_mnist); its index."""
        index = int(self.rng.integers(len(self.test_images)))
        self.pad.canvas = encode_image(canvas_from_mnist(self.test_images[index], self.pad.size))
        return index
