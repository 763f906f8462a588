"""Narration timing: device-clock stamps, late callbacks, skewed sample clocks, breaks.

The microphone is ``fake_sound.SkewedMicrophone``, opened by the real ``MicrophoneSource``
through its ``open_stream`` seam, so the stamps come through the same callback code as on a
real sound card. Time is simulated: minutes of narration take a second or two.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from baton.capture.recording.audio import AudioChunk, MicrophoneSource
from baton.capture.recording.audio_timing import AudioAligner, DeviceClock
from helpers.fake_sound import SimClock, SkewedMicrophone, burst_onsets, ideal_onsets

RATE = 48_000
FRAME = 1 / 30


def narrate(seconds: float, **device: Any) -> tuple[np.ndarray[Any, Any], AudioAligner, float]:
    """Record ``seconds`` of simulated narration; returns the track, the aligner, t0."""
    clock = SimClock()
    microphone = SkewedMicrophone(clock, **device)
    chunks: list[AudioChunk] = []
    source = MicrophoneSource(clock, open_stream=microphone)
    source.start(chunks.append)
    t0 = clock.now + 0.1  # the recorder's clock starts a little after the microphone
    aligner = AudioAligner(RATE, 1)
    parts = []
    step = 0.02
    now = clock.now
    while now < t0 + seconds + 0.5:  # (sound for the last second is still on its way)
        now += step
        microphone.run_until(clock, now)
        for chunk in chunks:
            parts.append(aligner.feed(chunk.samples, chunk.time - t0, chunk.exact))
        chunks.clear()
    source.stop()
    parts.append(aligner.finish(seconds))
    track = np.concatenate(parts).reshape(-1)
    assert len(track) >= round(seconds * RATE)
    return track[: round(seconds * RATE)], aligner, t0


def offsets(track: np.ndarray[Any, Any], t0: float, seconds: float) -> np.ndarray[Any, Any]:
    found = burst_onsets(track, RATE)
    expected = ideal_onsets(RATE, t0, seconds)
    assert len(found) == len(expected) >= seconds - 2, (found[:5], expected[:5])
    return np.array(found) - np.array(expected)


def longest_silence(track: np.ndarray[Any, Any]) -> int:
    """The longest run of samples at exactly zero (the hum is never silent for long)."""
    quiet = np.concatenate([[False], track == 0.0, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    return int((edges[1::2] - edges[::2]).max()) if len(edges) else 0


@pytest.mark.parametrize("skew", [0.002, -0.0015])
def test_late_callbacks_and_a_skewed_clock_give_no_dropouts_and_stay_in_sync(skew: float) -> None:
    # Every 40th callback is held back 30-250 ms (then the backlog comes at once); the sound
    # card runs 0.2% fast or 0.15% slow; the input latency is 25 ms.
    seconds = 60.0
    track, aligner, t0 = narrate(seconds, skew=skew, late_every=40)

    assert aligner.dropouts == 0
    assert longest_silence(track[RATE:]) < 10  # (a sine crosses zero, it does not stay)
    error = offsets(track, t0, seconds)
    assert np.abs(error).max() < 0.002, f"worst offset {np.abs(error).max() * 1000:.2f} ms"
    assert aligner.worst_offset < 0.002


def test_without_device_times_late_callbacks_still_cause_no_dropouts() -> None:
    # Some host APIs report no ADC time: the chunk is stamped when its callback runs, less
    # the stream's latency, and the line through the stamps follows the earliest ones.
    seconds = 40.0
    track, aligner, t0 = narrate(seconds, skew=0.001, late_every=25, adc_times=False)

    assert aligner.dropouts == 0
    error = offsets(track, t0, seconds)
    assert np.abs(error).max() < FRAME, f"worst offset {np.abs(error).max() * 1000:.1f} ms"


def test_sound_the_device_lost_is_one_gap_and_the_rest_stays_in_place() -> None:
    seconds = 20.0
    track, aligner, t0 = narrate(seconds, skew=0.001, lose=(10.3, 0.5))

    assert aligner.dropouts == 1
    assert longest_silence(track) == pytest.approx(0.5 * RATE, abs=0.01 * RATE)
    error = offsets(track, t0, seconds)
    assert np.abs(error).max() < 0.002


def test_the_device_clock_ignores_how_long_a_callback_waited() -> None:
    clock = DeviceClock(RATE, latency=0.03)
    # PortAudio's clock runs 500 s ahead of ours; the callback read our clock 0-8 ms late.
    stamps = [clock.stamp(10.0 + k * 0.01 + wait, 510.0 + k * 0.01 - 0.04, 510.0 + k * 0.01, 480)
              for k, wait in enumerate([0.008, 0.0, 0.005, 0.002])]
    assert [stamp.exact for stamp in stamps] == [True] * 4
    assert stamps[-1].time == pytest.approx(10.03 - 0.04)  # the smallest wait: no wait
    # No ADC time: when the callback ran, less the chunk and the latency.
    fallback = clock.stamp(20.0, 0.0, 520.0, 480)
    assert not fallback.exact
    assert fallback.time == pytest.approx(20.0 - 0.01 - 0.03)


def test_an_early_start_is_trimmed_and_a_late_start_padded_without_counting() -> None:
    chunk = np.ones((480, 1), np.float32)
    early = AudioAligner(RATE, 1)
    assert len(early.feed(chunk, -0.25)) == 0
    assert len(early.finish(0.0)) == 0  # all of it from before the video started
    late = AudioAligner(RATE, 1)
    out = np.concatenate([late.feed(chunk, 0.5 + index * 0.01) for index in range(30)])
    assert np.count_nonzero(out[: RATE // 2]) == 0
    assert np.all(out[RATE // 2 : RATE // 2 + 9000])
    assert early.dropouts == late.dropouts == 0


def test_a_new_segment_after_a_pause_is_aligned_at_once() -> None:
    aligner = AudioAligner(RATE, 1)
    chunk = np.full((480, 1), 0.5, np.float32)
    for index in range(100):
        aligner.feed(chunk, index * 0.01)
    # After a pause the next chunk belongs 40 ms later than the sound so far reaches.
    before = aligner.position
    out = np.concatenate([aligner.feed(chunk, 1.04 + k * 0.01, segment=1) for k in range(30)])
    assert aligner.dropouts == 0
    assert before <= round(1.0 * RATE)
    silence = np.flatnonzero(out == 0)
    # What was held plays out, then the 40 ms the pause left are silent, then sound.
    assert len(silence) == round(0.04 * RATE) == silence[-1] - silence[0] + 1
    assert silence[-1] + 1 + before + 2 <= aligner.position
