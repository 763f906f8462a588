"""A new owner's first hour: focus they can see, keys that work, a window that fits, the
welcome with its example, the microphone chooser, and the small things that tripped them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from baton.capture.recording.audio import ToneSource
from baton.capture.recording.microphones import Microphone, open_microphone
from baton.capture.recording.request import RecordingRequest
from baton.core.assistants import AssistantDraft
from baton.core.library import ProcessDraft
from baton.core.states import ProcessStatus
from baton.core.steps import StepContent
from baton.errors import UserError
from baton.services import Services
from baton.ui.actions import ACTIONS, MainAction
from baton.ui.dialogs.help import ShortcutsDialog, shortcut_rows
from baton.ui.dialogs.process import ProcessDialog
from baton.ui.dialogs.send import SendDialog, SendRequest
from baton.ui.dialogs.settings import SettingsDialog
from baton.ui.icons import icon
from baton.ui.main_window import MainWindow, make_state
from baton.ui.pages.library import myself_nudge
from baton.ui.recording.microphone import MicrophonePicker, Microphones
from baton.ui.recording.review import ReviewDialog
from baton.ui.recording.setup_dialog import Setup, SetupDialog
from baton.ui.steps.capture_target import CaptureTarget, CaptureTargetDialog
from baton.ui.style import apply_style
from helpers.fakes import FakeCapture, FakeDesktop, synthetic_recorder

RING = np.array([0x1A, 0x73, 0xE8])  # the focus ring's blue in style.qss (RGB)
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[QApplication]:
    """The app with Baton's real stylesheet (taken off again afterwards)."""
    apply_style(qapp)
    yield qapp
    qapp.setStyleSheet("")


def open_window(qtbot: QtBot, services: Services, **options: Any) -> MainWindow:
    window = MainWindow(services, make_state(services.paths.ui_state_file),
                        global_shortcuts=False, **options)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def ring_pixels(widget: QWidget) -> int:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine())[:, :image.width() * 3].reshape(
        image.height(), image.width(), 3)
    return int(np.all(np.abs(pixels.astype(int) - RING) < 40, axis=2).sum())


# -- keyboard and look -----------------------------------------------------------------------


def test_focus_is_visible_on_every_stop_of_the_window_and_a_form(
    qtbot: QtBot, services: Services, styled: QApplication
) -> None:
    services.library.add_process(ProcessDraft("Pay invoices"))
    window = open_window(qtbot, services)
    window.library.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.library.search)
    seen: list[str] = []
    for _ in range(6):
        focused = QApplication.focusWidget()
        assert focused is not None
        seen.append(type(focused).__name__)
        assert ring_pixels(focused) > 30, f"no focus ring on {type(focused).__name__}"
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert {"QLineEdit", "QTableView"} <= set(seen)

    form = ProcessDialog()
    qtbot.addWidget(form)
    with qtbot.waitActive(form):
        form.show()
        form.activateWindow()
    for widget in (form.title, form.summary, form.audience, form.minutes, form.runs):
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus)
        focused_ring = ring_pixels(widget)
        form.error.setFocus()  # a label: focus leaves the field
        widget.clearFocus()
        assert focused_ring > 30, widget
        assert ring_pixels(widget) < focused_ring / 4, widget


def test_ctrl_comma_opens_preferences(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[SettingsDialog] = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: opened.append(self) or 0)
    window = open_window(qtbot, services)
    assert window.main_actions[MainAction.PREFERENCES].shortcut() == QKeySequence("Ctrl+,")
    qtbot.keyClick(window, Qt.Key.Key_Comma, CTRL)
    assert len(opened) == 1
    # The remembered-only settings (the microphone) are not offered as a bare text field.
    assert "recording.microphone" not in opened[0].editors


def test_help_lists_every_shortcut_from_the_registry(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = shortcut_rows()
    listed = {what for _, what, _ in rows}
    for spec in ACTIONS.values():
        if spec.shortcut is not None:
            assert spec.text.replace("&", "").rstrip("…") in listed, spec.text
    assert ("Anywhere in Baton", "Preferences", "Ctrl+,") in rows
    assert ("While capturing steps", "Take step (the screen as it is)", "Ctrl+Alt+P") in rows
    shown: list[ShortcutsDialog] = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: shown.append(self) or 0)
    window = open_window(qtbot, services)
    help_menu = next(m for m in window.menuBar().actions() if m.text() == "&Help").menu()
    assert [a.text() for a in help_menu.actions() if a.text()][:3] == [
        "&Getting started…", "&Quick guide", "&Keyboard shortcuts"]
    window.main_actions[MainAction.SHORTCUTS].trigger()
    assert shown
    assert shown[0].table.rowCount() == len(rows)


