"""What the recorder's stream says about its colours, and where its keyframes fall."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from baton.capture.recording.colour import (
    MATRIX_BT601,
    PRIMARIES_BT709,
    RANGE_LIMITED,
    RETAG_FILTER,
    TRANSFER_BT709,
    is_tagged,
    tag_encoder,
)
from baton.capture.recording.encoder import FragmentedWriter, remux_faststart
from baton.capture.recording.h264 import parameter_sets_avcc
from baton.capture.recording.video_settings import VideoSettings

FPS = 10


def keyframe_times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [
            float(packet.pts * stream.time_base)
            for packet in container.demux(stream)
            if packet.pts is not None and packet.is_keyframe
        ]


def write(folder: Path, moments: list[int], size: tuple[int, int] = (160, 120)) -> Path:
    """A recording with a frame at each of ``moments`` (frame periods), as the recorder
    writes when the screen changes only then."""
    width, height = size
    partial = folder / "take.recording.mp4"
    writer = FragmentedWriter(partial, VideoSettings(width, height, FPS))
    for index, pts in enumerate(moments):
        frame = np.full((height, width, 4), 255, np.uint8)
        frame[:, :, :3] = (index * 5) % 200
        writer.write_frame(frame, pts)
    writer.close()
    return remux_faststart(partial, folder / "take.mp4")


def test_a_still_screen_still_gets_a_keyframe_every_ten_seconds(tmp_path: Path) -> None:
    # Twice a second for 65 s (what the recorder encodes of a still screen). x264 counts
    # encoded frames (keyint 100 at 10 fps): on its own it would put them 50 s apart.
    video = write(tmp_path, list(range(0, 65 * FPS, FPS // 2)))
    keys = keyframe_times(video)
    assert keys[0] == 0.0
    gaps = np.diff(keys + [65.0])
    assert max(gaps) <= 10.0 + 1e-6
    assert len(keys) == 7  # 0, 10, ..., 60: no more than needed


def test_a_screen_unchanged_since_the_last_keyframe_needs_no_other(tmp_path: Path) -> None:
    # Something changes at 3 s, then nothing: a keyframe at 10 s shows that change; after
    # it, seeking to any keyframe shows the right screen, so none is forced (each costs a
    # full picture).
    partial = tmp_path / "still.recording.mp4"
    writer = FragmentedWriter(partial, VideoSettings(160, 120, FPS))
    frame = np.full((120, 160, 4), 255, np.uint8)
    for pts in range(0, 65 * FPS, FPS // 2):
        changed = pts in (0, 3 * FPS)
        if pts == 3 * FPS:
            frame[:, :, :3] = 90
        writer.write_frame(frame, pts, changed=changed)
    writer.close()
    video = remux_faststart(partial, tmp_path / "still.mp4")
    # (x264 still puts one every 100 encoded frames of its own: 50 s of a still screen.)
    assert keyframe_times(video) == [0.0, 10.0, 60.0]


def test_a_busy_screen_keeps_keyframes_ten_seconds_apart(tmp_path: Path) -> None:
    video = write(tmp_path, list(range(25 * FPS)))
    assert keyframe_times(video) == [0.0, 10.0, 20.0]


def test_the_stream_is_tagged_bt601_limited_with_bt709_primaries(tmp_path: Path) -> None:
    video = write(tmp_path, [0, 1, 2], size=(1280, 720))
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert is_tagged(stream)
        frame = next(container.decode(stream))
    # The decoder reads these from the stream's own header, not only from the MP4 box.
    assert frame.colorspace == MATRIX_BT601
    assert frame.color_primaries == PRIMARIES_BT709
    assert frame.color_trc == TRANSFER_BT709
    assert frame.color_range == RANGE_LIMITED


def test_colours_decode_back_with_the_tagged_matrix(tmp_path: Path) -> None:
    smpte_red, smpte_green = (208, 17, 0), (0, 159, 0)
    partial = tmp_path / "colours.recording.mp4"
    writer = FragmentedWriter(partial, VideoSettings(1280, 720, FPS, "ultrafast", 18))
    frame = np.full((720, 1280, 4), 255, np.uint8)
    frame[:, :640, :3] = smpte_red[::-1]
    frame[:, 640:, :3] = smpte_green[::-1]
    writer.write_frame(frame, 0)
    writer.close()
    with av.open(str(remux_faststart(partial, tmp_path / "colours.mp4"))) as container:
        decoded = next(container.decode(video=0)).to_ndarray()  # yuv420p planes
    y, u, v = decoded[:720], decoded[720:900].reshape(360, 640), decoded[900:].reshape(360, 640)
    for (x, rgb) in ((320, smpte_red), (960, smpte_green)):
        yuv = np.array([y[360, x], u[180, x // 2], v[180, x // 2]], np.float64) - (16, 128, 128)
        # BT.601 limited-range inverse: what a player applies when it honours the tags.
        red = 1.164 * yuv[0] + 1.596 * yuv[2]
        green = 1.164 * yuv[0] - 0.392 * yuv[1] - 0.813 * yuv[2]
        blue = 1.164 * yuv[0] + 2.017 * yuv[1]
        assert np.allclose(np.clip([red, green, blue], 0, 255), rgb, atol=3)


def old_style_clip(path: Path, tagged: bool) -> Path:
    """A clip encoded as the recorder does, with or without the colour tags."""
    settings = VideoSettings(320, 240, FPS)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.codec_context.time_base = Fraction(1, FPS)
        stream.codec_context.gop_size = settings.gop
        stream.codec_context.options = settings.codec_options()
        if tagged:
            tag_encoder(stream.codec_context)
        for index in range(5):
            image = np.full((240, 320, 4), index * 40, np.uint8)
            frame = av.VideoFrame.from_ndarray(
                cv2.cvtColor(image, cv2.COLOR_BGRA2YUV_I420), format="yuv420p"
            )
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def parameter_sets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return parameter_sets_avcc(bytes(container.streams.video[0].codec_context.extradata))


def test_retagging_an_old_recording_gives_the_header_x264_writes(tmp_path: Path) -> None:
    old = old_style_clip(tmp_path / "old.mp4", tagged=False)
    new = old_style_clip(tmp_path / "new.mp4", tagged=True)
    assert parameter_sets(old) != parameter_sets(new)
    retagged = tmp_path / "retagged.mp4"
    with av.open(str(old)) as source, av.open(str(retagged), "w", format="mp4") as out:
        video_in = source.streams.video[0]
        video_out: Any = out.add_stream_from_template(video_in)
        bsf = av.bitstream.BitStreamFilterContext(RETAG_FILTER, video_in, video_out)
        for packet in source.demux(video_in):
            for done in bsf.filter(packet if packet.size else None):
                done.stream = video_out
                out.mux(done)
    # Identical headers: stretches re-encoded with the tags stitch onto the retagged copy.
    assert parameter_sets(retagged) == parameter_sets(new)
