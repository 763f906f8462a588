"""BGRA screen rows to I420 (BT.601, limited range): libyuv where it loads, OpenCV otherwise.

Both conversions give each 2x2 block of pixels the chroma of its average colour, so a band
of even rows converts exactly as it would inside the whole frame (no neighbour rows
needed), and x264 gets chroma as smooth as swscale's. libyuv (Debian's ``libyuv0``, called
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

LIBYUV_NAMES = ("libyuv.so.0", "libyuv.so", "libyuv.dylib", "yuv.dll")

# OpenCV's YCrCb is BT.601 at full range: chroma 128 + 0.564 (B - Y) and 128 + 0.713 (R - Y);
# limited range narrows both around 128 by 224/255.
_LIMITED_CHROMA = np.clip(
    np.round(128 + (np.arange(256) - 128) * 224 / 255), 0, 255).astype(np.uint8)


def plane_view(plane: Any, rows: int, width: int) -> Plane:
    """A writable numpy view of an ``av.VideoFrame`` plane (its rows may be padded)."""
    data = np.frombuffer(plane, np.uint8)
    return data.reshape(rows, plane.line_size)[:, :width]


def _load_libyuv(names: tuple[str, ...]) -> Any | None:
    found = ctypes.util.find_library("yuv")
    for name in (*names, *([found] if found else [])):
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        function = getattr(library, "ARGBToI420", None)
        if function is not None:
            pointer, stride = ctypes.c_void_p, ctypes.c_int
            function.argtypes = [pointer, stride, pointer, stride, pointer, stride,
                                 pointer, stride, ctypes.c_int, ctypes.c_int]
            function.restype = ctypes.c_int
            return function
    return None


def _address(plane: Plane, row: int) -> int:
    return int(plane.ctypes.data) + row * plane.strides[0]


def libyuv_converter(names: tuple[str, ...] = LIBYUV_NAMES) -> RowConverter | None:
    """The libyuv conversion (None: the library cannot be loaded)."""
    argb_to_i420 = _load_libyuv(names)
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
