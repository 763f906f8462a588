"""Send, export and import from the window, with progress off the GUI thread."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from baton.core.assistants import AssistantDraft
from baton.core.library import ProcessDraft
from baton.core.models import HandoffStatus, ProcessStatus
from baton.core.steps import StepContent
from baton.services import Services
from baton.ui import messages
from baton.ui.dialogs.send import SendDialog, SendRequest
from baton.ui.main_window import MainWindow, make_state
from helpers.images import png


def a_process(services: Services) -> int:
    row = services.library.add_process(ProcessDraft("Pay invoices", status=ProcessStatus.READY))
    key = services.media.put_bytes(png(120, 160, 90), "png")
    services.steps.add(row.id, StepContent(title="Open the bank", screenshot=key))
    return row.id


def open_window(qtbot: QtBot, services: Services) -> MainWindow:
    window = MainWindow(services, make_state(services.paths.ui_state_file))
    qtbot.addWidget(window)
    window.show()
    return window


def test_send_from_the_library_then_import_the_receipt_by_drop(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    process_id = a_process(services)
    ana = services.assistants.add(AssistantDraft("Ana")).id
    window = open_window(qtbot, services)
    monkeypatch.setattr(SendDialog, "ask", classmethod(
        lambda cls, parent, **options: SendRequest(ana, date(2026, 12, 1), "first", tmp_path,
                                                   None)))
    window.library.select_where(lambda row: row.id == process_id)
    with qtbot.waitSignal(window.workflows.changed, timeout=30_000):
        [send] = [a for a in window.library.actions() if a.text() == "Send…"]
        send.trigger()
    [handoff] = services.handoffs.list()
    assert handoff.assistant_name == "Ana"
    assert handoff.due_on == date(2026, 12, 1)
    [package] = tmp_path.glob("*.zip")
    assert "Ana" in package.name or "ana" in package.name

    receipt = tmp_path / "receipt.json"
    from baton.handoff.receipt_format import canonical_content, receipt_mac
    from baton.handoff.validation import verify_package

    manifest = verify_package(package)
    document = {
        "format": "baton-receipt", "format_version": 2, "package_id": manifest.package_id,
        "handoff_id": handoff.id, "process_id": process_id, "version": 1,
        "saved_at": "2026-11-28T10:00:00Z",
        "steps": [{"position": 1, "done": True, "done_at": "2026-11-28T09:00:00Z",
                   "note": "done!", "question": ""}],
    }
    assert manifest.receipt_key is not None
    document["mac"] = receipt_mac(manifest.receipt_key, canonical_content(document))
    receipt.write_text(json.dumps(document))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(receipt))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    assert services.handoffs.get(handoff.id).status is not HandoffStatus.SENT
    assert "1 of 1 steps" in window.statusBar().currentMessage()


def test_a_bad_drop_says_why(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, services)
    problems: list[str] = []
    monkeypatch.setattr(messages, "show_problem", lambda parent, text: problems.append(text))
    window.workflows.open_dropped(tmp_path / "notes.txt")
    broken = tmp_path / "receipt.json"
    broken.write_text("{ not json")
    window.workflows.open_dropped(broken)
    assert "not a Baton package or receipt" in problems[0]
    assert len(problems) == 2
    assert problems[1]


def test_import_a_package_into_another_library(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from baton.handoff.package import build_package

    process_id = a_process(services)
    version = services.library.freeze_version(process_id)
    package = build_package(version, services.media, tmp_path / "p.zip")
    from baton.services import open_services

    other = open_services(str(tmp_path / "other"))
    try:
        window = open_window(qtbot, other)
        with qtbot.waitSignal(window.workflows.changed, timeout=30_000):
            window.workflows.import_package(package.path)
        [row] = other.library.list_processes()
        assert row.title == "Pay invoices"
        assert row.step_count == 1
    finally:
        other.close()


def test_send_dialog_warns_but_lets_you_send(qtbot: QtBot, services: Services) -> None:
    process_id = a_process(services)
    row = services.library.get(process_id)
    assistants = [services.assistants.add(AssistantDraft("Ana"))]
    dialog = SendDialog(row, assistants, date(2026, 11, 28), 7, Path("/tmp"),
                        lambda process, assistant: "Careful: customer-facing.")
    qtbot.addWidget(dialog)
    assert dialog.warning.text() == "Careful: customer-facing."
    assert dialog.send.isEnabled()
    request = dialog.request()
    assert request.due_on == date(2026, 12, 5)
    assert request.size_budget is None
    dialog.email.setChecked(True)
    assert dialog.request().size_budget == 25_000_000


def test_update_holders_resends_the_new_version(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.ui.dialogs.stale import StaleDialog

    process_id = a_process(services)
    ana = services.assistants.add(AssistantDraft("Ana")).id
    first = services.handoffs.create(services.library.freeze_version(process_id).id, ana)
    services.steps.add(process_id, StepContent(title="Check the total"))
    window = open_window(qtbot, services)
    window.workflows._folder = tmp_path
    shown: list[list[str]] = []

    def ask(cls: object, parent: object, title: str, stale: list) -> bool:  # type: ignore[type-arg]
        dialog = StaleDialog(title, stale)
        qtbot.addWidget(dialog)
        top = dialog.tree.topLevelItem(0)
        shown.append([top.child(i).text(0) for i in range(top.childCount())])
        return True

    monkeypatch.setattr(StaleDialog, "ask", classmethod(ask))
    with qtbot.waitSignal(window.workflows.changed, timeout=30_000):
        window.workflows.update_holders(process_id)
    assert shown == [["Step 2 “Check the total” added"]]
    newest = services.handoffs.list()[0]
    assert newest.id != first.id
    assert newest.version_number == 2
    assert newest.assistant_name == "Ana"
    assert services.changes.stale_handoffs(process_id) == []


def test_steps_from_the_processes_own_recording(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fractions import Fraction

    import av

    from baton.core.library import RecordingInfo
    from baton.ui.steps.from_video_dialog import ScenesDialog, ScenesRequest

    video = tmp_path / "walkthrough.mp4"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.time_base = Fraction(1, 10)
        for index in range(40):  # two scenes of two seconds
            colour = (30, 30, 30) if index < 20 else (220, 60, 60)
            frame = av.VideoFrame.from_ndarray(np.full((240, 320, 3), colour, np.uint8),
                                               format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    process = services.library.add_process(ProcessDraft("Ship orders"))
    services.library.attach_recording(process.id, RecordingInfo(
        media=services.media.put_file(video), duration=4.0, size=video.stat().st_size,
        fps=10, width=320, height=240))
    offered: list[Path | None] = []

    def ask(cls: object, parent: object, recording: Path | None) -> ScenesRequest:
        dialog = ScenesDialog(recording)
        qtbot.addWidget(dialog)
        assert dialog.source.itemText(0) == "This process's recording"
        dialog.sensitivity.setValue(10)
        offered.append(dialog.chosen_video())
        return dialog.request(offered[0])  # type: ignore[arg-type]

    monkeypatch.setattr(ScenesDialog, "ask", classmethod(ask))
    window = open_window(qtbot, services)
    with qtbot.waitSignal(window.workflows.changed, timeout=30_000):
        window.workflows.steps_from_video(process.id)
    assert offered[0] == services.media.path(services.library.snapshot(process.id)["recording"])
    times = [step.video_time for step in services.steps.list(process.id)]
    assert len(times) == 2
    assert times[1] == pytest.approx(2.0, abs=0.25)
    assert "Added 2 steps" in window.statusBar().currentMessage()


def test_the_package_is_prepared_while_the_send_dialog_is_open(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.handoff.prepared import load_prepared
    from baton.handoff.source import VersionSource

    process_id = a_process(services)
    ana = services.assistants.add(AssistantDraft("Ana")).id
    window = open_window(qtbot, services)
    seen_while_open: list[bool] = []

    def ask(cls: object, parent: object, **options: object) -> SendRequest:
        # The owner takes their time: the preparation finishes while the dialog is open.
        assert window.workflows.preparing.wait(timeout=30)
        pending = VersionSource.of(services.library.pending_version(process_id))
        seen_while_open.append(load_prepared(pending, services.media) is not None)
        return SendRequest(ana, date(2026, 12, 1), "", tmp_path, None)

    monkeypatch.setattr(SendDialog, "ask", classmethod(ask))
    with qtbot.waitSignal(window.workflows.changed, timeout=30_000):
        window.workflows.send(process_id)
    assert seen_while_open == [True]
    assert services.library.versions(process_id)[-1].number == 1  # prepared for that version


def test_cancelling_the_send_dialog_stops_the_preparation(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    process_id = a_process(services)
    window = open_window(qtbot, services)
    running: list[bool] = []

    def ask(cls: object, parent: object, **options: object) -> None:
        running.append(window.workflows.preparing.running)
        return None

    monkeypatch.setattr(SendDialog, "ask", classmethod(ask))
    window.workflows.send(process_id)
    assert running == [True]
    assert not window.workflows.preparing.running
    assert services.library.versions(process_id) == []  # nothing was frozen


@pytest.mark.parametrize("agree", [True, False])
def test_a_budget_the_pictures_must_shrink_for_is_offered_before_sending(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    agree: bool,
) -> None:
    row = services.library.add_process(ProcessDraft("Scan receipts", status=ProcessStatus.READY))
    rng = np.random.default_rng(5)
    for number in range(4):  # noise: every picture needs all its bytes
        ok, png = cv2.imencode(".png", rng.integers(0, 256, (400, 640, 3), dtype=np.uint8))
        assert ok
        key = services.media.put_bytes(png.tobytes(), "png")
        services.steps.add(row.id, StepContent(title=f"Receipt {number}", screenshot=key))
    ana = services.assistants.add(AssistantDraft("Ana")).id
    window = open_window(qtbot, services)
    budget = 1_500_000
    monkeypatch.setattr(SendDialog, "ask", classmethod(
        lambda cls, parent, **options: SendRequest(ana, None, "", tmp_path, budget)))
    asked: list[str] = []

    def confirm(parent: object, title: str, question: str, action: str) -> bool:
        asked.append(question)
        return agree

    monkeypatch.setattr(messages, "confirm", confirm)
    problems: list[str] = []
    monkeypatch.setattr(messages, "show_problem", lambda parent, text: problems.append(text))
    window.workflows.send(row.id)
    qtbot.waitUntil(lambda: bool(asked), timeout=60_000)
    assert "It fits with the pictures at" in asked[0]
    if agree:
        qtbot.waitUntil(lambda: bool(list(tmp_path.glob("*.zip"))), timeout=60_000)
        qtbot.waitUntil(lambda: bool(services.handoffs.list()), timeout=10_000)
        [package] = tmp_path.glob("*.zip")
        assert package.stat().st_size <= budget
    else:
        qtbot.wait(300)
        assert list(tmp_path.glob("*.zip")) == []
        assert services.handoffs.list() == []
    assert problems == []
