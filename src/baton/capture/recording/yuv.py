"""BGRA screen rows to I420 (BT.601, limited range): libyuv where it loads, OpenCV otherwise.

Both conversions give each 2x2 block of pixels the chroma of its average colour, so a band
of even rows converts exactly as it would inside the whole frame (no neighbour rows
needed). (That alone costs x264 as many bits as OpenCV's top-left sampling: ``pictures``
smooths the chroma planes afterwards with ``Halves``.) libyuv (Debian's ``libyuv0``, called
through ctypes, which lets go of the GIL) keeps OpenCV (38 MB of pages and its own
OpenBLAS and FFmpeg) out of the recording process. OpenCV is the fallback where libyuv is
not installed (the Windows and macOS bundles); it is imported only then.

Per full 1080p frame on this project's 2-core machine (best of 15 x 20, one thread):
libyuv 0.28 ms, the OpenCV fallback 2.3 ms; OpenCV's own I420 (top-left chroma) plus the
3x3 chroma blur the recorder used before, 0.90 ms.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

Plane = npt.NDArray[np.uint8]
RowConverter = Callable[[Plane, int, int, Plane, Plane, Plane], None]
"""``convert(bgra, start, stop, y, u, v)``: rows ``start..stop`` (even) of the BGRA image
into the same rows of the Y plane and rows ``start//2..stop//2`` of the U and V planes."""
Halves = Callable[[Plane, Plane, Plane], None]
"""``halves(a, b, out)``: ``out = (a + b + 1) >> 1`` pixel by pixel (2-D views of one shape;
``out`` may be ``a``). The chroma smoothing in ``pictures`` is made of these."""

LIBYUV_NAMES = ("libyuv.so.0", "libyuv.so", "libyuv.dylib", "yuv.dll")

# OpenCV's YCrCb is BT.601 at full range: chroma 128 + 0.564 (B - Y) and 128 + 0.713 (R - Y);
# limited range narrows both around 128 by 224/255.
_LIMITED_CHROMA = np.clip(
    np.round(128 + (np.arange(256) - 128) * 224 / 255), 0, 255).astype(np.uint8)


def plane_view(plane: Any, rows: int, width: int) -> Plane:
    """A writable numpy view of an ``av.VideoFrame`` plane (its rows may be padded)."""
    data = np.frombuffer(plane, np.uint8)
    return data.reshape(rows, plane.line_size)[:, :width]


def _address(plane: Plane, row: int) -> int:
    return int(plane.ctypes.data) + row * plane.strides[0]


def _function(names: tuple[str, ...], name: str, arguments: list[Any]) -> Any | None:
    found = ctypes.util.find_library("yuv")
    for library_name in (*names, *([found] if found else [])):
        try:
            library = ctypes.CDLL(library_name)
        except OSError:
            continue
        function = getattr(library, name, None)
        if function is not None:
            function.argtypes = arguments
            function.restype = ctypes.c_int
            return function
    return None


def libyuv_halves(names: tuple[str, ...] = LIBYUV_NAMES) -> Halves | None:
    """``Halves`` by libyuv's ``InterpolatePlane`` at one half (None: no libyuv)."""
    pointer, number = ctypes.c_void_p, ctypes.c_int
    interpolate = _function(names, "InterpolatePlane",
                            [pointer, number, pointer, number, pointer, number,
                             number, number, number])
    if interpolate is None:
        return None

    def halves(a: Plane, b: Plane, out: Plane) -> None:
        rows, width = out.shape
        if rows and width:
            interpolate(_address(a, 0), a.strides[0], _address(b, 0), b.strides[0],
                        _address(out, 0), out.strides[0], width, rows, 128)

    return halves


def numpy_halves(a: Plane, b: Plane, out: Plane) -> None:
    """``Halves`` in numpy (where libyuv is missing)."""
    out[:] = ((a.astype(np.uint16) + b + 1) >> 1).astype(np.uint8)


def chroma_halves() -> Halves:
    """libyuv's ``Halves`` when it loads, else numpy's."""
    return libyuv_halves() or numpy_halves


def libyuv_converter(names: tuple[str, ...] = LIBYUV_NAMES) -> RowConverter | None:
    """The libyuv conversion (None: the library cannot be loaded)."""
    pointer, number = ctypes.c_void_p, ctypes.c_int
    argb_to_i420 = _function(names, "ARGBToI420",
                             [pointer, number, pointer, number, pointer, number,
                              pointer, number, number, number])
    if argb_to_i420 is None:
        return None

    def convert(bgra: Plane, start: int, stop: int, y: Plane, u: Plane, v: Plane) -> None:
        if stop <= start:
            return
        if bgra.strides[1:] != (4, 1):
            bgra = np.ascontiguousarray(bgra)
        width = bgra.shape[1]
        failed = argb_to_i420(
            _address(bgra, start), bgra.strides[0],
            _address(y, start), y.strides[0],
            _address(u, start // 2), u.strides[0],
            _address(v, start // 2), v.strides[0],
            width, stop - start)
        if failed:
            raise ValueError(f"libyuv could not convert rows {start}..{stop}")

    return convert


def opencv_converter() -> RowConverter:
    """The OpenCV conversion: luma per pixel, chroma of each 2x2 block's average."""
    import cv2  # only where libyuv is missing: OpenCV costs the recorder 38 MB

    def convert(bgra: Plane, start: int, stop: int, y: Plane, u: Plane, v: Plane) -> None:
        if stop <= start:
            return
        band = bgra[start:stop]
        rows, width = band.shape[:2]
        y[start:stop] = cv2.cvtColor(band, cv2.COLOR_BGRA2YUV_I420)[:rows]
        average = cv2.resize(band, (width // 2, rows // 2), interpolation=cv2.INTER_AREA)
        chroma = cv2.LUT(cv2.cvtColor(average, cv2.COLOR_BGR2YCrCb), _LIMITED_CHROMA)
        u[start // 2:stop // 2] = chroma[:, :, 2]
        v[start // 2:stop // 2] = chroma[:, :, 1]

    return convert


def row_converter() -> RowConverter:
    """libyuv's conversion when it loads, else OpenCV's."""
    return libyuv_converter() or opencv_converter()
