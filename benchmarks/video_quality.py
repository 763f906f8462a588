"""How alike two recordings of the same screen content are (SSIM and PSNR of the luma).

The two recorders ran one after the other on content that restarts for each, so the same
picture appears in both at about the same time since the start, not at the same frame.
For a few moments of the first video, the most alike frame of the second within
``window`` seconds is found (on small copies), then compared at full size.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

Luma = npt.NDArray[np.uint8]


def _lumas(path: Path) -> Any:
    """(seconds since the first frame, full-size luma) for every frame of ``path``."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start: float | None = None
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            start = t if start is None else start
            plane = frame.planes[0]
            luma = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)
            yield t - start, luma[:, :frame.width].copy()


def _small(luma: Luma) -> npt.NDArray[np.float32]:
    return cv2.resize(luma, (luma.shape[1] // 4, luma.shape[0] // 4),
                      interpolation=cv2.INTER_AREA).astype(np.float32)


def ssim(first: Luma, second: Luma) -> float:
    """Mean SSIM (Gaussian 11x11, sigma 1.5, as Wang et al.) of two luma planes."""
    a, b = first.astype(np.float64), second.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return cv2.GaussianBlur(x, (11, 11), 1.5)

    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a ** 2
    var_b = blur(b * b) - mu_b ** 2
    cov = blur(a * b) - mu_a * mu_b
    value = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
        (mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return float(value.mean())


def psnr(first: Luma, second: Luma) -> float:
    error = float(np.mean((first.astype(np.float64) - second.astype(np.float64)) ** 2))
    return 99.0 if error == 0 else float(10 * np.log10(255 ** 2 / error))


def compare(first: Path, second: Path, seconds: float, samples: int = 8,
            window: float = 1.0) -> dict[str, Any]:
    """SSIM/PSNR between ``samples`` moments of ``first`` (``seconds`` long) and their best
    match in ``second``."""
    wanted = [seconds * (i + 0.5) / samples for i in range(samples)]
    picks: list[tuple[float, Luma]] = []
    for t, luma in _lumas(first):  # streamed: a minute of 1080p would not fit in memory
        for index, when in enumerate(wanted):
            if index == len(picks):
                picks.append((t, luma))
            elif abs(t - when) < abs(picks[index][0] - when):
                picks[index] = (t, luma)
    if not picks:
        return {"error": "no frames"}
    picks = [(when, luma) for when, (_t, luma) in zip(wanted, picks, strict=False)]
    small = [_small(luma) for _t, luma in picks]
    best: list[tuple[float, Luma | None]] = [(float("inf"), None) for _ in picks]
    for t, luma in _lumas(second):
        reduced: npt.NDArray[np.float32] | None = None
        for index, (when, _luma) in enumerate(picks):
            if abs(t - when) > window:
                continue
            reduced = _small(luma) if reduced is None else reduced
            error = float(np.mean((reduced - small[index]) ** 2))
            if error < best[index][0]:
                best[index] = (error, luma)
    pairs = [(pick[1], match) for pick, (_e, match) in zip(picks, best, strict=True)
             if match is not None]
    if not pairs:
        return {"error": "no frames to compare"}
    ssims = [ssim(a, b) for a, b in pairs]
    psnrs = [psnr(a, b) for a, b in pairs]
    return {
        "frames_compared": len(pairs),
        "ssim_mean": round(float(np.mean(ssims)), 4),
        "ssim_min": round(float(np.min(ssims)), 4),
        "psnr_mean_db": round(float(np.mean(psnrs)), 2),
        "psnr_min_db": round(float(np.min(psnrs)), 2),
    }


def probe(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
         "-show_entries", "stream=codec_name,width,height,nb_read_packets:format=duration",
         "-of", "json", str(path)], capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    stream = data["streams"][0]
    return {
        "codec": stream["codec_name"],
        "size": f"{stream['width']}x{stream['height']}",
        "packets": int(stream["nb_read_packets"]),
        "duration": round(float(data["format"]["duration"]), 3),
        "size_mb": round(path.stat().st_size / 1e6, 2),
    }