def test_toolbar_and_sidebar_icons_are_sharp_at_double_scale(
    qtbot: QtBot, services: Services
) -> None:
    for key, spec in ACTIONS.items():
        if spec.icon is None or key is MainAction.QUIT:
            continue
        pixmap = icon(spec.icon).pixmap(QSize(20, 20), 2.0)
        assert pixmap.size() == QSize(40, 40), key
        assert pixmap.devicePixelRatio() == 2.0, key
        drawn = pixmap.toImage()
        inked = sum(1 for x in range(40) for y in range(40) if drawn.pixelColor(x, y).alpha())
        assert inked > 40, key  # drawn at 40 px, not a 20 px picture blown up or nothing
    window = open_window(qtbot, services)
    for row in range(window.sidebar.count()):
        assert not window.sidebar.item(row).icon().isNull()
    send = window.main_actions[MainAction.SEND]
    assert not send.icon().isNull()
    assert window.library.toolbar.iconSize() == QSize(20, 20)


def test_the_recording_and_capture_bars_show_a_red_dot(
    qtbot: QtBot, styled: QApplication
) -> None:
    # The bars' rule for their labels once outranked the dot's own colour (it came out white).
    from baton.ui.recording.bar import RecordBar
    from baton.ui.steps.capture_flow import CaptureIndicator

    for bar in (RecordBar(), CaptureIndicator()):
        qtbot.addWidget(bar)
        bar.ensurePolished()
        dot = bar.findChild(QLabel, "recordDot")
        assert dot is not None, type(bar).__name__
        dot.ensurePolished()
        assert dot.palette().color(dot.foregroundRole()).name() == "#ff5a4f", type(bar).__name__


@pytest.mark.parametrize("size", [(1100, 700), (1024, 700)])
def test_handoffs_and_assistants_fit_without_sideways_scrolling(
    qtbot: QtBot, services: Services, size: tuple[int, int]
) -> None:
    title = "Send the monthly invoices to clients"
    process = services.library.add_process(ProcessDraft(title, status=ProcessStatus.READY))
    version = services.library.freeze_version(process.id)
    for name in ("Ana Reyes-Villanueva", "Benedict Okafor"):
        person = services.assistants.add(AssistantDraft(
            name, email=f"{name.split()[0].lower()}.long.address@example-company.com",
            hired_via="A staffing agency in Manila", time_zone="America/Argentina/Buenos_Aires",
            started_on=date(2026, 1, 5)))
        services.handoffs.create(version.id, person.id, due_on=date(2099, 1, 1))
    window = open_window(qtbot, services)
    window.resize(*size)
    for page, view in (("Handoffs", window.handoffs), ("Assistants", window.assistants)):
        window.show_page(page)
        view.table.selectRow(0)
        qtbot.waitUntil(lambda v=view: v.model.rowCount() == 2)
        table = view.table
        QApplication.processEvents()
        header = table.horizontalHeader()
        assert header.length() <= table.viewport().width(), (page, size)
        assert table.horizontalScrollBar().maximum() == 0
        widths = [table.columnWidth(c) for c in range(view.model.columnCount())]
        assert min(widths) >= 40, widths
    first = window.handoffs.table
    window.show_page("Handoffs")
    needed = first.fontMetrics().horizontalAdvance(title)
    assert first.columnWidth(0) >= needed, "the Process column cuts a usual title short"


# -- smaller things --------------------------------------------------------------------------


def test_send_dialog_names_its_folder_field_without_a_stray_ampersand(
    qtbot: QtBot, services: Services
) -> None:
    row = services.library.add_process(ProcessDraft("Pay invoices"))
    ana = services.assistants.add(AssistantDraft("Ana"))
    dialog = SendDialog(row, [ana], date(2026, 11, 28), 7, Path("/tmp"), None)
    qtbot.addWidget(dialog)
    labels = dialog.findChildren(QLabel)
    [save_to] = [label for label in labels if label.text() == "Save &to"]
    assert save_to.buddy() is dialog.folder
    assert all("&" not in label.text() or label.buddy() is not None
               for label in labels if label.text())


