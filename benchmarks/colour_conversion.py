"""What converting a 1080p screen frame to yuv420p costs, by matrix and by method.

    .venv/bin/python benchmarks/colour_conversion.py [--repeat 200]

Baton converts with OpenCV's BT.601 conversion and tags the stream so (see
``baton.capture.recording.colour`` for why BT.601 and not BT.709). For the record this also
times the BT.709 conversions one could use instead: OpenCV's ``transform`` per plane (the
plain matrix way), and the cheapest near-exact one found (BT.601 luma plus a share of the
green channel, chroma by a 2x2 matrix on the subsampled planes). The reference is FFmpeg's
swscale through PyAV, to BT.709. Each method's largest error against exact floating-point
maths is reported with its time (median of ``--repeat`` calls, reused buffers). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from baton.capture.recording.encoder import I420Converter

WIDTH, HEIGHT = 1920, 1080


def screen() -> np.ndarray[Any, Any]:
    """A desktop: text on white, coloured panels, a photo-like gradient (BGRA)."""
    rng = np.random.default_rng(3)
    image = np.full((HEIGHT, WIDTH, 3), 245, np.uint8)
    for _ in range(40):
        x, y = int(rng.integers(0, WIDTH - 400)), int(rng.integers(0, HEIGHT - 200))
        image[y:y + 200, x:x + 400] = rng.integers(0, 256, 3)
    for line in range(HEIGHT // 24):
        cv2.putText(image, f"Invoice {line:04d} paid 1,234.56 EUR", (30, 20 + line * 24),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.6, (int(rng.integers(0, 200)), 20, 20), 1)
    y, x = np.mgrid[0:300, 0:500]
    image[700:1000, 1300:1800] = np.dstack([x * 255 // 500, y * 255 // 300, 128 + 0 * x])
    return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))


def matrix(kr: float, kb: float) -> np.ndarray[Any, Any]:
    """Limited-range Y, Cb, Cr rows over R, G, B."""
    kg = 1 - kr - kb
    ys, cs = 219 / 255, 224 / 255
    return np.array([[kr * ys, kg * ys, kb * ys],
                     [-kr / (2 * (1 - kb)) * cs, -kg / (2 * (1 - kb)) * cs, 0.5 * cs],
                     [0.5 * cs, -kg / (2 * (1 - kr)) * cs, -kb / (2 * (1 - kr)) * cs]])


BT601, BT709 = matrix(0.299, 0.114), matrix(0.2126, 0.0722)


def exact(bgra: np.ndarray[Any, Any], rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Exact luma (full size) in floating point."""
    rgb = bgra[..., 2::-1].astype(np.float64)
    return np.asarray(rgb @ rows[0] + 16)


def timed(call: Callable[[], object], repeat: int) -> float:
    call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    bgra = screen()
    results: dict[str, Any] = {}

    converter = I420Converter(WIDTH, HEIGHT)  # what the recorder runs, BT.601
    luma601 = exact(bgra, BT601)
    results["baton_bt601_libyuv"] = {
        "ms_per_frame": timed(lambda: converter.convert(bgra), args.repeat),
        "luma_error_max": float(np.abs(converter.frame.to_ndarray()[:HEIGHT] - luma601).max()),
    }

    # BT.709 the plain way: cv2.transform on the full frame (luma) and the half-size (chroma).
    i420 = np.empty((HEIGHT * 3 // 2, WIDTH), np.uint8)
    half = np.empty((HEIGHT // 2, WIDTH // 2, 4), np.uint8)
    chroma = np.empty((HEIGHT // 2, WIDTH // 2, 2), np.uint8)
    to_y = np.array([[*BT709[0][::-1], 0, 16]], np.float32)
    to_uv = np.array([[*BT709[1][::-1], 0, 128], [*BT709[2][::-1], 0, 128]], np.float32)
    planes = i420[HEIGHT:].reshape(2, HEIGHT // 2, WIDTH // 2)

    def transform709() -> None:
        cv2.transform(bgra, to_y, dst=i420[:HEIGHT])
        cv2.resize(bgra, (WIDTH // 2, HEIGHT // 2), dst=half, interpolation=cv2.INTER_AREA)
        cv2.transform(half, to_uv, dst=chroma)
        cv2.split(chroma, [planes[0], planes[1]])

    luma709 = exact(bgra, BT709)
    transform709()
    results["bt709_cv2_transform"] = {
        "ms_per_frame": timed(transform709, args.repeat),
        "luma_error_max": float(np.abs(i420[:HEIGHT] - luma709).max()),
    }

    # BT.709 the cheap way: OpenCV's BT.601, luma corrected with green, chroma by 2x2.
    shift = BT709 @ np.linalg.inv(BT601)
    k = 0.7012  # least squares over R and B with greys exact (Y709 = k Y601 + (1-k) G')
    green = np.empty((HEIGHT, WIDTH), np.uint8)
    spare = np.empty((HEIGHT // 2, WIDTH // 2), np.uint8)
    u, v = planes

    def corrected709() -> None:
        cv2.cvtColor(bgra, cv2.COLOR_BGRA2YUV_I420, dst=i420)
        np.copyto(green, bgra[:, :, 1])
        cv2.addWeighted(i420[:HEIGHT], k, green, (1 - k) * 219 / 255, 16 * (1 - k),
                        dst=i420[:HEIGHT])
        c = shift[1:, 1:]
        cv2.addWeighted(u, c[0, 0], v, c[0, 1], 128 * (1 - c[0, 0] - c[0, 1]), dst=spare)
        cv2.addWeighted(u, c[1, 0], v, c[1, 1], 128 * (1 - c[1, 0] - c[1, 1]), dst=v)
        np.copyto(u, spare)

    corrected709()
    results["bt709_cv2_corrected"] = {
        "ms_per_frame": timed(corrected709, args.repeat),
        "luma_error_max": float(np.abs(i420[:HEIGHT] - luma709).max()),
    }

    # The reference: swscale (PyAV) to BT.709.
    frame = av.VideoFrame.from_ndarray(bgra, format="bgra")

    def swscale709() -> Any:
        bt709 = av.video.reformatter.Colorspace.ITU709
        return frame.reformat(format="yuv420p", dst_colorspace=bt709)

    out = swscale709().to_ndarray()
    results["reference_swscale_bt709"] = {
        "ms_per_frame": timed(swscale709, max(args.repeat // 4, 10)),
        "luma_error_max": float(np.abs(out[:HEIGHT] - luma709).max()),
    }
    print(json.dumps({"size": f"{WIDTH}x{HEIGHT}", "load_average": os.getloadavg(),
                      "methods": results}, indent=2))


if __name__ == "__main__":
    main()
