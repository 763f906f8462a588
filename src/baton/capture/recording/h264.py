"""H.264 pieces for re-encoding part of a recording so that it stitches onto copied frames.

Trimming (``trim``) and a package's redacted video (``baton.handoff.video_stretch``) both
re-encode a few frames with an encoder set up exactly as the recorder's, check that its
stream header (SPS, PPS) is the recording's, and write its units as the file holds them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import av

from baton.capture.recording.colour import tag_encoder
from baton.capture.recording.video_settings import VideoSettings

PARAMETER_SETS = (7, 8)  # SPS, PPS
DROPPED_NALS = (7, 8, 9)  # carried once in the MP4 header instead; 9 is an access unit delimiter


def nals_annexb(data: bytes) -> list[bytes]:
    """Split an Annex B byte stream (start codes) into NAL units."""
    units: list[bytes] = []
    index, start = 0, -1
    while True:
        found = data.find(b"\x00\x00\x01", index)
        if found < 0:
            break
        if start >= 0:
            end = found - 1 if found > 0 and data[found - 1] == 0 else found
            units.append(data[start:end])
        start = index = found + 3
    if start >= 0:
        units.append(data[start:])
    return [unit for unit in units if unit]


def parameter_sets_avcc(extradata: bytes) -> list[bytes]:
    """The SPS and PPS stored in an MP4's ``avcC`` box."""
    sets: list[bytes] = []
    if len(extradata) < 7 or extradata[0] != 1:
        return sets
    position = 5
    for mask in (0x1F, 0xFF):
        count = extradata[position] & mask
        position += 1
        for _ in range(count):
            length = int.from_bytes(extradata[position:position + 2], "big")
            sets.append(extradata[position + 2:position + 2 + length])
            position += 2 + length
    return sets


def to_avcc(units: list[bytes]) -> bytes:
    """NAL units as an MP4 sample holds them (each after its 4-byte length)."""
    return b"".join(len(unit).to_bytes(4, "big") + unit for unit in units)


def parameter_sets(extradata: bytes) -> list[bytes]:
    """The SPS and PPS of a stream header, as MP4 stores it (``avcC``) or as the retagging
    filter leaves it (start codes)."""
    if extradata[:1] == b"\x01":
        return parameter_sets_avcc(extradata)
    return [unit for unit in nals_annexb(extradata) if unit[0] & 0x1F in PARAMETER_SETS]


def recorder_encoder(settings: VideoSettings, threads: str | None = None) -> Any:
    """An encoder set up exactly as the recorder's (same time base: same stream headers).

    Args:
        settings: the recording's settings (from its tag).
        threads: x264 frame threads (None: x264's choice; the header does not depend on it).
    """
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height, codec.pix_fmt = settings.width, settings.height, "yuv420p"
    codec.time_base = Fraction(1, settings.fps)
    codec.framerate = Fraction(settings.fps)
    codec.gop_size = settings.gop
    options = settings.codec_options()
    codec.options = options if threads is None else {**options, "threads": threads}
    codec.thread_type = "FRAME"
    tag_encoder(codec)
    return codec
