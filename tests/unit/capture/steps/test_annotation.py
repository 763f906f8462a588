"""Annotations and redactions burned into step screenshots, pixel by pixel."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QImage

from baton.capture.steps.annotation import render, render_png
from baton.errors import UserError
from baton.util.images import encode_qimage_png
from helpers.images import Pixels, png_bytes, png_pixels

GRAY = (128, 128, 128)
# Two colours that appear nowhere else in the test image: the "secret" under the box.
SECRET_A = (17, 201, 93)
SECRET_B = (250, 3, 140)


def screenshot(width: int = 320, height: int = 200) -> Pixels:
    """A gray image with a checkerboard of two secret colours at x 100..160, y 40..80."""
    image = np.full((height, width, 3), GRAY, np.uint8)
    for y in range(40, 80):
        for x in range(100, 160):
            image[y, x] = SECRET_A if (x // 4 + y // 4) % 2 else SECRET_B
    return image


def has_colour(image: Pixels, bgr: tuple[int, int, int]) -> bool:
    return bool(np.all(image == np.array(bgr, np.uint8), axis=2).any())


def reddish(pixel: Pixels) -> bool:
    blue, green, red = (int(v) for v in pixel)
    return red > 180 and green < 110 and blue < 110


def test_the_pattern_under_a_redaction_box_is_gone(qapp: Any) -> None:
    original = screenshot()
    assert has_colour(original, SECRET_A)
    assert has_colour(original, SECRET_B)
    box = {"x": 99.5, "y": 39.2, "w": 60.6, "h": 40.9}
    out = png_pixels(render_png(png_bytes(original), [], [box]))
    assert out.shape == original.shape
    assert not has_colour(out, SECRET_A)
    assert not has_colour(out, SECRET_B)
    assert (out[39:81, 99:161] == 0).all()
    outside = np.ones(original.shape[:2], bool)
    outside[39:81, 99:161] = False
    assert (out[outside] == original[outside]).all()


def test_redactions_cover_annotations_and_survive_the_crop(qapp: Any) -> None:
    marks = [{"kind": "text", "x": 100, "y": 40, "text": "password: hunter2"},
             {"kind": "crop", "x": 90, "y": 30, "w": 100, "h": 60}]
    box = {"x": 100, "y": 40, "w": 60, "h": 40}
    out = png_pixels(render_png(png_bytes(screenshot()), marks, [box]))
    assert out.shape[:2] == (60, 100)
    assert (out[10:50, 10:70] == 0).all()
    assert not has_colour(out, SECRET_A)


def test_a_box_partly_off_the_image_is_clipped(qapp: Any) -> None:
    box = {"x": 300, "y": 190, "w": 50, "h": 50}
    out = png_pixels(render_png(png_bytes(screenshot()), [], [box]))
    assert (out[190:, 300:] == 0).all()
    assert out.shape == (200, 320, 3)


def test_rectangle_outline_only(qapp: Any) -> None:
    mark = {"kind": "rect", "x": 20, "y": 20, "w": 60, "h": 40, "color": "#00c000"}
    out = png_pixels(render_png(png_bytes(screenshot()), [mark], []))
    left_edge = out[40, 20]
    assert left_edge[1] > 150
    assert left_edge[2] < 80
    assert tuple(out[40, 50]) == GRAY
    assert tuple(out[150, 250]) == GRAY


def test_arrow_shaft_and_head(qapp: Any) -> None:
    mark = {"kind": "arrow", "x1": 10, "y1": 150, "x2": 90, "y2": 150}
    out = png_pixels(render_png(png_bytes(screenshot()), [mark], []))
    assert reddish(out[150, 40])
    assert reddish(out[150, 87])
    assert reddish(out[147, 83])  # the head is wider than the shaft
    assert tuple(out[150, 120]) == GRAY
    assert tuple(out[120, 40]) == GRAY


def test_numbered_marker(qapp: Any) -> None:
    mark = {"kind": "marker", "x": 250, "y": 150, "n": 7}
    out = png_pixels(render_png(png_bytes(screenshot()), [mark], []))
    disc = out[141:160, 241:260].reshape(-1, 3)
    assert sum(reddish(p) for p in disc) > len(disc) // 3
    assert (disc.min(axis=1) > 220).any()  # the white number
    assert tuple(out[150, 200]) == GRAY


def test_text_label(qapp: Any) -> None:
    mark = {"kind": "text", "x": 10, "y": 10, "text": "Click Save"}
    out = png_pixels(render_png(png_bytes(screenshot()), [mark], []))
    label = out[10:30, 10:60].reshape(-1, 3)
    assert (label.min(axis=1) > 200).sum() > 50  # the white background
    assert sum(reddish(p) for p in label) > 5  # the text
    assert tuple(out[5, 5]) == GRAY
    assert tuple(out[100, 200]) == GRAY


def test_crop_gives_the_right_size_and_place(qapp: Any) -> None:
    original = screenshot()
    original[30, 95] = (1, 2, 3)
    mark = {"kind": "crop", "x": 95, "y": 30, "w": 70, "h": 55}
    out = png_pixels(render_png(png_bytes(original), [mark], []))
    assert out.shape == (55, 70, 3)
    assert tuple(out[0, 0]) == (1, 2, 3)
    assert (out[10:50, 5:65] == original[40:80, 100:160]).all()
    huge = {"kind": "crop", "x": -50, "y": -50, "w": 10_000, "h": 10_000}
    assert png_pixels(render_png(png_bytes(original), [huge], [])).shape == original.shape


def test_render_works_on_qimages_and_leaves_the_original(qapp: Any) -> None:
    image = QImage.fromData(QByteArray(png_bytes(screenshot())))
    before = image.copy()
    result = render(image, [{"kind": "rect", "x": 1, "y": 1, "w": 5, "h": 5}],
                    [{"x": 0, "y": 0, "w": 2, "h": 2}])
    assert image == before
    assert result != before
    assert result.pixelColor(0, 0).name() == "#000000"


def test_metadata_of_the_original_is_dropped(qapp: Any) -> None:
    image = QImage.fromData(QByteArray(png_bytes(screenshot())))
    image.setText("Comment", "account 12345678")
    tagged = encode_qimage_png(image)
    assert b"12345678" in tagged
    assert b"12345678" not in render_png(tagged, [], [])


def test_bad_input_is_a_user_error(qapp: Any) -> None:
    with pytest.raises(UserError, match="not a readable image"):
        render_png(b"not an image", [], [])
    data = png_bytes(screenshot())
    with pytest.raises(UserError):
        render_png(data, [{"kind": "blur", "x": 0, "y": 0}], [])
    with pytest.raises(UserError):
        render_png(data, [], [{"x": 0, "y": 0, "w": 0, "h": 4}])
    with pytest.raises(UserError, match="empty"):
        render(QImage(), [], [])
