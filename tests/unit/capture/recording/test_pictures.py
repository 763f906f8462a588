"""Converting only the changed rows gives exactly the picture a full conversion gives."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baton.capture.recording.encoder import I420Converter
from baton.capture.recording.pictures import Pictures, even_bands
from baton.capture.recording.yuv import (
    Halves,
    RowConverter,
    libyuv_converter,
    libyuv_halves,
    numpy_halves,
    opencv_converter,
    row_converter,
)

WIDTH, HEIGHT = 48, 38  # small, with a height that is not a multiple of 4


def planes_of(frame: Any) -> list[npt.NDArray[np.uint8]]:
    sizes = ((HEIGHT, WIDTH), (HEIGHT // 2, WIDTH // 2), (HEIGHT // 2, WIDTH // 2))
    return [np.frombuffer(plane, np.uint8).reshape(rows, plane.line_size)[:, :width].copy()
            for plane, (rows, width) in zip(frame.planes, sizes, strict=True)]


band = st.tuples(st.integers(0, HEIGHT - 1), st.integers(1, HEIGHT)).map(
    lambda pair: (min(pair), max(pair[1], min(pair) + 1)))
change = st.tuples(band, st.integers(0, WIDTH - 1), st.integers(0, 255), st.booleans())


def libyuv() -> RowConverter:
    convert = libyuv_converter()
    assert convert is not None, "libyuv cannot be loaded: apt-get install libyuv0"
    return convert


def libyuv_smoothing() -> Halves:
    halves = libyuv_halves()
    assert halves is not None, "libyuv cannot be loaded: apt-get install libyuv0"
    return halves


CONVERTERS = {"libyuv": (libyuv, libyuv_smoothing),
              "opencv": (opencv_converter, lambda: numpy_halves)}


@pytest.mark.parametrize("converter", sorted(CONVERTERS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.lists(change, min_size=0, max_size=3), min_size=1, max_size=8),
       seed=st.integers(0, 2**16))
def test_partial_conversion_equals_a_full_one(
    converter: str, changes: list[list[tuple[tuple[int, int], int, int, bool]]], seed: int
) -> None:
    convert, halves = (make() for make in CONVERTERS[converter])
    rng = np.random.default_rng(seed)
    screen = rng.integers(0, 256, (HEIGHT, WIDTH, 4), dtype=np.uint8)
    pictures = Pictures(WIDTH, HEIGHT, pool=2, convert=convert, halves=halves)
    pictures.update(screen, [(0, HEIGHT)])
    held: list[Any] = []
    for frame_changes in changes:
        bands = []
        for (start, stop), column, value, noisy in frame_changes:
            area = screen[start:stop, column:]
            area[:] = rng.integers(0, 256, area.shape, dtype=np.uint8) if noisy else value
            bands.append((start, stop))
        pictures.update(screen, bands)
        reference = I420Converter(WIDTH, HEIGHT, convert=convert, halves=halves)
        expected = planes_of(reference.convert(screen))  # the whole frame, from scratch
        for got, want in zip(pictures.planes(), expected, strict=True):
            np.testing.assert_array_equal(got, want)
        # A pool picture (brought up to date from whatever it showed before) too.
        picture = pictures.take()
        if picture is None:  # both are "in the encoder": one comes back
            pictures.give_back(held.pop(0))
            picture = pictures.take()
        assert picture is not None
        for got, want in zip(planes_of(picture), expected, strict=True):
            np.testing.assert_array_equal(got, want)
        held.append(picture)


def test_bands_are_widened_to_even_rows_and_merged() -> None:
    assert even_bands([(3, 5), (5, 6), (10, 11), (0, 0)], 12) == [(2, 6), (10, 12)]
    assert even_bands([(11, 13)], 12) == [(10, 12)]


def test_the_pool_is_bounded_and_a_picture_comes_back() -> None:
    pictures = Pictures(WIDTH, HEIGHT, pool=2)
    first, second = pictures.take(), pictures.take()
    assert first is not None
    assert second is not None
    assert pictures.take() is None  # the encoder holds both: the frame is dropped
    pictures.give_back(first)
    assert pictures.take() is first


def test_libyuv_is_what_the_recorder_uses_and_opencv_agrees_with_it() -> None:
    # libyuv0 is a runtime package: where it is installed the recorder must use it.
    convert = libyuv()
    assert row_converter().__qualname__ == convert.__qualname__
    rng = np.random.default_rng(7)
    screen = rng.integers(0, 256, (HEIGHT, WIDTH, 4), dtype=np.uint8)
    screen[:, : WIDTH // 2] = (40, 200, 90, 255)  # a flat patch: exact BT.601 values
    ours = planes_of(I420Converter(WIDTH, HEIGHT, convert=convert,
                                   halves=libyuv_smoothing()).convert(screen))
    theirs = planes_of(I420Converter(WIDTH, HEIGHT, convert=opencv_converter(),
                                     halves=numpy_halves).convert(screen))
    for mine, other in zip(ours, theirs, strict=True):
        assert np.abs(mine.astype(int) - other).max() <= 2
    # B 40, G 200, R 90 at BT.601 limited range: Y 144, U 74, V 91 (smoothing a flat
    # patch changes nothing).
    assert abs(int(ours[0][0, 0]) - 144) <= 1
    assert abs(int(ours[1][0, 0]) - 74) <= 1
    assert abs(int(ours[2][0, 0]) - 91) <= 1


def test_libyuv_and_numpy_halve_alike_on_strided_views() -> None:
    rng = np.random.default_rng(3)
    a, b = (rng.integers(0, 256, (21, 33), dtype=np.uint8) for _ in range(2))
    ours, theirs = np.zeros((21, 33), np.uint8), np.zeros((21, 33), np.uint8)
    libyuv_smoothing()(a[1:, 2:], b[:-1, :-2], ours[1:, 1:-1])
    numpy_halves(a[1:, 2:], b[:-1, :-2], theirs[1:, 1:-1])
    np.testing.assert_array_equal(ours, theirs)
    assert ours[0].max() == 0  # nothing outside ``out`` is written
    assert int(theirs[5, 5]) == (int(a[5, 6]) + int(b[4, 4]) + 1) // 2
