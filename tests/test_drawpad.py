"""The Python side of the drawing pad: what the browser sends, what the network reads, what the pad shows."""

import numpy as np
import pytest

from course_lib.course import drawpad
from course_lib.layers import Dense, Sequential


def canvas_with_a_bar(size: int = drawpad.CANVAS) -> np.ndarray:
    ink = np.zeros((size, size), np.float32)
    ink[40:240, 130:152] = 1.0
    return ink


def biased_network(digit: int) -> Sequential:
    """A network that reads every image as `digit`."""
    model = Sequential(Dense(784, 10, init="zeros"))
    model.layers[0].b[digit] = 5.0
    return model


def test_decode_reads_the_bytes_the_pad_sends():
    data = bytes([0, 255, 51, 0])  # a 2 × 2 canvas, row by row
    np.testing.assert_allclose(drawpad.decode_canvas(data, size=2), [[0, 1], [0.2, 0]], rtol=1e-6)
    assert drawpad.decode_canvas(memoryview(data), size=2).dtype == np.float32
    ink = canvas_with_a_bar()
    np.testing.assert_array_equal(drawpad.decode_canvas(drawpad.encode_image(ink)), ink)


def test_decode_names_the_expected_size():
    with pytest.raises(ValueError, match="280 × 280 canvas sends 78400 bytes, got 10"):
        drawpad.decode_canvas(bytes(10))


def test_read_digit_prepares_standardizes_and_predicts():
    seen_inputs = []

    def predict(x):
        seen_inputs.append(x)
        return np.eye(10, dtype=np.float32)[[3]] * 4

    reading = drawpad.read_digit(canvas_with_a_bar(), predict, mean=0.1, std=0.3, name="test net")
    assert reading.digit == 3 and np.isclose(reading.probs.sum(), 1) and reading.probs.shape == (10,)
    assert reading.text == f"It reads a 3, {reading.probs[3]:.0%} sure (test net)."
    assert reading.seen.shape == (28, 28) and np.flatnonzero(reading.seen.any(axis=1)).size == 20
    np.testing.assert_allclose(seen_inputs[0], (reading.seen.reshape(1, 784) - 0.1) / 0.3, rtol=1e-6)


def test_a_blank_canvas_gets_a_message_and_no_prediction():
    reading = drawpad.read_digit(np.zeros((280, 280)), lambda x: pytest.fail("predicted a blank"), 0.1, 0.3)
    assert reading.digit == -1 and "blank" in reading.text and not reading.probs.any()


def test_models_or_functions_are_accepted():
    model = biased_network(4)
    assert drawpad.as_predict(model) == model.predict
    assert drawpad.as_predict(np.tanh) is np.tanh
    with pytest.raises(TypeError, match=r"\.predict\(x\) or be a function.*str"):
        drawpad.as_predict("cnn")


def test_playground_reads_each_drawing_and_the_chosen_network():
    test_images = np.zeros((5, 784), np.float32)
    test_images[:, 300:320] = 1.0
    play = drawpad.DigitPlayground({"four": biased_network(4), "seven": biased_network(7).predict},
                                   mean=0.1, std=0.3, test_images=test_images, seed=0)
    assert play.pad.digit == -1 and "blank" in play.pad.reading  # nothing drawn yet
    play.pad.canvas = drawpad.encode_image(canvas_with_a_bar())  # what the browser does on release
    assert play.pad.digit == 4 and "(four)" in play.pad.reading and len(play.pad.seen) == 784
    assert play.pad.probs[4] == max(play.pad.probs)
    play.choice.value = "seven"
    assert play.pad.digit == 7
    index = play.draw_test_digit()
    assert 0 <= index < 5 and play.pad.digit == 7
    assert drawpad.decode_canvas(play.pad.canvas).sum() > 0


def test_playground_needs_a_network():
    with pytest.raises(ValueError, match="at least one network"):
        drawpad.DigitPlayground({}, 0.1, 0.3, np.zeros((1, 784)))


def test_the_pad_ships_its_module():
    assert "export default" in drawpad.DrawPad._esm and "pointerdown" in drawpad.DrawPad._esm
