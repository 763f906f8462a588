"""What a recording's video and sound look like: size, frame rate, x264 and AAC settings.

Light on purpose (no PyAV): forms and the command line check a choice without loading the
encoder.
"""

from __future__ import annotations

from dataclasses import dataclass

from baton.capture.recording.request import RecordingRequest
from baton.errors import UserError

ALLOWED_FPS = (10, 15, 30, 60)
# A keyframe every 10 s of recording time, not 2: on a 1080p screen of text an ultrafast
# keyframe is about 1.4 MB, so 2 s keyframes alone cost ~40 MB/min on a calm desktop. Crash
# safety does not depend on keyframes (fragments are cut every second regardless); trim and
# a package's chapters re-encode at most one keyframe interval at each cut. Counted in time,
# not in encoded frames: unchanged frames are not encoded, and a still screen would
# otherwise go minutes without one (seeking there decodes everything since).
GOP_SECONDS = 10
SETTINGS_TAG = "baton-x264:"


@dataclass(frozen=True)
class QualityPreset:
    """A quality choice in the user's words, mapped to x264 settings."""

    key: str
    label: str
    x264_preset: str
    crf: int


QUALITY_PRESETS: dict[str, QualityPreset] = {
    "small": QualityPreset("small", "Small file", "superfast", 30),
    "balanced": QualityPreset("balanced", "Balanced", "ultrafast", 26),
    "sharp": QualityPreset("sharp", "Sharp text", "superfast", 20),
}


@dataclass(frozen=True)
class VideoSettings:
    """What the video stream looks like: size in physical pixels, rate and x264 settings."""

    width: int
    height: int
    fps: int = 30
    x264_preset: str = "ultrafast"
    crf: int = 26

    @classmethod
    def for_quality(cls, width: int, height: int, fps: int, quality: str) -> VideoSettings:
        """Settings for one of the user-facing quality presets (``QUALITY_PRESETS`` keys).

        Raises:
            UserError: the quality or the frame rate is not one Baton offers.
        """
        preset = QUALITY_PRESETS.get(quality)
        if preset is None:
            choices = ", ".join(QUALITY_PRESETS)
            raise UserError(f"Unknown video quality {quality!r}: choose one of {choices}.")
        return cls(width, height, fps, preset.x264_preset, preset.crf).validated()

    @classmethod
    def for_request(cls, request: RecordingRequest, width: int, height: int) -> VideoSettings:
        """Settings for what the user asked (its x264 preset and crf when given, else its
        quality), at the recorded size.

        Raises:
            UserError: the quality, preset or frame rate is not one Baton offers.
        """
        if request.x264 is not None:
            preset, crf = request.x264
            return cls(width, height, request.fps, preset, crf).validated()
        return cls.for_quality(width, height, request.fps, request.quality)

    def validated(self) -> VideoSettings:
        """Return self after checking the values an encoder would reject.

        Raises:
            UserError: odd or empty size, or a frame rate Baton does not offer.
        """
        if self.fps not in ALLOWED_FPS:
            rates = ", ".join(str(rate) for rate in ALLOWED_FPS)
            raise UserError(f"{self.fps} frames per second is not offered: choose {rates}.")
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise UserError(
                f"The recorded area {self.width}x{self.height} must be at least 16x16 "
                "with an even width and height."
            )
        return self

    @property
    def gop(self) -> int:
        """Frames between keyframes (``GOP_SECONDS``)."""
        return self.fps * GOP_SECONDS

    def codec_options(self) -> dict[str, str]:
        """libx264 options.

        ``stitchable`` keeps the stream headers identical when a part is re-encoded (trim);
        no B-frames means every frame depends only on earlier ones, so a copy can be cut
        after any frame.
        """
        return {
            "preset": self.x264_preset,
            "crf": str(self.crf),
            # One encoder thread keeps up with 1080p30 (about 7 ms a frame) and holds no
            # frames back: each frame reaches the file at once (crash safety, and frames
            # that follow a long unchanged stretch are not stuck in the encoder).
            "threads": "1" if self.fps <= 30 else "2",
            "x264-params": f"stitchable=1:bframes=0:keyint={self.gop}:min-keyint={self.fps}",
            # A frame handed over as an I picture becomes an IDR keyframe (seekable).
            "forced-idr": "1",
        }

    def tag(self) -> str:
        """A container comment from which ``trim`` rebuilds matching encoder settings."""
        return f"{SETTINGS_TAG}preset={self.x264_preset};crf={self.crf};fps={self.fps}"

    @classmethod
    def from_tag(cls, comment: str, width: int, height: int) -> VideoSettings | None:
        """Parse ``tag()`` output; None when the file was not written by Baton."""
        if not comment.startswith(SETTINGS_TAG):
            return None
        try:
            fields = dict(item.split("=", 1) for item in comment[len(SETTINGS_TAG):].split(";"))
            return cls(width, height, int(fields["fps"]), fields["preset"], int(fields["crf"]))
        except (KeyError, ValueError):
            return None


@dataclass(frozen=True)
class AudioSettings:
    """Mono or stereo float audio at a fixed sample rate, encoded as AAC."""

    sample_rate: int = 48_000
    channels: int = 1
    bitrate: int = 96_000
