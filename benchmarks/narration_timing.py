"""Narration timing over a long take: dropouts and A/V offset, against the old stamping.

A simulated microphone (``tests/helpers/fake_sound.py``: a 0.2% fast sample clock, 25 ms input
latency, every 40th callback held back 30-250 ms and the backlog delivered at once, up to
4 ms between PortAudio's time and the callback's first line) narrates ``--minutes`` of
simulated time with a burst at every whole second. Three ways of timing it run on the same
callbacks:

* ``device``: Baton now: PortAudio's ADC time mapped onto the recorder's clock
  (``DeviceClock``), resampled onto the video clock (``AudioAligner``);
* ``arrival``: the same aligner fed arrival stamps (what a host API without ADC times gives);
* ``reference``: the previous method, the reference: each chunk stamped when its callback
  ran (less one buffer), silence inserted or samples cut whenever a stamp strayed more
  than 20 ms from the track.

For each it prints dropouts (silence inserted or sound cut after the start) and where
every burst landed relative to its true time (median, worst), as one JSON document.

    .venv/bin/python benchmarks/narration_timing.py [--minutes 20]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from baton.capture.recording.audio import AudioChunk, MicrophoneSource  # noqa: E402
from baton.capture.recording.audio_timing import AudioAligner  # noqa: E402
from helpers.fake_sound import SimClock, SkewedMicrophone, burst_onsets, ideal_onsets  # noqa: E402

RATE = 48_000


class OldAligner:
    """The aligner before device times: 20 ms of tolerance, then silence or a cut."""

    def __init__(self, tolerance: float = 0.02) -> None:
        self.position = 0
        self.dropouts = 0
        self._tolerance = round(tolerance * RATE)

    def feed(self, samples: Any, start: float) -> Any:
        gap = round(start * RATE) - self.position
        if gap > self._tolerance or (self.position == 0 and gap > 0):
            self.dropouts += self.position > 0
            samples = np.concatenate([np.zeros((gap, 1), np.float32), samples])
        elif gap < -self._tolerance:
            self.dropouts += 1
            samples = samples[min(-gap, len(samples)):]
        self.position += len(samples)
        return samples


def run(minutes: float, skew: float, late_every: int) -> dict[str, Any]:
    seconds = minutes * 60
    clock = SimClock()
    microphone = SkewedMicrophone(clock, skew=skew, late_every=late_every)
    chunks: list[tuple[AudioChunk, float]] = []
    source = MicrophoneSource(clock, open_stream=microphone)
    source.start(lambda chunk: chunks.append((chunk, clock.now)))
    t0 = clock.now + 0.1
    device, arrival, old = AudioAligner(RATE, 1), AudioAligner(RATE, 1), OldAligner()
    tracks: dict[str, list[Any]] = {"device": [], "arrival": [], "reference": []}
    cpu = 0.0
    now = clock.now
    while now < t0 + seconds + 0.5:
        now += 0.02
        microphone.run_until(clock, now)
        for chunk, arrived in chunks:
            started = time.process_time()
            tracks["device"].append(device.feed(chunk.samples, chunk.time - t0))
            cpu += time.process_time() - started
            stamp = arrived - len(chunk.samples) / RATE
            tracks["arrival"].append(arrival.feed(chunk.samples, stamp - t0 - 0.025, False))
            tracks["reference"].append(old.feed(chunk.samples, stamp - t0))
        chunks.clear()
    expected = np.array(ideal_onsets(RATE, t0, seconds))
    result: dict[str, Any] = {"minutes": minutes, "skew": skew, "late_every": late_every,
                              "bursts": len(expected)}
    for name, aligner in (("device", device), ("arrival", arrival), ("reference", old)):
        track = np.concatenate(tracks[name]).reshape(-1)[: round(seconds * RATE)]
        found = np.array(burst_onsets(track, RATE))
        # Match each true burst with the nearest found one (dropouts can hide some).
        nearest = np.array([found[np.argmin(np.abs(found - when))] for when in expected])
        error = (nearest - expected) * 1000
        result[name] = {
            "dropouts": int(aligner.dropouts),
            "offset_ms_median": round(float(np.median(error)), 2),
            "offset_ms_worst": round(float(np.abs(error).max()), 2),
        }
    result["device"]["aligner_cpu_percent_of_real_time"] = round(100 * cpu / seconds, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--skew", type=float, default=0.002, help="sample clock error")
    parser.add_argument("--late-every", type=int, default=40, help="every n-th callback late")
    args = parser.parse_args()
    print(json.dumps(run(args.minutes, args.skew, args.late_every), indent=2))


if __name__ == "__main__":
    main()