def test_runs_keep_a_quarter_and_can_be_counted_per_month(qtbot: QtBot, services: Services
                                                          ) -> None:
    dialog = ProcessDialog()
    qtbot.addWidget(dialog)
    dialog.title.setText("Quarterly VAT")
    dialog.runs.setValue(0.25)
    assert dialog.draft().runs_per_week == 0.25
    dialog.runs.setValue(1)
    dialog.per.setCurrentIndex(dialog.per.findData("month"))
    monthly = dialog.draft().runs_per_week
    assert monthly == pytest.approx(12 / 52)
    saved = services.library.add_process(dialog.draft())
    again = ProcessDialog(saved)
    qtbot.addWidget(again)
    assert (again.runs.value(), again.per.currentData()) == (1.0, "month")
    quarter = services.library.add_process(ProcessDraft("Weekly-ish", runs_per_week=0.25))
    shown = ProcessDialog(quarter)
    qtbot.addWidget(shown)
    assert (shown.runs.value(), shown.per.currentData()) == (0.25, "week")


def test_i_did_this_myself_asks_to_record_only_what_is_not_written_down(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    idea = services.library.add_process(ProcessDraft("Order stock"))
    services.library.did_it_myself(idea.id)
    assert "record it" in myself_nudge(services.library.did_it_myself(idea.id))
    written = services.library.add_process(ProcessDraft("Pay invoices",
                                                        status=ProcessStatus.DRAFT))
    services.steps.add(written.id, StepContent(title="Open the bank"))
    services.library.did_it_myself(written.id)
    nudge = myself_nudge(services.library.did_it_myself(written.id))
    assert "record" not in nudge
    assert "send it" in nudge
    [backlog] = [n for n in services.dashboard.backlog() if n.process_id == written.id]
    assert backlog.written_down

    ana = services.assistants.add(AssistantDraft("Ana")).id
    window = open_window(qtbot, services)
    monkeypatch.setattr(SendDialog, "ask", classmethod(
        lambda cls, parent, **options: SendRequest(ana, None, "", tmp_path, None)))
    window.library.refresh()
    window.library.select_where(lambda row: row.id == written.id)
    with qtbot.waitSignal(window.workflows.changed, timeout=30_000):
        window.main_actions[MainAction.SEND].trigger()
    sent = services.library.get(written.id)
    assert sent.status is ProcessStatus.READY  # no longer a draft once sent
    assert myself_nudge(services.library.did_it_myself(written.id)).startswith("Counted")
    assert written.id not in [n.process_id for n in services.dashboard.backlog()]


def test_the_recording_choices_are_remembered(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.settings.set("recording.hide_baton_windows", False)
    offered: list[dict[str, Any]] = []

    def setup(cls: Any, parent: Any, **options: Any) -> Setup | None:
        offered.append(options)
        return None if len(offered) > 1 else Setup(
            RecordingRequest(fps=15, quality="sharp", show_keys=True), False)

    monkeypatch.setattr(SetupDialog, "ask", classmethod(setup))
    monkeypatch.setattr(ReviewDialog, "ask", classmethod(lambda cls, *args: None))
    window = open_window(qtbot, services, microphones=synthetic_microphones(),
                         make_recorder=synthetic_recorder, desktop=FakeDesktop())
    window.recording.begin(None)
    qtbot.waitUntil(lambda: window.recording.state == "recording", timeout=5000)
    window.recording.stop()
    qtbot.waitUntil(lambda: window.recording.state == "idle", timeout=30_000)
    window.recording.begin(None)
    assert (offered[1]["show_keys"], offered[1]["fps"], offered[1]["quality"]) == (
        True, 15, "sharp")


# -- the microphone --------------------------------------------------------------------------


class Broken:
    """A microphone that cannot be opened (what PortAudio does without a sound card)."""

    sample_rate = 48_000
    channels = 1

    def start(self, deliver: object) -> None:
        raise UserError("Recording without sound: the microphone cannot be opened (busy).")

    def stop(self) -> None:
        """Nothing was started."""


def synthetic_microphones() -> Microphones:
    """Three microphones fed with synthetic sound through the recorder's own source type."""
    names = [Microphone("USB headset"), Microphone("Laptop microphone"), Microphone("Broken")]

    def open_source(microphone: Microphone) -> Any:
        if microphone.name == "Broken":
            return Broken()
        loud = microphone.name in ("USB headset", "")
        return ToneSource(time.monotonic, amplitude=0.4 if loud else 0.0)

    return Microphones(lambda: names, open_source)


def test_microphone_choice_meter_and_test_are_remembered(
    qtbot: QtBot, services: Services
) -> None:
    picker = MicrophonePicker(services.settings, synthetic_microphones())
    qtbot.addWidget(picker)
    picker._test_timer.setInterval(400)  # the owner gets three seconds; a test needs less
    picker.show()
    labels = [picker.choice.itemText(i) for i in range(picker.choice.count())]
    assert labels == ["The system's default microphone", "USB headset", "Laptop microphone",
                      "Broken"]
    picker.choice.setCurrentIndex(1)
    qtbot.waitUntil(lambda: picker.level.value() > 20, timeout=3000)  # the meter moves
    with qtbot.waitSignal(picker.tested, timeout=3000) as heard:
        picker.test.click()
    assert heard.args == [True]
    assert "Heard you" in picker.result.text()

    picker.choice.setCurrentIndex(2)
    with qtbot.waitSignal(picker.tested, timeout=3000) as heard:
        picker.start_test()
    assert heard.args == [False]
    assert "silence" in picker.result.text()
    assert services.settings.get("recording.microphone") == "Laptop microphone"

    picker.choice.setCurrentIndex(3)
    assert "cannot be opened" in picker.result.text()
    assert not picker.test.isEnabled()
    picker.choice.setCurrentIndex(1)
    picker.hide()
    assert picker._meter is None  # listening stops when the chooser is not on screen

    again = MicrophonePicker(services.settings, synthetic_microphones())
    qtbot.addWidget(again)
    assert again.microphone() == "USB headset"  # remembered by name
    setup = SetupDialog(FakeDesktop().monitors(), [], 30, "balanced", False, "",
                        microphone=again)
    qtbot.addWidget(setup)
    assert setup.setup().request.microphone == "USB headset"
    source = open_microphone(Microphone("USB headset"))
    assert getattr(source, "_device", None) == "USB headset"  # what the recorder opens


def test_no_microphone_is_said_before_recording(qtbot: QtBot, services: Services) -> None:
    picker = MicrophonePicker(services.settings, Microphones(list, lambda m: Broken()))
    qtbot.addWidget(picker)
    assert "No microphone was found" in picker.result.text()
    picker.show()
    assert "cannot be opened" in picker.result.text()


# -- the welcome -----------------------------------------------------------------------------


def test_the_welcome_walks_through_the_example_and_a_first_capture(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    captures: list[Any] = []

    def open_capture(process_id: int, **options: Any) -> Any:
        captures.append(FakeCapture(services, process_id, **options))
        return captures[-1]

    services.settings.set("recording.countdown_seconds", 0)
    services.settings.set("recording.hide_baton_windows", False)
    window = open_window(qtbot, services, open_capture=open_capture,
                         make_recorder=synthetic_recorder, desktop=FakeDesktop(),
                         microphones=synthetic_microphones())
    library = window.library
    assert library.stack.currentWidget() is library.empty
    assert library.welcome_button.isVisible()
    assert library.example_button.isVisible()
    library.welcome_button.click()
    welcome = window.first_run.welcome
    assert welcome is not None
    assert welcome.isVisible()
    assert not welcome.isModal()
    welcome.next.click()
    welcome.example_button.click()
    [example] = services.library.list_processes()
    assert example.title.startswith("Example:")
    assert example.step_count == 4
    steps = services.steps.list(example.id)
    assert all(step.screenshot for step in steps)
    assert steps[0].click_x is not None
    editor = window.editors[example.id]
    assert editor.isVisible()
    editor.close()

    monkeypatch.setattr(SendDialog, "ask", classmethod(lambda cls, parent, **options: (
        SendRequest(options["assistants"][0].id, None, "", tmp_path, None))))
    with qtbot.waitSignal(window.workflows.changed, timeout=30_000):
        welcome.send_button.click()
    [me] = services.assistants.list()
    assert me.name == "You (trying Baton out)"
    [package] = tmp_path.glob("*.zip")
    assert "example" in package.name

    welcome.next.click()
    assert welcome.microphone is not None
    assert welcome.microphone.isVisible()
    monkeypatch.setattr(CaptureTargetDialog, "ask", classmethod(
        lambda cls, parent, processes, chosen: CaptureTarget(None, "Refund an order")))
    welcome.capture_button.click()
    qtbot.waitUntil(lambda: bool(captures) and captures[0].running)
    assert not welcome.isVisible()
    assert services.library.find("Refund an order").id == captures[0].process_id
    captures[0].click('Click "Refund"')
    window.capture_flow.stop()
    assert window.editors[captures[0].process_id].isVisible()
    window.editors[captures[0].process_id].close()
