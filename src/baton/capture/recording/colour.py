"""How Baton's videos carry colour: BT.601 limited-range YUV, tagged so players decode it so.

OpenCV's ``COLOR_BGRA2YUV_I420`` (the recorder's fast conversion) uses the BT.601 matrix at
limited range. Untagged HD H.264 is decoded as BT.709 by Chromium, Firefox and WebKit, which
shifted colours (SMPTE red 208,17,0 showed as 226,36,1). Every stream Baton writes is
therefore tagged in its sequence header (and the MP4 ``colr`` box): BT.709 primaries and
transfer (a computer screen's sRGB primaries), the BT.601 matrix, limited range.

Why BT.601 at every size rather than BT.709 for HD (measured on this project's machines,
colour patches decoded and read back from a canvas): tagged BT.601 comes out within 3 of the
screen's values in Chromium and Firefox and within 4 in WebKitGTK; tagged BT.709 within 3 on
a GPU path, but up to 9 off in the blue channel of yellow and green in the software path of
Chromium and Firefox, whose libyuv clamps BT.709's 2.112 blue coefficient to 2.0. BT.601
also costs nothing extra per frame (an exact BT.709 conversion from OpenCV's output costs
another 1-2 ms per 1080p frame) and lets recordings made before the tags be fixed by
rewriting their header alone (``RETAG_FILTER``): their pictures already are BT.601.
"""

from __future__ import annotations

from typing import Any

PRIMARIES_BT709 = 1
TRANSFER_BT709 = 1
MATRIX_BT601 = 6  # "smpte170m": the BT.601 matrix
RANGE_LIMITED = 1  # "tv": luma 16-235
UNSPECIFIED = 2

RETAG_FILTER = (
    f"h264_metadata=colour_primaries={PRIMARIES_BT709}"
    f":transfer_characteristics={TRANSFER_BT709}"
    f":matrix_coefficients={MATRIX_BT601}:video_full_range_flag=0"
)
"""The bitstream filter that writes the tags into an untagged H.264 stream's header.

Its rewritten sequence header is byte for byte the one libx264 writes with the tags set
(checked by a test), so re-encoded stretches still stitch onto copied ones.
"""


def tag_encoder(codec_context: Any) -> None:
    """Set the colour tags on a libx264 codec context before it is opened.

    libx264 writes them into the stream's VUI; the MP4 muxer copies them into ``colr``.
    """
    codec_context.color_primaries = PRIMARIES_BT709
    codec_context.color_trc = TRANSFER_BT709
    codec_context.colorspace = MATRIX_BT601
    codec_context.color_range = RANGE_LIMITED


def copy_tags(stream: Any, codec_context: Any) -> None:
    """Give an encoder the colour tags of the stream it re-encodes (a video from elsewhere,
    whose pictures are passed through unconverted)."""
    source = stream.codec_context
    codec_context.color_primaries = source.color_primaries
    codec_context.color_trc = source.color_trc
    codec_context.colorspace = source.colorspace
    codec_context.color_range = source.color_range


def is_tagged(stream: Any) -> bool:
    """Whether a video stream says which matrix its colours use."""
    return int(stream.codec_context.colorspace or UNSPECIFIED) != UNSPECIFIED
