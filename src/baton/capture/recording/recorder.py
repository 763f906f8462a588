"""The recording pipeline: capture thread → a small pool of pictures → encoder thread.

The capture thread grabs a frame at every tick of the frame clock, converts the rows that
changed (``changes``, ``pictures``) and stamps the picture with the tick number (``pts``),
so a late or dropped frame leaves a gap the previous frame fills:
the video is always as long as the time recorded. Pausing stops the clock; resuming
continues from the same tick, so the video has no gap. The encoder is opened before the
first grab. On stop the fragmented file is remuxed to a faststart MP4. The narration
(``audio.Narration``) and the clicks and keys (``clicks.ClicksAndKeys``) are kept beside it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from baton.capture.platform.base import Platform, PointerSample
from baton.capture.platform.input import InputHook, events_path
from baton.capture.platform.screens import Region
from baton.capture.recording.audio import AudioSource, Narration
from baton.capture.recording.changes import Rows, ScreenChanges
from baton.capture.recording.clicks import ClicksAndKeys
from baton.capture.recording.encoder import (
    FragmentedWriter,
    disk_full,
    open_for_writing,
    remux_faststart,
)
from baton.capture.recording.hidden import HiddenWindows
from baton.capture.recording.journal import Journal, events_journal_path, partial_path
from baton.capture.recording.overlay import Overlay
from baton.capture.recording.pauses import RecordingClock
from baton.capture.recording.pictures import Pictures
from baton.capture.recording.sources import (
    DisplayLost,
    FrameSource,
    name_this_thread,
    return_free_memory,
)
from baton.capture.recording.stats import RecordingStats
from baton.capture.recording.video_settings import AudioSettings, VideoSettings
from baton.errors import UserError
from baton.util.timefmt import format_time

__all__ = ["Recorder", "RecordingStats"]

log = logging.getLogger("baton.capture")

QUEUE_FRAMES = 4
Clock = Callable[[], float]


class Recorder:
    """Records one area of the screen to an MP4.

    Args:
        source: where the frames come from (screen or synthetic).
        output: the finished MP4; the in-progress file and journal sit beside it.
        video: encoder settings; the size must match ``source.region``.
        clock: monotonic seconds (injected so tests can control time).
        platform: gives the pointer position and shape (None: no pointer drawn).
        input_hook: watches clicks and keys (None: no rings, no events file).
        audio: narration source (None: silent video).
        show_keys: draw key captions.
        queue_frames: pictures the capture thread may run ahead of the encoder (each one
            a reused I420 picture: 3 MB at 1080p).
        opener: opens the in-progress file (tests inject one that fills up).
    """

    def __init__(
        self,
        source: FrameSource,
        output: Path,
        video: VideoSettings,
        *,
        clock: Clock = time.monotonic,
        platform: Platform | None = None,
        input_hook: InputHook | None = None,
        audio: AudioSource | None = None,
        show_keys: bool = False,
        queue_frames: int = QUEUE_FRAMES,
        opener: Callable[[Path], BinaryIO] = open_for_writing,
    ) -> None:
        region = source.region
        if (region.width, region.height) != (video.width, video.height):
            raise ValueError("video size must match the source region")
        self.output = output
        self.video = video.validated()
        self._source = source
        self._clock = clock
        self._platform = platform
        self._time = RecordingClock()
        self._stop = threading.Event()
        self._narration = (
            Narration(audio, self._time.place, lambda: self.paused, self._stop.is_set)
            if audio is not None else None
        )
        self._opener = opener
        self.overlay = Overlay(region, draw_pointer=platform is not None, show_keys=show_keys)
        self.hidden = HiddenWindows(region)
        """Baton's own windows (the recording bar) kept out of the video and the clicks."""
        self._input = ClicksAndKeys(input_hook, self.overlay, self.elapsed,
                                    lambda: not self.paused, self.hidden.covers)
        self.events = self._input.events
        self._screen = ScreenChanges(source, self.hidden.apply)
        # Converted pictures waiting for the encoder (a small pool, reused): the capture
        # thread may run ``queue_frames`` frames ahead.
        self._pictures = Pictures(video.width, video.height, pool=queue_frames)
        # (picture, tick, changed since the frame before)
        self._queue: queue.SimpleQueue[tuple[Any, int, bool] | None] = queue.SimpleQueue()
        self._writer: FragmentedWriter | None = None
        self._journal: Journal | None = None
        self._running = threading.Event()  # cleared while paused
        self.finished = threading.Event()
        """Set when capturing ended, by ``stop`` or by a failure (see ``error``)."""
        self._threads: list[threading.Thread] = []
        self.stats = RecordingStats(str(output), fps=video.fps, width=video.width,
                                    height=video.height)
        self.error: UserError | None = None
        self._last_pts = -1
        self._write_error = False
        self.limit: float | None = None
        """Stop capturing after this many recording seconds (``finished`` is then set)."""

    # -- control ---------------------------------------------------------------------

    def start(self) -> None:
        """Open the encoder and the journal, then start capturing.

        Raises:
            UserError: the output cannot be written.
        """
        self.output.parent.mkdir(parents=True, exist_ok=True)
        audio_settings = self._start_audio()
        partial = partial_path(self.output)
        try:
            self._writer = FragmentedWriter(partial, self.video, audio_settings,
                                            opener=self._opener)
            region = self._source.region
            self._journal = Journal(self.output, {
                "fps": self.video.fps, "width": self.video.width, "height": self.video.height,
                "region": [region.left, region.top, region.width, region.height],
            })
            self._input.keep_journal(events_journal_path(self.output))
        except OSError as error:
            self._stop_audio()
            raise UserError(f"Cannot write the recording to {self.output.parent}: "
                            f"{error.strerror or error}.") from error
        self._input.start(self.stats.warnings)
        self._time.start(self._clock())
        self._running.set()
        for target, name in ((self._capture_loop, "capture"), (self._encode_loop, "encode")):
            thread = threading.Thread(target=target, name=f"baton-{name}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _start_audio(self) -> AudioSettings | None:
        narration = self._narration
        if narration is None:
            return None
        try:
            narration.start()
        except UserError as error:
            self.stats.warnings.append(str(error))
            self._narration = None
            return None
        self.stats.audio = True
        return AudioSettings(narration.source.sample_rate, narration.source.channels)

    def _stop_audio(self) -> None:
        if self._narration is not None:
            self._narration.stop()

    @property
    def level(self) -> float:
        """Latest microphone peak level 0..1, for a meter."""
        return self._narration.level if self._narration is not None else 0.0

    @property
    def region(self) -> Region:
        """The recorded area in physical screen pixels."""
        return self._source.region

    def hide_window(self, area: Region) -> bool:
        """Keep a Baton window about to appear at ``area`` out of the video and its clicks
        out of the rings and events (see ``HiddenWindows.hide``)."""
        return self.hidden.hide(area)

    def elapsed(self) -> float:
        """Recording seconds so far (pauses excluded)."""
        return self._time.at(self._clock())

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        """Stop the clock; nothing is recorded until ``resume``."""
        if self._time.pause(self._clock()):
            self._running.clear()

    def resume(self) -> None:
        """Continue recording right where the pause began (no gap in the video)."""
        if self._time.resume(self._clock()):
            self._running.set()

    def stop(self) -> RecordingStats:
        """Stop, finish the MP4 and return what was recorded.

        A failure while recording (disk full, display gone) has already stopped capture;
        its message is in ``stats.error`` and what was recorded is kept.
        """
        self._stop.set()
        self._running.set()
        for thread in self._threads:
            thread.join()
        self._threads = []
        self._stop_audio()
        self._input.stop()
        self._source.close()
        if self._platform is not None:
            self._platform.close()
        self._finish_file()
        self.finished.set()
        return self.stats

    # -- threads ---------------------------------------------------------------------

    def _capture_loop(self) -> None:
        name_this_thread("baton-capture")
        try:
            self._capture_frames()
        except Exception as error:  # our bug: stop cleanly, keep the recording, report it
            log.exception("capture failed")
            self._fail(UserError(f"Recording stopped unexpectedly ({error!r}); "
                                 "what was recorded is kept."))
        finally:
            self._queue.put(None)

    def _capture_frames(self) -> None:
        period = 1.0 / self.video.fps
        tick = sent = 0
        idle_ticks = max(1, self.video.fps // 2)
        previous_pointer: PointerSample | None = None
        drawn_before: list[Rows] = []  # rows the overlay drew on in the last converted frame
        overlay_moved = True  # the last converted frame had a ring or caption (or none yet)
        unsent_change = False  # a changed picture that found no room in the queue
        held: int | None = None
        while not self._stop.is_set():
            if not self._running.is_set():
                self._screen.idle()
                self._running.wait(0.25)
                continue
            now = self.elapsed()
            due = tick * period
            if self.limit is not None and due >= self.limit - period / 2:
                self.finished.set()  # exactly ``limit`` seconds recorded
                break
            if now < due:
                self._stop.wait(due - now)
                continue
            # A grab up to one period late still fills its own slot (the next one follows
            # at once); later than that, the slots in between are dropped.
            missed = max(0, int((now - due) / period) - 1)
            self.stats.worst_delay_ms = max(self.stats.worst_delay_ms,
                                            round((now - due) * 1000, 1))
            if missed:
                self.stats.frames_dropped += missed
                self.stats.dropped_late += missed
                tick += missed
            try:
                frame, bands = self._screen.grab()
            except DisplayLost as error:
                self._fail(UserError(f"{error}: the recording was saved up to "
                                     f"{format_time(now)}."))
                break
            pointer = self._platform.pointer() if self._platform is not None else None
            t = tick / self.video.fps
            animating = self.overlay.animating(t)
            same = (tick > 0 and not bands and pointer == previous_pointer
                    and not animating and not overlay_moved)
            if same and tick - sent < idle_ticks:
                # Nothing changed: the previous frame simply lasts longer (saves the
                # conversion and the encoding). A frame still goes out twice a second so
                # a crash on a still screen loses no more than about a second.
                self.stats.frames_unchanged += 1
                held = tick
            else:
                if not same:
                    # Only changed rows are converted: the screen's, and the overlay's now
                    # and in the frame before (its pixels were put back since).
                    restore, drawn = self.overlay.draw_rows(frame, t, pointer)
                    self._pictures.update(frame, [*bands, *drawn, *drawn_before])
                    restore()
                    drawn_before, overlay_moved = drawn, animating
                unsent_change |= not same
                if self._enqueue(tick, unsent_change):
                    unsent_change = False
                sent, held = tick, None
            previous_pointer = pointer
            tick += 1
        if held is not None:  # the video must last until the end, unchanged or not
            self._enqueue(held, unsent_change, wait=True)

    def _enqueue(self, tick: int, changed: bool, wait: bool = False) -> bool:
        """Hand the current picture to the encoder; False when it was dropped (no room)."""
        picture = self._pictures.take(timeout=5.0 if wait else None)
        if picture is None:
            self.stats.frames_dropped += 1
            self.stats.dropped_encoder_busy += 1
            return False
        self._queue.put((picture, tick, changed))
        return True

    def _encode_loop(self) -> None:
        name_this_thread("baton-encode")
        writer = self._writer
        assert writer is not None
        while True:
            item = self._queue.get()
            if item is None:
                break
            picture, pts, changed = item
            try:
                if self._write_error:
                    continue  # drain: capture stops soon
                writer.write_picture(picture, pts, changed=changed)
                self._last_pts = pts
                self.stats.frames_captured += 1
                self._write_audio(writer)
            except OSError as error:
                self._write_failed(error)
            except Exception as error:  # our bug: stop cleanly, keep what was written
                log.exception("encoding failed")
                self._fail(UserError(f"Recording stopped unexpectedly ({error!r}); "
                                     "what was recorded is kept."))
            finally:
                self._pictures.give_back(picture)

    def _write_audio(self, writer: FragmentedWriter) -> None:
        if self._narration is not None:
            for samples in self._narration.take():
                writer.write_audio(samples)

    def _write_failed(self, error: OSError) -> None:
        saved = format_time(max(0, self._last_pts + 1) / self.video.fps)
        if disk_full(error):
            message = f"The disk is full: the recording was saved up to {saved}."
        else:
            reason = error.strerror or error
            message = f"Cannot write the recording ({reason}): it was saved up to {saved}."
        self._write_error = True
        self._fail(UserError(message))

    def _fail(self, error: UserError) -> None:
        log.warning("recording stopped: %s", error)
        if self.error is None:
            self.error = error
            self.stats.error = str(error)
        self._stop.set()
        self.finished.set()

    # -- finishing -------------------------------------------------------------------

    def _finish_file(self) -> None:
        writer, journal = self._writer, self._journal
        if writer is None or journal is None:
            return
        end = (self._last_pts + 1) / self.video.fps
        try:
            if not self._write_error:
                for samples in self._narration.finish(end) if self._narration else []:
                    writer.write_audio(samples)
                if self._narration is not None:
                    self.stats.audio_dropouts = self._narration.dropouts
                    self.stats.audio_offset_ms = round(self._narration.worst_offset * 1000, 1)
                writer.close()
                self._pictures.release()
                return_free_memory()  # the remux below needs little; keep the peak down
            else:
                writer.abandon()
        except OSError as error:
            writer.abandon()
            self._write_failed(error)
        self.stats.duration = round(max(0.0, end), 3)
        try:
            remux_faststart(writer.path, self.output)
        except (OSError, UserError) as error:
            self.events.close_journal()  # kept for recovery, with the video
            journal.release()
            self.stats.size_bytes = writer.bytes_written
            note = (f"The recording could not be finished ({error}); "
                    f"recover {writer.path.name} when there is space.")
            self.stats.warnings.append(note)
            if self.error is None:
                self.error = UserError(note)
                self.stats.error = note
            return
        writer.path.unlink(missing_ok=True)
        self.stats.size_bytes = self.output.stat().st_size
        region = self._source.region
        saved = self._input.save(events_path(self.output),
                                (region.left, region.top, region.width, region.height))
        if saved is not None:
            self.stats.events = str(saved)
        kept = self.events.close_journal()
        if kept is not None:
            kept.unlink(missing_ok=True)
        journal.finish()
