"""The recording flow: set up → (draw area) → countdown → record → stop → review → attach."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from baton.capture.platform.base import WindowInfo
from baton.capture.platform.input import events_path
from baton.capture.platform.screens import Monitor
from baton.core.library import Library, ProcessDraft, RecordingInfo
from baton.core.media import MediaStore
from baton.core.redactions import VideoRedactions
from baton.core.states import ProcessStatus
from baton.errors import UserError
from baton.settings import Settings
from baton.ui import messages
from baton.ui.recording.bar import RecordBar
from baton.ui.recording.bar_place import place_bar
from baton.ui.recording.clip import ReviewChoice, probe_duration
from baton.ui.recording.countdown import Countdown
from baton.ui.recording.microphone import MicrophonePicker, Microphones
from baton.ui.recording.region_picker import RegionPicker
from baton.ui.recording.setup_dialog import SetupDialog
from baton.ui.steps.capture import StepCaptureController
from baton.ui.workers import Task, run_in_background

if TYPE_CHECKING:
    from baton.capture.recording.recorder import Recorder, RecordingStats
    from baton.capture.recording.request import RecordingRequest
    from baton.capture.steps.sink import SavedStep

log = logging.getLogger("baton.ui")

MakeRecorder = Callable[["RecordingRequest", Path], "Recorder"]


class RecordTargets(Protocol):
    """What can be recorded on this machine."""

    def desktop_chooses(self) -> bool:
        """The desktop's own dialog asks what to share (Wayland)."""

    def monitors(self) -> list[Monitor]: ...

    def windows(self) -> list[WindowInfo]: ...


class Stage(enum.StrEnum):
    """Where the recording flow is (``RecordingController.state``)."""

    IDLE = "idle"
    PICKING = "picking"  # drawing the area to record
    COUNTDOWN = "countdown"
    RECORDING = "recording"
    PAUSED = "paused"
    FINISHING = "finishing"  # the file is being finished off the GUI thread
    REVIEWING = "reviewing"
    ATTACHING = "attaching"

    @property
    def capturing(self) -> bool:
        """A recorder is running (recording or paused): it can be stopped."""
        return self in (Stage.RECORDING, Stage.PAUSED)


@dataclass(frozen=True)
class Finished:
    video: Path
    stats: RecordingStats


