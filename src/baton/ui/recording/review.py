"""Review a finished recording: play it, trim the start and end, attach it to a process."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from baton.core.library import ProcessRow
from baton.errors import UserError
from baton.handoff.video_plan import TimedBox
from baton.ui import messages
from baton.ui.recording.clip import ReviewChoice, probe_duration, seconds_text
from baton.ui.recording.hide_area import HideAreaDialog, describe, picture_at
from baton.ui.screen_fit import fit_to_screen

NEW_PROCESS = -1

__all__ = ["ReviewChoice", "ReviewDialog", "probe_duration", "seconds_text"]


class ReviewDialog(QDialog):
    """A player with trim handles; use ``ReviewDialog.ask`` (tests replace it)."""

    def __init__(
        self,
        video: Path,
        duration: float,
        processes: list[ProcessRow],
        preselected: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review the recording")
        self.duration = duration
        self.start = 0.0
        self.end = duration

        self.player = QMediaPlayer(self)
        self.video = QVideoWidget()
        self.video.setMinimumSize(320, 180)  # (fits a 960x540 screen: 1920x1080 at 200%)
        self.player.setVideoOutput(self.video)
        self.player.setSource(QUrl.fromLocalFile(str(video)))
        self.position = QSlider(Qt.Orientation.Horizontal)
        self.position.setRange(0, int(duration * 1000))
        self.position.sliderMoved.connect(self.player.setPosition)
        self.player.positionChanged.connect(self._moved)
        self.play = QPushButton("Play")
        self.play.setShortcut("Space")
        self.play.clicked.connect(self.toggle_play)
        self.player.playbackStateChanged.connect(self._state_changed)
        self.set_start = QPushButton("Start here  [")
        self.set_start.setShortcut("[")
        self.set_start.clicked.connect(lambda: self.mark_start(self.player.position() / 1000))
        self.set_end = QPushButton("End here  ]")
        self.set_end.setShortcut("]")
        self.set_end.clicked.connect(lambda: self.mark_end(self.player.position() / 1000))
        self.range = QLabel()
        self.clock = QLabel(seconds_text(0))
        self.video_path = video
        self.redactions: list[TimedBox] = []
        self.hide_button = QPushButton("&Hide an area…")
        self.hide_button.setToolTip("Draw solid boxes over what the assistant must not see "
                                    "(burned into what you send; the recording stays as it is)")
        self.hide_button.clicked.connect(self.hide_area)
        self.clear_hidden = QPushButton("Show all again")
        self.clear_hidden.clicked.connect(self.show_all)
        self.hidden = QLabel()

        self.target = QComboBox()
        self.target.addItem("A new process…", NEW_PROCESS)
        for row in processes:
            self.target.addItem(row.title, row.id)
        if preselected is not None:
            self.target.setCurrentIndex(max(0, self.target.findData(preselected)))
        self.new_title = QLineEdit()
        self.new_title.setPlaceholderText("What is this process called?")
        self.target.currentIndexChanged.connect(self._target_changed)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.hide()

        controls = QHBoxLayout()
        for widget in (self.play, self.clock, self.set_start, self.set_end, self.range):
            controls.addWidget(widget)
        controls.addStretch(1)
        hiding = QHBoxLayout()
        for widget in (self.hide_button, self.hidden, self.clear_hidden):
            hiding.addWidget(widget)
        hiding.addStretch(1)
        form = QFormLayout()
        form.addRow("Attach to", self.target)
        form.addRow("Title", self.new_title)
        buttons = QDialogButtonBox()
        buttons.addButton("Attach", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Discard recording", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.position)
        layout.addLayout(controls)
        layout.addLayout(hiding)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._target_changed()
        self._show_range()
        self._show_hidden()
        self.choice: ReviewChoice | None = None
        fit_to_screen(self, QSize(900, 640))

    def toggle_play(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def mark_start(self, seconds: float) -> None:
        self.start = min(max(0.0, seconds), max(0.0, self.end - 0.5))
        self._show_range()

    def mark_end(self, seconds: float) -> None:
        self.end = max(min(self.duration, seconds), self.start + 0.5)
        self._show_range()

    def hide_area(self) -> None:
        """Draw boxes on the picture at the current position, for the whole take or a part."""
        self.player.pause()
        try:
            image = picture_at(self.video_path, self.player.position() / 1000)
        except UserError as error:
            messages.show_problem(self, str(error))
            return
        self.redactions.extend(HideAreaDialog.ask(self, image, self.duration))
        self._show_hidden()

    def show_all(self) -> None:
        """Forget the boxes drawn (nothing has been saved yet)."""
        self.redactions = []
        self._show_hidden()

    def _show_hidden(self) -> None:
        self.hidden.setText(describe(self.redactions))
        self.clear_hidden.setVisible(bool(self.redactions))

    def accept(self) -> None:
        process_id = self.target.currentData()
        title = self.new_title.text().strip()
        if process_id == NEW_PROCESS and not title:
            self.error.setText("Give the new process a title.")
            self.error.show()
            self.new_title.setFocus()
            return
        self.choice = ReviewChoice(
            self.start, self.end, self.duration,
            None if process_id == NEW_PROCESS else int(process_id), title,
            tuple(self.redactions),
        )
        self.player.stop()
        super().accept()

    def reject(self) -> None:
        self.player.stop()
        super().reject()

    def _moved(self, milliseconds: int) -> None:
        if not self.position.isSliderDown():
            self.position.setValue(milliseconds)
        self.clock.setText(seconds_text(milliseconds / 1000))
        if milliseconds / 1000 > self.end and self.player.isPlaying():
            self.player.pause()

    def _state_changed(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play.setText("Pause" if playing else "Play")

    def _show_range(self) -> None:
        kept = self.end - self.start
        self.range.setText(
            f"Keeping {seconds_text(self.start)} – {seconds_text(self.end)} "
            f"({seconds_text(kept)} of {seconds_text(self.duration)})"
        )

    def _target_changed(self) -> None:
        self.new_title.setEnabled(self.target.currentData() == NEW_PROCESS)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        video: Path,
        duration: float,
        processes: list[ProcessRow],
        preselected: int | None = None,
    ) -> ReviewChoice | None:
        dialog = cls(video, duration, processes, preselected, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.choice
        return None
