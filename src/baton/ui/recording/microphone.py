"""Choose the microphone before recording: a live level meter, a test, and it is remembered.

The meter listens only while the chooser is on screen, through the recorder's own audio
source, so what moves the meter is what the recording gets. "Test" listens for three
seconds and says whether it heard anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from baton.capture.recording.microphones import (
    DEFAULT,
    LevelMeter,
    ListMicrophones,
    Microphone,
    OpenMicrophone,
    verdict,
)
from baton.errors import UserError
from baton.settings import Settings

TEST_MS = 3000
METER_MS = 50


@dataclass(frozen=True)
class Microphones:
    """Where the chooser finds microphones and opens one (tests give synthetic ones)."""

    list: ListMicrophones
    open: OpenMicrophone

    @classmethod
    def real(cls) -> Microphones:
        from baton.capture.recording.microphones import list_microphones, open_microphone

        return cls(list_microphones, open_microphone)


class MicrophonePicker(QWidget):
    """A microphone list, a level meter and a test button; the choice goes to settings.

    Signals:
        tested(heard): a test finished; ``heard`` says whether there was sound.
    """

    tested = Signal(bool)

    def __init__(self, settings: Settings, microphones: Microphones,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._microphones = microphones
        self._meter: LevelMeter | None = None
        self.choice = QComboBox()
        self.choice.setAccessibleName("Microphone")
        self.level = QProgressBar()
        self.level.setRange(0, 100)
        self.level.setTextVisible(False)
        self.level.setAccessibleName("Microphone level")
        self.level.setToolTip("How loud the microphone hears you right now")
        self.test = QPushButton("&Test it")
        self.test.setToolTip("Say a few words: Baton listens for three seconds")
        self.again = QPushButton("Look a&gain")
        self.again.setToolTip("Look for microphones again (after plugging one in)")
        self.result = QLabel()
        self.result.setObjectName("hint")
        self.result.setWordWrap(True)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.choice, 0, 0, 1, 2)
        layout.addWidget(self.again, 0, 2)
        layout.addWidget(self.level, 1, 0, 1, 2)
        layout.addWidget(self.test, 1, 2)
        layout.addWidget(self.result, 2, 0, 1, 3)
        layout.setColumnStretch(0, 1)
        self._poll = QTimer(self)
        self._poll.setInterval(METER_MS)
        self._poll.timeout.connect(self._show_level)
        self._test_timer = QTimer(self)
        self._test_timer.setSingleShot(True)
        self._test_timer.setInterval(TEST_MS)
        self._test_timer.timeout.connect(self._test_done)
        self.test.clicked.connect(self.start_test)
        self.again.clicked.connect(self.look)
        self.choice.currentIndexChanged.connect(self._chosen)
        self.look()

    # -- the list --------------------------------------------------------------------------

    def look(self) -> None:
        """Fill the list (the remembered microphone selected, if it is still there)."""
        remembered = str(self._settings.get("recording.microphone"))
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItem(Microphone(DEFAULT).label, DEFAULT)
        found = self._microphones.list()
        for microphone in found:
            self.choice.addItem(microphone.label, microphone.name)
        index = self.choice.findData(remembered)
        self.choice.setCurrentIndex(max(index, 0))
        self.choice.blockSignals(False)
        if not found:
            self.result.setText("No microphone was found. Recordings will be silent until "
                                "one is plugged in (then press Look again).")
        else:
            self.result.setText("Speak, and watch the bar move.")
        self._listen()

    def microphone(self) -> str:
        """The chosen microphone's name ("" for the system's default)."""
        return str(self.choice.currentData() or DEFAULT)

    def _chosen(self) -> None:
        self._settings.set("recording.microphone", self.microphone())
        self.result.setText("Speak, and watch the bar move.")
        self._listen()

    # -- listening -------------------------------------------------------------------------

    def _listen(self) -> None:
        """(Re)start the meter on the chosen microphone while the chooser is visible."""
        self._stop_listening()
        if not self.isVisible():
            return
        meter = LevelMeter(self._microphones.open(Microphone(self.microphone())))
        try:
            meter.start()
        except UserError as error:
            self.result.setText(str(error).replace("Recording without sound: ", "") +
                                " Recordings will be silent.")
            self.level.setEnabled(False)
            self.test.setEnabled(False)
            return
        self._meter = meter
        self.level.setEnabled(True)
        self.test.setEnabled(True)
        self._poll.start()

    def _stop_listening(self) -> None:
        self._poll.stop()
        self._test_timer.stop()
        if self._meter is not None:
            self._meter.stop()
            self._meter = None
        self.level.setValue(0)

    def _show_level(self) -> None:
        if self._meter is not None:
            self.level.setValue(round(min(1.0, self._meter.now) * 100))

    def start_test(self) -> None:
        """Listen for three seconds, then say whether anything was heard."""
        if self._meter is None:
            self._listen()
        if self._meter is None:
            return
        self._meter.reset()
        self.test.setEnabled(False)
        self.result.setText("Listening… say a few words.")
        self._test_timer.start()

    def _test_done(self) -> None:
        self.test.setEnabled(True)
        meter = self._meter
        heard, message = verdict(meter.loudest, meter.chunks) if meter else (False, "")
        self.result.setText(message)
        self.tested.emit(heard)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._listen()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self._stop_listening()
        super().hideEvent(event)