class RecordingController(QObject):
    """Drives one recording at a time; the main window owns it and shows its signals."""

    state_changed = Signal(str)  # a Stage
    attached = Signal(int)  # the process the recording now belongs to

    def __init__(
        self,
        window: QWidget,
        library: Library,
        media: MediaStore,
        settings: Settings,
        recordings_dir: Path,
        make_recorder: MakeRecorder,
        desktop: RecordTargets,
        notify: Callable[[str], None],
        trim: Callable[[Path, Path, float, float], object],
        steps: StepCaptureController | None = None,
        retime_step: Callable[[int, float | None], object] | None = None,
        redactions: VideoRedactions | None = None,
        microphones: Microphones | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._library = library
        self._media = media
        self._settings = settings
        self._dir = recordings_dir
        self._make_recorder = make_recorder
        self._desktop = desktop
        self._notify = notify
        self._trim = trim
        self._steps = steps
        self._retime_step = retime_step
        self._redactions = redactions
        self._microphones = microphones
        self._take_steps: list[SavedStep] = []
        self.state = Stage.IDLE
        self.recorder: Recorder | None = None
        self.process_id: int | None = None
        self.bar = RecordBar()
        self.bar.pause_clicked.connect(self.pause_or_resume)
        self.bar.stop_clicked.connect(self.stop)
        self._ticker = QTimer(self)
        self._ticker.setInterval(250)
        self._ticker.timeout.connect(self._tick)
        self._picker: RegionPicker | None = None
        self._monitors: list[Monitor] = []
        self._countdown: Countdown | None = None
        self._task: Task | None = None

    # -- the flow --------------------------------------------------------------------------

    def begin(self, process_id: int | None = None) -> None:
        """Ask what to record, then count down and record."""
        if self.state is not Stage.IDLE:
            return
        self.process_id = process_id
        try:
            monitors, windows = self._desktop.monitors(), self._desktop.windows()
            desktop_chooses = self._desktop.desktop_chooses()
        except UserError as error:
            messages.show_problem(self._window, str(error))
            return
        setup = SetupDialog.ask(
            self._window, monitors=monitors, windows=windows, desktop_chooses=desktop_chooses,
            fps=self._settings.get("recording.fps"),
            quality=self._settings.get("recording.quality"),
            show_keys=self._settings.get("recording.show_keys"),
            microphone_note="Your default microphone is recorded when there is one; "
                            "the recording bar says so if there is none.",
            microphone=MicrophonePicker(self._settings, self._microphones or Microphones.real()),
        )
        if setup is None:
            return
        self._monitors = monitors
        self._remember(setup.request)
        if setup.draw_region:
            self._set_state(Stage.PICKING)
            self._picker = RegionPicker([(m.name, m.region) for m in monitors])
            self._picker.picked.connect(lambda region: self._count_down(
                replace(setup.request, region=region)))
            self._picker.cancelled.connect(lambda: self._set_state(Stage.IDLE))
            self._picker.show()
            self._picker.activateWindow()
            return
        self._count_down(setup.request)

    def _remember(self, request: RecordingRequest) -> None:
        """The next recording starts from this one's choices."""
        settings = self._settings
        for key, value in (("recording.show_keys", request.show_keys),
                           ("recording.fps", request.fps),
                           ("recording.quality", request.quality)):
            if settings.get(key) != value:
                settings.set(key, value)

    def _count_down(self, request: RecordingRequest) -> None:
        self._set_state(Stage.COUNTDOWN)
        if self._settings.get("recording.hide_baton_windows"):
            self._window.showMinimized()  # only the countdown shows, then the screen
        self._countdown = Countdown(self._settings.get("recording.countdown_seconds"))
        self._countdown.finished.connect(lambda: self._start(request))
        self._countdown.cancelled.connect(self._countdown_cancelled)
        self._countdown.start()

    def _countdown_cancelled(self) -> None:
        self._set_state(Stage.IDLE)
        self._window.showNormal()

    def _start(self, request: RecordingRequest) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        out = self._dir / f"recording-{datetime.now():%Y%m%d-%H%M%S}.mp4"
        try:
            self.recorder = self._make_recorder(request, out)
            self.recorder.start()
        except UserError as error:
            self.recorder = None
            self._set_state(Stage.IDLE)
            self._window.showNormal()
            messages.show_problem(self._window, str(error))
            return
        if self._settings.get("recording.hide_baton_windows"):
            self._window.showMinimized()
        self._set_state(Stage.RECORDING)
        self._take_steps = []
        if (self._steps is not None and self.process_id is not None
                and self._settings.get("recording.make_steps")):
            self._steps.start(self.process_id, video_clock=self.recorder.elapsed, quiet=True)
        self.bar.say("; ".join(self.recorder.stats.warnings))
        self._show_bar(self.recorder)
        self._ticker.start()

    def _show_bar(self, recorder: Recorder) -> None:
        """Show the bar beside the recorded area, or, when it must sit inside, kept out of
        the video; its clicks never draw rings either way."""
        monitors = [(monitor.name, monitor.region) for monitor in self._monitors]
        if monitors:  # else (Wayland) the desktop places windows: it cannot be kept out
            recorder.hide_window(place_bar(self.bar, recorder.region, monitors))
        self.bar.show()

    def pause_or_resume(self) -> None:
        if self.recorder is None or not self.state.capturing:
            return
        if self.recorder.paused:
            self.recorder.resume()
            self._set_state(Stage.RECORDING)
        else:
            self.recorder.pause()
            self._set_state(Stage.PAUSED)
        self._tick()

    def stop(self) -> None:
        """Finish the file off the GUI thread, then show the review."""
        recorder = self.recorder
        if recorder is None or not self.state.capturing:
            return
        self._ticker.stop()
        self.bar.hide()
        if self._steps is not None and self._steps.running:
            self._take_steps = self._steps.stop()
        self._set_state(Stage.FINISHING)
        self._task = run_in_background(
            lambda: Finished(recorder.output, recorder.stop()),
            self._review, self._failed,
        )

    def _tick(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        self.bar.show_state(recorder.elapsed(), recorder.level, recorder.paused,
                            recorder.stats.audio)
        if recorder.finished.is_set() and self.state.capturing:
            self.stop()  # the recorder stopped itself (disk full, display gone)

    def _review(self, finished: Finished) -> None:
        self.recorder = None
        self._window.showNormal()
        if finished.stats.error:
            messages.show_problem(self._window, finished.stats.error)
        self.review(finished.video, finished.stats.duration)

    def offer_recovery(self, *folders: Path) -> None:
        """Baton was killed while recording: offer to finish and attach what was saved.

        Args:
            folders: where unfinished recordings may be (default: this controller's folder).
        """
        from baton.capture.recording.journal import find_unfinished, recover

        for unfinished in find_unfinished(*(folders or (self._dir,))):
            question = (
                f"Baton was closed while recording (started {unfinished.started}, "
                f"{unfinished.size_bytes / 1e6:.1f} MB saved). Recover the recording?"
            )
            if not messages.confirm(self._window, "Recover recording", question, "Recover"):
                continue
            try:
                video = recover(unfinished.journal)
                duration = probe_duration(video)
            except UserError as error:
                messages.show_problem(self._window, str(error))
                continue
            self.review(video, duration)
            return

    def review(self, video: Path, duration: float) -> None:
        """Play, trim and attach a finished (or recovered) recording."""
        self._set_state(Stage.REVIEWING)
        from baton.ui.recording.review import ReviewDialog  # QtMultimedia loads when needed

        choice = ReviewDialog.ask(self._window, video, duration,
                                  self._library.list_processes(), self.process_id)
        if choice is None:
            for path in (video, events_path(video)):
                path.unlink(missing_ok=True)
            self._retime(lambda seconds: None)
            self._set_state(Stage.IDLE)
            self._notify("Recording discarded.")
            return
        self._set_state(Stage.ATTACHING)
        self._task = run_in_background(
            lambda: self._attach(video, choice), self._attached, self._failed
        )

    def _attach(self, video: Path, choice: ReviewChoice) -> int:
        """Trim if asked, store the video, attach it (runs on a worker thread)."""
        kept, duration = video, choice.duration
        if choice.trimmed:
            kept = video.with_name(video.stem + "-trimmed.mp4")
            self._trim(video, kept, choice.start, choice.end)
            duration = choice.end - choice.start
        stats = probe_video(kept)
        events = events_path(video)
        info = RecordingInfo(
            media=self._media.put_file(kept, "mp4"),
            events_media=self._media.put_file(events, "json") if events.is_file() else None,
            duration=round(duration, 3), size=kept.stat().st_size, fps=stats[2],
            width=stats[0], height=stats[1], has_audio=stats[3],
        )
        process_id = choice.process_id
        if process_id is None:
            process_id = self._library.add_process(
                ProcessDraft(choice.new_title, status=ProcessStatus.DRAFT)).id
        self._library.attach_recording(process_id, info)
        if self._redactions is not None:  # the areas hidden in the review, in kept time
            for box in choice.kept_redactions():
                self._redactions.add(process_id, box.box, box.start, box.end)
        if process_id == self.process_id:
            self._retime(lambda seconds: seconds - choice.start
                         if choice.start <= seconds <= choice.end else None)
        else:
            self._retime(lambda seconds: None)
        for path in {video, kept, events}:
            path.unlink(missing_ok=True)
        return process_id

    def _retime(self, moment: Callable[[float], float | None]) -> None:
        """Move this take's steps to their moment in the kept video (None: not in it)."""
        steps, self._take_steps = self._take_steps, []
        if self._retime_step is None:
            return
        for step in steps:
            if step.video_time is not None:
                self._retime_step(step.step_id, moment(step.video_time))

    def _attached(self, process_id: int) -> None:
        self._set_state(Stage.IDLE)
        self.attached.emit(process_id)
        self._notify(f"The recording is attached to “{self._library.get(process_id).title}”.")

    def _failed(self, error: BaseException) -> None:
        self.recorder = None
        self._set_state(Stage.IDLE)
        self._window.showNormal()
        if isinstance(error, UserError):
            messages.show_problem(self._window, str(error))
        else:
            log.error("recording failed", exc_info=error)
            messages.show_problem(self._window, f"The recording could not be finished: {error}")

    def _set_state(self, state: Stage) -> None:
        self.state = state
        self.state_changed.emit(state)


def probe_video(path: Path) -> tuple[int, int, float, bool]:
    """Width, height, frame rate and whether there is sound."""
    import av

    try:
        with av.open(str(path)) as container:
            video = container.streams.video[0]
            rate = float(video.average_rate or 0)
            return video.width, video.height, rate, bool(container.streams.audio)
    except (av.error.FFmpegError, IndexError):
        raise UserError(f"{path.name} is not a video Baton can read.") from None
