"""The welcome: what Baton does, an example to look at and send to yourself, then a first
capture or recording of one of the owner's own tasks (with the microphone tried first).

Three short pages; every button does the real thing (adds the example, opens the send
dialog, starts a capture), so the welcome is a walk through the app, not a slideshow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from baton.ui.recording.microphone import MicrophonePicker
from baton.ui.steps.capture import TOGGLE_LABEL


@dataclass(frozen=True)
class WelcomeActions:
    """What the welcome's buttons do (the main window supplies them)."""

    open_example: Callable[[], object]
    send_example: Callable[[], object]
    capture: Callable[[], object]
    record: Callable[[], object]


def _text(html: str) -> QLabel:
    label = QLabel(html)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _page(title: str, *parts: QWidget) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    heading = QLabel(title)
    heading.setObjectName("pageTitle")
    layout.addWidget(heading)
    for part in parts:
        layout.addWidget(part)
    layout.addStretch(1)
    return page


def _buttons(*buttons: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 8, 0, 0)
    for button in buttons:
        layout.addWidget(button)
    layout.addStretch(1)
    return row


class WelcomeDialog(QDialog):
    """The first-run guide (also Help → Getting started). Not modal: Baton stays usable."""

    PAGES = 3

    def __init__(self, parent: QWidget | None = None, actions: WelcomeActions | None = None,
                 microphone: MicrophonePicker | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Getting started with Baton")
        self.setMinimumSize(620, 460)
        self._actions = actions
        self.pages = QStackedWidget()
        self.example_button = QPushButton("&Add the example and open its steps")
        self.example_button.setObjectName("primaryButton")
        self.send_button = QPushButton("&Send it to yourself…")
        self.capture_button = QPushButton("&Capture steps")
        self.capture_button.setObjectName("primaryButton")
        self.record_button = QPushButton("&Record a walkthrough")
        self.microphone = microphone
        self.pages.addWidget(_page(
            "Welcome to Baton",
            _text("<p>Show Baton a task once, the way you always do it. It turns what you "
                  "did into a checklist with a screenshot for every click (and a video with "
                  "your voice, if you like), packed so your assistant can open it in any "
                  "browser, with no account and no internet.</p>"
                  "<p>Then Baton keeps track: who holds which process, how far they got, "
                  "what they asked, and the hours a week you got back.</p>"
                  "<p>This takes two minutes: look at an example, then show Baton one "
                  "task of your own.</p>"),
        ))
        self.pages.addWidget(_page(
            "Look at an example first",
            _text("<p>Baton comes with an example process: <b>sending a customer "
                  "invoice</b>, four steps with screenshots, instructions and a caution.</p>"
                  "<p>Open its steps to see the step editor, then <b>send it to yourself</b>: "
                  "add yourself as an assistant, and Baton writes a zip. Open "
                  "<i>index.html</i> from it in your browser: that page is exactly what an "
                  "assistant gets.</p>"),
            _buttons(self.example_button, self.send_button),
        ))
        parts: list[QWidget] = [
            _text("<p>Pick something you do every week and would love to stop doing "
                  "yourself, and do it once while Baton watches:</p>"
                  "<ul><li><b>Capture steps</b>: every click becomes a step with a "
                  "screenshot, typing becomes a “Type …” step. No microphone needed.</li>"
                  "<li><b>Record a walkthrough</b>: a video of your screen while you talk "
                  "it through (the steps are captured too).</li></ul>"
                  f"<p>Baton steps aside while you work. {TOGGLE_LABEL} stops capturing "
                  "and Ctrl+Alt+S stops recording, from any program; then the new steps "
                  "open for you to name and tidy.</p>"),
        ]
        if microphone is not None:
            parts += [_text("<p><b>Your microphone</b> (for a recording): choose it, speak, "
                            "and watch the bar; <i>Test it</i> tells you if Baton heard you."
                            "</p>"), microphone]
        parts.append(_buttons(self.capture_button, self.record_button))
        self.pages.addWidget(_page("Now one of your own tasks", *parts))

        self.back = QPushButton("&Back")
        self.next = QPushButton("&Next")
        self.next.setDefault(True)
        self.close_button = QPushButton("Close")
        nav = QHBoxLayout()
        self.where = QLabel()
        self.where.setObjectName("hint")
        nav.addWidget(self.where)
        nav.addStretch(1)
        for button in (self.back, self.next, self.close_button):
            nav.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(nav)
        self.back.clicked.connect(lambda: self.go(self.pages.currentIndex() - 1))
        self.next.clicked.connect(lambda: self.go(self.pages.currentIndex() + 1))
        self.close_button.clicked.connect(self.accept)
        self.example_button.clicked.connect(lambda: self._do("open_example", close=False))
        self.send_button.clicked.connect(lambda: self._do("send_example", close=False))
        self.capture_button.clicked.connect(lambda: self._do("capture", close=True))
        self.record_button.clicked.connect(lambda: self._do("record", close=True))
        self.go(0)

    def go(self, page: int) -> None:
        page = min(max(page, 0), self.PAGES - 1)
        self.pages.setCurrentIndex(page)
        self.back.setEnabled(page > 0)
        self.next.setVisible(page < self.PAGES - 1)
        self.close_button.setText("Done" if page == self.PAGES - 1 else "Close")
        self.where.setText(f"{page + 1} of {self.PAGES}")
        (self.next if page < self.PAGES - 1 else self.capture_button).setFocus()

    def _do(self, name: str, *, close: bool) -> None:
        if self._actions is None:
            return
        if close:
            self.accept()
        getattr(self._actions, name)()
