"""The step editor's *Also hide on the video*: a step's redaction boxes carried over onto the
recording it was taken from, over the step's stretch (``baton.core.redactions``).

On by default for a step from the recorded take. Finding the screenshot in the recording
decodes a frame, so it runs off the GUI thread, one job at a time and each from the step as
saved when the job starts: the last edit always wins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from baton.core.media import MediaStore
from baton.core.redactions import VideoBoxRow, VideoRedactions
from baton.core.steps import StepRow, Steps
from baton.errors import UserError
from baton.ui import messages
from baton.ui.workers import Task, run_in_background


class VideoBoxSync(QObject):
    """The check box under the screenshot and the work behind it.

    Signals:
        carried(list): the boxes now on the video for the step shown (``VideoBoxRow``s).
    """

    carried = Signal(list)

    def __init__(self, steps: Steps, redactions: VideoRedactions, media: MediaStore,
                 process_id: int, parent: QWidget) -> None:
        super().__init__(parent)
        self._steps = steps
        self._redactions = redactions
        self._media = media
        self._process_id = process_id
        self._parent = parent
        self._row: StepRow | None = None
        self._wanted: dict[int, bool] = {}  # by step id, once shown or chosen this session
        self._tasks: list[Task] = []
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # in order: the last edit wins
        self.checkbox = QCheckBox("Also hide on the &video")
        self.checkbox.setToolTip("Redaction boxes on this screenshot also hide that area of the "
                                 "recording, from the step before this one to the step after")
        self.checkbox.clicked.connect(self._clicked)
        self.note = QLabel()
        self.note.setObjectName("videoBoxNote")
        self.widget = QWidget()
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.checkbox)
        layout.addWidget(self.note, 1)

    def in_take(self, row: StepRow | None) -> bool:
        """Whether a step has a moment in its process's recording (and a screenshot)."""
        if row is None or row.video_time is None or row.screenshot is None:
            return False
        try:
            return self._redactions.recording(self._process_id) is not None
        except UserError:
            return False

    def show_step(self, row: StepRow | None) -> None:
        """Show the box's state for the step now shown."""
        self._row = row
        from_take = self.in_take(row)
        self.widget.setVisible(from_take)
        if row is None or not from_take:
            return
        carried = self._redactions.step_boxes(row.id)
        # On by default. A step with boxes on its screenshot but none on the video had it
        # turned off (in an earlier session); within this one, the user's choice stands.
        wanted = self._wanted.setdefault(row.id, bool(carried) or not row.redactions)
        self.checkbox.setChecked(wanted)
        self._say(carried)

    def marks_saved(self, row: StepRow) -> None:
        """A step's boxes changed (an edit, an undo): carry them over if asked to."""
        if self._row is not None and row.id == self._row.id:
            self._row = row
        if self.checkbox.isChecked() and self.in_take(row):
            self._carry(row.id)

    def wait(self, milliseconds: int = 30_000) -> bool:
        """Wait for the jobs started so far (closing, tests)."""
        return self._pool.waitForDone(milliseconds)

    def _clicked(self, checked: bool) -> None:
        row = self._row
        if row is None:
            return
        self._wanted[row.id] = checked
        if checked:
            self._carry(row.id)
        else:
            self._run(lambda: self._redactions.set_step_boxes(row.id, []))

    def _carry(self, step_id: int) -> None:
        from baton.handoff.step_boxes import step_video_boxes

        def work() -> list[VideoBoxRow]:
            row = self._steps.get(step_id)  # as saved now, not as it was when asked
            boxes = step_video_boxes(row, self._redactions, self._media)
            return self._redactions.set_step_boxes(step_id, boxes or [])

        self.note.setText("Finding the screenshot in the recording…")
        self._run(work)

    def _run(self, work: Callable[[], Any]) -> None:
        # Kept until the editor goes (a few per session): their signals must outlive the job.
        self._tasks.append(run_in_background(work, self._done, self._failed, self._pool))

    def _done(self, rows: list[VideoBoxRow]) -> None:
        if self._row is not None and all(row.step_id == self._row.id for row in rows):
            self._say(rows)
        self.carried.emit(rows)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, UserError):
            raise error
        self.note.setText("Not hidden on the video.")
        messages.show_problem(self._parent, str(error))

    def _say(self, rows: list[VideoBoxRow]) -> None:
        if not rows:
            self.note.setText("")
            return
        end = "the end" if rows[0].end is None else f"{rows[0].end:.1f} s"
        self.note.setText(f"Hidden on the video from {rows[0].start:.1f} s to {end}.")
