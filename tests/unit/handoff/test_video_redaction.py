"""The package's video, decoded frame by frame: boxes hold over their whole stretch, nothing
else changes, every chapter starts on a keyframe, colours are tagged, sound is kept."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from baton.capture.recording import encoder
from baton.capture.recording.colour import MATRIX_BT601, is_tagged
from baton.capture.recording.encoder import FragmentedWriter, remux_faststart
from baton.capture.recording.video_settings import AudioSettings, VideoSettings
from baton.errors import UserError
from baton.handoff.video_plan import TimedBox
from baton.handoff.video_redaction import make_package_video

FPS = 10
SIZE = (320, 240)
SECRET = (100, 100, 100, 40)  # a red block on every screen
STEPS = [2.0, 6.3, 12.34, 15.0]  # the chapters: each step's click
CHANGES = [step - 0.5 for step in STEPS]  # what each step's click is on appears before it
SECONDS = 25


def screen_level(seconds: float) -> int:
    """The grey of the screen at a moment: another one for each step."""
    return 30 + 40 * bisect.bisect_right(CHANGES, seconds + 1e-9)


def make_take(folder: Path, *, audio: bool = True) -> Path:
    """A Baton recording that, like a real one, has frames only when something changes
    (a small block ticks every half second) or at a step, and keyframes every 10 s."""
    width, height = SIZE
    partial = folder / "take.recording.mp4"
    writer = FragmentedWriter(partial, VideoSettings(width, height, FPS, "ultrafast", 23),
                              AudioSettings(48_000, 1) if audio else None)
    ticks = sorted(set(range(0, SECONDS * FPS, FPS // 2)) | {round(t * FPS) for t in CHANGES})
    for tick in ticks:
        frame = np.full((height, width, 4), 255, np.uint8)
        frame[:, :, :3] = screen_level(tick / FPS)
        x, y, w, h = SECRET
        frame[y:y + h, x:x + w, :3] = (0, 0, 230)
        frame[200:216, (tick * 4) % 280:(tick * 4) % 280 + 16, :3] = 250
        writer.write_frame(frame, tick)
        if audio:
            writer.write_audio(np.full((4800 * 5, 1), 0.1, np.float32))
    writer.close()
    return remux_faststart(partial, folder / "take.mp4")


@pytest.fixture(scope="module")
def take(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_take(tmp_path_factory.mktemp("take"))


@dataclass
class Video:
    times: list[float]
    frames: list[np.ndarray[Any, Any]]
    keyframes: list[float]
    duration: float
    audio_duration: float | None
    tagged: bool

    def at(self, seconds: float) -> np.ndarray[Any, Any]:
        """The picture on screen at a moment."""
        return self.frames[bisect.bisect_right(self.times, seconds + 1e-6) - 1]


def decode(path: Path) -> Video:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        keyframes = [round(float(p.pts * stream.time_base), 3)
                     for p in container.demux(stream) if p.is_keyframe]
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times, frames = [], []
        for frame in container.decode(stream):
            times.append(round(float(frame.time), 4))
            frames.append(frame.to_ndarray(format="rgb24").astype(np.int16))
        audio = container.streams.audio[0] if container.streams.audio else None
        return Video(times, frames, keyframes,
                     float(stream.duration * stream.time_base),
                     float(audio.duration * audio.time_base) if audio else None,
                     is_tagged(stream))


def region(image: np.ndarray[Any, Any], box: Sequence[int]) -> np.ndarray[Any, Any]:
    x, y, w, h = box
    return image[y:y + h, x:x + w]


def outside(image: np.ndarray[Any, Any], boxes: Sequence[Sequence[int]]) -> np.ndarray[Any, Any]:
    mask = np.ones(image.shape[:2], bool)
    for x, y, w, h in boxes:
        mask[y:y + h, x:x + w] = False
    return image[mask]


def test_boxes_hold_over_their_stretch_and_nothing_else_changes(take: Path,
                                                                tmp_path: Path) -> None:
    corner = (0, 0, 40, 20)  # over the whole take, the first frame (the poster) included
    boxes = [TimedBox(*SECRET, 3.05, 7.5), TimedBox(*corner)]
    made = make_package_video(take, tmp_path / "out.mp4", boxes, STEPS)
    assert made is not None
    assert made.stitched
    source, video = decode(take), decode(made.path)
    assert video.duration == pytest.approx(source.duration, abs=0.01)
    assert video.audio_duration == pytest.approx(source.audio_duration, abs=0.01)
    assert video.tagged
    covered = 0
    for moment, frame in zip(video.times, video.frames, strict=True):
        original = source.at(moment)
        assert region(frame, corner).max() <= 6, moment
        secret = region(frame, SECRET)
        if 3.05 <= moment < 7.5:
            covered += 1
            # Uniform black, not a dimmed copy of what is under it.
            assert secret.max() <= 6, moment
            assert secret.std() < 1.0, moment
        else:
            assert np.abs(secret - region(original, SECRET)).max() <= 8, moment
        # Everything else as it was (re-encoded stretches lose a little, nothing more).
        difference = np.abs(outside(frame, [corner, SECRET]) - outside(original, [corner, SECRET]))
        assert difference.mean() < 1.0, moment
        assert difference.max() <= 24, moment
    assert covered >= 4.45 * 2  # a frame at least every half second over the 4.45 s
    assert video.times[0] == 0.0
    assert region(video.frames[0], corner).max() <= 6


def test_every_chapter_and_box_start_is_a_keyframe_and_the_rest_is_copied(
    take: Path, tmp_path: Path
) -> None:
    made = make_package_video(take, tmp_path / "out.mp4", [TimedBox(*SECRET, 3.05, 7.5)], STEPS)
    assert made is not None
    keys = decode(made.path).keyframes
    for moment in [0.0, 3.05, *STEPS]:
        assert any(abs(key - moment) < 0.001 for key in keys), moment
    # Re-encoded: from each cut to the recording's next keyframe (10 s, 20 s) only.
    assert made.copied_frames > 0
    assert made.reencoded_frames < made.copied_frames * 2


def test_seeking_to_keyframes_only_lands_on_each_chapters_screen(take: Path,
                                                                  tmp_path: Path) -> None:
    made = make_package_video(take, tmp_path / "out.mp4", [], STEPS)
    assert made is not None
    with av.open(str(made.path)) as container:
        stream = container.streams.video[0]
        for chapter in STEPS:
            # What a player that seeks to the keyframe at or before a time shows first.
            container.seek(round(chapter / stream.time_base), stream=stream, backward=True,
                           any_frame=False)
            frame = next(container.decode(stream))
            assert float(frame.time) == pytest.approx(chapter, abs=0.001)
            level = frame.to_ndarray(format="rgb24")[20:80, 200:300].mean()
            assert level == pytest.approx(screen_level(chapter), abs=3), chapter


def test_a_recording_that_needs_nothing_goes_in_as_it_is(take: Path, tmp_path: Path) -> None:
    # Chapters on the recorder's own keyframes (every 10 s); it is tagged.
    with av.open(str(take)) as container:
        stream = container.streams.video[0]
        keys = [float(p.pts * stream.time_base) for p in container.demux(stream) if p.is_keyframe]
    assert len(keys) == 3
    assert make_package_video(take, tmp_path / "out.mp4", [], keys) is None
    assert not (tmp_path / "out.mp4").exists()


def test_an_old_untagged_recording_is_tagged_without_reencoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoder, "tag_encoder", lambda codec: None)  # as Baton did before
    old = make_take(tmp_path, audio=False)
    monkeypatch.undo()
    assert not decode(old).tagged
    made = make_package_video(old, tmp_path / "out.mp4", [], [0.0])
    assert made is not None
    assert made.stitched
    assert made.reencoded_frames == 0
    with av.open(str(made.path)) as container:
        frame = next(container.decode(video=0))
    assert frame.colorspace == MATRIX_BT601
    # A box on it still stitches: the re-encoded stretch's header matches the retagged one.
    boxed = make_package_video(old, tmp_path / "boxed.mp4", [TimedBox(*SECRET, 1.0, 2.0)],
                               [0.0])
    assert boxed is not None
    assert boxed.stitched
    assert 0 < boxed.reencoded_frames < 40
    video, source = decode(boxed.path), decode(old)
    assert region(video.at(1.5), SECRET).max() <= 6
    after = np.abs(region(video.at(2.5), SECRET) - region(source.at(2.5), SECRET))
    assert after.mean() < 2
    assert after.max() <= 24


def test_a_video_from_elsewhere_is_reencoded_whole_with_its_own_tags(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.mp4"
    with av.open(str(foreign), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.codec_context.colorspace = 1  # BT.709, as another tool might have tagged it
        for index in range(30):
            image = np.full((SIZE[1], SIZE[0], 3), 60 + index * 4, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    made = make_package_video(foreign, tmp_path / "out.mp4", [TimedBox(*SECRET)], [1.5])
    assert made is not None
    assert not made.stitched
    assert made.reencoded_frames == 30
    video = decode(made.path)
    assert 1.5 in video.keyframes
    assert all(region(frame, SECRET).max() <= 6 for frame in video.frames)
    with av.open(str(made.path)) as container:
        assert container.streams.video[0].codec_context.colorspace == 1


def test_a_file_that_is_not_a_video_goes_as_it_is_unless_something_must_be_hidden(
    tmp_path: Path
) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\0\0\0\x10ftypisom\0\0\0\0" + bytes(1000))
    assert make_package_video(broken, tmp_path / "out.mp4", [], [1.0]) is None
    with pytest.raises(UserError, match="not a video Baton can read|holds no video"):
        make_package_video(broken, tmp_path / "out.mp4", [TimedBox(*SECRET)], [])
